"""pd_incident's merge_into and snooze against the simulator: changed, unchanged, check mode, diff, refusals before
sending, PagerDuty's errors, and lost answers confirmed by reading."""

from pd_harness import ROUTING_KEY


def alerting_incident(sim, key):
    """An incident opened by an Events API alert (so it has one alert to merge)."""
    status, body = sim.call("POST", "/v2/enqueue", {"routing_key": ROUTING_KEY, "event_action": "trigger",
                                                    "dedup_key": key,
                                                    "payload": {"summary": key, "source": "web1", "severity": "error"}})
    assert status == 202, body
    [incident] = sim.incidents(incident_key=key)
    return incident["id"]


def adhoc(ansible, args, **kwargs):
    return ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True, **kwargs).result()


def writes(sim, since):
    return [(w["method"], w["path"]) for w in sim.writes(since=since)]


# -- merge ------------------------------------------------------------------------------------------------------

def test_merge_playbook(ansible, sim):
    target, first, second = [alerting_incident(sim, key) for key in ("db-down", "api-5xx", "api-latency")]
    mark = sim.mark()
    ansible.playbook("pd_incident/merge.yml", {"target": target, "first": first, "second": second})
    assert writes(sim, mark) == [("PUT", "/incidents/%s/merge" % target)], "check mode and the repeat wrote nothing"
    [merge] = sim.writes(since=mark)
    assert merge["body"] == {"source_incidents": [{"id": first, "type": "incident_reference"},
                                                  {"id": second, "type": "incident_reference"}]}
    for source in (first, second):
        merged = sim.incident(source)
        assert merged["status"] == "resolved"
        assert merged["resolve_reason"]["type"] == "merge_resolve_reason"
        assert merged["resolve_reason"]["incident"]["id"] == target
        assert sim.log_entries(source)[0]["type"] == "resolve_log_entry"
    assert sim.incident(target)["status"] == "triggered"


def test_what_cannot_be_merged_is_refused_before_sending(ansible, sim):
    target, source, closed = [sim.create_incident(title=t)["id"] for t in ("target", "source", "closed")]
    sim.resolve_incident(closed)
    mark = sim.mark()
    assert adhoc(ansible, "incident_id=%s merge_into=%s" % (source, closed), expect_rc=2)["msg"] == (
        "merge_into: incident %s is resolved and PagerDuty merges only into an open incident" % closed)
    assert adhoc(ansible, "incident_id=%s merge_into=%s" % (closed, target), expect_rc=2)["msg"] == (
        "incident %s is resolved: only open incidents can be merged" % closed)
    assert adhoc(ansible, "incident_id=%s merge_into=%s" % (target, target), expect_rc=2)["msg"] == (
        "merge_into: incident %s cannot be merged into itself" % target)
    assert adhoc(ansible, "merge_into=%s source_incidents=PNOPE00" % target, expect_rc=2)["msg"] == (
        "PagerDuty has no incident PNOPE00 to merge")
    missing = adhoc(ansible, "incident_id=%s merge_into=PNOPE00" % source, expect_rc=2)
    assert missing["msg"] == ("PagerDuty REST API error 404 (code 2100) on GET /incidents/PNOPE00: Not Found: "
                              "Incident PNOPE00 not found")
    assert sim.writes(since=mark) == []


def test_pagerdutys_refusal_of_a_merge_is_one_line(ansible, sim):
    target, source = [sim.create_incident(title=t)["id"] for t in ("target", "source")]
    sim.fault(method="PUT", path="/merge$", status=400, count=1)
    result = adhoc(ansible, "incident_id=%s merge_into=%s" % (source, target), expect_rc=2)
    assert result["msg"] == ("PagerDuty REST API error 400 (code 2001) on PUT /incidents/%s/merge: Invalid Input "
                             "Provided" % target)
    assert result["changed"] is False and sim.incident(source)["status"] == "triggered"


