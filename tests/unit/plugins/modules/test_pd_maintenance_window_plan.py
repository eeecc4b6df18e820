"""The pure parts of pd_maintenance_window: what the task asks for, which window is the task's, and the plans."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.modules import pd_maintenance_window as mw

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
CHECKOUT = ("PSVCCHK", "Checkout API")


def params(**given):
    base = dict(state="present", id=None, services=None, teams=None, description=None, start=None, end=None,
                duration=None)
    base.update(given)
    return base


def wanted(**given):
    return mw.Wanted(params(**given), NOW).check()


def window(start="2026-11-23T20:50:00Z", end="2026-11-23T21:20:00Z", description="Deploy", services=(CHECKOUT,)):
    return {"id": "PW1", "type": "maintenance_window", "start_time": start, "end_time": end,
            "description": description,
            "services": [{"id": i, "type": "service_reference", "summary": n} for i, n in services]}


@pytest.mark.parametrize("given, message", [
    ({"services": ["PSVCCHK"], "duration": "30m", "end": "2026-11-23T22:00:00Z"}, "end and duration are mutually"),
    ({"services": ["PSVCCHK"], "end": "2026-11-23T20:00:00Z"}, "end must be after the start"),
    ({"services": ["PSVCCHK"], "start": "2026-11-23T19:00:00Z", "end": "2026-11-23T20:00:00Z"},
     "end must be in the future"),
    ({"duration": "30m"}, "services (or teams) are required to find or create a window without id"),
    ({"services": ["PSVCCHK"], "duration": "90"}, None),
    ({"services": ["PSVCCHK"], "duration": 0.5}, "duration must be at least a minute"),
    ({"services": ["PSVCCHK"], "duration": 1.5}, "duration must be whole minutes"),
    ({"services": ["PSVCCHK"], "duration": "30m", "start": "21:00"}, "start must be now or an ISO 8601 date"),
])
def test_what_the_task_asks_for_is_checked_before_any_request(given, message):
    if message is None:
        assert wanted(**given).duration == datetime.timedelta(minutes=90)
        return
    with pytest.raises(PagerDutyInputError) as refused:
        wanted(**given)
    assert str(refused.value).startswith(message)


def test_a_window_is_the_tasks_by_description_and_exactly_its_services_named_as_the_window_shows_them():
    found = window(services=(CHECKOUT, ("PSVCPLT", "Platform Database")))
    assert mw.same_services(["Checkout API", "PSVCPLT"], found)
    assert not mw.same_services(["Checkout API"], found), "a window of more services is another window"
    assert not mw.same_services(["checkout api", "PSVCPLT"], found), "another case is looked up, not guessed"
    assert mw.same_description(wanted(services=["x"], duration=5, description="Deploy"), found)
    assert not mw.same_description(wanted(services=["x"], duration=5), found)
    assert mw.first_of([window(start="2026-11-24T00:00:00Z"), dict(window(), id="PW2")])["id"] == "PW2"


def test_windows_are_taken_in_the_order_they_start_in_utc():
    # 01:00 at UTC+2 is 23:00Z the day before: earlier than 23:30Z, though its text sorts after it
    later, earlier = window(start="2026-11-23T23:30:00Z"), dict(window(start="2026-11-24T01:00:00+02:00"), id="PW2")
    assert [w["id"] for w in mw.in_order([later, earlier])] == ["PW2", later["id"]]
    assert mw.in_order([dict(window(), start_time=None, id="PW3"), later])[-1]["id"] == "PW3", "no start: last"


@pytest.mark.parametrize("start, end, state", [
    ("2026-11-23T20:00:00Z", "2026-11-23T22:00:00Z", "ongoing"),
    ("2026-11-23T22:00:00Z", "2026-11-23T23:00:00Z", "future"),
    ("2026-11-23T19:00:00Z", "2026-11-23T21:00:00Z", "past"), (None, "2026-11-23T23:00:00Z", "past"),
])
def test_window_states_by_the_controllers_clock(start, end, state):
    assert mw.window_state({"start_time": start, "end_time": end}, NOW) == state


def test_creating_needs_an_end_or_a_duration():
    with pytest.raises(PagerDutyInputError, match="^end or duration is required to create a maintenance window"):
        mw.create_plan(wanted(services=["PSVCCHK"], start="now"), [CHECKOUT], NOW)


def test_creating_sends_the_whole_window_and_shows_it():
    plan = mw.create_plan(wanted(services=["Checkout API"], description="Deploy", duration="30m"), [CHECKOUT], NOW)
    assert plan.action == "create" and mw.request_body(plan) == {
        "start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-23T21:30:00Z", "description": "Deploy",
        "services": [{"id": "PSVCCHK", "type": "service_reference"}]}
    assert plan.changes.diff()["after"] == {"state": "present", "start_time": "2026-11-23T21:00:00Z",
                                            "end_time": "2026-11-23T21:30:00Z", "description": "Deploy",
                                            "services": ["Checkout API (PSVCCHK)"]}
    assert plan.predicted()["services"][0]["summary"] == "Checkout API"


def test_a_duration_from_now_finds_the_same_end_within_a_minute_so_a_rerun_changes_nothing():
    current = window(start="2026-11-23T20:50:01Z", end="2026-11-23T21:20:00Z")
    plan = mw.update_plan(current, wanted(services=["PSVCCHK"], description="Deploy", duration="30m"), [CHECKOUT],
                          NOW)
    assert plan.action is None and not plan.changes.changed
    longer = mw.update_plan(current, wanted(services=["PSVCCHK"], description="Deploy", duration="1h"), [CHECKOUT],
                            NOW)
    assert longer.action == "update" and longer.changes.diff() == {
        "before": {"end_time": "2026-11-23T21:20:00Z"}, "after": {"end_time": "2026-11-23T21:50:01Z"}}
    assert mw.request_body(longer)["start_time"] == "2026-11-23T20:50:01Z", "a window under way keeps its start"


def test_an_explicit_start_counts_exactly_even_when_pagerduty_moved_the_start():
    current = window(start="2026-11-23T20:58:00Z", end="2026-11-23T21:30:00Z")
    same = mw.update_plan(current, wanted(services=["PSVCCHK"], description="Deploy", start="2026-11-23T20:30:00Z",
                                          duration="1h"), [CHECKOUT], NOW)
    assert same.action is None
    other = mw.update_plan(current, wanted(services=["PSVCCHK"], description="Deploy", end="2026-11-23T21:30:01Z"),
                           [CHECKOUT], NOW)
    assert other.changes.diff()["after"] == {"end_time": "2026-11-23T21:30:01Z"}, "an explicit end: to the second"


def test_a_future_window_can_be_started_now_or_moved_and_its_services_and_description_changed_in_one_put():
    future = window(start="2026-11-24T00:00:00Z", end="2026-11-24T02:00:00Z", description=None)
    plan = mw.update_plan(future, wanted(id="PW1", services=["PSVCPLT"], description="DB", start="now"),
                          [("PSVCPLT", "Platform Database")], NOW)
    assert plan.state == "future" and plan.action == "update"
    assert mw.request_body(plan) == {"start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-24T02:00:00Z",
                                     "description": "DB", "services": [{"id": "PSVCPLT",
                                                                        "type": "service_reference"}]}
    assert plan.changes.diff()["before"] == {"start_time": "2026-11-24T00:00:00Z", "description": None,
                                             "services": ["Checkout API (PSVCCHK)"]}
    kept = mw.update_plan(future, wanted(id="PW1"), None, NOW)
    assert kept.action is None, "nothing asked, nothing changed"


def test_absent_ends_an_ongoing_window_deletes_a_future_one_and_leaves_the_rest():
    assert mw.absent_plan(window(), NOW).action == "end"
    assert mw.absent_plan(window(), NOW).changes.diff()["after"] == {"state": "ended",
                                                                     "end_time": "2026-11-23T21:00:00Z"}
    assert mw.absent_plan(window(start="2026-11-24T00:00:00Z", end="2026-11-24T01:00:00Z"), NOW).action == "delete"
    assert mw.absent_plan(window(end="2026-11-23T20:59:59Z"), NOW).action is None
    assert mw.absent_plan(None, NOW).action is None and mw.absent_plan(None, NOW).state == "absent"
