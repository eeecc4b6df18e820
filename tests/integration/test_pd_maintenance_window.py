"""pd_maintenance_window and pd_maintenance_window_info against the simulator: a window's life, what each run
sends, no incidents while a service is in maintenance, and PagerDuty's refusals."""

import datetime
import json

from pd_harness import ROUTING_KEY

WINDOWS = "/maintenance_windows"


def calls(sim, since=0):
    return [(r["method"], r["path"]) for r in sim.requests(since=since)]


def window_module(ansible, args, expect_rc=0, check=False, diff=False, env=None):
    return ansible.adhoc("oncall.pagerduty.pd_maintenance_window", args, rest=True, expect_rc=expect_rc,
                         check=check, diff=diff, env=env).result()


def windows(sim, state="all"):
    return sim.rest("GET", "/maintenance_windows?filter=%s&limit=100" % state)["maintenance_windows"]


def trigger(ansible, summary):
    return ansible.adhoc("oncall.pagerduty.pd_event", "summary='%s' severity=error source=web1" % summary,
                         env={"PAGERDUTY_ROUTING_KEY": ROUTING_KEY}).result()


def test_window_playbook(ansible, sim):
    ansible.playbook("pd_maintenance_window/window.yml")
    writes = [(r["method"], r["path"].rsplit("/", 1)[0] if r["method"] != "POST" else r["path"])
              for r in sim.writes()]
    assert writes == [("POST", WINDOWS), ("PUT", WINDOWS), ("DELETE", WINDOWS)], \
        "check modes write nothing; the repeats write nothing"
    created = [r for r in sim.requests() if r["method"] == "POST"][0]
    assert created["from"] == "admin@example.com"
    assert created["body"]["maintenance_window"]["services"] == [{"id": "PSVCCHK", "type": "service_reference"}]
    assert [w["id"] for w in windows(sim, "ongoing")] == [] and len(windows(sim, "past")) == 1


def test_adhoc_rerun_is_one_read_and_ends_by_id(ansible, sim):
    args = "services=PSVCCHK,PSVCPLT description='Nightly batch' duration=2h"
    first = window_module(ansible, args)
    mark = sim.mark()
    second = window_module(ansible, args)
    assert first["changed"] is True and second["changed"] is False
    assert calls(sim, mark) == [("GET", WINDOWS)], "a no-op is one read"
    assert sim.requests(since=mark)[0]["query"]["service_ids[]"] == ["PSVCCHK", "PSVCPLT"]
    mark = sim.mark()
    ended = window_module(ansible, "window_id=%s state=absent" % first["maintenance_window"]["id"])
    assert ended["changed"] is True and ended["window_state"] == "ongoing"
    assert calls(sim, mark)[1][0] == "DELETE"
    assert window_module(ansible, "window_id=%s state=absent" % first["maintenance_window"]["id"])["changed"] is False


def test_absent_ends_the_ongoing_window_and_deletes_the_future_one_that_match(ansible, sim):
    args = "services=PSVCCHK description='Nightly batch'"
    tonight = window_module(ansible, args + " duration=1h")["maintenance_window"]
    tomorrow = window_module(ansible, args + " start=2099-01-01T22:00:00Z duration=1h")["maintenance_window"]
    other = window_module(ansible, "services=PSVCCHK description='Something else' duration=1h")["maintenance_window"]
    assert len(set([tonight["id"], tomorrow["id"], other["id"]])) == 3
    mark = sim.mark()
    run = ansible.adhoc("oncall.pagerduty.pd_maintenance_window", args + " state=absent", rest=True, check=True,
                        diff=True)
    checked = run.result()
    assert checked["changed"] is True and sim.writes(since=mark) == []
    assert [w["id"] for w in checked["maintenance_windows"]] == [tonight["id"], tomorrow["id"]], "the ongoing first"
    shown = run.stdout.replace(" ", "")
    for window_id, before, after in ((tonight["id"], "ongoing", "ended"), (tomorrow["id"], "future", "deleted")):
        assert '"id":"%s",\n-"state":"%s"\n+"state":"%s"' % (window_id, before, after) in shown, run.stdout
    ended = window_module(ansible, args + " state=absent")
    assert ended["changed"] is True and ended["window_state"] == "ongoing"
    assert [(r["method"], r["path"]) for r in sim.writes(since=mark)] == [
        ("DELETE", "%s/%s" % (WINDOWS, tonight["id"])), ("DELETE", "%s/%s" % (WINDOWS, tomorrow["id"]))]
    assert ended["maintenance_window"]["id"] == tonight["id"] and ended["maintenance_window"]["end_time"] <= sim.clock()
    assert [w["id"] for w in windows(sim, "open")] == [other["id"]], "the window of another description stays"
    again = window_module(ansible, args + " state=absent")
    assert again["changed"] is False and again["maintenance_windows"] == []


