"""pd_schedule_override against the simulator: an override's life, several in one request, safety of creates,
and PagerDuty's refusals."""

import datetime
import json

OVERRIDES = "/schedules/PSCHCHK/overrides"


def override_module(ansible, args, expect_rc=0, check=False, diff=False, env=None):
    return ansible.adhoc("oncall.pagerduty.pd_schedule_override", args, rest=True, expect_rc=expect_rc, check=check,
                         diff=diff, env=env).result()


def overrides(sim):
    return sim.rest("GET", OVERRIDES + "?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z&overflow=true")[
        "overrides"]


def test_cover_playbook(ansible, sim):
    ansible.playbook("pd_schedule_override/cover.yml")
    writes = [(r["method"], r["path"].rsplit("/", 1)[0] if r["method"] == "DELETE" else r["path"])
              for r in sim.writes()]
    assert writes == [("POST", OVERRIDES), ("DELETE", OVERRIDES)], "check mode and the repeats write nothing"
    assert all(o["end"] <= sim.clock() for o in overrides(sim)), "the override under way ended (PagerDuty keeps " \
        "the part that has passed)"


def test_an_incident_opened_during_the_cover_pages_the_one_covering(ansible, sim):
    override_module(ansible, "schedule='Checkout Primary' user=margaret@example.com duration=1h")
    incident = sim.create_incident(title="Checkout slow during the deploy")
    assert [a["assignee"]["id"] for a in incident["assignments"]] == ["PMARGRT"]
    sim.clock(advance=3700)
    later = sim.create_incident(title="Checkout slow again")
    assert [a["assignee"]["id"] for a in later["assignments"]] == ["PLINUS1"], "the cover is over"


def test_several_overrides_in_one_request_and_a_rerun_sends_nothing(ansible, sim):
    args = json.dumps({"schedule": "PSCHCHK", "overrides": [
        {"user": "grace@example.com", "start": "2099-12-24T09:00:00Z", "end": "2099-12-25T09:00:00Z"},
        {"user": "PMARGRT", "start": "2099-12-25T09:00:00+01:00", "duration": "1d"}]})
    first = override_module(ansible, args, diff=True)
    assert first["changed"] is True
    assert [(o["user"]["id"], o["start"], o["end"]) for o in first["overrides"]] == [
        ("PGRACE1", "2099-12-24T09:00:00Z", "2099-12-25T09:00:00Z"),
        ("PMARGRT", "2099-12-25T08:00:00Z", "2099-12-26T08:00:00Z")]
    posts = [r for r in sim.requests() if r["method"] == "POST"]
    assert len(posts) == 1 and len(posts[0]["body"]["overrides"]) == 2
    mark = sim.mark()
    again = override_module(ansible, args)
    assert again["changed"] is False and [o["id"] for o in again["overrides"]] == [o["id"] for o in first["overrides"]]
    assert [(r["method"], r["path"]) for r in sim.requests(since=mark)] == [("GET", "/users"), ("GET", OVERRIDES)], \
        "one read, plus one for the email to resolve"
    removed = override_module(ansible, json.dumps({"schedule": "PSCHCHK", "state": "absent", "overrides": [
        {"user": "PMARGRT", "start": "2099-12-25T08:00:00Z", "end": "2099-12-26T08:00:00Z"}]}))
    assert removed["changed"] is True and [o["user"]["id"] for o in overrides(sim)] == ["PGRACE1"]


def test_check_mode_writes_nothing(ansible, sim):
    result = override_module(ansible, "schedule=PSCHCHK user=PGRACE1 start=2099-01-01T00:00:00Z duration=2h",
                             check=True, diff=True)
    assert result["changed"] is True and sim.writes() == [] and overrides(sim) == []
    assert result["overrides"] == [{"start": "2099-01-01T00:00:00Z", "end": "2099-01-01T02:00:00Z",
                                    "user": {"id": "PGRACE1", "type": "user_reference"}}]


def test_a_lost_answer_is_confirmed_by_reading(ansible, sim):
    sim.fault(method="POST", path="^%s$" % OVERRIDES, status=502, after=True, count=1)
    result = override_module(ansible, "schedule=PSCHCHK user=PGRACE1 start=2099-01-01T00:00:00Z duration=2h")
    assert result["changed"] is True and result["overrides"][0]["user"]["id"] == "PGRACE1"
    assert len([r for r in sim.requests() if r["method"] == "POST"]) == 1 and len(overrides(sim)) == 1


def test_pagerdutys_refusals_are_one_line(ansible, sim):
    refused = override_module(ansible, "schedule=PSCHCHK user=PNOPE12 start=2099-01-01T00:00:00Z duration=2h",
                              expect_rc=2)
    assert refused["msg"] == ("PagerDuty did not create 1 of 1 override(s): PNOPE12 from 2099-01-01T00:00:00Z to "
                              "2099-01-01T02:00:00Z (User PNOPE12 not found)")
    unknown = override_module(ansible, "schedule='Checkout Secondary' user=PGRACE1 duration=2h", expect_rc=2)
    assert unknown["msg"] == "schedule: no schedule is named 'Checkout Secondary'"
    nobody = override_module(ansible, "schedule=PSCHCHK user=nobody@example.com duration=2h", expect_rc=2)
    assert nobody["msg"] == "user: no PagerDuty user has the email nobody@example.com"
    assert overrides(sim) == [], "the POST answered 201, with the one override refused"


def test_handing_the_pager_back_after_the_cover_ended_is_unchanged(ansible, sim):
    # Margaret covered from 3 to 2 hours ago (made while the simulated clock was back then); the task that hands the
    # pager back runs late. PagerDuty refuses to delete a past override, and it puts nobody on call any more.
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def moment(hours):
        return (now + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sim.clock(now=moment(-4))
    sim.rest("POST", OVERRIDES, {"overrides": [{"start": moment(-3), "end": moment(-2), "user": {
        "id": "PMARGRT", "type": "user_reference"}}]})
    sim.clock(now=moment(0))
    mark = sim.mark()
    args = "schedule='Checkout Primary' user=margaret@example.com start=%s end=%s state=absent" % (
        moment(-3), moment(-2))
    for check in (True, False):
        result = override_module(ansible, args, check=check)
        assert result["changed"] is False and result["overrides"] == [], check
    assert sim.writes(since=mark) == [], "nothing is sent"
    assert len(overrides(sim)) == 1, "the past override is kept"


def test_a_read_only_token_is_refused_in_one_line_and_nothing_changes(ansible, sim):
    result = override_module(ansible, "schedule=PSCHCHK user=PGRACE1 duration=1h", expect_rc=2,
                             env={"PAGERDUTY_API_TOKEN": "pdsim-readonly-token"})
    assert result["msg"].startswith("PagerDuty REST API error 403 (code 2010) on POST /schedules/PSCHCHK/overrides")
    assert "\n" not in result["msg"] and result["changed"] is False and overrides(sim) == []
