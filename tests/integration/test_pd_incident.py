"""pd_incident against the simulator: every Rundeck incident step, idempotence, check/diff mode, refusals, retries."""

import json
import os

import pytest

from pd_harness import REPO


def puts(sim, since):
    return [r for r in sim.requests(since=since) if r["method"] == "PUT"]


def kinds(sim, incident_id):
    return [entry["type"] for entry in sim.log_entries(incident_id)]


def test_status(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    ansible.playbook("pd_incident/status.yml", {"incident_id": incident["id"]})
    writes = sim.writes(since=mark)
    assert [(w["method"], w["body"]["incident"].get("status")) for w in writes] == [
        ("PUT", "acknowledged"), ("PUT", "resolved")], "check mode and the repeats must not write"
    assert all(w["from"] == "admin@example.com" for w in writes)
    assert writes[1]["body"]["incident"]["resolution"] == "Rolled back to 1.4.1"
    resolve = [e for e in sim.log_entries(incident["id"]) if e["type"] == "resolve_log_entry"]
    assert len(resolve) == 1 and resolve[0]["note"] == "Rolled back to 1.4.1"


def test_assignees(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    ansible.playbook("pd_incident/assignees.yml", {"incident_id": incident["id"]})
    log = sim.requests(since=mark)
    lookups = [r for r in log if r["path"] == "/users"]
    assert [r["query"]["query"] for r in lookups] == [["grace@example.com"], ["MARGARET@example.com"]], \
        "one lookup per email, none for IDs"
    assert len([r for r in log if r["method"] == "PUT"]) == 1
    assert sorted(a["assignee"]["id"] for a in sim.incident(incident["id"])["assignments"]) == ["PGRACE1", "PMARGRT"]


def test_escalation_level(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    ansible.playbook("pd_incident/escalate.yml", {"incident_id": incident["id"]})
    sent = puts(sim, mark)
    assert [p["body"]["incident"]["escalation_level"] for p in sent] == [2, 2], "the repeat sent nothing; force did"
    assert kinds(sim, incident["id"]).count("escalate_log_entry") == 2
    assert [r["path"] for r in sim.requests(since=mark) if r["path"] == "/oncalls"] == ["/oncalls"] * 3


def test_escalation_policy_priority_urgency_title(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    ansible.playbook("pd_incident/policy_priority.yml", {"incident_id": incident["id"]})
    sent = puts(sim, mark)
    assert len(sent) == 1
    assert sent[0]["body"]["incident"] == {
        "type": "incident_reference", "title": "Checkout database saturated", "urgency": "low",
        "priority": {"id": "PPRIO01", "type": "priority_reference"},
        "escalation_policy": {"id": "PEPPLT1", "type": "escalation_policy_reference"}}
    after = sim.incident(incident["id"])
    assert after["escalation_policy"]["id"] == "PEPPLT1" and after["urgency"] == "low"


def test_a_priority_by_id_reads_the_priorities_once_for_the_change_and_its_diff(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    run = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s priority=PPRIO01" % incident["id"],
                        diff=True, rest=True)
    assert run.result()["changed"] is True
    assert '+    "priority": "P1 (PPRIO01)"' in run.stdout
    assert [(r["method"], r["path"]) for r in sim.requests(since=mark)] == [
        ("GET", "/priorities"), ("GET", "/incidents/%s" % incident["id"]), ("PUT", "/incidents/%s" % incident["id"])]


def test_create_is_idempotent_on_incident_key(ansible, sim):
    ansible.playbook("pd_incident/create.yml")
    found = sim.incidents(incident_key="deploy-1.4.2")
    assert len(found) == 1 and found[0]["title"] == "Deploy 1.4.2 failed health checks"
    posts = [w for w in sim.writes() if w["path"] == "/incidents"]
    assert len(posts) == 1
    assert posts[0]["body"]["incident"]["body"]["details"] == {"description": "3 of 5 pods failed readiness"}


def test_create_after_a_lost_answer_opens_one_incident(ansible, sim):
    sim.fault(method="POST", path="^/incidents$", drop="reset", after=True, count=1)
    result = ansible.adhoc("oncall.pagerduty.pd_incident",
                           "service=PSVCCHK title='Lost answer' urgency=high", rest=True).result()
    assert result["changed"] is True and result["created"] is True
    posts = [r for r in sim.requests() if r["method"] == "POST"]
    assert len(posts) == 1 and posts[0]["dropped"] == "reset"
    key = posts[0]["body"]["incident"]["incident_key"]
    assert key.startswith("oncall-pagerduty-")
    assert len(sim.incidents(incident_key=key)) == 1


def test_adhoc_with_check_and_diff(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    run = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=acknowledged" % incident["id"],
                        check=True, diff=True, rest=True)
    assert run.result()["changed"] is True
    assert '-    "status": "triggered"\n+    "status": "acknowledged"' in run.stdout
    assert sim.writes(since=mark) == []
    number = str(incident["incident_number"])
    first = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=acknowledged" % number, rest=True).result()
    second = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=acknowledged" % number, rest=True).result()
    assert first["changed"] is True and second["changed"] is False
    assert first["incident"]["id"] == incident["id"]


def test_refused_after_reading_but_before_writing(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    beyond = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s escalation_level=4" % incident["id"],
                           expect_rc=2, rest=True).result()
    assert beyond["msg"] == ("escalation_level 4 is beyond the incident's escalation policy PEPCHK1, whose levels "
                             "with someone on call are 1, 2, 3")
    sim.resolve_incident(incident["id"])
    mark = sim.mark()
    resolved = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s escalation_level=2" % incident["id"],
                             expect_rc=2, rest=True).result()
    assert "is resolved: escalation_level cannot change on a resolved incident" in resolved["msg"]
    unknown = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s assignees=nobody@example.com"
                            % incident["id"], expect_rc=2, rest=True).result()
    assert unknown["msg"].startswith("assignees: no PagerDuty user has the email nobody@example.com")
    assert sim.writes(since=mark) == []


def test_pagerduty_errors_come_back_as_one_line(ansible, sim):
    missing = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=PNOPE00 status=resolved",
                            expect_rc=2, rest=True).result()
    assert missing["msg"] == ("PagerDuty REST API error 404 (code 2100) on GET /incidents/PNOPE00: Not Found: "
                              "Incident PNOPE00 not found")
    assert missing["pagerduty_error"]["code"] == 2100
    # an account without the urgencies feature: PagerDuty's 402 with its own code
    sim.reset_without_abilities("urgencies")
    incident = sim.create_incident()
    payment = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s urgency=low" % incident["id"],
                            expect_rc=2, rest=True).result()
    assert payment["msg"].startswith("PagerDuty REST API error 402 (code 2014) on PUT /incidents/%s: Missing Account "
                                     "Ability" % incident["id"])
    assert "plan does not include" in payment["msg"]


