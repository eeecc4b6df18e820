"""The incidents area on its own: built on a directory and services, without responders or events, no HTTP."""

import datetime

import pytest

from pdsim.errors import InvalidInput, PaymentRequired
from pdsim.model.core import Plumbing
from pdsim.model.directory import Directory
from pdsim.model.incidents import Incidents
from pdsim.model.services import Services

KEY = "0123456789abcdef0123456789abcdef"
NOON = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)
SEED = {
    "users": [{"id": "PANN001", "name": "Ann", "email": "ann@example.com"},
              {"id": "PBEN001", "name": "Ben", "email": "ben@example.com"}],
    "escalation_policies": [{"id": "PPOL001", "name": "On-Call", "rules": [{"targets": ["PANN001"]},
                                                                           {"targets": ["PBEN001"]}]}],
    "services": [{"id": "PSVC001", "name": "Web", "escalation_policy": "On-Call",
                  "integrations": [{"id": "PINT001", "key": KEY}]}],
}
SERVICE = {"id": "PSVC001", "type": "service_reference"}


class Clock(object):
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def build(abilities=("urgencies",), clock=None):
    plumbing = Plumbing(now=clock or Clock(NOON))
    directory = Directory(plumbing, set(abilities))
    services = Services(plumbing, directory)
    incidents = Incidents(plumbing, set(abilities), directory, services)
    directory.load(SEED)
    services.load(SEED)
    return directory, services, incidents


def test_an_incident_is_assigned_along_its_service_and_logged_on_the_plumbings_clock():
    directory, services, incidents = build()
    incident = incidents.create_incident(directory.users.get("PBEN001"), {"title": "down", "service": SERVICE})
    assert incident["created_at"] == "2026-11-23T12:00:00Z" and incident["incident_number"] == 1
    assert [a["assignee"]["id"] for a in incident["assignments"]] == ["PANN001"]
    assert [e["type"] for e in incidents.incident_log_entries(incident)] == ["trigger_log_entry"]
    incidents.update_incident(directory.users.get("PBEN001"), incident["id"], {"escalation_level": 2})
    assert [a["assignee"]["id"] for a in incident["assignments"]] == ["PBEN001"]


def test_the_default_listing_window_follows_the_clock():
    clock = Clock(NOON)
    directory, services, incidents = build(clock=clock)
    incidents.create_incident(directory.users.get("PBEN001"), {"title": "old", "service": SERVICE})
    assert len(incidents.list_incidents({})) == 1
    clock.moment = NOON + datetime.timedelta(days=31)
    assert incidents.list_incidents({}) == [], "30 days by default"
    assert len(incidents.list_incidents({"date_range": "all"})) == 1


def test_an_assignee_of_an_open_incident_cannot_be_deleted_from_the_directory():
    directory, services, incidents = build()
    incident = incidents.create_incident(directory.users.get("PBEN001"), {"title": "down", "service": SERVICE})
    with pytest.raises(InvalidInput, match=r"1 open incident\(s\): #1") as raised:
        directory.delete_user("PANN001")
    assert raised.value.code == 2002 and "PANN001" in directory.users
    incidents.update_incident(directory.users.get("PBEN001"), incident["id"], {"status": "resolved"})
    with pytest.raises(InvalidInput, match="on escalation policies"):     # (the next blocker: see test_area_services)
        directory.delete_user("PANN001")
    for rule in services.escalation_policies.values()[0]["escalation_rules"]:
        rule["targets"] = [t for t in rule["targets"] if t["id"] != "PANN001"]
    directory.delete_user("PANN001")
    assert "PANN001" not in directory.users


def test_other_areas_add_to_the_rendered_incident():
    directory, services, incidents = build()
    incident = incidents.create_incident(directory.users.get("PBEN001"), {"title": "down", "service": SERVICE})
    rendered = incidents.render_incident(incident)
    assert "incidents_responders" not in rendered, "nothing registered: no responders"
    incidents.add_renderer(lambda inc, out: out.update(seen_by=inc["id"]))
    assert incidents.render_incident(incident)["seen_by"] == incident["id"]


