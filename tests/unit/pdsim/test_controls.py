"""The /_sim/ controls: routes of the "sim" API, with the request and answer shapes the harnesses use."""

import json

import pytest

from pdsim.api import Router, _ROUTES
from pdsim.limits import OPERATION_RATE_LIMITS


def control(sim, method, target, body=None, raw=None):
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    reply = sim.handle(method, target, {"content-type": "application/json"}, data)
    return reply.status, reply.body


CONTROLS = [("GET", "/_sim/info"), ("POST", "/_sim/reset"), ("POST", "/_sim/config"), ("GET", "/_sim/requests"),
            ("DELETE", "/_sim/requests"), ("POST", "/_sim/faults"), ("GET", "/_sim/faults"),
            ("DELETE", "/_sim/faults"), ("POST", "/_sim/responders"), ("GET", "/_sim/state/notes"),
            ("GET", "/_sim/events"), ("GET", "/_sim/clock"), ("POST", "/_sim/clock")]


@pytest.mark.parametrize("method, path", CONTROLS)
def test_every_control_is_a_route_of_the_sim_api(method, path):
    assert Router().match("sim", method, path) is not None
    assert Router().match("rest", method, path) is None


def test_only_controls_are_in_the_sim_api():
    assert all(regex.pattern.startswith("^/_sim/") for _rank, regex, _verb, _names, _handler in _ROUTES["sim"])


@pytest.mark.parametrize("method, target", [
    ("GET", "/_sim/nothing"), ("POST", "/_sim/info"), ("GET", "/_sim/info/"), ("PUT", "/_sim/requests"),
    ("GET", "/_sim/state/bogus"), ("GET", "/_sim/state/"), ("GET", "/_sim/state/notes/x"), ("GET", "/_sim/config"),
])
def test_what_is_no_control_is_404_with_the_controls_error_shape(sim, method, target):
    assert control(sim, method, target) == (404, {"error": "unknown simulator control %s %s" % (method, target)})


def test_info_and_config(sim):
    status, body = control(sim, "GET", "/_sim/info")
    assert status == 200 and body == {"version": "1.0.0", "validation": True, "documents": sim.contract.source,
                                      "rest_rate_limit": 960, "events_rate_limit": 120, "users": 5,
                                      "webhook_retry_delays": [0.1, 0.2, 0.4, 0.8, 1.6],
                                      "operation_rate_limits": OPERATION_RATE_LIMITS, "rate_limit_window": 60.0}
    delays = [0.1, 0.2, 0.4, 0.8, 1.6]
    limits = {"operation_rate_limits": OPERATION_RATE_LIMITS, "rate_limit_window": 60.0}
    assert control(sim, "POST", "/_sim/config", {"rest_rate_limit": 5}) == (
        200, dict(limits, rest_rate_limit=5, events_rate_limit=120, webhook_retry_delays=delays,
                  string_incident_bodies=False))
    assert control(sim, "POST", "/_sim/config", {"webhook_retry_delays": [0, 0.5]}) == (
        200, dict(limits, rest_rate_limit=5, events_rate_limit=120, webhook_retry_delays=[0.0, 0.5],
                  string_incident_bodies=False))
    assert sim.rest_limits.limit == 5 and sim.deliveries.delays == [0.0, 0.5]
    assert control(sim, "POST", "/_sim/config", {"string_incident_bodies": True})[1]["string_incident_bodies"] is True


def test_controls_are_not_logged_and_the_log_is_read_after_a_mark(sim, call):
    control(sim, "GET", "/_sim/info")
    call("GET", "/abilities")
    call("GET", "/priorities")
    status, body = control(sim, "GET", "/_sim/requests")
    assert status == 200 and [r["path"] for r in body["requests"]] == ["/abilities", "/priorities"]
    first = body["requests"][0]["seq"]
    assert [r["path"] for r in control(sim, "GET", "/_sim/requests?since=%d" % first)[1]["requests"]] == [
        "/priorities"]
    assert control(sim, "DELETE", "/_sim/requests") == (204, None)
    assert control(sim, "GET", "/_sim/requests") == (200, {"requests": []})


def test_faults_are_added_listed_and_cleared(sim, call):
    status, body = control(sim, "POST", "/_sim/faults", [{"path": "^/abilities$", "status": 503},
                                                         {"path": "^/priorities$", "latency": 0.01}])
    assert status == 201 and [f["status"] for f in body["faults"]] == [503, None]
    assert call("GET", "/abilities")[0] == 503
    assert [f["applied"] for f in control(sim, "GET", "/_sim/faults")[1]["faults"]] == [1, 0]
    assert control(sim, "POST", "/_sim/faults", {"bogus": 1}) == (400, {"error": "unknown fault fields: bogus"})
    assert control(sim, "POST", "/_sim/faults", raw=b"{not json") == (
        400, {"error": "a fault needs a status, a drop, a latency, or a change to the request or its answer"})
    assert control(sim, "DELETE", "/_sim/faults") == (204, None)
    assert control(sim, "GET", "/_sim/faults") == (200, {"faults": []})


