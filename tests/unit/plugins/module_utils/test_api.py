"""The API layer: every path segment quoted, PagerDuty's objects returned, "not found" as None where natural."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _api
from ansible_collections.oncall.pagerduty.plugins.module_utils._api import incidents, services, users
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import SAFE, UNSAFE
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError, PagerDutyError
from unit.fakes import FakeClient, not_found


def test_every_segment_is_quoted():
    assert _api.rest_path("/teams/%s/users/%s", "P/1", "a b?c") == "/teams/P%2F1/users/a%20b%3Fc"
    client = FakeClient({"/incidents/..%2Fusers": {"incident": {"id": "x"}}})
    incidents.get_incident(client, "../users")
    assert client.calls[0][1] == "/incidents/..%2Fusers", "an ID cannot reach another endpoint"


def test_an_answer_without_its_object_is_a_one_line_error():
    client = FakeClient({"/incidents/P1": {"incidents": []}, "/services/S1": ["not", "an", "object"]})
    with pytest.raises(PagerDutyError, match=r"^Unusable answer to GET /incidents/P1: it has no 'incident' object$"):
        incidents.get_incident(client, "P1")
    with pytest.raises(PagerDutyError, match=r"^Unusable answer to GET /incidents/P2: its 'incident' object has no "
                                             r"string id$"):
        incidents.get_incident(FakeClient({"/incidents/P2": {"incident": {"id": 5}}}), "P2")
    with pytest.raises(PagerDutyError, match="GET /services/S1: it has no 'service' object"):
        services.get_service(client, "S1")


def test_not_found_is_none_where_that_is_the_natural_answer():
    client = FakeClient({"/users/PNOONE": not_found("/users/PNOONE"), "DELETE /users/PGONE": not_found("/users/PGONE")})
    assert users.get_user(client, "PNOONE") is None
    assert users.delete_user(client, "PGONE") is False
    assert users.delete_user(client, "PHERE") is True


def test_other_errors_are_not_swallowed():
    refused = PagerDutyAPIError(403, "GET", "u", "/users/P1", message="Forbidden")
    with pytest.raises(PagerDutyAPIError):
        users.get_user(FakeClient({"/users/P1": refused}), "P1")


def test_listings_keep_only_objects():
    client = FakeClient({"/incidents/P1/notes": {"notes": [{"id": "N1"}, "junk", None, 3]}})
    assert incidents.list_notes(client, "P1") == [{"id": "N1"}]
    assert incidents.list_notes(FakeClient({"/incidents/P1/notes": {"notes": "nope"}}), "P1") == []


class RecordingClient(FakeClient):
    def request(self, method, path, body=None, **options):
        self.calls.append((method, path, body, options))
        return self._answer("%s %s" % (method, path), None)


def test_writes_say_what_may_be_repeated():
    client = RecordingClient({"POST /incidents/P1/notes": {"note": {"id": "N"}},
                              "PUT /incidents/P1": {"incident": {"id": "P1"}}})
    incidents.create_note(client, "P1", "hello", confirm=lambda: None)
    incidents.update_incident(client, "P1", {"type": "incident_reference", "escalation_level": 2}, retry=UNSAFE)
    note, update = client.calls
    assert note[2] == {"note": {"content": "hello"}} and note[3]["needs_from"] and callable(note[3]["confirm"])
    assert update[3]["retry"] is UNSAFE and update[3]["needs_from"]
    assert incidents.update_incident.__defaults__[0] is SAFE


def test_responder_request_targets_are_references():
    client = RecordingClient({"POST /incidents/P1/responder_requests": {"responder_request": {"id": "R"}}})
    incidents.create_responder_request(client, "P1", "PADMIN1", "help", [("user", "PGRACE1"),
                                                                         ("escalation_policy", "PEP1")])
    assert client.calls[0][2]["responder_request_targets"] == [
        {"responder_request_target": {"id": "PGRACE1", "type": "user_reference"}},
        {"responder_request_target": {"id": "PEP1", "type": "escalation_policy_reference"}}]


def test_maintenance_windows():
    from ansible_collections.oncall.pagerduty.plugins.module_utils._api import maintenance_windows as mw
    client = RecordingClient({"/maintenance_windows/PW1": {"maintenance_window": {"id": "PW1"}},
                              "/maintenance_windows/PNONE": not_found("/maintenance_windows/PNONE"),
                              "POST /maintenance_windows": {"maintenance_window": {"id": "PW2"}},
                              "PUT /maintenance_windows/PW1": {"maintenance_window": {"id": "PW1"}},
                              "DELETE /maintenance_windows/PENDED": PagerDutyAPIError(
                                  405, "DELETE", "u", "/maintenance_windows/PENDED", message="Method Not Allowed")})
    assert mw.get_maintenance_window(client, "PW1") == {"id": "PW1"}
    assert mw.get_maintenance_window(client, "PNONE") is None
    mw.create_maintenance_window(client, {"start_time": "s", "end_time": "e", "services": []}, confirm=len)
    mw.update_maintenance_window(client, "PW1", {"start_time": "s"})
    created, updated = client.calls[-2:]
    assert created[2] == {"maintenance_window": {"type": "maintenance_window", "start_time": "s", "end_time": "e",
                                                 "services": []}}
    assert created[3]["needs_from"] and created[3]["confirm"] is len, "a create is confirmed, never resent blindly"
    assert updated[:3] == ("PUT", "/maintenance_windows/PW1", {"maintenance_window": {
        "type": "maintenance_window", "start_time": "s"}})
    assert mw.delete_maintenance_window(client, "PW1") is True
    assert mw.delete_maintenance_window(client, "PENDED") is False, "an ended window: nothing to do"


def test_schedules_and_overrides():
    from ansible_collections.oncall.pagerduty.plugins.module_utils._api import schedules
    client = RecordingClient({"/schedules/P%2F1/overrides": {"overrides": [{"id": "Q1"}, "junk"]},
                              "POST /schedules/PS1/overrides": [{"status": 201, "override": {"id": "Q2"}}, 7],
                              "DELETE /schedules/PS1/overrides/QGONE": not_found("/schedules/PS1/overrides/QGONE")})
    assert schedules.list_overrides(client, "P/1", "a", "b") == [{"id": "Q1"}]
    assert client.calls[0][2] == {"since": "a", "until": "b", "overflow": "true"}, "whole overrides, not cut"
    assert schedules.create_overrides(client, "PS1", [{"start": "a"}], confirm=len) == [
        {"status": 201, "override": {"id": "Q2"}}]
    assert client.calls[-1][3]["confirm"] is len and not client.calls[-1][3].get("needs_from")
    assert schedules.create_overrides(RecordingClient({"POST /schedules/PS1/overrides": {"x": 1}}), "PS1", []) == []
    assert schedules.delete_override(client, "PS1", "QGONE") is False
    assert schedules.delete_override(client, "PS1", "Q1") is True