def test_a_window_listed_open_that_has_ended_by_the_controllers_clock_is_not_reused(ansible, sim):
    # PagerDuty's clock is behind the controller's (here by two hours): it still lists as open a window that has
    # ended by the controller's clock. The task opens a new window rather than change the one that has ended.
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def moment(hours):
        return (now + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sim.clock(now=moment(-2))
    stale = sim.rest("POST", WINDOWS, {"maintenance_window": {
        "type": "maintenance_window", "start_time": moment(-2), "end_time": moment(-1), "description": "Deploy",
        "services": [{"id": "PSVCCHK", "type": "service_reference"}]}})["maintenance_window"]
    result = window_module(ansible, "services=PSVCCHK description=Deploy duration=30m")
    assert result["changed"] is True and result["created"] is True and result["window_state"] == "absent"
    assert result["maintenance_window"]["id"] != stale["id"]


def test_check_mode_writes_nothing_and_diff_shows_the_change(ansible, sim):
    result = window_module(ansible, "services='Checkout API' description=Deploy end=2099-01-01T00:00:00Z", check=True,
                           diff=True)
    assert result["changed"] is True and result["created"] is True
    assert sim.writes() == [] and windows(sim) == []
    assert result["maintenance_window"]["end_time"] == "2099-01-01T00:00:00Z"


def test_a_trigger_inside_a_window_opens_nothing_and_one_after_it_ends_does(ansible, sim):
    window_module(ansible, "services='Checkout API' description=Deploy duration=30m")
    inside = trigger(ansible, "Checkout 500s during the deploy")
    assert inside["changed"] is True, "PagerDuty accepts the event (202), as it does for a service in maintenance"
    assert sim.incidents() == []
    received = sim.events()["events"]
    assert len(received) == 1 and received[0]["maintenance_window_id"] == windows(sim)[0]["id"]
    sim.clock(advance=31 * 60)
    assert windows(sim, "ongoing") == [] and len(windows(sim, "past")) == 1
    trigger(ansible, "Checkout 500s after the deploy")
    assert [i["title"] for i in sim.incidents()] == ["Checkout 500s after the deploy"]


def test_a_future_window_by_team_then_started_now(ansible, sim):
    args = "teams=Platform description='Postgres 17' start=2099-01-01T22:00:00+01:00 end=2099-01-02T02:00:00+01:00"
    first = window_module(ansible, args)
    assert first["maintenance_window"]["start_time"] == "2099-01-01T21:00:00Z"
    assert [s["id"] for s in first["maintenance_window"]["services"]] == ["PSVCPLT"]
    assert window_module(ansible, args)["changed"] is False
    started = window_module(ansible, "teams=Platform description='Postgres 17' start=now", diff=True)
    assert started["changed"] is True and started["window_state"] == "future"
    assert [w["id"] for w in windows(sim, "ongoing")] == [first["maintenance_window"]["id"]]
    assert window_module(ansible, "teams=Platform description='Postgres 17' start=now")["changed"] is False, \
        "a window under way keeps its start"


def test_an_ended_window_is_never_reused(ansible, sim):
    first = window_module(ansible, "services=PSVCCHK description=Deploy duration=10")
    sim.clock(advance=11 * 60)
    # (the controller's clock did not move: the window ends now on PagerDuty's clock, so the next one starts later)
    second = window_module(ansible, "services=PSVCCHK description=Deploy end=2099-01-01T00:00:00Z")
    assert second["created"] is True and second["maintenance_window"]["id"] != first["maintenance_window"]["id"]
    # By the controller's clock the first window is still under way; PagerDuty, whose clock decides, says it ended.
    ended = window_module(ansible, "id=%s state=absent" % first["maintenance_window"]["id"])
    assert ended["changed"] is False and ended["maintenance_window"]["id"] == first["maintenance_window"]["id"]
    assert [r["status"] for r in sim.requests() if r["method"] == "DELETE"] == [405]


def test_info_lists_every_page_by_state_and_text(ansible, sim):
    for number in range(105):
        sim.rest("POST", WINDOWS, {"maintenance_window": {
            "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T01:00:00Z",
            "description": "Window %03d" % number, "services": [{"id": "PSVCPLT", "type": "service_reference"}]}})
    mark = sim.mark()
    result = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "filter=future services='Platform Database'",
                           rest=True).result()
    assert result["changed"] is False and result["total"] == 105 and len(result["maintenance_windows"]) == 105
    assert [r["query"].get("offset") for r in sim.requests(since=mark) if r["path"] == WINDOWS] == [["0"], ["100"]]
    found = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "query='Window 104'", rest=True).result()
    assert [w["description"] for w in found["maintenance_windows"]] == ["Window 104"]
    one = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info",
                        "id=%s" % found["maintenance_windows"][0]["id"], rest=True, check=True).result()
    assert one["maintenance_window"]["description"] == "Window 104"
    checkout = window_module(ansible, "services=PSVCCHK description='Checkout deploy' duration=30m")
    by_team = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "teams=Checkout filter=open",
                            rest=True).result()
    assert [w["id"] for w in by_team["maintenance_windows"]] == [checkout["maintenance_window"]["id"]], \
        "the team's windows only (Platform's 105 are not Checkout's)"
    missing = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "id=PNOPE00", rest=True, expect_rc=2)
    assert missing.result()["msg"] == "id: no maintenance window has the ID PNOPE00"
    sim.reset_without_abilities("teams")
    no_teams = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "teams=PTCHKOT", rest=True, expect_rc=2)
    assert no_teams.result()["msg"].startswith("PagerDuty REST API error 402 (code 2014) on GET /teams/PTCHKOT")