def test_reset_goes_back_to_the_seed_or_to_a_given_one(sim, call):
    call("POST", "/users", {"user": {"type": "user", "name": "New", "email": "new@example.com"}})
    assert control(sim, "POST", "/_sim/reset") == (200, {"reset": True, "users": 5})
    assert control(sim, "POST", "/_sim/reset", {"extra_users": 20}) == (200, {"reset": True, "users": 25})
    assert control(sim, "POST", "/_sim/reset", {"seed": {"users": [{"name": "Solo", "email": "solo@example.com"}]}}) \
        == (200, {"reset": True, "users": 1})
    assert control(sim, "POST", "/_sim/reset") == (200, {"reset": True, "users": 5}), "back to the starting seed"


def test_responders_state_and_events(sim, call):
    incident = call("POST", "/incidents", {"incident": {
        "type": "incident", "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}}})[1]["incident"]
    call("POST", "/incidents/%s/responder_requests" % incident["id"], {
        "requester_id": "PADMIN1", "message": "help",
        "responder_request_targets": [{"responder_request_target": {"id": "PGRACE1", "type": "user_reference"}}]})
    status, body = control(sim, "POST", "/_sim/responders",
                           {"incident_id": incident["id"], "user_id": "PGRACE1", "state": "joined"})
    assert status == 200 and body["responder"]["state"] == "joined"
    assert control(sim, "POST", "/_sim/responders", {"incident_id": incident["id"], "user_id": "PLINUS1",
                                                     "state": "joined"}) == (
        400, {"error": "404 2100: Not Found User PLINUS1 was not requested on incident %s" % incident["id"]})
    call("POST", "/incidents/%s/notes" % incident["id"], {"note": {"content": "on it"}})
    notes = control(sim, "GET", "/_sim/state/notes")[1]["notes"]
    assert [n["content"] for n in notes[incident["id"]]] == ["on it"]
    assert list(control(sim, "GET", "/_sim/state/responder_requests")[1]["responder_requests"]) == [incident["id"]]
    assert control(sim, "GET", "/_sim/state/workflow_instances") == (200, {"workflow_instances": []})
    assert control(sim, "GET", "/_sim/state/status_updates") == (200, {"status_updates": {}})
    call("POST", "/v2/change/enqueue", {"routing_key": "pdsimroutingkeycheckoutapi000001",
                                        "payload": {"summary": "deploy"}}, headers={"accept": None})
    status, body = control(sim, "GET", "/_sim/events")
    assert status == 200 and body["events"] == [] and [e["summary"] for e in body["change_events"]] == ["deploy"]


def test_the_clock_moves_and_what_falls_due_happens(sim, call):
    incident = call("POST", "/incidents", {"incident": {
        "type": "incident", "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}}})[1]["incident"]
    call("PUT", "/incidents/%s" % incident["id"], {"incident": {"type": "incident_reference", "status": "acknowledged"}})
    assert call("POST", "/incidents/%s/snooze" % incident["id"], {"duration": 3600})[0] == 201
    status, body = control(sim, "POST", "/_sim/clock", {"advance": 1800})
    assert status == 200 and body["ran"] == 0
    assert call("GET", "/incidents/%s" % incident["id"])[1]["incident"]["status"] == "acknowledged"
    status, body = control(sim, "POST", "/_sim/clock", {"advance": 1801})
    assert status == 200 and body["ran"] == 1
    assert call("GET", "/incidents/%s" % incident["id"])[1]["incident"]["status"] == "triggered"
    status, body = control(sim, "POST", "/_sim/clock", {"now": "2031-01-01T00:00:00Z"})
    assert status == 200 and body["now"] == "2031-01-01T00:00:00Z"
    assert control(sim, "POST", "/_sim/clock", {"advance": "soon"})[0] == 400
    assert [r["path"] for r in control(sim, "GET", "/_sim/requests")[1]["requests"]].count("/_sim/clock") == 0


def test_the_clock_moves_on_or_to_a_time_and_a_reset_brings_it_back(sim, call):
    import datetime
    from pdsim.model.core import moment

    def real():
        return datetime.datetime.now(datetime.timezone.utc)
    two_hours = datetime.timedelta(hours=2)
    before = real().replace(microsecond=0)
    status, body = control(sim, "POST", "/_sim/clock", {"advance": 7200})
    assert status == 200 and before + two_hours <= moment(body["now"], "now") <= real() + two_hours
    window = call("POST", "/maintenance_windows", {"maintenance_window": {
        "type": "maintenance_window", "start_time": body["now"], "end_time": "2099-01-01T00:00:00Z",
        "services": [{"id": "PSVCCHK", "type": "service_reference"}]}})[1]["maintenance_window"]
    assert moment(window["start_time"], "start") >= moment(body["now"], "now"), "the window starts in sim time"
    assert control(sim, "POST", "/_sim/clock", {"now": "2030-01-01T00:00:00+01:00"}) == (
        200, {"now": "2029-12-31T23:00:00Z", "ran": 0})
    for bad in ({}, {"advance": "soon"}, {"advance": True}, {"now": "tomorrow"}):
        status, body = control(sim, "POST", "/_sim/clock", bad)
        assert status == 400 and body["error"], bad
    before = real().replace(microsecond=0)
    control(sim, "POST", "/_sim/reset")
    assert before <= moment(control(sim, "GET", "/_sim/clock")[1]["now"], "now") <= real()
