"""The simulator refuses what PagerDuty's OpenAPI documents do not allow."""

import pytest


def errors(body):
    return body["error"].get("errors", [])


def test_valid_request_passes(call):
    status, body, headers = call("GET", "/users?limit=2&include[]=teams")
    assert status == 200 and len(body["users"]) == 2
    assert headers["ratelimit-limit"] == "960"


def test_unknown_path_is_404_and_unimplemented_operation_is_501(call):
    assert call("GET", "/no_such_thing")[0] == 404
    status, body, headers = call("GET", "/business_services")
    assert status == 501 and "does not implement" in errors(body)[0]


def test_missing_accept_header(call):
    status, body, headers = call("GET", "/users", headers={"accept": None})
    assert status == 400 and errors(body) == ["The Accept header is required"]


def test_wrong_accept_version(call):
    status, body, headers = call("GET", "/users", headers={"accept": "application/vnd.pagerduty+json;version=1"})
    assert status == 400 and "version=2" in errors(body)[0]


def test_from_header_required_where_pagerduty_requires_it(call):
    status, body, headers = call("POST", "/incidents/X/notes", {"note": {"content": "hi"}}, sender=None)
    assert status == 400 and "The From header is required" in errors(body)


def test_from_header_must_be_an_email(call):
    status, body, headers = call("POST", "/users", {"user": {"type": "user", "name": "A", "email": "a@example.com"}},
                                 sender="not-an-email")
    assert status == 400 and "must be an email address" in errors(body)[0]


def test_unknown_query_parameter_is_refused_with_a_hint(call):
    status, body, headers = call("GET", "/users?team_ids=PTCHKOT")
    assert status == 400 and errors(body) == ["Unknown query parameter 'team_ids' (did you mean team_ids[]?)"]


@pytest.mark.parametrize("target, message", [
    ("/users?limit=ten", "limit must be an integer"),
    ("/users?total=yes", "total must be true or false"),
    ("/incidents?statuses[]=open", "'open' is not one of"),
    ("/users?include[]=secrets", "'secrets' is not one of"),
])
def test_query_types_and_enums(call, target, message):
    status, body, headers = call("GET", target)
    assert status == 400 and message in " ".join(errors(body))


def test_body_schema(call):
    status, body, headers = call("PUT", "/incidents/X", {"incident": {"type": "incident", "status": "closed"}})
    assert status == 400
    assert errors(body) == ["incident.status: 'closed' is not one of ['resolved', 'acknowledged', 'triggered']"]


def test_body_required_fields(call):
    status, body, headers = call("POST", "/users", {"user": {"name": "No Email"}})
    assert status == 400
    assert set(errors(body)) == {"user: 'email' is a required property", "user: 'type' is a required property"}


def test_invalid_json(call):
    status, body, headers = call("POST", "/incidents/X/notes", raw=b"{not json")
    assert status == 400 and errors(body) == ["The request body is not valid JSON"]


def test_reference_ids_may_be_sent_although_marked_read_only(call):
    status, body, headers = call("POST", "/incidents", {"incident": {
        "type": "incident", "title": "t", "service": {"id": "PSVCCHK", "type": "service_reference"}}})
    assert status == 201, body


def test_events_body_validated_with_events_error_shape(call):
    event = {"routing_key": "pdsimroutingkeycheckoutapi000001", "event_action": "explode"}
    status, body, headers = call("POST", "/v2/enqueue", event, headers={"accept": None})
    assert status == 400 and body["status"] == "invalid event"
    assert "'explode' is not one of" in body["errors"][0]


def test_unknown_token_is_401_before_validation(call):
    status, body, headers = call("GET", "/users?bogus=1", headers={"authorization": "Token token=wrong"})
    assert status == 401 and body == {"error": {"message": "Authentication failed", "code": 2006}}


def test_read_only_token_cannot_write(call):
    status, body, headers = call("POST", "/incidents/X/notes", {"note": {"content": "x"}},
                                 headers={"authorization": "Token token=pdsim-readonly-token"})
    assert status == 403 and body["error"]["code"] == 2010


def trigger_at(call, timestamp):
    event = {"routing_key": "pdsimroutingkeycheckoutapi000001", "event_action": "trigger", "dedup_key": "clock",
             "payload": {"summary": "s", "source": "h", "severity": "info", "timestamp": timestamp}}
    return call("POST", "/v2/enqueue", event, headers={"accept": None})


@pytest.mark.parametrize("timestamp", [
    "2026-11-23T08:42:58Z", "2026-11-23T08:42:58.123Z", "2026-11-23T08:42:58.123456789+05:30",
    "2026-11-23T08:42:58-00:00", "2026-11-23t08:42:58z",
    "2015-07-17T08:42:58.315+0000",     # PagerDuty's own example (Events API v2 document): an offset without colon
])
def test_rfc3339_date_times_are_accepted(call, timestamp):
    status, body, headers = trigger_at(call, timestamp)
    assert status == 202, body


@pytest.mark.parametrize("timestamp", [
    "2026-11-23",                   # a date only
    "2026-01-01 10:00",             # a space, no seconds, no offset
    "2026-01-01T10:00Z",            # no seconds
    "2026-01-01 10:00:00Z",         # a space instead of T
    "2026-11-23T08:42:58",          # no offset
    "2026-11-23T08:42:58+00",       # an offset without its minutes
    "2026-13-23T08:42:58Z",         # no 13th month
])
def test_other_date_times_are_refused(call, timestamp):
    status, body, headers = trigger_at(call, timestamp)
    assert status == 400, body
    assert body["errors"] == ["payload.timestamp: %r is not a 'date-time'" % timestamp]


def patterned_header_contract(contract):
    """A contract with one operation whose headers carry patterns: PagerDuty's Authorization and a trace ID."""
    from pdsim.openapi import Contract

    authorization = contract.documents["rest"]["components"]["parameters"]["header_Authorization"]
    trace = {"name": "X-Trace", "in": "header", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9a-f]{8}$"}}
    parameters = [{"$ref": "#/components/parameters/header_Authorization"}, trace]
    rest = {"openapi": "3.0.2", "components": {"parameters": {"header_Authorization": authorization}},
            "paths": {"/things": {"get": {"parameters": parameters, "responses": {"200": {"description": "OK"}}}}}}
    return Contract(rest, {"openapi": "3.0.2", "paths": {}})


def test_header_patterns_are_enforced(contract):
    from pdsim.errors import InvalidInput

    things = patterned_header_contract(contract).match("rest", "GET", "/things")
    assert things.validate({"authorization": "Token token=abc123", "x-trace": "0badcafe"}, {}, None) == {}
    with pytest.raises(InvalidInput) as refused:
        things.validate({"authorization": "Token token=abc123", "x-trace": "not-hex"}, {}, None)
    assert refused.value.errors == ["The X-Trace header must match ^[0-9a-f]{8}$, not 'not-hex'"]


def test_authorization_pattern_is_not_enforced_for_the_simulators_tokens(contract):
    import re

    pattern = contract.documents["rest"]["components"]["parameters"]["header_Authorization"]["schema"]["pattern"]
    assert not re.search(pattern, "Token token=pdsim-admin-token"), "the seed token is not in PagerDuty's format"
    things = patterned_header_contract(contract).match("rest", "GET", "/things")
    assert things.validate({"authorization": "Token token=pdsim-admin-token", "x-trace": "0badcafe"}, {}, None) == {}