def test_a_lost_merge_answer_is_confirmed_by_reading_not_resent(ansible, sim):
    target, source = [alerting_incident(sim, key) for key in ("one", "two")]
    sim.fault(method="PUT", path="/merge$", drop="reset", after=True, count=1)
    mark = sim.mark()
    result = adhoc(ansible, "incident_id=%s merge_into=%s" % (source, target))
    assert result["changed"] is True and result["merged"] == [source]
    assert writes(sim, mark) == [("PUT", "/incidents/%s/merge" % target)]
    assert sim.incident(target)["alert_counts"]["all"] == 2


# -- snooze ------------------------------------------------------------------------------------------------------

def test_snooze_playbook(ansible, sim):
    incident = sim.create_incident()["id"]
    mark = sim.mark()
    ansible.playbook("pd_incident/snooze.yml", {"incident_id": incident})
    assert writes(sim, mark) == [("PUT", "/incidents/%s" % incident), ("POST", "/incidents/%s/snooze" % incident),
                                 ("POST", "/incidents/%s/snooze" % incident)]
    snoozes = [w["body"] for w in sim.writes(since=mark) if w["path"].endswith("/snooze")]
    assert snoozes == [{"duration": 3600}, {"duration": 5400}]
    assert [e["type"] for e in sim.log_entries(incident)].count("snooze_log_entry") == 2


def test_only_an_acknowledged_incident_is_snoozed(ansible, sim):
    incident = sim.create_incident()["id"]
    mark = sim.mark()
    triggered = adhoc(ansible, "incident_id=%s snooze=1h" % incident, expect_rc=2)
    assert triggered["msg"] == ("snooze needs an acknowledged incident (PagerDuty snoozes only those): incident %s "
                                "is triggered; give status: acknowledged to acknowledge it first" % incident)
    sim.rest("PUT", "/incidents/%s" % incident, {"incident": {"type": "incident_reference", "status": "acknowledged"}})
    mark = sim.mark()
    reassigned = adhoc(ansible, "incident_id=%s snooze=1h escalation_level=2" % incident, expect_rc=2)
    assert "incident %s would be triggered" % incident in reassigned["msg"]
    assert sim.writes(since=mark) == [], "refused before anything was sent"
    checked = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s snooze=1h" % incident, rest=True,
                            check=True, diff=True)
    assert checked.result()["changed"] is True and '+    "snooze": 3600' in checked.stdout
    assert sim.writes(since=mark) == []


def test_a_snoozed_incident_triggers_again_when_the_snooze_ends(ansible, sim):
    incident = sim.create_incident()["id"]
    assert adhoc(ansible, "incident_id=%s status=acknowledged snooze=30m" % incident)["changed"] is True
    assert adhoc(ansible, "incident_id=%s status=acknowledged snooze=30m" % incident)["changed"] is False
    status, moved = sim.call("POST", "/_sim/clock", {"advance": 1801})
    assert status == 200 and moved["ran"] == 1
    after = sim.incident(incident)
    assert after["status"] == "triggered" and after["pending_actions"] == []
    assert sim.log_entries(incident)[0]["type"] == "unacknowledge_log_entry"
    mark = sim.mark()
    again = adhoc(ansible, "incident_id=%s status=acknowledged snooze=30m" % incident)
    assert again["changed"] is True and again["incident"]["status"] == "acknowledged"
    assert writes(sim, mark) == [("PUT", "/incidents/%s" % incident), ("POST", "/incidents/%s/snooze" % incident)]


def test_a_lost_snooze_answer_is_confirmed_by_reading_not_resent(ansible, sim):
    incident = sim.create_incident()["id"]
    sim.rest("PUT", "/incidents/%s" % incident, {"incident": {"type": "incident_reference", "status": "acknowledged"}})
    sim.fault(method="POST", path="/snooze$", status=502, after=True, count=1)
    mark = sim.mark()
    result = adhoc(ansible, "incident_id=%s snooze=2h" % incident)
    assert result["changed"] is True and result["incident"]["pending_actions"][0]["type"] == "unacknowledge"
    assert writes(sim, mark) == [("POST", "/incidents/%s/snooze" % incident)]
    assert [e["type"] for e in sim.log_entries(incident)].count("snooze_log_entry") == 1
