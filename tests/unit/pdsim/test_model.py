"""The account model's rules, without HTTP."""

import pytest

from pdsim.errors import ArgumentsCausedError, EventsError, InvalidInput, NotFound, PaymentRequired
from pdsim.model import Account, load_seed
from pdsim.model.core import paginate

KEY = "pdsimroutingkeycheckoutapi000001"


@pytest.fixture
def account():
    return Account(load_seed())


def admin(account):
    return account.directory.user_by_email("admin@example.com")


def trigger(account, dedup_key="k1", summary="disk full", key=KEY):
    return account.events.enqueue_event({"routing_key": key, "event_action": "trigger", "dedup_key": dedup_key,
                                         "payload": {"summary": summary, "source": "db1", "severity": "critical"}}, 100)


def test_default_seed(account):
    assert account.directory.user_by_email("admin@example.com")["role"] == "owner"
    assert len(account.directory.users) >= 4 and len(account.directory.teams) == 2
    assert len(account.services.escalation_policies) == 2
    assert max(len(p["escalation_rules"]) for p in account.services.escalation_policies.values()) >= 2
    assert [p["name"] for p in account.services.priorities.values()] == ["P1", "P2", "P3", "P4", "P5"]
    assert account.services.service_for_routing_key(KEY)[0]["name"] == "Checkout API"
    assert len(account.services.incident_workflows) == 1


def test_trigger_creates_alert_and_incident_and_dedups(account):
    first = trigger(account)
    again = trigger(account)
    assert first["dedup_key"] == again["dedup_key"] == "k1"
    assert len(account.incidents.incidents) == 1 and len(account.incidents.alerts) == 1
    incident = account.incidents.incidents.values()[0]
    assert incident["status"] == "triggered" and incident["incident_key"] == "k1"
    assert [a["assignee"]["id"] for a in incident["assignments"]] == ["PLINUS1"]
    kinds = [e["type"] for e in account.incidents.incident_log_entries(incident)]
    assert kinds.count("trigger_log_entry") == 2


def test_acknowledge_and_resolve_by_dedup_key(account):
    trigger(account)
    integration = account.services.integrations.get("PINTCHK")
    account.incidents.acknowledge_alert(integration, "k1")
    incident = account.incidents.incidents.values()[0]
    assert incident["status"] == "acknowledged"
    account.incidents.resolve_alert(integration, "k1")
    assert incident["status"] == "resolved" and incident["assignments"] == []
    trigger(account)
    assert len(account.incidents.incidents) == 2, "a trigger after resolve opens a new incident"
    assert account.incidents.resolve_alert(integration, "unknown") is None


def test_event_rules(account):
    with pytest.raises(EventsError, match="32 characters"):
        account.events.enqueue_event({"routing_key": "short", "event_action": "trigger"}, 10)
    with pytest.raises(EventsError, match="Invalid routing key"):
        account.events.enqueue_event({"routing_key": "x" * 32, "event_action": "trigger"}, 10)
    with pytest.raises(EventsError, match="dedup_key' is missing"):
        account.events.enqueue_event({"routing_key": KEY, "event_action": "resolve"}, 10)
    with pytest.raises(EventsError, match="512 KB"):
        account.events.enqueue_event({"routing_key": KEY, "event_action": "resolve", "dedup_key": "k"}, 600 * 1024)
    with pytest.raises(EventsError, match="too long"):
        trigger(account, summary="x" * 1025)


