"""Triage at scale in the incidents area: bulk updates, merging and snoozing, on the plumbing's clock; no HTTP."""

import datetime

import pytest

from pdsim.errors import ArgumentsCausedError, InvalidInput, NotFound, RequestEntityTooLarge
from pdsim.model.incidents import IncidentAlreadyResolved
from test_area_incidents import KEY, NOON, SERVICE, Clock, build


def open_incidents(directory, incidents, count):
    ben = directory.users.get("PBEN001")
    return [incidents.create_incident(ben, {"title": "down %d" % n, "service": SERVICE}) for n in range(count)]


def item(incident, **fields):
    return dict(fields, id=incident["id"], type="incident_reference")


def kinds(incidents, incident):
    return [entry["type"] for entry in incidents.incident_log_entries(incident)]


# -- PUT /incidents -----------------------------------------------------------------------------------------------

def test_a_bulk_update_changes_every_incident_it_names():
    directory, services, incidents = build()
    first, second = open_incidents(directory, incidents, 2)
    ben = directory.users.get("PBEN001")
    changed = incidents.update_incidents(ben, [item(first, status="acknowledged"),
                                               item(second, escalation_level=2, urgency="low")])
    assert [i["id"] for i in changed] == [first["id"], second["id"]]
    assert first["status"] == "acknowledged"
    assert [a["assignee"]["id"] for a in second["assignments"]] == ["PBEN001"] and second["urgency"] == "low"


def test_a_refused_item_refuses_the_whole_request_naming_it_and_nothing_changes():
    directory, services, incidents = build()
    first, second, third = open_incidents(directory, incidents, 3)
    ben = directory.users.get("PBEN001")
    incidents.update_incident(ben, second["id"], {"status": "resolved"})
    with pytest.raises(IncidentAlreadyResolved) as refused:
        incidents.update_incidents(ben, [item(first, status="resolved"), item(second, status="resolved"),
                                         item(third, status="resolved")])
    assert refused.value.code == 1001 and refused.value.errors[-1] == "incidents[1] (%s)" % second["id"]
    assert first["status"] == third["status"] == "triggered", "checked first, then applied: nothing changed"
    with pytest.raises(NotFound, match="Not Found") as missing:
        incidents.update_incidents(ben, [item(first, status="resolved"), {"id": "PNOPE00", "type": "incident"}])
    assert missing.value.errors == ["Incident PNOPE00 not found", "incidents[1] (PNOPE00)"]
    with pytest.raises(InvalidInput, match="Invalid Input") as twice:
        incidents.update_incidents(ben, [item(first, status="resolved"), item(first, title="again")])
    assert twice.value.errors[0] == "Incident %s is given more than once" % first["id"]
    assert first["status"] == "triggered"


def test_more_than_250_incidents_in_one_request_is_413():
    directory, services, incidents = build()
    [one] = open_incidents(directory, incidents, 1)
    with pytest.raises(RequestEntityTooLarge) as refused:
        incidents.update_incidents(directory.users.get("PBEN001"), [item(one, title="t")] * 251)
    assert refused.value.status == 413 and "A maximum of 250 incidents" in refused.value.errors[0]
    assert one["title"] == "down 0"


# -- PUT /incidents/{id}/merge -------------------------------------------------------------------------------------

def alerting_incident(services, incidents, dedup_key):
    service, integration = services.service_for_routing_key(KEY)
    alert = incidents.trigger_alert(service, integration, {"payload": {"summary": dedup_key}}, dedup_key)
    return incidents.incidents.get(alert["_incident_id"]), alert


def test_merging_moves_the_alerts_and_resolves_the_sources_with_a_merge_reason_and_a_log_entry():
    directory, services, incidents = build()
    target, unused = alerting_incident(services, incidents, "k1")
    source, alert = alerting_incident(services, incidents, "k2")
    manual = open_incidents(directory, incidents, 1)[0]
    merged = incidents.merge_incidents(directory.users.get("PBEN001"), target["id"],
                                       [{"id": source["id"], "type": "incident_reference"},
                                        {"id": manual["id"], "type": "incident_reference"}])
    assert merged is target and alert["_incident_id"] == target["id"]
    assert incidents.render_incident(target)["alert_counts"]["all"] == 2
    for resolved in (source, manual):
        assert resolved["status"] == "resolved" and resolved["assignments"] == []
        assert resolved["resolve_reason"]["type"] == "merge_resolve_reason"
        assert resolved["resolve_reason"]["incident"]["id"] == target["id"]
        assert kinds(incidents, resolved)[0] == "resolve_log_entry"
    assert incidents.render_incident(source)["alert_counts"]["all"] == 0