def test_missing_from_email(ansible, sim):
    incident = sim.create_incident()
    result = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=acknowledged" % incident["id"],
                           expect_rc=2, rest=True, env={"PAGERDUTY_FROM_EMAIL": ""}).result()
    assert "from_email is required" in result["msg"]


def test_retries_429_and_503_and_applies_the_update_once(ansible, sim):
    incident = sim.create_incident()
    path = "^/incidents/%s$" % incident["id"]
    sim.fault(method="PUT", path=path, status=429, headers={"ratelimit-reset": "1"}, count=1)
    sim.fault(method="PUT", path=path, status=503, count=1)
    mark = sim.mark()
    ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=acknowledged" % incident["id"], rest=True)
    assert [p["status"] for p in puts(sim, mark)] == [429, 503, 200]
    assert kinds(sim, incident["id"]).count("acknowledge_log_entry") == 1


def test_lost_answer_on_escalation_is_confirmed_not_resent(ansible, sim):
    incident = sim.create_incident()
    sim.fault(method="PUT", path="^/incidents/%s$" % incident["id"], drop="reset", after=True, count=1)
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s escalation_level=3"
                           % incident["id"], rest=True).result()
    assert result["changed"] is True
    assert result["incident"]["assignments"][0]["assignee"]["id"] == "PGRACE1"
    assert len(puts(sim, mark)) == 1, "the escalation must not be sent twice (it would page again)"
    assert kinds(sim, incident["id"]).count("escalate_log_entry") == 1


