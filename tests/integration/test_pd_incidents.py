"""pd_incidents against the simulator: many incidents in one task, every option, batches of 250, idempotence,
check mode, diff, PagerDuty's refusals, and a request refused or lost part way."""

import datetime
import threading
import time

from ansible_collections.oncall.pagerduty.plugins.modules import pd_incidents
from in_process import run_module
from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN


def bulk_puts(sim, since):
    return [r for r in sim.requests(since=since) if r["method"] == "PUT" and r["path"] == "/incidents"]


def items(put):
    return put["body"]["incidents"]


def adhoc(ansible, args, **kwargs):
    return ansible.adhoc("oncall.pagerduty.pd_incidents", args, rest=True, **kwargs).result()


def open_many(sim, count, **fields):
    return [sim.create_incident(title="Storm %03d" % n, **fields)["id"] for n in range(count)]


def test_an_alert_storm_resolved_in_batches_of_250_once(ansible, sim):
    storm = open_many(sim, 259)
    sim.rest("PUT", "/incidents/%s" % storm[0], {"incident": {"type": "incident_reference", "status": "acknowledged"}})
    elsewhere = sim.create_incident(title="Database", service="PSVCPLT")["id"]
    mark = sim.mark()
    ansible.playbook("pd_incidents/resolve.yml", {"expected": 259})
    puts = bulk_puts(sim, mark)
    assert [len(items(p)) for p in puts] == [250, 9], "check mode and the repeats sent nothing"
    assert [i["id"] for p in puts for i in items(p)] == storm, "in the listing's order"
    assert all(i == {"id": i["id"], "type": "incident_reference", "status": "resolved", "resolution": "Storm over"}
               for p in puts for i in items(p))
    assert all(p["from"] == ADMIN_EMAIL for p in puts)
    assert [r["method"] for r in sim.writes(since=mark)] == ["PUT", "PUT"]
    assert all(i["status"] == "resolved" for i in sim.incidents(**{"service_ids[]": "PSVCCHK"}))
    assert sim.incident(elsewhere)["status"] == "triggered"
    resolves = [e for e in sim.log_entries(storm[7]) if e["type"] == "resolve_log_entry"]
    assert [e["note"] for e in resolves] == ["Storm over"]


def test_check_mode_reads_and_writes_nothing(ansible, sim):
    storm = open_many(sim, 3)
    mark = sim.mark()
    result = adhoc(ansible, "incident_ids=%s status=acknowledged" % ",".join(storm), check=True)
    assert result["changed"] is True and result["changed_ids"] == storm and result["batches"] == 0
    assert result["changes"]["status"] == {"count": 3, "ids": storm, "before": {"triggered": 3},
                                           "after": {"acknowledged": 3}}
    assert sim.writes(since=mark) == [] and [r["method"] for r in sim.requests(since=mark)] == ["GET"] * 3


def test_the_diff_lists_the_incidents_by_value_before_and_after(ansible, sim):
    storm = open_many(sim, 2)
    sim.rest("PUT", "/incidents/%s" % storm[1], {"incident": {"type": "incident_reference", "urgency": "low"}})
    run = ansible.adhoc("oncall.pagerduty.pd_incidents", "incident_ids=%s urgency=high priority=P1" % ",".join(storm),
                        rest=True, diff=True)
    assert run.result()["changed"] is True
    assert '     "urgency": {\n-        "low": [\n+        "high": [\n             "%s"\n' % storm[1] in run.stdout
    assert ('     "priority": {\n-        "none": [\n+        "P1 (PPRIO01)": [\n             "%s",\n             "%s"\n'
            % tuple(storm)) in run.stdout


