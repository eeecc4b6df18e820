"""pd_incident's merge and snooze, without PagerDuty: what is merged or snoozed, what is refused before sending, and
how a lost answer is confirmed."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.incident_plan import IncidentPlan, plan_update
from ansible_collections.oncall.pagerduty.plugins.modules import pd_incident
from unit.fakes import FakeClient

PARAMS = dict((name, spec.get("default")) for name, spec in pd_incident.ARGUMENT_SPEC.items())


def params(**given):
    return dict(PARAMS, **given)


def incident(incident_id="PINC001", status="triggered", **fields):
    found = {"id": incident_id, "status": status, "title": "Checkout failing", "urgency": "high",
             "assignments": [{"assignee": {"id": "PLINUS1", "type": "user_reference"}}],
             "escalation_policy": {"id": "PEPCHK1", "type": "escalation_policy_reference"}}
    found.update(fields)
    return found


def merged_into(target_id):
    return {"type": "merge_resolve_reason", "incident": {"id": target_id, "type": "incident_reference"}}


class Entries(object):
    """Facts whose log entries (newest first) the test gives."""

    def __init__(self, entries):
        self.entries = entries
        self.read = 0

    def log_entries(self, incident_id):
        self.read += 1
        return self.entries

    def levels(self, policy_id):
        return {1: {"PLINUS1"}, 2: {"PGRACE1"}}, "Checkout"


# -- input -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, problem", [
    (dict(source_incidents=["P2"]), "source_incidents only apply with merge_into"),
    (dict(merge_into="P1"), "merge_into needs incident_id or source_incidents"),
    (dict(incident_id="P2", merge_into="P1", status="resolved"),
     "merge_into cannot be combined with status (merging resolves the source incidents)"),
    (dict(merge_into="P1", source_incidents=["P2"], service="S", snooze="1h"),
     "merge_into cannot be combined with snooze, service"),
    (dict(incident_id="P2", merge_into="P1"), None),
    (dict(merge_into="P1", source_incidents="P2,P3"), None),
    (dict(incident_id="P1", snooze="0"), "snooze must be a duration from 1 second to 7 days"),
    (dict(incident_id="P1", snooze="8d"), "snooze must be a duration from 1 second to 7 days (604800 seconds)"),
    (dict(incident_id="P1", snooze="soon"), "snooze must be a duration"),
    (dict(service="S", title="t", snooze=60), "snooze needs incident_id"),
    (dict(incident_id="P1", snooze=60, status="resolved"), "snooze cannot be combined with status=resolved"),
    (dict(incident_id="P1", snooze="4h", status="acknowledged"), None),
])
def test_input_problems_are_found_before_any_request(given, problem):
    found = pd_incident.input_problem(params(**given))
    assert (found is None) if problem is None else found.startswith(problem), found


@pytest.mark.parametrize("value, seconds", [
    (3600, 3600), ("3600", 3600), ("90m", 5400), ("4h", 14400), ("1d", 86400), ("1d12h", 129600),
    ("1h 30m", 5400), ("45s", 45), (" 2H ", 7200), ("", None), ("h", None), ("1w", None), (True, None),
    ("-5", None),
])
def test_snooze_durations(value, seconds):
    assert pd_incident.snooze_seconds(value) == seconds


# -- merging -----------------------------------------------------------------------------------------------------

def test_only_the_sources_not_merged_yet_are_merged():
    target = incident("PT")
    sources = [incident("PA"), incident("PB", status="resolved", resolve_reason=merged_into("PT")), incident("PC")]
    assert pd_incident.plan_merge(target, sources) == (["PA", "PC"], ["PB"])
    assert pd_incident.plan_merge(target, sources[1:2]) == ([], ["PB"])


def test_sources_merged_already_need_no_open_target():
    target = incident("PT", status="resolved")
    assert pd_incident.plan_merge(target, [incident("PB", status="resolved",
                                                    resolve_reason=merged_into("PT"))]) == ([], ["PB"])
    with pytest.raises(PagerDutyInputError, match="^merge_into: incident PT is resolved and PagerDuty merges only "
                                                  "into an open incident$"):
        pd_incident.plan_merge(target, [incident("PA")])


@pytest.mark.parametrize("source, message", [
    (incident("PT"), "merge_into: incident PT cannot be merged into itself"),
    (incident("PA", status="resolved"), "incident PA is resolved: only open incidents can be merged"),
    (incident("PA", status="resolved", resolve_reason=merged_into("PX")),
     "incident PA is resolved (merged into PX): only open incidents can be merged"),
    (incident("PA", is_mergeable=False), "incident PA cannot be merged: PagerDuty merges only incidents that have "
                                         "alerts or were created manually"),
])
def test_what_cannot_be_merged_fails_before_sending(source, message):
    with pytest.raises(PagerDutyInputError) as refused:
        pd_incident.plan_merge(incident("PT"), [source])
    assert str(refused.value) == message


def test_a_lost_merge_is_confirmed_by_reading_the_sources():
    def client(*reasons):
        return FakeClient(dict(("/incidents/%s" % i, {"incident": incident(i, status="resolved" if r else "triggered",
                                                                           resolve_reason=r)})
                               for i, r in zip(("PA", "PB"), reasons)))
    lost = client(merged_into("PT"), merged_into("PT"))
    lost.answers["PUT /incidents/PT/merge"] = None

    def answered_by_confirm(method, path, body=None, **options):
        return options["confirm"]()
    lost.request = answered_by_confirm
    assert pd_incident.send_merge(lost, "PT", ["PA", "PB"]) == {"id": "PT", "type": "incident_reference"}
    nothing = client(None, None)
    nothing.request = answered_by_confirm
    with pytest.raises(Exception, match="has no 'incident' object"):    # None: the client would send it again
        pd_incident.send_merge(nothing, "PT", ["PA", "PB"])
    half = client(merged_into("PT"), None)
    half.request = answered_by_confirm
    with pytest.raises(Exception, match="the merge into PT was cut short: PA merged, PB not; run the task again"):
        pd_incident.send_merge(half, "PT", ["PA", "PB"])


# -- snoozing ----------------------------------------------------------------------------------------------------

SNOOZED = {"pending_actions": [{"type": "unacknowledge", "at": "2026-11-30T13:00:00Z"}]}


def snooze_entry(created_at="2026-11-30T12:00:00Z", at="2026-11-30T13:00:00Z"):
    return {"type": "snooze_log_entry", "created_at": created_at, "changed_actions": [{"type": "unacknowledge",
                                                                                       "at": at}]}


def test_the_running_snooze_is_read_from_the_log_entry_that_set_it():
    facts = Entries([{"type": "annotate_log_entry"}, snooze_entry(), snooze_entry("2026-11-30T11:00:00Z",
                                                                                  "2026-11-30T11:10:00Z")])
    assert pd_incident.current_snooze(incident(status="acknowledged", **SNOOZED), facts) == 3600
    assert pd_incident.current_snooze(incident(status="acknowledged"), facts) is None
    assert facts.read == 1, "no pending unacknowledge: no log read"
    timeout = Entries([{"type": "acknowledge_log_entry"}])
    assert pd_incident.current_snooze(incident(status="acknowledged", **SNOOZED), timeout) is None, \
        "an acknowledgement timeout is no snooze"
    offset = Entries([snooze_entry("2026-11-30T14:00:00+02:00")])
    assert pd_incident.current_snooze(incident(status="acknowledged", **SNOOZED), offset) == 3600


def test_a_snooze_of_the_same_length_still_running_is_not_sent_again():
    facts = Entries([snooze_entry()])
    snoozed = incident(status="acknowledged", **SNOOZED)
    assert pd_incident.plan_snooze(snoozed, IncidentPlan(), 3600, facts) is None
    assert pd_incident.plan_snooze(snoozed, IncidentPlan(), 7200, facts) == 7200
    assert pd_incident.plan_snooze(incident(status="acknowledged"), IncidentPlan(), 3600, facts) == 3600


def test_a_snooze_follows_an_acknowledgement_and_not_a_reassignment():
    facts = Entries([snooze_entry()])
    acked = plan_update(incident(), {"status": "acknowledged"}, params(), facts)
    assert pd_incident.plan_snooze(incident(), acked, 60, facts) == 60
    reassigned = plan_update(incident(status="acknowledged", **SNOOZED), {}, params(escalation_level=2), facts)
    with pytest.raises(PagerDutyInputError, match="^snooze needs an acknowledged incident .*: incident PINC001 would "
                                                  "be triggered; give status: acknowledged to acknowledge it first$"):
        pd_incident.plan_snooze(incident(status="acknowledged", **SNOOZED), reassigned, 60, facts)
    with pytest.raises(PagerDutyInputError, match="incident PINC001 is triggered"):
        pd_incident.plan_snooze(incident(), IncidentPlan(), 60, facts)
    both = plan_update(incident(status="acknowledged", **SNOOZED), {"status": "acknowledged"},
                       params(escalation_level=2), facts)
    assert pd_incident.plan_snooze(incident(status="acknowledged", **SNOOZED), both, 3600, facts) == 3600, \
        "the reassignment ends the running snooze, so it is sent again"


def test_a_lost_snooze_is_confirmed_by_a_new_pending_unacknowledge():
    client = FakeClient({"/incidents/PINC001": {"incident": incident(status="acknowledged", **SNOOZED)}})

    def answered_by_confirm(method, path, body=None, **options):
        return options["confirm"]() or {"incident": {"id": "PINC001", "resent": True}}
    client.request = answered_by_confirm
    assert pd_incident.send_snooze(client, incident(status="acknowledged"), 3600)["status"] == "acknowledged"
    assert pd_incident.send_snooze(client, incident(status="acknowledged", **SNOOZED), 3600)["resent"] is True, \
        "the same pending time: the snooze did not land"