def test_alerts_open_acknowledge_and_resolve_an_incident():
    directory, services, incidents = build()
    service, integration = services.service_for_routing_key(KEY)
    event = {"payload": {"summary": "disk full", "severity": "error", "source": "db1"}}
    alert = incidents.trigger_alert(service, integration, event, "k1")
    assert incidents.trigger_alert(service, integration, event, "k1") is alert, "deduplicated"
    incident = incidents.incidents.get(alert["_incident_id"])
    incidents.acknowledge_alert(integration, "k1")
    assert incident["status"] == "acknowledged"
    incidents.resolve_alert(integration, "k1")
    assert incident["status"] == "resolved" and alert["status"] == "resolved"
    assert incidents.render_alert(alert)["incident"]["id"] == incident["id"]


def test_urgency_needs_the_ability_of_the_account():
    directory, services, incidents = build(abilities=())
    with pytest.raises(PaymentRequired):
        incidents.create_incident(directory.users.get("PBEN001"), {"title": "t", "service": SERVICE,
                                                                   "urgency": "low"})


# -- what PagerDuty refuses or does on its own (issue 13) --------------------------------------------------

def assignment(user_id):
    return {"assignee": {"id": user_id, "type": "user_reference"}}


def test_a_new_incident_takes_one_assignee_at_most():
    directory, services, incidents = build()
    with pytest.raises(InvalidInput) as raised:
        incidents.create_incident(directory.users.get("PBEN001"), {
            "title": "down", "service": SERVICE, "assignments": [assignment("PANN001"), assignment("PBEN001")]})
    assert raised.value.errors == ["Only one assignee is supported at this time"]
    assert not incidents.incidents.values()


def test_an_incident_its_creator_assigns_to_themselves_starts_acknowledged():
    directory, services, incidents = build()
    ben = directory.users.get("PBEN001")
    mine = incidents.create_incident(ben, {"title": "mine", "service": SERVICE, "assignments": [assignment("PBEN001")]})
    assert mine["status"] == "acknowledged"
    assert [a["acknowledger"]["id"] for a in mine["acknowledgements"]] == ["PBEN001"]
    theirs = incidents.create_incident(ben, {"title": "theirs", "service": SERVICE,
                                             "assignments": [assignment("PANN001")]})
    assert theirs["status"] == "triggered"


def test_incident_body_details_under_each_reading():
    directory, services, incidents = build()
    ben = directory.users.get("PBEN001")
    body = {"type": "incident_body", "details": {"description": "disk full"}}
    assert incidents.create_incident(ben, {"title": "a", "service": SERVICE, "body": body})
    incidents.string_incident_bodies = True
    with pytest.raises(InvalidInput, match="details must be a string"):
        incidents.create_incident(ben, {"title": "b", "service": SERVICE, "body": body})
    assert incidents.create_incident(ben, {"title": "c", "service": SERVICE,
                                           "body": {"type": "incident_body", "details": "disk full"}})


def test_status_triggered_does_not_unacknowledge_and_a_reassignment_does():
    directory, services, incidents = build()
    ben = directory.users.get("PBEN001")
    incident = incidents.create_incident(ben, {"title": "down", "service": SERVICE})
    incidents.update_incident(ben, incident["id"], {"status": "acknowledged"})
    incidents.update_incident(ben, incident["id"], {"status": "triggered"})
    assert incident["status"] == "acknowledged", "status alone leaves it acknowledged"
    incidents.update_incident(ben, incident["id"], {"status": "triggered", "escalation_level": 1})
    assert incident["status"] == "triggered"
    incidents.update_incident(ben, incident["id"], {"status": "resolved"})
    incidents.update_incident(ben, incident["id"], {"status": "triggered"})
    assert incident["status"] == "triggered", "a resolved incident is reopened"
