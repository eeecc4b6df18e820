"""The maintenance area on its own: windows on services, and the Events API they switch off; no HTTP."""

import datetime

import pytest

from pdsim.errors import InvalidInput, MethodNotAllowed, NotFound, PaymentRequired
from pdsim.model.core import Plumbing, isoformat
from pdsim.model.directory import Directory
from pdsim.model.events import Events
from pdsim.model.incidents import Incidents
from pdsim.model.maintenance import Maintenance
from pdsim.model.services import Services

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
KEY = "0123456789abcdef0123456789abcdef"
SEED = {
    "users": [{"id": "PANN001", "name": "Ann", "email": "ann@example.com"}],
    "teams": [{"id": "PTEAM01", "name": "Web"}],
    "escalation_policies": [{"name": "On-Call", "rules": [{"targets": ["PANN001"]}]}],
    "services": [{"id": "PSVC001", "name": "Web", "escalation_policy": "On-Call", "teams": ["Web"],
                  "integrations": [{"key": KEY}]},
                 {"id": "PSVC002", "name": "Batch", "escalation_policy": "On-Call"}],
}


def build(abilities=("teams",)):
    plumbing = Plumbing(now=lambda: NOW)
    directory = Directory(plumbing, set(abilities))
    services = Services(plumbing, directory)
    incidents = Incidents(plumbing, set(), directory, services)
    maintenance = Maintenance(plumbing, directory, services)
    events = Events(plumbing, services, incidents, maintenance)
    directory.load(SEED)
    services.load(SEED)
    return plumbing, maintenance, events, incidents


def window(maintenance, start, end, services=("PSVC001",), description="deploy"):
    return maintenance.create(maintenance.directory.users.get("PANN001"), {
        "start_time": isoformat(start), "end_time": isoformat(end), "description": description,
        "services": [{"id": s, "type": "service_reference"} for s in services]})


def minutes(n):
    return NOW + datetime.timedelta(minutes=n)


def trigger(events, action="trigger"):
    return events.enqueue_event({"routing_key": KEY, "event_action": action, "dedup_key": "disk",
                                 "payload": {"summary": "disk full", "source": "web1", "severity": "error"}}, 100)


def test_a_start_in_the_past_becomes_now_and_the_end_must_be_future_and_after_the_start():
    plumbing, maintenance, events, incidents = build()
    made = window(maintenance, minutes(-30), minutes(30))
    assert made["start"] == NOW and maintenance.state(made) == "ongoing"
    for start, end in ((minutes(-30), minutes(-1)), (minutes(20), minutes(10))):
        with pytest.raises(InvalidInput):
            window(maintenance, start, end)
    with pytest.raises(InvalidInput):
        window(maintenance, minutes(1), minutes(10), services=())
    with pytest.raises(NotFound):
        window(maintenance, minutes(1), minutes(10), services=("PNOPE01",))


def test_delete_removes_a_future_window_ends_an_ongoing_one_and_refuses_an_ended_one():
    plumbing, maintenance, events, incidents = build()
    future, ongoing = window(maintenance, minutes(10), minutes(20)), window(maintenance, NOW, minutes(20))
    maintenance.delete(future["id"])
    assert future["id"] not in maintenance.windows
    maintenance.delete(ongoing["id"])
    assert ongoing["end"] == NOW and maintenance.state(ongoing) == "past"
    with pytest.raises(MethodNotAllowed) as refused:
        maintenance.delete(ongoing["id"])
    assert refused.value.status == 405


def test_the_filter_the_services_the_teams_and_the_query():
    plumbing, maintenance, events, incidents = build()
    ongoing = window(maintenance, NOW, minutes(20), description="Deploy 1.4.2")
    future = window(maintenance, minutes(60), minutes(90), services=("PSVC002",), description="Batch upgrade")

    def ids(**query):
        return [w["id"] for w in maintenance.search(**query)]
    assert ids(state="ongoing") == [ongoing["id"]] and ids(state="future") == [future["id"]]
    assert ids(state="open") == ids(state="all") == ids() == [ongoing["id"], future["id"]]
    assert ids(state="past") == []
    assert ids(service_ids=["PSVC002"]) == [future["id"]] and ids(team_ids=["PTEAM01"]) == [ongoing["id"]]
    assert ids(query="deploy") == [ongoing["id"]]
    with pytest.raises(InvalidInput):
        maintenance.search(state="soon")
    with pytest.raises(PaymentRequired):
        build(abilities=())[1].search(team_ids=["PTEAM01"])


def test_an_update_keeps_the_start_of_a_window_under_way():
    plumbing, maintenance, events, incidents = build()
    made = window(maintenance, NOW, minutes(20))
    maintenance.update(made["id"], {"start_time": isoformat(minutes(-5)), "end_time": isoformat(minutes(40)),
                                    "description": "longer", "services": [{"id": "PSVC002", "type": "service"}]})
    assert (made["start"], made["end"], made["description"], made["service_ids"]) == (
        NOW, minutes(40), "longer", ["PSVC002"])
    rendered = maintenance.render(made)
    assert (rendered["start_time"], rendered["summary"], rendered["created_by"]["id"]) == (
        "2026-11-23T21:00:00Z", "longer", "PANN001")


def test_events_for_a_service_in_maintenance_are_accepted_and_open_nothing():
    plumbing, maintenance, events, incidents = build()
    made = window(maintenance, NOW, minutes(20))
    assert trigger(events) == {"status": "success", "message": "Event processed", "dedup_key": "disk"}
    assert len(incidents.incidents) == 0 and len(incidents.alerts) == 0
    assert events.received_events[-1]["maintenance_window_id"] == made["id"]
    maintenance.delete(made["id"])
    trigger(events)
    assert len(incidents.incidents) == 1


def test_events_cannot_resolve_an_incident_while_its_service_is_in_maintenance():
    plumbing, maintenance, events, incidents = build()
    trigger(events)
    made = window(maintenance, NOW, minutes(20))
    trigger(events, "resolve")
    assert incidents.incidents.values()[0]["status"] == "triggered", "the open incident stays open"
    maintenance.delete(made["id"])
    trigger(events, "resolve")
    assert incidents.incidents.values()[0]["status"] == "resolved"