def test_every_selection_option(ansible, sim):
    checkout = open_many(sim, 2)
    keyed = sim.create_incident(title="Keyed", incident_key="flapping-disk")["id"]
    platform = sim.create_incident(title="Platform", service="PSVCPLT")["id"]
    grace = sim.create_incident(title="Grace's", assignments=[
        {"assignee": {"id": "PGRACE1", "type": "user_reference"}}])["id"]
    number = str(sim.incident(checkout[0])["incident_number"])

    def selected(args):
        return adhoc(ansible, args + " title='Looked at'", check=True)["selected_ids"]
    assert selected("incident_ids=%s,%s,%s" % (number, checkout[0], platform)) == [checkout[0], platform], \
        "an ID and its number are one incident"
    assert selected("services='Platform Database'") == [platform]
    assert selected("teams=Platform") == [platform]
    assert selected("urgencies=low") == [platform], "Platform Database opens low-urgency incidents"
    assert selected("assigned_to=grace@example.com") == [grace]
    assert selected("incident_key=flapping-disk") == [keyed]
    assert selected("statuses=resolved") == []
    assert set(selected("since=2000-01-01T00:00:00Z until=2000-02-01T00:00:00Z")) == set()
    both = adhoc(ansible, "incident_ids=%s,%s services=PSVCCHK title=x" % (checkout[1], platform), check=True)
    assert both["selected_ids"] == [checkout[1]] and both["skipped_ids"] == [platform]


