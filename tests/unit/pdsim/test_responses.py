"""The simulator answers in the shapes PagerDuty documents for each operation."""

import pytest

KEY = "pdsimroutingkeycheckoutapi000001"


def check(contract, call, method, target, body=None, expect=None):
    status, answer, headers = call(method, target, body)
    if expect is not None:
        assert status == expect, answer
    api = "events" if target.startswith("/v2/") else "rest"
    path = target.split("?")[0]
    operation = contract.match(api, method, path[3:] if api == "events" else path)
    problems = operation.response_errors(status, answer)
    assert problems == [], "%s %s -> %s: %s" % (method, target, status, problems)
    return answer


@pytest.fixture
def incident(call):
    status, body, headers = call("POST", "/incidents", {"incident": {
        "type": "incident", "title": "disk full", "incident_key": "realism",
        "service": {"id": "PSVCCHK", "type": "service_reference"}}})
    return body["incident"]["id"]


def test_directory_answers(contract, call):
    # include[] expands references into objects, which the document does not describe; plain listings only
    check(contract, call, "GET", "/users?total=true", expect=200)
    check(contract, call, "GET", "/users/PADMIN1", expect=200)
    created = check(contract, call, "POST", "/users", {"user": {"type": "user", "name": "Real Ism",
                                                                "email": "real@example.com", "role": "user"}},
                    expect=201)
    check(contract, call, "PUT", "/users/%s" % created["user"]["id"], {"user": {"type": "user", "name": "Real",
                                                                                "email": "real@example.com"}},
          expect=200)
    check(contract, call, "GET", "/teams", expect=200)
    check(contract, call, "GET", "/escalation_policies?query=Checkout", expect=200)
    check(contract, call, "GET", "/escalation_policies/PEPCHK1", expect=200)
    check(contract, call, "GET", "/services", expect=200)
    check(contract, call, "GET", "/services/PSVCCHK", expect=200)
    check(contract, call, "GET", "/priorities", expect=200)
    check(contract, call, "GET", "/incident_workflows", expect=200)
    check(contract, call, "GET", "/users/PNOPE00", expect=404)


def test_incident_answers(contract, call, incident):
    check(contract, call, "GET", "/incidents?statuses[]=triggered&total=true", expect=200)
    check(contract, call, "GET", "/incidents/%s?include[]=first_trigger_log_entries" % incident, expect=200)
    check(contract, call, "PUT", "/incidents/%s" % incident, {"incident": {"type": "incident",
                                                                           "status": "acknowledged"}}, expect=200)
    check(contract, call, "POST", "/incidents/%s/notes" % incident, {"note": {"content": "on it"}}, expect=200)
    check(contract, call, "GET", "/incidents/%s/notes" % incident, expect=200)
    check(contract, call, "GET", "/incidents/%s/log_entries" % incident, expect=200)
    check(contract, call, "GET", "/incidents/%s/alerts" % incident, expect=200)
    check(contract, call, "POST", "/incidents", {"incident": {"type": "incident", "title": "manual",
                                                              "service": {"id": "PSVCCHK",
                                                                          "type": "service_reference"},
                                                              "priority": {"id": "PPRIO01",
                                                                           "type": "priority_reference"},
                                                              "urgency": "high"}}, expect=201)


def test_triage_answers(contract, call, incident):
    """PUT /incidents (paginated like a listing), the merge (a reference to the target) and the snooze."""
    other = check(contract, call, "POST", "/incidents", {"incident": {
        "type": "incident", "title": "other", "service": {"id": "PSVCCHK", "type": "service_reference"}}},
        expect=201)["incident"]["id"]
    updated = check(contract, call, "PUT", "/incidents?limit=100", {"incidents": [
        {"id": incident, "type": "incident_reference", "status": "acknowledged"},
        {"id": other, "type": "incident_reference", "urgency": "low"}]}, expect=200)
    assert [i["id"] for i in updated["incidents"]] == [incident, other] and updated["more"] is False
    check(contract, call, "POST", "/incidents/%s/snooze" % incident, {"duration": 60}, expect=201)
    check(contract, call, "POST", "/incidents/%s/snooze" % other, {"duration": 60}, expect=400)
    merged = check(contract, call, "PUT", "/incidents/%s/merge" % incident,
                   {"source_incidents": [{"id": other, "type": "incident_reference"}]}, expect=200)
    assert merged["incident"]["id"] == incident and merged["incident"]["type"] == "incident_reference"
    check(contract, call, "PUT", "/incidents", {"incidents": [{"id": incident, "type": "incident_reference",
                                                               "title": "x"}] * 251}, expect=413)