def test_pagerdutys_refusals_are_one_line(ansible, sim):
    unknown = window_module(ansible, "services=PNOPE00 description=x duration=5", expect_rc=2)
    assert unknown["msg"] == "services: no service has the ID or name 'PNOPE00'"
    readonly = window_module(ansible, "services=PSVCCHK duration=5", expect_rc=2,
                             env={"PAGERDUTY_API_TOKEN": "pdsim-readonly-token"})
    assert readonly["msg"].startswith("PagerDuty REST API error 403 (code 2010) on POST /maintenance_windows")
    assert readonly["changed"] is False
    no_from = window_module(ansible, "services=PSVCCHK duration=5", expect_rc=2,
                            env={"PAGERDUTY_FROM_EMAIL": ""})
    assert no_from["msg"].startswith("from_email is required")
    gone = window_module(ansible, "id=PNOPE00 duration=5", expect_rc=2)
    assert gone["msg"] == "id: no maintenance window has the ID PNOPE00"
    assert [r for r in sim.writes() if r["status"] and r["status"] < 400] == []


def test_a_lost_create_answer_is_confirmed_by_reading(ansible, sim):
    sim.fault(method="POST", path="^/maintenance_windows$", drop="reset", after=True, count=1)
    result = window_module(ansible, "services=PSVCCHK description=Deploy duration=30m")
    assert result["changed"] is True and result["maintenance_window"]["description"] == "Deploy"
    assert len([r for r in sim.requests() if r["method"] == "POST"]) == 1 and len(windows(sim)) == 1
    assert json.dumps(result).count("PSVCCHK") >= 1


def test_info_fields_keep_only_the_attributes_asked_for_and_the_id(ansible, sim):
    created = sim.rest("POST", WINDOWS, {"maintenance_window": {
        "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T01:00:00Z",
        "description": "Light", "services": [{"id": "PSVCPLT", "type": "service_reference"}]}})["maintenance_window"]
    listed = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "filter=future fields=description",
                           rest=True).result()
    assert listed["maintenance_windows"] == [{"id": created["id"], "description": "Light"}]
    one = ansible.adhoc("oncall.pagerduty.pd_maintenance_window_info", "id=%s fields=end_time" % created["id"],
                        rest=True).result()
    assert one["maintenance_window"] == {"id": created["id"], "end_time": created["end_time"]}
