"""pd_incidents without PagerDuty: what it selects and plans, how it summarises, and how its bulk updates are sent,
confirmed after a lost answer or a refusal, and reported when they stop part way."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyAPIError, PagerDutyInputError, PagerDutyRetryError)
from ansible_collections.oncall.pagerduty.plugins.module_utils.incident_plan import plan_update
from ansible_collections.oncall.pagerduty.plugins.modules import pd_incidents
from unit.fakes import not_found

PARAMS = dict((name, spec.get("default")) for name, spec in pd_incidents.ARGUMENT_SPEC.items())


def params(**given):
    return dict(PARAMS, force=False, **given)


class NoFacts(object):
    """Facts for plans that need no reads (status, title, urgency)."""

    def levels(self, policy_id):
        raise AssertionError("no on-call read expected")

    def log_entries(self, incident_id):
        raise AssertionError("no log entries read expected")


def incident(incident_id, status="triggered", **fields):
    found = {"id": incident_id, "status": status, "title": "Checkout failing", "urgency": "high",
             "assignments": [{"assignee": {"id": "PLINUS1", "type": "user_reference"}}],
             "escalation_policy": {"id": "PEPCHK1", "type": "escalation_policy_reference"}}
    found.update(fields)
    return found


def planner(desired, **given):
    return lambda found: plan_update(found, desired, params(**given), NoFacts())


# -- input -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, problem", [
    (dict(services=["Checkout"]), "give at least one change to make: status, escalation_level, assignees"),
    (dict(status="resolved"), "give incident_ids or at least one filter (services, teams, statuses"),
    (dict(incident_ids=[" "], status="resolved"), "incident_ids must name at least one incident"),
    (dict(statuses=["triggered"], status="acknowledged", resolution="x"),
     "resolution is only allowed with status=resolved"),
    (dict(incident_ids="P1,P2", status="resolved", escalation_level=2),
     "escalation_level cannot be combined with status=resolved"),
    (dict(incident_ids=["P1"], escalation_level=0), "escalation_level must be 1 or more, got 0"),
    (dict(incident_ids="P1,P2", status="resolved"), None),
    (dict(incident_key="flapping", title="x"), None),
])
def test_input_problems_are_found_before_any_request(given, problem):
    found = pd_incidents.input_problem(dict(PARAMS, **given))
    assert (found is None) if problem is None else found.startswith(problem), found


def test_without_dates_every_date_is_listed():
    assert pd_incidents.listing_filters(dict(PARAMS, services=["S"]))["date_range"] == "all"
    filters = pd_incidents.listing_filters(dict(PARAMS, services=["S"], since="2026-11-01T00:00:00Z",
                                                assigned_to=["PGRACE1"]))
    assert "date_range" not in filters and filters["assignees"] == ["PGRACE1"] and "assigned_to" not in filters


# -- planning and summaries --------------------------------------------------------------------------------------

def test_only_the_incidents_that_differ_are_planned():
    found = [incident("P1"), incident("P2", status="resolved"), incident("P3", status="acknowledged")]
    plans = pd_incidents.plan_all(found, planner({"status": "resolved"}))
    assert sorted(plans) == ["P1", "P3"]
    assert plans["P1"].writes == [{"type": "incident_reference", "status": "resolved"}]


def test_incidents_that_cannot_change_as_asked_fail_the_task_before_anything_is_sent_naming_them():
    found = [incident("P1"), incident("P2", status="resolved"), incident("P3", status="resolved")]
    with pytest.raises(PagerDutyInputError) as refused:
        pd_incidents.plan_all(found, planner({"urgency": "low"}))
    assert str(refused.value) == (
        "2 of the 3 selected incidents cannot be changed as asked, so nothing was sent: incident P2 is resolved: "
        "urgency cannot change on a resolved incident (set status: triggered or acknowledged to reopen it); the same "
        "goes for P3")


def test_the_summary_counts_each_change_with_its_values_and_the_diff_lists_the_ids_by_value():
    found = [incident("P1"), incident("P2", status="acknowledged"), incident("P3", status="resolved")]
    plans = pd_incidents.plan_all(found, planner({"status": "resolved"}, resolution="Fixed"))
    changes, diff = pd_incidents.summarise(plans, ["P1", "P2"])
    assert changes == {
        "status": {"count": 2, "ids": ["P1", "P2"], "before": {"triggered": 1, "acknowledged": 1},
                   "after": {"resolved": 2}},
        "resolution": {"count": 2, "ids": ["P1", "P2"], "before": {"none": 2}, "after": {"Fixed": 2}}}
    assert diff["before"]["status"] == {"triggered": ["P1"], "acknowledged": ["P2"]}
    assert diff["after"]["status"] == {"resolved": ["P1", "P2"]}


def test_long_lists_of_ids_are_cut_in_messages():
    assert pd_incidents.shown(["P%d" % n for n in range(12)]) == "P0, P1, P2, P3, P4, P5, P6, P7, P8, P9 and 2 more"


# -- sending ----------------------------------------------------------------------------------------------------

class BulkPagerDuty(object):
    """A fake PagerDuty holding incidents; each bulk update behaves as the test scripts it (default: all land)."""

    concurrency = 1

    def __init__(self, count, status="triggered"):
        self.incidents = dict(("P%03d" % n, incident("P%03d" % n, status=status)) for n in range(count))
        self.script = []
        self.sent = []

    def get(self, path, params=None):
        incident_id = path.rsplit("/", 1)[1]
        if incident_id not in self.incidents:
            raise not_found(path)
        return {"incident": dict(self.incidents[incident_id])}

    def put(self, path, body, needs_from=False, retry=None, confirm=None):
        assert path == "/incidents" and needs_from and confirm is not None and len(body["incidents"]) <= 250
        self.sent.append([item["id"] for item in body["incidents"]])
        behaviour = self.script.pop(0) if self.script else ok
        return behaviour(self, body["incidents"], confirm)

    def apply(self, items):
        for item in items:
            self.incidents[item["id"]].update((k, v) for k, v in item.items() if k in ("status", "title", "urgency"))


def ok(pagerduty, items, confirm):
    pagerduty.apply(items)
    return {"incidents": []}


def lost_after(count):
    """The first ``count`` items land, the answer is lost; the client asks ``confirm`` (and resends on None)."""
    def behaviour(pagerduty, items, confirm):
        pagerduty.apply(items[:count])
        confirmed = confirm()
        return ok(pagerduty, items, confirm) if confirmed is None else confirmed
    return behaviour


def refused(pagerduty, items, confirm):
    raise PagerDutyAPIError(400, "PUT", "u", "/incidents", code=1001, message="Incident Already Resolved")


def given_up(pagerduty, items, confirm):
    raise PagerDutyRetryError("PUT", "/incidents", 3, 2.5, PagerDutyAPIError(503, "PUT", "u", "/incidents"))


def send(pagerduty, desired, **given):
    plan_one = planner(desired, **given)
    found = [dict(i) for i in pagerduty.incidents.values()]
    plans = pd_incidents.plan_all(found, plan_one)
    bulk = pd_incidents.BulkUpdate(pagerduty, NoFacts(), plan_one)
    finished = bulk.run(plans, [i["id"] for i in found])
    result, unused = pd_incidents.outcome(found, plans, bulk)
    return finished, bulk, result


def test_batches_hold_at_most_250_incidents():
    pagerduty = BulkPagerDuty(600)
    finished, bulk, result = send(pagerduty, {"status": "resolved"})
    assert finished and [len(ids) for ids in pagerduty.sent] == [250, 250, 100] and bulk.batches == 3
    assert len(result["changed_ids"]) == 600 and result["failed_ids"] == [] and result["unchanged_ids"] == []


def test_an_acknowledgement_after_a_reassignment_goes_in_a_second_round():
    pagerduty = BulkPagerDuty(3)

    def plan_one(found):
        return plan_update(found, {"status": "acknowledged", "assignees": ["PGRACE1"]}, params(assignees=["PGRACE1"]),
                           NoFacts())
    plans = pd_incidents.plan_all(list(pagerduty.incidents.values()), plan_one)
    bulk = pd_incidents.BulkUpdate(pagerduty, NoFacts(), plan_one)
    assert bulk.run(plans, sorted(pagerduty.incidents))
    assert pagerduty.sent == [["P000", "P001", "P002"]] * 2 and bulk.changed == ["P000", "P001", "P002"]


def test_a_lost_answer_is_confirmed_by_reading_and_only_what_did_not_land_is_sent_again():
    pagerduty = BulkPagerDuty(5)
    pagerduty.script = [lost_after(3)]
    finished, bulk, result = send(pagerduty, {"status": "resolved"})
    assert finished and pagerduty.sent == [["P000", "P001", "P002", "P003", "P004"], ["P003", "P004"]]
    assert result["changed_ids"] == ["P000", "P001", "P002", "P003", "P004"]
    assert all(i["status"] == "resolved" for i in pagerduty.incidents.values())


def test_a_lost_answer_that_landed_whole_is_not_sent_again():
    pagerduty = BulkPagerDuty(4)
    pagerduty.script = [lost_after(4)]
    finished, bulk, result = send(pagerduty, {"status": "resolved"})
    assert finished and len(pagerduty.sent) == 1 and len(result["changed_ids"]) == 4


def test_a_refusal_is_sent_again_without_what_changed_meanwhile():
    pagerduty = BulkPagerDuty(4)

    def someone_resolves_one_first(pd, items, confirm):
        pd.incidents["P002"]["status"] = "resolved"
        return refused(pd, items, confirm)
    pagerduty.script = [someone_resolves_one_first]
    finished, bulk, result = send(pagerduty, {"status": "resolved"})
    assert finished and pagerduty.sent == [["P000", "P001", "P002", "P003"], ["P000", "P001", "P003"]]
    assert all(i["status"] == "resolved" for i in pagerduty.incidents.values())
    assert result["changed_ids"] == ["P000", "P001", "P002", "P003"], "P002 reads back resolved, as asked"


def test_a_refusal_that_would_be_repeated_as_it_was_stops_and_reports_what_changed_and_what_did_not():
    pagerduty = BulkPagerDuty(300)
    pagerduty.script = [ok, refused]
    finished, bulk, result = send(pagerduty, {"title": "Storm"})
    assert not finished and bulk.error.status == 400
    assert [len(ids) for ids in pagerduty.sent] == [250, 50], "the refused batch was not sent again"
    assert len(result["changed_ids"]) == 250 and result["failed_ids"] == ["P%03d" % n for n in range(250, 300)]
    assert result["changes"]["title"]["count"] == 250


def test_after_the_client_gave_up_nothing_is_sent_again():
    pagerduty = BulkPagerDuty(2)
    pagerduty.script = [given_up]
    finished, bulk, result = send(pagerduty, {"status": "resolved"})
    assert not finished and isinstance(bulk.error, PagerDutyRetryError) and len(pagerduty.sent) == 1
    assert result["changed_ids"] == [] and result["failed_ids"] == ["P000", "P001"]


def test_what_landed_before_the_client_gave_up_counts_as_changed():
    pagerduty = BulkPagerDuty(2)

    def half_then_gone(pd, items, confirm):
        pd.apply(items[:1])
        return given_up(pd, items, confirm)
    pagerduty.script = [half_then_gone]
    finished, bulk, result = send(pagerduty, {"status": "resolved"})
    assert not finished and result["changed_ids"] == ["P000"] and result["failed_ids"] == ["P001"]