def test_status_transitions(account):
    incident = account.incidents.create_incident(admin(account), {
        "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}})
    account.incidents.update_incident(admin(account), incident["id"], {"status": "acknowledged"})
    assert incident["status"] == "acknowledged" and incident["acknowledgements"]
    account.incidents.update_incident(admin(account), incident["id"], {"status": "resolved", "resolution": "fixed"})
    assert incident["status"] == "resolved" and incident["resolved_at"]
    assert account.incidents.incident_log_entries(incident)[0]["note"] == "fixed"
    with pytest.raises(InvalidInput) as caught:
        account.incidents.update_incident(admin(account), incident["id"], {"status": "resolved"})
    assert caught.value.code == 1001
    with pytest.raises(InvalidInput) as caught:
        account.incidents.update_incident(admin(account), incident["id"], {"escalation_level": 2})
    assert caught.value.code == 1001


def test_escalation_levels_follow_the_policy(account):
    incident = account.incidents.create_incident(admin(account), {
        "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}})
    account.incidents.update_incident(admin(account), incident["id"], {"escalation_level": 3})
    assert [a["assignee"]["id"] for a in incident["assignments"]] == ["PGRACE1"]
    with pytest.raises(InvalidInput) as caught:
        account.incidents.update_incident(admin(account), incident["id"], {"escalation_level": 4})
    assert caught.value.code == 1006


def new_incident(account, **fields):
    return account.incidents.create_incident(admin(account), dict(
        {"title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}}, **fields))


def assignee_ids(incident):
    return [a["assignee"]["id"] for a in incident["assignments"]]


@pytest.mark.parametrize("fields", [
    {"assignments": [{"assignee": {"id": "PGRACE1", "type": "user_reference"}}]},
    {"escalation_policy": {"id": "PEPPLT1", "type": "escalation_policy_reference"}},
    {"escalation_level": 2},
])
def test_resolving_assigns_nothing(account, fields):
    incident = new_incident(account)
    with pytest.raises(InvalidInput) as caught:
        account.incidents.update_incident(admin(account), incident["id"], dict(fields, status="resolved"))
    assert caught.value.body()["error"]["code"] == 2001
    assert "cannot be given when resolving an incident" in caught.value.body()["error"]["errors"][0]
    assert incident["status"] == "triggered" and assignee_ids(incident) == ["PLINUS1"], "nothing changed"
    assert incident["_policy_id"] == "PEPCHK1"


def test_reopening_as_acknowledged_assigns_the_acting_user(account):
    incident = new_incident(account)
    account.incidents.update_incident(admin(account), incident["id"], {"status": "resolved"})
    account.incidents.update_incident(admin(account), incident["id"], {"status": "acknowledged"})
    assert incident["status"] == "acknowledged" and assignee_ids(incident) == ["PADMIN1"]
    assert account.incidents.incident_log_entries(incident)[0]["type"] == "assign_log_entry"


def test_reopening_as_triggered_assigns_along_the_new_policy(account):
    incident = new_incident(account)
    account.incidents.update_incident(admin(account), incident["id"], {"status": "resolved"})
    # nobody on the old level 1
    account.services.escalation_policies.get("PEPCHK1")["escalation_rules"][0]["targets"] = []
    account.incidents.update_incident(admin(account), incident["id"], {
        "status": "triggered", "escalation_policy": {"id": "PEPPLT1", "type": "escalation_policy_reference"}})
    assert incident["status"] == "triggered" and incident["_policy_id"] == "PEPPLT1"
    assert assignee_ids(incident) == ["PMARGRT"]
    kinds = [e["type"] for e in account.incidents.incident_log_entries(incident)]
    assert kinds[:2] == ["assign_log_entry", "delegate_log_entry"]


def test_reopening_along_a_policy_with_nobody_on_call_changes_nothing(account):
    incident = new_incident(account)
    account.incidents.update_incident(admin(account), incident["id"], {"status": "resolved"})
    account.services.escalation_policies.get("PEPPLT1")["escalation_rules"][0]["targets"] = []
    with pytest.raises(InvalidInput) as caught:
        account.incidents.update_incident(admin(account), incident["id"], {
            "status": "triggered", "escalation_policy": {"id": "PEPPLT1", "type": "escalation_policy_reference"}})
    assert caught.value.code == 1015
    assert incident["status"] == "resolved" and incident["_policy_id"] == "PEPCHK1"


@pytest.mark.parametrize("fields, assigned", [
    ({"escalation_level": 2}, ["PMARGRT"]),
    ({"escalation_policy": {"id": "PEPPLT1", "type": "escalation_policy_reference"}}, ["PMARGRT"]),
    ({"assignments": [{"assignee": {"id": "PGRACE1", "type": "user_reference"}}]}, ["PGRACE1"]),
])
def test_a_reassigned_acknowledged_incident_is_triggered_again(account, fields, assigned):
    incident = new_incident(account)
    account.incidents.update_incident(admin(account), incident["id"], {"status": "acknowledged"})
    account.incidents.update_incident(admin(account), incident["id"], fields)
    assert incident["status"] == "triggered" and incident["acknowledgements"] == []
    assert assignee_ids(incident) == assigned
    account.incidents.update_incident(admin(account), incident["id"], {"status": "acknowledged"})
    assert incident["status"] == "acknowledged" and assignee_ids(incident) == assigned


def test_open_incident_key_cannot_be_reused(account):
    fields = {"title": "t", "incident_key": "dup", "service": {"id": "PSVCCHK", "type": "service_reference"}}
    account.incidents.create_incident(admin(account), fields)
    with pytest.raises(InvalidInput, match="already exists"):
        account.incidents.create_incident(admin(account), fields)


def test_assignments_and_escalation_policy_are_exclusive(account):
    with pytest.raises(InvalidInput, match="Assignments cannot be specified"):
        account.incidents.create_incident(admin(account), {
            "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"},
            "escalation_policy": {"id": "PEPCHK1", "type": "escalation_policy_reference"},
            "assignments": [{"assignee": {"id": "PLINUS1", "type": "user_reference"}}]})


def test_notes_and_their_limits(account):
    incident = account.incidents.create_incident(admin(account), {
        "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}})
    note = account.incidents.add_note(admin(account), incident["id"], "looking")
    assert note["content"] == "looking" and account.incidents.notes[incident["id"]] == [note]
    with pytest.raises(ArgumentsCausedError, match="too long"):
        account.incidents.add_note(admin(account), incident["id"], "x" * 25001)
    with pytest.raises(NotFound):
        account.incidents.add_note(admin(account), "PNOPE00", "x")


def test_users_crud_rules(account):
    user = account.directory.create_user({"name": "New", "email": "new@example.com", "role": "user"})
    with pytest.raises(ArgumentsCausedError, match="Email has already been taken"):
        account.directory.create_user({"name": "Other", "email": "NEW@example.com"})
    with pytest.raises(ArgumentsCausedError, match="Role is invalid"):
        account.directory.update_user(user["id"], {"role": "boss"})
    account.directory.update_user(user["id"], {"job_title": "SRE"})
    assert account.directory.users.get(user["id"])["job_title"] == "SRE"
    account.directory.delete_user(user["id"])
    with pytest.raises(NotFound):
        account.directory.users.get(user["id"])


def test_user_with_open_incidents_cannot_be_deleted(account):
    trigger(account)
    with pytest.raises(InvalidInput, match=r"1 open incident\(s\): #1"):
        account.directory.delete_user("PLINUS1")


def test_urgency_needs_the_ability(account):
    account.abilities.discard("urgencies")
    incident = account.incidents.create_incident(admin(account), {
        "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}})
    with pytest.raises(PaymentRequired):
        account.incidents.update_incident(admin(account), incident["id"], {"urgency": "low"})


def test_pagination_like_pagerduty():
    items = list(range(250))
    page = paginate(items, "things", limit=500, offset=200, total=True)
    assert page == {"things": items[200:250], "limit": 100, "offset": 200, "more": False, "total": 250}
    assert paginate(items, "things")["limit"] == 25 and paginate(items, "things")["total"] is None
    with pytest.raises(InvalidInput, match="cannot exceed 10000"):
        paginate(items, "things", limit=100, offset=9901)


def test_generated_users_for_scale(account):
    big = Account(load_seed(), extra_users=12000)
    assert len(big.directory.users) == 12005
    ordered = big.directory.search_users()
    assert ordered[0]["name"] < ordered[-1]["name"]