def test_what_a_merge_refuses():
    directory, services, incidents = build()
    ben = directory.users.get("PBEN001")
    target, source, other = open_incidents(directory, incidents, 3)
    with pytest.raises(InvalidInput, match="Invalid Input") as itself:
        incidents.merge_incidents(ben, target["id"], [{"id": target["id"], "type": "incident_reference"}])
    assert itself.value.errors == ["Incident %s cannot be merged into itself" % target["id"]]
    incidents.update_incident(ben, other["id"], {"status": "resolved"})
    with pytest.raises(IncidentAlreadyResolved):
        incidents.merge_incidents(ben, target["id"], [{"id": source["id"], "type": "incident_reference"},
                                                      {"id": other["id"], "type": "incident_reference"}])
    assert source["status"] == "triggered", "nothing merged"
    with pytest.raises(ArgumentsCausedError) as closed:
        incidents.merge_incidents(ben, other["id"], [{"id": source["id"], "type": "incident_reference"}])
    assert "Open incidents cannot be merged into a resolved incident" in closed.value.errors[0]
    source["is_mergeable"] = False
    with pytest.raises(ArgumentsCausedError, match="Arguments Caused Error"):
        incidents.merge_incidents(ben, target["id"], [{"id": source["id"], "type": "incident_reference"}])


def test_an_incident_cannot_have_more_than_1000_alerts_after_a_merge():
    directory, services, incidents = build()
    target, source = open_incidents(directory, incidents, 2)
    target["_alert_ids"] = ["A%d" % n for n in range(990)]
    source["_alert_ids"] = ["B%d" % n for n in range(11)]
    with pytest.raises(ArgumentsCausedError) as refused:
        incidents.merge_incidents(directory.users.get("PBEN001"), target["id"],
                                  [{"id": source["id"], "type": "incident_reference"}])
    assert "1001 alerts" in refused.value.errors[0] and source["status"] == "triggered"


# -- POST /incidents/{id}/snooze -----------------------------------------------------------------------------------

def test_a_snoozed_incident_triggers_again_when_the_snooze_ends_on_the_clock():
    clock = Clock(NOON)
    directory, services, incidents = build(clock=clock)
    ben = directory.users.get("PBEN001")
    incident = open_incidents(directory, incidents, 1)[0]
    incidents.update_incident(ben, incident["id"], {"status": "acknowledged"})
    incidents.snooze(ben, incident["id"], 3600)
    assert incident["pending_actions"] == [{"type": "unacknowledge", "at": "2026-11-23T13:00:00Z"}]
    entry = incidents.incident_log_entries(incident)[0]
    assert entry["type"] == "snooze_log_entry" and entry["changed_actions"] == incident["pending_actions"]
    clock.moment = NOON + datetime.timedelta(seconds=3599)
    assert incidents.plumbing.run_due() == 0 and incident["status"] == "acknowledged"
    clock.moment = NOON + datetime.timedelta(seconds=3600)
    assert incidents.plumbing.run_due() == 1
    assert incident["status"] == "triggered" and incident["acknowledgements"] == []
    assert incident["pending_actions"] == [] and kinds(incidents, incident)[0] == "unacknowledge_log_entry"


def test_a_snooze_ends_early_when_the_incident_is_reassigned_or_resolved_and_a_new_one_replaces_it():
    clock = Clock(NOON)
    directory, services, incidents = build(clock=clock)
    ben = directory.users.get("PBEN001")
    first, second = open_incidents(directory, incidents, 2)
    for incident in (first, second):
        incidents.update_incident(ben, incident["id"], {"status": "acknowledged"})
        incidents.snooze(ben, incident["id"], 60)
    incidents.snooze(ben, second["id"], 600)
    incidents.update_incident(ben, first["id"], {"escalation_level": 2})
    assert first["pending_actions"] == [] and first["status"] == "triggered"
    clock.moment = NOON + datetime.timedelta(seconds=120)
    assert incidents.plumbing.run_due() == 0, "the first snooze was cancelled, the second replaced"
    assert second["status"] == "acknowledged"
    incidents.update_incident(ben, second["id"], {"status": "resolved"})
    clock.moment = NOON + datetime.timedelta(seconds=700)
    assert incidents.plumbing.run_due() == 0 and second["status"] == "resolved"


def test_only_acknowledged_incidents_can_be_snoozed_for_1_to_604800_seconds():
    directory, services, incidents = build()
    ben = directory.users.get("PBEN001")
    incident = open_incidents(directory, incidents, 1)[0]
    with pytest.raises(ArgumentsCausedError) as triggered:
        incidents.snooze(ben, incident["id"], 60)
    assert triggered.value.errors == ["Incident %s is triggered: only acknowledged incidents can be snoozed"
                                      % incident["id"]]
    incidents.update_incident(ben, incident["id"], {"status": "acknowledged"})
    for duration in (0, 604801, "60", True):
        with pytest.raises(InvalidInput):
            incidents.snooze(ben, incident["id"], duration)
    incidents.update_incident(ben, incident["id"], {"status": "resolved"})
    with pytest.raises(IncidentAlreadyResolved):
        incidents.snooze(ben, incident["id"], 60)
    assert "snooze_log_entry" not in kinds(incidents, incident)