def reset_with_levels(sim, policy_id, levels, users=()):
    """Reset the simulator with ``policy_id``'s levels on call as given (lists of emails), plus ``users``."""
    with open(os.path.join(REPO, "tests", "pdsim", "seeds", "default.json")) as handle:
        seed = json.load(handle)
    seed["users"] += [{"name": "Pager %s" % email.split("@")[0], "email": email, "role": "user"} for email in users]
    for policy in seed["escalation_policies"]:
        if policy["id"] == policy_id:
            policy["rules"] = [{"escalation_delay_in_minutes": 15, "targets": targets} for targets in levels]
    sim.reset(seed=seed)


def escalate(ansible, incident, level, **kwargs):
    return ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s escalation_level=%d" % (incident["id"], level),
                         rest=True, **kwargs).result()


def test_one_person_on_two_levels_the_log_decides(ansible, sim):
    reset_with_levels(sim, "PEPCHK1", [["linus@example.com"], ["linus@example.com"], ["grace@example.com"]])
    incident = sim.create_incident()
    mark = sim.mark()
    first = escalate(ansible, incident, 2)
    assert first["changed"] is True
    assert first["escalation_levels"] == [1], "no escalation logged since the incident opened: it is at level 1"
    assert [p["body"]["incident"]["escalation_level"] for p in puts(sim, mark)] == [2]
    assert "/incidents/%s/log_entries" % incident["id"] in [r["path"] for r in sim.requests(since=mark)]
    # Now the log holds an escalation to Linus, who is on call at levels 1 and 2: it cannot tell which, so the
    # module sends the escalation rather than assume it is done; a lost answer is confirmed from the log.
    sim.fault(method="PUT", path="^/incidents/%s$" % incident["id"], drop="reset", after=True, count=1)
    mark = sim.mark()
    again = escalate(ansible, incident, 2)
    assert again["changed"] is True and again["escalation_levels"] == [1, 2]
    assert len(puts(sim, mark)) == 1, "the escalation landed; its lost answer must not make it page twice"
    assert kinds(sim, incident["id"]).count("escalate_log_entry") == 2
    mark = sim.mark()
    assert escalate(ansible, incident, 3)["changed"] is True
    assert escalate(ansible, incident, 3)["changed"] is False, "Grace is on call at level 3 only"
    assert len(puts(sim, mark)) == 1


def test_on_calls_are_read_across_pages(ansible, sim):
    pagers = ["pager%03d@example.com" % n for n in range(105)]
    reset_with_levels(sim, "PEPCHK1", [pagers, ["margaret@example.com"], ["grace@example.com"]], users=pagers)
    incident = sim.create_incident()
    mark = sim.mark()
    result = escalate(ansible, incident, 2)
    assert result["changed"] is True and result["escalation_levels"] == [1]
    oncalls = [r for r in sim.requests(since=mark) if r["path"] == "/oncalls"]
    assert sorted(r["query"].get("offset", ["0"])[0] for r in oncalls) == ["0", "100"], \
        "level 2 is on the second page of /oncalls"
    assert [a["assignee"]["id"] for a in sim.incident(incident["id"])["assignments"]] == ["PMARGRT"]


@pytest.mark.parametrize("reassignment", ["assignees=PGRACE1", "escalation_policy=PEPPLT1", "escalation_level=2"])
def test_resolving_with_a_reassignment_is_refused_before_sending(ansible, sim, reassignment):
    incident = sim.create_incident()
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=resolved %s"
                           % (incident["id"], reassignment), rest=True, expect_rc=2).result()
    assert result["msg"] == "%s cannot be combined with status=resolved" % reassignment.split("=")[0]
    assert sim.requests(since=mark) == []


