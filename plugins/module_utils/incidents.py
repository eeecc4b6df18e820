# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the incident modules know about incidents: open incidents by key, assignees, and escalation levels.

PagerDuty's incident does not carry its escalation level; the functions here
read it back from who is on call at each level and from the log entries.
Reads go through the API layer and take the client.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    create_note, list_log_entries, list_notes, search_incidents)
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.schedules import list_oncalls
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError

NOTE_MAX_LENGTH = 25000
NOTES_PER_INCIDENT = 2000
OPEN_STATUSES = ("triggered", "acknowledged")


def open_incidents_with_key(client, incident_key, service_id=None, limit=100):
    """``(open incidents with this key (on ``service_id``), more)``: one request."""
    params = {"incident_key": incident_key, "statuses[]": list(OPEN_STATUSES), "date_range": "all"}
    if service_id:
        params["service_ids[]"] = [service_id]
    return search_incidents(client, params, limit)


def find_open_incident(client, incident_key, service_id=None):
    """The open incident with ``incident_key`` (on ``service_id``), or None."""
    found, unused = open_incidents_with_key(client, incident_key, service_id)
    return found[0] if found else None


def add_note(client, incident_id, content, notes):
    """Add a note; after a lost answer, the notes are read again and it is resent only if it did not land.
    ``notes`` are the incident's notes before (a note like one of them is not taken for this one)."""
    known = set(n.get("id") for n in notes)

    def confirm():
        found = [n for n in list_notes(client, incident_id) if n.get("id") not in known and n.get("content") == content]
        return {"note": found[-1]} if found else None
    return create_note(client, incident_id, content, confirm=confirm)


def ref(kind, object_id):
    """A reference to a PagerDuty object: ``{"id": ..., "type": "<kind>_reference"}``."""
    return {"id": object_id, "type": "%s_reference" % kind}


def ref_id(reference):
    return (reference or {}).get("id")


def assignee_ids(incident):
    return sorted(set(ref_id(a.get("assignee")) for a in incident.get("assignments") or [] if ref_id(a.get("assignee"))))


def escalation_levels(client, policy_id):
    """({level: set of user IDs on call at that level}, the policy's name or None), from every page of /oncalls."""
    if not policy_id:
        raise PagerDutyError("the incident has no escalation policy to escalate along")
    oncalls, unused = list_oncalls(client, {"escalation_policy_ids[]": [policy_id]})
    levels = {}
    name = None
    for oncall in oncalls:
        levels.setdefault(oncall["escalation_level"], set()).add(oncall["user"]["id"])
        name = name or (oncall.get("escalation_policy") or {}).get("summary")
    return levels, name


def levels_matching(levels, assigned):
    """The levels an incident assigned to ``assigned`` users can be at.

    PagerDuty's incident does not carry its escalation level; after an escalation
    it is assigned to whoever is on call at that level, so the level is read back
    from the assignees: levels whose on-call users are exactly the assignees, else
    levels whose on-call users include them all.
    """
    assigned = set(assigned)
    if not assigned:
        return []
    exact = [level for level in sorted(levels) if levels[level] == assigned]
    return exact or [level for level in sorted(levels) if assigned <= levels[level]]


def log_entries_newest_first(client, incident_id):
    """The incident's log entries (every page), newest first."""
    entries = list_log_entries(client, incident_id)
    return sorted(entries, key=lambda entry: str(entry.get("created_at") or ""), reverse=True)


def escalation_entry_ids(entries):
    return set(entry.get("id") for entry in entries if entry.get("type") == "escalate_log_entry")


def level_from_log_entries(entries):
    """The escalation level the log entries (newest first) prove, or None when they do not tell.

    PagerDuty's log entries carry no level: an ``escalate_log_entry`` names its new
    assignees only. But an incident starts at level 1 of its policy when it opens or
    is delegated to another policy, and only an escalation moves it from there.
    """
    for entry in entries:
        if entry.get("type") == "escalate_log_entry":
            return None
        if entry.get("type") == "delegate_log_entry":
            return 1
    return 1 if entries else None


def levels_from(found, entries):
    """The levels an incident can be at, narrowed by its log entries when its assignees match several."""
    if len(found) < 2:
        return found
    proven = level_from_log_entries(entries)
    return [proven] if proven in found else found


class IncidentFacts(object):
    """The reads an incident plan may need, each made only when needed and at most once.

    Planning functions take this instead of a client, so tests give them a fake
    with the answers in it.
    """

    def __init__(self, client, resolver):
        self.client = client
        self.resolver = resolver
        self._levels = {}
        self._entries = {}

    def levels(self, policy_id):
        """``({level: on-call user IDs}, policy name)`` of an escalation policy."""
        if policy_id not in self._levels:
            self._levels[policy_id] = escalation_levels(self.client, policy_id)
        return self._levels[policy_id]

    def log_entries(self, incident_id):
        """The incident's log entries, newest first."""
        if incident_id not in self._entries:
            self._entries[incident_id] = log_entries_newest_first(self.client, incident_id)
        return self._entries[incident_id]

    def priority(self, priority_id):
        """The priority with this ID (the account's priorities are read once)."""
        return self.resolver.priority(priority_id)


def require_open(incident, what):
    if incident.get("status") == "resolved":
        raise PagerDutyError("incident %s is resolved: %s needs an open incident (set status: triggered or "
                             "acknowledged to reopen it)" % (incident.get("id"), what))
