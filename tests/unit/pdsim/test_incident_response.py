"""Responder requests, incident workflows, status updates and on-calls: model rules and answer shapes."""

import pytest

from pdsim.errors import ArgumentsCausedError, InvalidInput, NotFound, PaymentRequired
from pdsim.model import Account, load_seed
from test_responses import check


@pytest.fixture
def account():
    return Account(load_seed())


def new_incident(account):
    return account.incidents.create_incident(account.directory.user_by_email("admin@example.com"), {
        "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}})


def user_target(user_id):
    return {"responder_request_target": {"id": user_id, "type": "user_reference"}}


def test_oncalls_follow_the_policy_levels(account):
    entries = account.response.oncalls(escalation_policy_ids=["PEPCHK1"])
    assert [(e["escalation_level"], e["user"]["id"]) for e in entries] == [(1, "PLINUS1"), (2, "PMARGRT"),
                                                                           (3, "PGRACE1")]
    assert [e["escalation_policy"]["id"] for e in account.response.oncalls(user_ids=["PMARGRT"])] == [
        "PEPCHK1", "PEPPLT1"]


def test_responder_requests_expand_policies_and_track_states(account):
    incident = new_incident(account)
    request = account.response.request_responders(incident["id"], "PADMIN1", "help", [
        user_target("PGRACE1"),
        {"responder_request_target": {"id": "PEPPLT1", "type": "escalation_policy_reference"}}])
    assert [t["responder_request_target"]["type"] for t in request["responder_request_targets"]] == [
        "user", "escalation_policy"]
    rendered = account.incidents.render_incident(incident)
    states = {r["user"]["id"]: r["state"] for r in rendered["incidents_responders"]}
    assert states == {"PGRACE1": "pending", "PMARGRT": "pending"}
    account.response.set_responder_state(incident["id"], "PGRACE1", "declined")
    account.response.request_responders(incident["id"], "PADMIN1", "again", [user_target("PGRACE1")])
    assert account.response.incident_responders[incident["id"]]["PGRACE1"]["state"] == "pending"
    assert len(account.incidents.render_incident(incident)["responder_requests"]) == 2


def test_responder_request_rules(account):
    incident = new_incident(account)
    with pytest.raises(InvalidInput, match="Requester"):
        account.response.request_responders(incident["id"], "PNOPE00", "m", [user_target("PGRACE1")])
    with pytest.raises(InvalidInput, match="responder_request_target with an id"):
        account.response.request_responders(incident["id"], "PADMIN1", "m",
                                            [{"id": "PGRACE1", "type": "user_reference"}])
    with pytest.raises(NotFound):
        account.response.request_responders(incident["id"], "PADMIN1", "m", [user_target("PNOPE00")])
    account.incidents.update_incident(account.directory.users.get("PADMIN1"), incident["id"], {"status": "resolved"})
    with pytest.raises(InvalidInput) as caught:
        account.response.request_responders(incident["id"], "PADMIN1", "m", [user_target("PGRACE1")])
    assert caught.value.code == 1001
    account.abilities.discard("coordinated_responding")
    with pytest.raises(PaymentRequired):
        account.response.request_responders(incident["id"], "PADMIN1", "m", [user_target("PGRACE1")])
    assert "incidents_responders" not in account.incidents.render_incident(incident)


def test_workflows_and_status_updates(account):
    incident = new_incident(account)
    instance = account.response.start_workflow("PWFMAJR", {"id": incident["id"], "type": "incident_reference"})
    assert account.response.render_workflow_instance(instance) == {
        "id": instance["id"], "type": "incident_workflow_instance", "incident": instance["incident"]}
    with pytest.raises(NotFound):
        account.response.start_workflow("PNOPE00", {"id": incident["id"]})
    update = account.response.post_status_update(account.directory.users.get("PADMIN1"), incident["id"], "all good")
    assert update["sender"]["id"] == "PADMIN1" and "subject" not in update
    with pytest.raises(ArgumentsCausedError, match="together"):
        account.response.post_status_update(account.directory.users.get("PADMIN1"), incident["id"], "m", subject="s")
    account.abilities.discard("incident_workflows")
    with pytest.raises(PaymentRequired):
        account.response.start_workflow("PWFMAJR", {"id": incident["id"]})


def test_answer_shapes(contract, call):
    status, body, headers = call("POST", "/incidents", {"incident": {
        "type": "incident", "title": "shapes", "service": {"id": "PSVCCHK", "type": "service_reference"}}})
    incident = body["incident"]["id"]
    check(contract, call, "GET", "/oncalls?escalation_policy_ids[]=PEPCHK1", expect=200)
    check(contract, call, "POST", "/incidents/%s/responder_requests" % incident, {
        "requester_id": "PADMIN1", "message": "help", "responder_request_targets": [user_target("PGRACE1")]},
        expect=200)
    check(contract, call, "GET", "/incidents/%s" % incident, expect=200)
    check(contract, call, "POST", "/incident_workflows/PWFMAJR/instances", {
        "incident_workflow_instance": {"incident": {"id": incident, "type": "incident_reference"}}}, expect=201)
    check(contract, call, "POST", "/incidents/%s/status_updates" % incident, {"message": "update"}, expect=200)
    check(contract, call, "PUT", "/incidents/%s" % incident, {"incident": {"type": "incident_reference",
                                                                           "escalation_level": 2}}, expect=200)
