"""pd_incident's planning (module_utils/incident_plan.py, which pd_incidents shares), without PagerDuty: what it sends
for a desired state, in which order, and how it confirms an update whose answer was lost.  The reads a plan may need
come from a fake ``facts``."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils import incident_plan as planning
from ansible_collections.oncall.pagerduty.plugins.module_utils.incident_plan import (
    level_from_log_entries, levels_from, levels_matching)
from ansible_collections.oncall.pagerduty.plugins.modules import pd_incident
from unit.fakes import FakeClient

PARAMS = dict((name, spec.get("default")) for name, spec in pd_incident.ARGUMENT_SPEC.items())


def params(**given):
    return dict(PARAMS, **given)


class FakeFacts(object):
    """The reads a plan may make, answered from dicts; records which were made."""

    def __init__(self, levels=None, entries=None, priorities=None, policy_name="Checkout On-Call"):
        self._levels = levels or {}
        self._entries = entries or []
        self._priorities = priorities or {}
        self.policy_name = policy_name
        self.asked = []

    def levels(self, policy_id):
        self.asked.append(("levels", policy_id))
        return self._levels, self.policy_name

    def log_entries(self, incident_id):
        self.asked.append(("log_entries", incident_id))
        return self._entries

    def priority(self, priority_id):
        self.asked.append(("priority", priority_id))
        return self._priorities[priority_id]


def incident(status="triggered", assignees=("PLINUS1",), policy="PEPCHK1", **fields):
    found = {"id": "PINC001", "status": status, "title": "Checkout failing", "urgency": "high",
             "assignments": [{"assignee": {"id": a, "type": "user_reference"}} for a in assignees],
             "escalation_policy": {"id": policy, "type": "escalation_policy_reference", "summary": "Checkout On-Call"}}
    found.update(fields)
    return found


LEVELS = {1: {"PLINUS1"}, 2: {"PGRACE1"}, 3: {"PGRACE1", "PMARGRT"}}


# -- escalation levels from assignees and log entries --------------------------------------------------

@pytest.mark.parametrize("assigned, expected", [
    (["PLINUS1"], [1]),
    (["PGRACE1"], [2]),                 # exactly level 2's on-call; level 3 only includes her
    (["PMARGRT"], [3]),
    (["PGRACE1", "PMARGRT"], [3]),
    ([], []),
    (["PNOBODY"], []),
])
def test_levels_matching_prefers_exact_on_call_sets(assigned, expected):
    assert levels_matching(LEVELS, assigned) == expected


def test_levels_matching_returns_every_level_that_includes_them_when_none_is_exact():
    assert levels_matching({1: {"A", "B"}, 2: {"A", "C"}}, ["A"]) == [1, 2]


@pytest.mark.parametrize("types, expected", [
    ([], None),
    (["trigger_log_entry"], 1),
    (["assign_log_entry", "trigger_log_entry"], 1),
    (["acknowledge_log_entry", "escalate_log_entry", "trigger_log_entry"], None),
    (["delegate_log_entry", "escalate_log_entry"], 1),      # moved to a policy after escalating: level 1 again
    (["escalate_log_entry", "delegate_log_entry"], None),
])
def test_level_from_log_entries_newest_first(types, expected):
    assert level_from_log_entries([{"type": t} for t in types]) == expected


def test_levels_from_narrows_an_ambiguous_match_only_with_proof():
    assert levels_from([2], []) == [2]
    assert levels_from([1, 2], [{"type": "trigger_log_entry"}]) == [1]
    assert levels_from([1, 2], [{"type": "escalate_log_entry"}]) == [1, 2]
    assert levels_from([2, 3], [{"type": "trigger_log_entry"}]) == [2, 3], "level 1 is not among the candidates"


# -- plan_update ----------------------------------------------------------------------------------------

def test_nothing_differs_nothing_is_planned_and_nothing_is_read():
    facts = FakeFacts()
    plan = planning.plan_update(incident(), {"status": "triggered", "title": "Checkout failing"}, params(),
                                facts)
    assert plan.writes == [] and not plan.changes.changed and facts.asked == []


def test_only_the_fields_that_differ_are_sent_in_one_update():
    facts = FakeFacts(priorities={"PP1": {"id": "PP1", "name": "P1"}})
    desired = {"status": "acknowledged", "title": "Checkout failing", "urgency": "low", "priority": "PP1"}
    plan = planning.plan_update(incident(), desired, params(), facts)
    assert plan.writes == [{"type": "incident_reference", "status": "acknowledged", "urgency": "low",
                            "priority": {"id": "PP1", "type": "priority_reference"}}]
    assert plan.changes.diff() == {"before": {"status": "triggered", "urgency": "high", "priority": None},
                                   "after": {"status": "acknowledged", "urgency": "low", "priority": "P1 (PP1)"}}


def test_a_resolution_goes_with_the_status_change_only():
    plan = planning.plan_update(incident(), {"status": "resolved"}, params(resolution="Rolled back"), FakeFacts())
    assert plan.writes == [{"type": "incident_reference", "status": "resolved", "resolution": "Rolled back"}]
    plan = planning.plan_update(incident(status="resolved"), {"status": "resolved"},
                                params(resolution="Rolled back"), FakeFacts())
    assert plan.writes == []


def test_escalating_to_the_level_it_is_at_sends_nothing():
    facts = FakeFacts(levels=LEVELS)
    plan = planning.plan_update(incident(assignees=["PGRACE1"]), {}, params(escalation_level=2), facts)
    assert plan.writes == [] and plan.escalation_levels == [2] and facts.asked == [("levels", "PEPCHK1")]


def test_escalating_sends_the_level_and_shows_who_is_paged():
    plan = planning.plan_update(incident(), {}, params(escalation_level=2), FakeFacts(levels=LEVELS))
    assert plan.writes == [{"type": "incident_reference", "escalation_level": 2}]
    assert plan.changes.diff() == {"before": {"escalation_level": 1, "assignees": ["PLINUS1"]},
                                   "after": {"escalation_level": 2, "assignees": ["PGRACE1"]}}
    assert plan.escalations_before is None, "the assignees will show whether it landed"


def test_an_ambiguous_level_is_escalated_and_confirmed_by_the_log_not_the_assignees():
    entries = [{"id": "E1", "type": "escalate_log_entry"}, {"id": "T1", "type": "trigger_log_entry"}]
    facts = FakeFacts(levels={1: {"PADA"}, 2: {"PADA"}}, entries=entries)
    plan = planning.plan_update(incident(assignees=["PADA"]), {}, params(escalation_level=2), facts)
    assert plan.escalation_levels == [1, 2]
    assert plan.writes == [{"type": "incident_reference", "escalation_level": 2}]
    assert plan.escalations_before == {"E1"}
    assert facts.asked.count(("log_entries", "PINC001")) == 2, "asked twice, read once (the facts cache it)"


def test_check_mode_does_not_prepare_a_confirmation():
    entries = [{"id": "E1", "type": "escalate_log_entry"}]
    facts = FakeFacts(levels={1: {"PADA"}, 2: {"PADA"}}, entries=entries)
    plan = planning.plan_update(incident(assignees=["PADA"]), {}, params(escalation_level=2), facts,
                                check_mode=True)
    assert plan.writes and plan.escalations_before is None


def test_force_pages_the_level_again():
    plan = planning.plan_update(incident(assignees=["PGRACE1"]), {}, params(escalation_level=2, force=True),
                                FakeFacts(levels=LEVELS, entries=[]))
    assert plan.writes == [{"type": "incident_reference", "escalation_level": 2}]
    assert plan.escalations_before == set()


def test_a_level_beyond_the_policy_is_refused_naming_its_levels():
    with pytest.raises(PagerDutyInputError, match=r"^escalation_level 4 is beyond .* PEPCHK1, whose levels with "
                                                  r"someone on call are 1, 2, 3$"):
        planning.plan_update(incident(), {}, params(escalation_level=4), FakeFacts(levels=LEVELS))


def test_moving_to_another_policy_names_both_sides_and_pages_its_first_level():
    facts = FakeFacts(levels={1: {"PMARGRT"}}, policy_name="Platform On-Call")
    plan = planning.plan_update(incident(), {"escalation_policy": "PEPPLAT"},
                                params(escalation_policy="Platform On-Call"), facts)
    assert plan.writes == [{"type": "incident_reference",
                            "escalation_policy": {"id": "PEPPLAT", "type": "escalation_policy_reference"}}]
    assert plan.changes.diff()["after"] == {"escalation_policy": "Platform On-Call (PEPPLAT)",
                                            "assignees": ["PMARGRT"]}
    assert plan.changes.diff()["before"]["escalation_policy"] == "Checkout On-Call (PEPCHK1)"


def test_reassigning_an_acknowledged_incident_shows_it_going_back_to_triggered():
    plan = planning.plan_update(incident(status="acknowledged"), {"assignees": ["PGRACE1"]}, params(),
                                FakeFacts())
    assert plan.writes == [{"type": "incident_reference",
                            "assignments": [{"assignee": {"id": "PGRACE1", "type": "user_reference"}}]}]
    assert plan.changes.diff()["after"] == {"assignees": ["PGRACE1"], "status": "triggered"}


def test_acknowledge_with_a_reassignment_is_sent_after_it():
    plan = planning.plan_update(incident(), {"status": "acknowledged", "assignees": ["PGRACE1"]}, params(),
                                FakeFacts())
    assert [sorted(body) for body in plan.writes] == [["assignments", "type"], ["status", "type"]]
    assert plan.writes[1]["status"] == "acknowledged"


def test_reopening_as_acknowledged_with_a_reassignment_reopens_triggered_first():
    plan = planning.plan_update(incident(status="resolved", assignees=()), {"status": "acknowledged"},
                                params(escalation_level=1), FakeFacts(levels=LEVELS))
    assert plan.writes == [{"type": "incident_reference", "escalation_level": 1, "status": "triggered"},
                           {"type": "incident_reference", "status": "acknowledged"}]


@pytest.mark.parametrize("desired, given, touched", [
    ({}, dict(escalation_level=2), "escalation_level"),
    ({"assignees": ["PGRACE1"]}, {}, "assignees"),
    ({"escalation_policy": "PEPPLAT"}, {}, "escalation_policy"),
    ({"urgency": "low"}, {}, "urgency"),
])
def test_what_a_resolved_incident_cannot_have_is_refused_unless_it_is_reopened(desired, given, touched):
    if "assignees" in desired:
        given = dict(given, assignees=["PGRACE1"])
    with pytest.raises(PagerDutyInputError, match="^incident PINC001 is resolved: %s cannot change" % touched):
        planning.plan_update(incident(status="resolved"), desired, params(**given), FakeFacts(levels=LEVELS))


def test_order_writes_keeps_a_single_update_when_nothing_is_reassigned():
    body = {"type": "incident_reference", "status": "acknowledged", "title": "x"}
    assert planning.order_writes(incident(), {"status": "acknowledged"}, dict(body)) == [body]


# -- confirming a lost answer ------------------------------------------------------------------------------

def test_landed_compares_every_field_the_update_set():
    body = {"type": "incident_reference", "status": "acknowledged", "title": "New",
            "priority": {"id": "PP1", "type": "priority_reference"}}
    after = incident(status="acknowledged", title="New", priority={"id": "PP1"})
    assert planning.landed(FakeClient({}), after, body, None) is True
    assert planning.landed(FakeClient({}), dict(after, title="Old"), body, None) is False
    assert planning.landed(FakeClient({}), dict(after, priority=None), body, None) is False


def test_landed_escalation_is_proven_by_a_new_log_entry_when_the_assignees_cannot_tell():
    body = {"type": "incident_reference", "escalation_level": 2}
    path = "/incidents/PINC001/log_entries"
    old = [{"id": "E1", "type": "escalate_log_entry"}]
    new = [{"id": "E2", "type": "escalate_log_entry"}, {"id": "E1", "type": "escalate_log_entry"}]
    assert planning.landed(FakeClient({}, {path: old}), incident(), body, {"E1"}) is False
    assert planning.landed(FakeClient({}, {path: new}), incident(), body, {"E1"}) is True


def test_landed_escalation_is_read_from_who_is_on_call():
    body = {"type": "incident_reference", "escalation_level": 2}
    oncalls = [{"escalation_level": 1, "user": {"id": "PLINUS1"}}, {"escalation_level": 2, "user": {"id": "PGRACE1"}}]
    client = FakeClient({}, {"/oncalls": oncalls})
    assert planning.landed(client, incident(assignees=["PGRACE1"]), body, None) is True
    assert planning.landed(client, incident(assignees=["PLINUS1"]), body, None) is False


# -- creating --------------------------------------------------------------------------------------------

def test_a_new_incident_body_carries_what_the_task_sets():
    desired = {"priority": "PP2", "assignees": ["PGRACE1"]}
    body = pd_incident.new_incident(params(title="Deploy failed", urgency="high", body="see the log"), desired,
                                    "PSVCCHK", "deploy-42")
    assert body == {"type": "incident", "title": "Deploy failed", "incident_key": "deploy-42",
                    "service": {"id": "PSVCCHK", "type": "service_reference"}, "urgency": "high",
                    "priority": {"id": "PP2", "type": "priority_reference"},
                    "body": {"type": "incident_body", "details": {"description": "see the log"}},
                    "assignments": [{"assignee": {"id": "PGRACE1", "type": "user_reference"}}]}


@pytest.mark.parametrize("given, problem", [
    (dict(resolution="x", status="acknowledged"), "resolution is only allowed with status=resolved"),
    (dict(incident_id="P1", escalation_level=0), "escalation_level must be 1 or more, got 0"),
    (dict(incident_id="P1", status="resolved", assignees=["a@example.com"]),
     "assignees cannot be combined with status=resolved"),
    (dict(incident_id="P1", force=True), "force only applies to escalation_level"),
    (dict(incident_id="P1", service="Checkout"), "service only apply when creating an incident (without incident_id)"),
    (dict(title="x"), "without incident_id the module creates an incident and needs service and title"),
    (dict(incident_id="P1", status="resolved"), None),
])
def test_input_problems_are_found_before_any_request(given, problem):
    found = pd_incident.input_problem(params(**given))
    assert (found is None) if problem is None else found.startswith(problem)


def test_triggered_on_an_acknowledged_incident_escalates_to_its_level():
    # status alone may leave it acknowledged (PagerDuty's community answers): the level it is at is paged again
    plan = planning.plan_update(incident(status="acknowledged", assignees=["PGRACE1"]), {"status": "triggered"},
                                params(), FakeFacts(levels=LEVELS))
    assert plan.writes == [{"type": "incident_reference", "status": "triggered", "escalation_level": 2}]
    assert plan.changes.diff() == {"before": {"status": "acknowledged", "escalation_level": 2},
                                   "after": {"status": "triggered", "escalation_level": 2}}


def test_a_resolved_incident_is_reopened_by_status_alone():
    plan = planning.plan_update(incident(status="resolved", assignees=()), {"status": "triggered"}, params(),
                                FakeFacts(levels=LEVELS))
    assert plan.writes == [{"type": "incident_reference", "status": "triggered"}]


def test_several_assignees_of_a_new_incident_are_created_with_the_first_then_assigned():
    body = pd_incident.new_incident(params(title="t"), {"assignees": ["PGRACE1", "PLINUS1"]}, "PSVCCHK", "k")
    assert body["assignments"] == [{"assignee": {"id": "PGRACE1", "type": "user_reference"}}]


def test_a_refused_object_body_is_recognised():
    from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError
    refused = PagerDutyAPIError(400, "POST", "u", "/incidents", message="Invalid Input Provided",
                                errors=["Incident body details must be a string"])
    assert pd_incident.refuses_object_body(refused)
    other = PagerDutyAPIError(400, "POST", "u", "/incidents", message="Invalid Input Provided", errors=["Title"])
    assert not pd_incident.refuses_object_body(other)
    assert pd_incident.details_text({"b": 1, "a": "x"}) == '{\n  "a": "x",\n  "b": 1\n}'