def test_filters_select_open_incidents_unless_statuses_say_otherwise(local_sim):
    # (in-process: the module's code and the client against the simulator, no Ansible process)
    sim = local_sim
    resolved, acknowledged, triggered = open_many(sim, 3)
    sim.rest("PUT", "/incidents/%s" % acknowledged, {"incident": {"type": "incident_reference",
                                                                  "status": "acknowledged"}})
    sim.resolve_incident(resolved)
    created = datetime.datetime.strptime(sim.incident(triggered)["created_at"], "%Y-%m-%dT%H:%M:%SZ")

    def run(check_mode=True, **args):
        result = run_module(pd_incidents, dict(args, api_url=sim.url, api_token=ADMIN_TOKEN, from_email=ADMIN_EMAIL),
                            check_mode=check_mode)
        assert result.get("failed") is not True, result
        return result

    def selected(**args):
        return set(run(title="Looked at", **args)["selected_ids"])

    def moment(hours):
        return (created + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert selected(services=["PSVCCHK"]) == {acknowledged, triggered}, "open incidents only"
    assert selected(services=["PSVCCHK"], statuses=["resolved"]) == {resolved}
    assert selected(statuses=["triggered"]) == {triggered}
    assert selected(statuses=["triggered", "acknowledged", "resolved"]) == {resolved, acknowledged, triggered}
    assert selected(since=moment(-1), until=moment(1)) == {acknowledged, triggered}
    assert selected(since=moment(-1), until=moment(1), statuses=["resolved"]) == {resolved}
    assert selected(since=moment(1), until=moment(2)) == set()
    assert selected(incident_ids=[resolved]) == {resolved}, "IDs alone are taken whatever their status"

    mark = sim.mark()
    result = run(check_mode=False, services=["Checkout API"], status="acknowledged")
    assert result["changed_ids"] == [triggered] and result["unchanged_ids"] == [acknowledged]
    assert sim.incident(resolved)["status"] == "resolved", "a resolved incident is not reopened"
    assert [i["id"] for p in bulk_puts(sim, mark) for i in items(p)] == [triggered]


def test_every_change_option_and_a_second_run_sends_nothing(ansible, sim):
    storm = open_many(sim, 3)
    ids = ",".join(storm)
    for args, check in [
        ("escalation_level=2", lambda i: [a["assignee"]["id"] for a in i["assignments"]] == ["PMARGRT"]),
        ("escalation_policy='Platform On-Call'", lambda i: i["escalation_policy"]["id"] == "PEPPLT1"),
        ("priority=P2", lambda i: i["priority"]["summary"] == "P2"),
        ("urgency=low", lambda i: i["urgency"] == "low"),
        ("title='Checkout storm'", lambda i: i["title"] == "Checkout storm"),
        ("assignees=linus@example.com", lambda i: [a["assignee"]["id"] for a in i["assignments"]] == ["PLINUS1"]),
        ("status=acknowledged", lambda i: i["status"] == "acknowledged"),
        ("status=resolved resolution=Done", lambda i: i["status"] == "resolved"),
    ]:
        mark = sim.mark()
        first = adhoc(ansible, "incident_ids=%s %s" % (ids, args))
        assert first["changed"] is True and first["changed_ids"] == storm, args
        assert len(bulk_puts(sim, mark)) == 1, args
        assert all(check(sim.incident(i)) for i in storm), args
        mark = sim.mark()
        second = adhoc(ansible, "incident_ids=%s %s" % (ids, args))
        assert second["changed"] is False and second["unchanged_ids"] == storm, args
        assert sim.writes(since=mark) == [], args


def test_on_calls_are_read_once_per_policy(ansible, sim):
    open_many(sim, 5)
    platform = [sim.create_incident(title="P %d" % n, service="PSVCPLT")["id"] for n in range(2)]
    mark = sim.mark()
    result = adhoc(ansible, "statuses=triggered escalation_level=1")
    oncalls = [r["query"]["escalation_policy_ids[]"] for r in sim.requests(since=mark) if r["path"] == "/oncalls"]
    assert sorted(oncalls) == [["PEPCHK1"], ["PEPPLT1"]]
    assert result["changed"] is False and len(result["unchanged_ids"]) == 7, "all at level 1 already"
    assert platform[0] in result["unchanged_ids"]


def test_reassigned_and_kept_acknowledged_in_two_rounds(ansible, sim):
    open_many(sim, 3)
    mark = sim.mark()
    ansible.playbook("pd_incidents/reassign.yml")
    first, second = bulk_puts(sim, mark)
    assert all(set(i) == {"id", "type", "assignments"} for i in items(first))
    assert all(i["status"] == "acknowledged" and set(i) == {"id", "type", "status"} for i in items(second))


def test_what_cannot_be_done_fails_before_anything_is_sent(ansible, sim):
    storm = open_many(sim, 3)
    sim.resolve_incident(storm[1])
    mark = sim.mark()
    resolved = adhoc(ansible, "incident_ids=%s escalation_level=2" % ",".join(storm), expect_rc=2)
    assert resolved["msg"].startswith("1 of the 3 selected incidents cannot be changed as asked, so nothing was sent: "
                                      "incident %s is resolved: escalation_level cannot change" % storm[1])
    unknown = adhoc(ansible, "incident_ids=%s,PNOPE00 status=resolved" % storm[0], expect_rc=2)
    assert unknown["msg"] == "incident_ids: PagerDuty has no incident PNOPE00"
    beyond = adhoc(ansible, "incident_ids=%s escalation_level=4" % storm[0], expect_rc=2)
    assert "escalation_level 4 is beyond the incident's escalation policy PEPCHK1" in beyond["msg"]
    assert sim.writes(since=mark) == []


def test_pagerdutys_refusal_is_one_line_with_what_changed_and_what_did_not(ansible, sim):
    sim.reset_without_abilities("urgencies")
    storm = open_many(sim, 2)
    mark = sim.mark()
    result = adhoc(ansible, "incident_ids=%s urgency=low" % ",".join(storm), expect_rc=2)
    assert result["msg"] == ("PagerDuty REST API error 402 (code 2014) on PUT /incidents: Missing Account Ability: "
                             "The account does not have the urgencies ability; incidents[0] (%s) - the PagerDuty "
                             "account's plan does not include the feature this needs; 0 of the 2 incidents to change "
                             "were changed, 2 were not: %s" % (storm[0], ", ".join(storm)))
    assert result["changed"] is False and result["failed_ids"] == storm and result["changed_ids"] == []
    assert result["pagerduty_error"]["code"] == 2014
    assert len(bulk_puts(sim, mark)) == 1, "the same request would be refused again: not resent"


def test_a_batch_refused_part_way_stops_and_reports(ansible, sim):
    storm = open_many(sim, 260)
    sim.fault(method="PUT", path="^/incidents$", status=400, count=None, every=2)
    mark = sim.mark()
    result = adhoc(ansible, "services=PSVCCHK status=acknowledged", expect_rc=2)
    assert result["msg"].startswith("PagerDuty REST API error 400 (code 2001) on PUT /incidents: Invalid Input "
                                    "Provided; 250 of the 260 incidents to change were changed, 10 were not: ")
    assert result["changed"] is True and len(result["changed_ids"]) == 250 and len(result["failed_ids"]) == 10
    assert result["failed_ids"] == storm[250:], "the last ten in the listing's order"
    assert [len(items(p)) for p in bulk_puts(sim, mark)] == [250, 10]
    sim.call("DELETE", "/_sim/faults")
    again = adhoc(ansible, "services=PSVCCHK status=acknowledged")
    assert again["changed_ids"] == result["failed_ids"] and len(again["unchanged_ids"]) == 250


def test_a_lost_answer_of_a_batch_is_confirmed_by_reading_not_resent(ansible, sim):
    storm = open_many(sim, 255)
    sim.fault(method="PUT", path="^/incidents$", drop="reset", after=True, count=1)
    mark = sim.mark()
    result = adhoc(ansible, "services=PSVCCHK status=acknowledged")
    assert result["changed"] is True and sorted(result["changed_ids"]) == sorted(storm)
    puts = bulk_puts(sim, mark)
    assert [len(items(p)) for p in puts] == [250, 5] and puts[0]["dropped"] == "reset"
    reads = [r for r in sim.requests(since=puts[0]["seq"]) if r["seq"] < puts[1]["seq"]]
    assert len(reads) == 250 and all(r["method"] == "GET" for r in reads), "the lost batch was read back"
    assert all([e["type"] for e in sim.log_entries(i)].count("acknowledge_log_entry") == 1 for i in storm[-3:])


def test_an_incident_changed_meanwhile_is_left_out_when_the_batch_is_sent_again(local_sim):
    """Someone resolves one incident while the bulk request is on its way: PagerDuty refuses the request; the
    module reads the incidents back and sends the others again."""
    storm = [local_sim.create_incident(title="Race %d" % n)["id"] for n in range(4)]
    local_sim.fault(method="PUT", path="^/incidents$", latency=1.0, count=1)

    def resolve_one_meanwhile():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not [
                r for r in local_sim.requests() if r["path"] == "/incidents" and r["method"] == "PUT"]:
            time.sleep(0.02)
        local_sim.resolve_incident(storm[2])
    other = threading.Thread(target=resolve_one_meanwhile)
    other.start()
    connection = {"api_url": local_sim.url, "api_token": ADMIN_TOKEN, "from_email": ADMIN_EMAIL}
    result = run_module(pd_incidents, dict(connection, incident_ids=storm, status="resolved", resolution="Race"))
    other.join()
    assert result["changed"] is True and result["failed_ids"] == [], result
    first, second = bulk_puts(local_sim, 0)
    assert first["status"] == 400 and [i["id"] for i in items(first)] == storm
    assert second["status"] == 200 and [i["id"] for i in items(second)] == storm[:2] + storm[3:]
    notes = [[e.get("note") for e in local_sim.log_entries(i) if e["type"] == "resolve_log_entry"] for i in storm]
    assert notes == [["Race"], ["Race"], [None], ["Race"]]


def test_missing_from_email_fails_before_writing(ansible, sim):
    storm = open_many(sim, 1)
    mark = sim.mark()
    result = adhoc(ansible, "incident_ids=%s status=acknowledged" % storm[0], expect_rc=2,
                   env={"PAGERDUTY_FROM_EMAIL": ""})
    assert "from_email is required" in result["msg"] and sim.writes(since=mark) == []