def test_acknowledged_and_escalated_in_one_task_ends_acknowledged(ansible, sim):
    incident = sim.create_incident()
    args = "incident_id=%s status=acknowledged escalation_level=2" % incident["id"]
    mark = sim.mark()
    first = ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True).result()
    assert first["changed"] is True
    assert [p["body"]["incident"] for p in puts(sim, mark)] == [
        {"type": "incident_reference", "escalation_level": 2},
        {"type": "incident_reference", "status": "acknowledged"}], "escalating re-triggers: acknowledge after it"
    after = sim.incident(incident["id"])
    assert after["status"] == "acknowledged" and [a["assignee"]["id"] for a in after["assignments"]] == ["PMARGRT"]
    mark = sim.mark()
    again = ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True).result()
    assert again["changed"] is False and puts(sim, mark) == []
    # without status, escalating an acknowledged incident leaves it triggered, and the diff says so
    run = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s escalation_level=3" % incident["id"],
                        rest=True, diff=True)
    assert '-    "status": "acknowledged"' in run.stdout and '+    "status": "triggered"' in run.stdout
    assert sim.incident(incident["id"])["status"] == "triggered"


def test_reopen_acknowledged_with_a_new_policy(ansible, sim):
    incident = sim.create_incident()
    sim.resolve_incident(incident["id"])
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s status=acknowledged "
                           "escalation_policy='Platform On-Call'" % incident["id"], rest=True).result()
    assert result["changed"] is True
    assert [p["body"]["incident"] for p in puts(sim, mark)] == [
        {"type": "incident_reference", "status": "triggered",
         "escalation_policy": {"id": "PEPPLT1", "type": "escalation_policy_reference"}},
        {"type": "incident_reference", "status": "acknowledged"}]
    after = sim.incident(incident["id"])
    assert after["status"] == "acknowledged" and after["escalation_policy"]["id"] == "PEPPLT1"
    assert [a["assignee"]["id"] for a in after["assignments"]] == ["PMARGRT"]


def test_check_mode_reassignments_write_nothing_and_show_the_change(ansible, sim):
    incident = sim.create_incident()
    mark = sim.mark()
    for args, shown in [
            ("escalation_level=2", ['-    "escalation_level": 1', '+    "escalation_level": 2', '+        "PMARGRT"']),
            ("escalation_policy=PEPPLT1", ['-    "escalation_policy": "Checkout Escalation (PEPCHK1)"',
                                           '+    "escalation_policy": "Platform On-Call (PEPPLT1)"']),
            ("assignees=grace@example.com", ['-        "PLINUS1"', '+        "PGRACE1"'])]:
        run = ansible.adhoc("oncall.pagerduty.pd_incident", "incident_id=%s %s" % (incident["id"], args),
                            rest=True, check=True, diff=True)
        assert run.result()["changed"] is True
        for line in shown:
            assert line in run.stdout, (args, line)
    assert sim.writes(since=mark) == []
    after = sim.incident(incident["id"])
    assert after["escalation_policy"]["id"] == "PEPCHK1" and after["assignments"][0]["assignee"]["id"] == "PLINUS1"


def test_create_with_escalation_shows_it_in_check_mode_too(ansible, sim):
    args = "service='Checkout API' title='Disk full' incident_key=disk-1 escalation_level=2"
    mark = sim.mark()
    checked = ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True, check=True, diff=True)
    assert checked.result()["changed"] is True and checked.result()["created"] is True
    assert sim.writes(since=mark) == []
    created = ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True, diff=True)
    for run in (checked, created):
        assert "--- before\n+++ after\n" in run.stdout
        for line in ('-    "incident": null', '+        "title": "Disk full"', '-    "escalation_level": 1',
                     '+    "escalation_level": 2', '-        "PLINUS1"', '+        "PMARGRT"'):
            assert line in run.stdout, (line, run.stdout)
    writes = sim.writes(since=mark)
    assert [(w["method"], w["path"]) for w in writes] == [
        ("POST", "/incidents"), ("PUT", "/incidents/%s" % created.result()["incident"]["id"])]
    assert writes[1]["body"]["incident"] == {"type": "incident_reference", "escalation_level": 2}
    again = ansible.adhoc("oncall.pagerduty.pd_incident", args, rest=True).result()
    assert again["changed"] is False and again["created"] is False
    assert len(sim.writes(since=mark)) == 2
