"""The response area on its own: built on a directory, services and incidents, no events, no HTTP."""

import pytest

from pdsim.errors import PaymentRequired
from pdsim.model.core import Plumbing
from pdsim.model.directory import Directory
from pdsim.model.incidents import Incidents
from pdsim.model.response import Response
from pdsim.model.services import Services

ALL = ("coordinated_responding", "incident_workflows", "status_updates")
SEED = {
    "users": [{"id": "PANN001", "name": "Ann", "email": "ann@example.com"},
              {"id": "PBEN001", "name": "Ben", "email": "ben@example.com"},
              {"id": "PCAT001", "name": "Cat", "email": "cat@example.com"}],
    "escalation_policies": [{"id": "PPOL001", "name": "Web", "rules": [{"targets": ["PANN001"]}]},
                            {"id": "PPOL002", "name": "DBA", "rules": [{"targets": ["PBEN001", "PCAT001"]}]}],
    "services": [{"id": "PSVC001", "name": "Web", "escalation_policy": "Web"}],
    "incident_workflows": [{"id": "PWF0001", "name": "Bridge"}],
}


def build(abilities=ALL):
    plumbing, abilities = Plumbing(), set(abilities)
    directory = Directory(plumbing, abilities)
    services = Services(plumbing, directory)
    incidents = Incidents(plumbing, abilities, directory, services)
    response = Response(plumbing, abilities, directory, services, incidents)
    directory.load(SEED)
    services.load(SEED)
    incident = incidents.create_incident(directory.users.get("PANN001"), {
        "title": "down", "service": {"id": "PSVC001", "type": "service_reference"}})
    return abilities, incidents, response, incident


def test_oncalls_by_policy_and_level():
    abilities, incidents, response, incident = build()
    assert [(e["escalation_policy"]["id"], e["user"]["id"]) for e in response.oncalls()] == [
        ("PPOL001", "PANN001"), ("PPOL002", "PBEN001"), ("PPOL002", "PCAT001")]
    assert [e["user"]["id"] for e in response.oncalls(user_ids=["PCAT001"])] == ["PCAT001"]


def test_requested_responders_appear_on_the_incident_and_in_its_log():
    abilities, incidents, response, incident = build()
    response.request_responders(incident["id"], "PANN001", "help", [
        {"responder_request_target": {"id": "PPOL002", "type": "escalation_policy_reference"}}])
    responders = incidents.render_incident(incident)["incidents_responders"]
    assert [(r["user"]["id"], r["state"], r["escalation_policy_requests"]) for r in responders] == [
        ("PBEN001", "pending", ["DBA"]), ("PCAT001", "pending", ["DBA"])]
    assert incidents.incident_log_entries(incident)[0]["type"] == "notify_log_entry"
    response.set_responder_state(incident["id"], "PCAT001", "joined")
    assert response.incident_responders[incident["id"]]["PCAT001"]["state"] == "joined"
    abilities.discard("coordinated_responding")
    assert "incidents_responders" not in incidents.render_incident(incident)


def test_workflows_and_status_updates_need_their_abilities():
    abilities, incidents, response, incident = build()
    instance = response.start_workflow("PWF0001", {"id": incident["id"]})
    assert response.render_workflow_instance(instance)["incident"]["id"] == incident["id"]
    update = response.post_status_update(incidents.directory.users.get("PANN001"), incident["id"], "on it")
    assert response.status_updates[incident["id"]] == [update]
    for ability in ALL:
        abilities.discard(ability)
    with pytest.raises(PaymentRequired):
        response.start_workflow("PWF0001", {"id": incident["id"]})
    with pytest.raises(PaymentRequired):
        response.post_status_update(incidents.directory.users.get("PANN001"), incident["id"], "on it")
