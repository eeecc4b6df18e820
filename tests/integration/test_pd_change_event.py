"""pd_change_event against the simulator."""

from pd_harness import ROUTING_KEY


def change_requests(sim):
    return [r for r in sim.requests("events") if r["path"] == "/v2/change/enqueue"]


def test_change_event_playbook(ansible, sim):
    ansible.playbook("pd_change_event/change.yml")
    sent = change_requests(sim)
    assert len(sent) == 1, "check mode must not send"
    recorded, = sim.events()["change_events"]
    assert recorded["summary"] == "Deployed checkout-api 1.4.2"
    assert recorded["custom_details"] == {"version": "1.4.2", "deployed_by": "ada"}
    assert [link["href"] for link in recorded["links"]] == [
        "https://git.example.com/checkout/releases/1.4.2", "https://rundeck.example.com/execution/show/42"]
    assert recorded["services"][0]["id"] == "PSVCCHK"


def test_change_event_adhoc(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_change_event", "summary='Rotated secrets' source=vault",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}).result()
    assert result["changed"] is True and result["message"] == "Change event processed"


def test_error_statuses_are_retried(ansible, sim):
    sim.fault(path="^/v2/change/enqueue$", status=500, count=1)
    ansible.adhoc("oncall.pagerduty.pd_change_event", "summary=deploy", env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY})
    assert [r["status"] for r in change_requests(sim)] == [500, 202]
    assert len(sim.events()["change_events"]) == 1


def test_lost_answer_is_not_resent(ansible, sim):
    sim.fault(path="^/v2/change/enqueue$", drop="reset", after=True, count=1)
    result = ansible.adhoc("oncall.pagerduty.pd_change_event", "summary=deploy",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, expect_rc=2).result()
    assert "it was not retried because repeating POST /v2/change/enqueue could apply it twice" in result["msg"]
    assert len(change_requests(sim)) == 1 and len(sim.events()["change_events"]) == 1


def test_bad_input(ansible, sim):
    result = ansible.adhoc("oncall.pagerduty.pd_change_event", "summary=x links=ftp://nope",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}, expect_rc=2).result()
    assert result["msg"] == "links[0].href must be an http(s):// URL, got 'ftp://nope'"
    assert sim.requests() == []


def test_pagerdutys_own_timestamp_example_is_taken(ansible, sim):
    # "2015-07-17T08:42:58.315+0000" is the timestamp of the examples of PagerDuty's Events API v2 document; the
    # simulator accepts it as PagerDuty does, and the module sends it in RFC 3339 form
    result = ansible.adhoc("oncall.pagerduty.pd_change_event",
                           "summary='Merge Pull Request' source=git timestamp=2015-07-17T08:42:58.315+0000",
                           env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}).result()
    assert result["changed"] is True
    sent = change_requests(sim)[0]
    assert sent["status"] == 202 and sent["body"]["payload"]["timestamp"] == "2015-07-17T08:42:58.315+00:00"
    raw = sim.call("POST", "/v2/change/enqueue", {"routing_key": ROUTING_KEY, "payload": {
        "summary": "Merge Pull Request", "timestamp": "2015-07-17T08:42:58.315+0000", "source": "git"}})
    assert raw[0] == 202, raw