def test_event_answers(contract, call):
    check(contract, call, "POST", "/v2/enqueue", {"routing_key": KEY, "event_action": "trigger",
                                                  "payload": {"summary": "s", "source": "h", "severity": "info"}},
          expect=202)
    check(contract, call, "POST", "/v2/change/enqueue", {"routing_key": KEY, "payload": {"summary": "deploy"}},
          expect=202)


def test_events_api_errors_are_always_events_shaped(contract, call):
    # a REST-side refusal inside the Events API (here, an injected 402 and a 404) still answers in the Events shape
    from pdsim.server import as_events_error
    from pdsim.errors import NotFound, PaymentRequired
    for error in (NotFound("nope"), PaymentRequired()):
        status, headers, body = as_events_error(error).status, {}, as_events_error(error).body()
        assert set(body) <= {"status", "message", "errors"} and isinstance(body["errors"], list), body
        assert status == error.status


def test_schedule_and_oncall_answers(contract, call):
    check(contract, call, "GET", "/schedules?total=true", expect=200)
    check(contract, call, "GET", "/schedules/PSCHCHK", expect=200)
    check(contract, call, "GET", "/schedules/PSCHCHK?since=2026-11-23T00:00:00Z&until=2026-11-30T00:00:00Z",
          expect=200)
    created = check(contract, call, "POST", "/schedules/PSCHCHK/overrides", {"overrides": [
        {"start": "2099-01-01T00:00:00Z", "end": "2099-01-02T00:00:00Z",
         "user": {"id": "PGRACE1", "type": "user_reference"}}]}, expect=201)
    # PagerDuty's document gives this GET the status 201 (a slip); the simulator answers 200, in that shape.
    status, listed, unused = call("GET", "/schedules/PSCHCHK/overrides?since=2098-12-31T00:00:00Z"
                                         "&until=2099-01-03T00:00:00Z")
    operation = contract.match("rest", "GET", "/schedules/PSCHCHK/overrides")
    assert status == 200 and operation.response_errors(201, listed) == []
    assert [o["id"] for o in listed["overrides"]] == [created[0]["override"]["id"]]
    check(contract, call, "DELETE", "/schedules/PSCHCHK/overrides/%s" % created[0]["override"]["id"], expect=204)
    check(contract, call, "GET", "/oncalls?schedule_ids[]=PSCHCHK&since=2026-11-23T00:00:00Z"
                                 "&until=2026-12-23T00:00:00Z&earliest=true", expect=200)


def test_maintenance_window_answers(contract, call):
    created = check(contract, call, "POST", "/maintenance_windows", {"maintenance_window": {
        "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T01:00:00Z",
        "description": "Deploy", "services": [{"id": "PSVCCHK", "type": "service_reference"}]}},
        expect=201)["maintenance_window"]
    check(contract, call, "GET", "/maintenance_windows?filter=future&total=true", expect=200)
    check(contract, call, "GET", "/maintenance_windows/%s" % created["id"], expect=200)
    check(contract, call, "PUT", "/maintenance_windows/%s" % created["id"], {"maintenance_window": {
        "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T02:00:00Z",
        "services": [{"id": "PSVCCHK", "type": "service_reference"}]}}, expect=200)
    check(contract, call, "DELETE", "/maintenance_windows/%s" % created["id"], expect=204)
    check(contract, call, "GET", "/maintenance_windows/%s" % created["id"], expect=404)
