"""The Events API area on its own: built on services and incidents, no HTTP."""

import pytest

from pdsim.errors import EventsError
from pdsim.model.core import Plumbing
from pdsim.model.directory import Directory
from pdsim.model.events import Events
from pdsim.model.incidents import Incidents
from pdsim.model.services import Services

KEY = "0123456789abcdef0123456789abcdef"
SEED = {
    "users": [{"id": "PANN001", "name": "Ann", "email": "ann@example.com"}],
    "escalation_policies": [{"name": "On-Call", "rules": [{"targets": ["PANN001"]}]}],
    "services": [{"id": "PSVC001", "name": "Web", "escalation_policy": "On-Call", "integrations": [{"key": KEY}]}],
}


def build(rng_seed=20261123):
    plumbing = Plumbing(rng_seed)
    directory = Directory(plumbing, set())
    services = Services(plumbing, directory)
    incidents = Incidents(plumbing, set(), directory, services)
    events = Events(plumbing, services, incidents)
    directory.load(SEED)
    services.load(SEED)
    return incidents, events


def trigger(events, **extra):
    return events.enqueue_event(dict({"routing_key": KEY, "event_action": "trigger",
                                      "payload": {"summary": "s", "source": "h", "severity": "info"}}, **extra), 100)


def test_a_trigger_without_a_dedup_key_gets_one_from_the_plumbing():
    incidents, events = build()
    first = trigger(events)["dedup_key"]
    assert len(first) == 32 and first == trigger(build()[1])["dedup_key"], "the same seed, the same key"
    assert first != trigger(build(rng_seed=7)[1])["dedup_key"]
    assert [i["incident_key"] for i in incidents.incidents.values()] == [first]


def test_received_events_are_kept_without_their_routing_key():
    incidents, events = build()
    trigger(events, dedup_key="k1")
    events.enqueue_event({"routing_key": KEY, "event_action": "resolve", "dedup_key": "k1"}, 80)
    assert [(e["event_action"], e["service_id"]) for e in events.received_events] == [
        ("trigger", "PSVC001"), ("resolve", "PSVC001")]
    assert all("routing_key" not in e for e in events.received_events)
    assert incidents.incidents.values()[0]["status"] == "resolved"


def test_change_events():
    incidents, events = build()
    answer = events.enqueue_change_event({"routing_key": KEY, "payload": {"summary": "deploy"}}, 50)
    assert answer == {"status": "success", "message": "Change event processed"}
    assert [e["services"][0]["id"] for e in events.change_events.values()] == ["PSVC001"]
    assert len(incidents.incidents) == 0
    with pytest.raises(EventsError, match="Invalid routing key"):
        events.enqueue_change_event({"routing_key": "f" * 32, "payload": {"summary": "deploy"}}, 50)
