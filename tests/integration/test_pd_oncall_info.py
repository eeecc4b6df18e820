"""pd_oncall_info against the simulator: who is on call through policies, schedules and services, rotations and
overrides over time, what each question costs, and clear errors."""

import datetime
import json
import os

from pd_harness import REPO

ANCHOR = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)     # a Monday, 00:00 UTC


def oncall(ansible, args, expect_rc=0, check=False):
    return ansible.adhoc("oncall.pagerduty.pd_oncall_info", args, rest=True, expect_rc=expect_rc,
                         check=check).result()


def calls(sim, since=0):
    return [(r["method"], r["path"]) for r in sim.requests(since=since)]


def moment(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def reset_with_platform_rotation(sim):
    """The default account, with Platform On-Call's level 1 a daily rotation of Margaret and Ken (from 2024-01-01
    00:00 UTC) and a weekly layer of Grace starting in two days, above it; the simulated time is today's midday."""
    with open(os.path.join(REPO, "tests", "pdsim", "seeds", "default.json")) as handle:
        seed = json.load(handle)
    soon = (moment(sim.clock()) + datetime.timedelta(days=2)).replace(hour=0, minute=0, second=0)
    seed["schedules"].append({"id": "PSCHPLT", "name": "Platform Daily", "layers": [
        {"id": "PLAYPL1", "rotation": "daily", "start": iso(ANCHOR),
         "users": ["margaret@example.com", "ken@example.com"]},
        {"id": "PLAYPL2", "rotation": "weekly", "start": iso(soon), "end": iso(soon + datetime.timedelta(hours=6)),
         "users": ["grace@example.com"]}]})
    for policy in seed["escalation_policies"]:
        if policy["id"] == "PEPPLT1":
            policy["rules"][0]["targets"] = [{"schedule": "Platform Daily"}]
    sim.reset(seed=seed)
    sim.clock(now=iso(moment(sim.clock()).replace(hour=12, minute=0, second=0)))   # midday: no hand-off meanwhile
    return soon


def on_duty(when):
    """Who the daily rotation has on call at ``when``."""
    return ["margaret@example.com", "ken@example.com"][((when - ANCHOR).days) % 2]


def test_who_is_on_call_for_a_service_costs_one_listing_and_one_name(ansible, sim):
    result = oncall(ansible, "services='Checkout API' escalation_level=1")
    assert result["changed"] is False and result["emails"] == ["linus@example.com"]
    entry = result["oncalls"][0]
    assert entry["user"] == {"id": "PLINUS1", "name": "Linus Ops", "email": "linus@example.com"}
    assert entry["escalation_policy"] == {"id": "PEPCHK1", "name": "Checkout Escalation"}
    assert entry["schedule"] == {"id": "PSCHCHK", "name": "Checkout Primary"}
    assert entry["start"] <= sim.clock() < entry["end"]
    assert calls(sim) == [("GET", "/services"), ("GET", "/oncalls")]
    assert "contact_methods" not in json.dumps(result)


def test_ids_cost_nothing_more_and_every_level_is_listed(ansible, sim):
    result = oncall(ansible, "escalation_policies=PEPCHK1", check=True)
    assert [(e["escalation_level"], e["user"]["email"], e["schedule"] and e["schedule"]["id"], e["start"])
            for e in result["oncalls"]] == [(1, "linus@example.com", "PSCHCHK", result["oncalls"][0]["start"]),
                                            (2, "margaret@example.com", None, None),
                                            (3, "grace@example.com", None, None)]
    assert calls(sim) == [("GET", "/oncalls")]
    margaret = oncall(ansible, "users=margaret@example.com")
    assert [e["escalation_policy"]["name"] for e in margaret["oncalls"]] == ["Checkout Escalation", "Platform On-Call"]
    assert margaret["users"] == [{"id": "PMARGRT", "name": "Margaret Oncall", "email": "margaret@example.com"}]


def test_rotations_hand_over_and_overrides_take_precedence(ansible, sim):
    soon = reset_with_platform_rotation(sim)
    now = moment(sim.clock())
    assert oncall(ansible, "services='Platform Database'")["emails"] == [on_duty(now)]
    sim.clock(advance=86400)
    assert oncall(ansible, "schedules='Platform Daily'")["emails"] == [on_duty(now + datetime.timedelta(days=1))]
    ahead = oncall(ansible, "escalation_policies='Platform On-Call' at=%s" % iso(soon + datetime.timedelta(hours=1)))
    assert ahead["emails"] == ["grace@example.com"], "the later layer wins"
    # (from the simulator's time, a day ahead of the controller's)
    ansible.adhoc("oncall.pagerduty.pd_schedule_override", "schedule=PSCHPLT user=PLINUS1 start=%s duration=1h"
                  % sim.clock(), rest=True)
    assert oncall(ansible, "schedules=PSCHPLT")["emails"] == ["linus@example.com"], "the override wins"
    week = oncall(ansible, "schedules=PSCHPLT since=%s until=%s" % (iso(moment(sim.clock())), iso(
        moment(sim.clock()) + datetime.timedelta(days=4))))
    handovers = [(e["user"]["email"], e["start"], e["end"]) for e in week["oncalls"]]
    assert handovers[0][0] == "linus@example.com" and len(handovers) >= 5
    assert all(a[2] <= b[1] for a, b in zip(handovers, handovers[1:])), "one after the other"


def test_nobody_on_call_is_an_empty_answer_not_an_error(ansible, sim):
    result = oncall(ansible, "escalation_policies=PEPPLT1 users=PLINUS1")
    assert result["oncalls"] == [] and result["emails"] == []
    assert calls(sim) == [("GET", "/oncalls"), ("GET", "/escalation_policies/PEPPLT1"), ("GET", "/users/PLINUS1")], \
        "an ID the answer does not name is checked once"


def test_unknown_names_and_bad_times_fail_with_one_line(ansible, sim):
    assert oncall(ansible, "escalation_policies=Checkout", expect_rc=2)["msg"] == (
        "escalation_policies: no escalation policy is named 'Checkout'; found: Checkout Escalation (PEPCHK1)")
    assert oncall(ansible, "schedules=PNOPE00", expect_rc=2)["msg"] == (
        "schedules: no schedule has the ID or name 'PNOPE00'")
    mark = sim.mark()
    assert oncall(ansible, "users=PLINUS1 at=tomorrow", expect_rc=2)["msg"].startswith("at must be now or an ISO 8601")
    assert calls(sim, mark) == []
    refused = ansible.adhoc("oncall.pagerduty.pd_oncall_info", "escalation_policies=PEPCHK1", expect_rc=2,
                            env={"PAGERDUTY_API_TOKEN": "pdsim-wrong-token"}).result()
    assert refused["msg"].startswith("PagerDuty REST API error 401 (code 2006) on GET /oncalls: Authentication failed")


def test_fields_keep_only_the_attributes_asked_for(ansible, sim):
    result = oncall(ansible, "escalation_policies=PEPCHK1 fields=escalation_level,user")
    assert [e["escalation_level"] for e in result["oncalls"]] == [1, 2, 3]
    assert all(sorted(e) == ["escalation_level", "user"] for e in result["oncalls"]), "on-call entries have no id"
    assert result["emails"] == ["linus@example.com", "margaret@example.com", "grace@example.com"], "as before"
