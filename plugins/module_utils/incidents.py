# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads shared by the incident modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyError

NOTE_MAX_LENGTH = 25000
NOTES_PER_INCIDENT = 2000
OPEN_STATUSES = ("triggered", "acknowledged")


def get_incident(module, incident_id, include=None):
    """The incident with this ID or number, as PagerDuty returns it."""
    params = {"include[]": list(include)} if include else None
    return module.client.get("/incidents/%s" % incident_id, params)["incident"]


def find_open_incident(module, incident_key, service_id=None):
    """The open incident with ``incident_key`` (on ``service_id``), or None."""
    params = {"incident_key": incident_key, "statuses[]": list(OPEN_STATUSES), "date_range": "all", "limit": 100}
    if service_id:
        params["service_ids[]"] = [service_id]
    found = module.client.get("/incidents", params).get("incidents") or []
    return found[0] if found else None


def assignee_ids(incident):
    return sorted(set(a["assignee"]["id"] for a in incident.get("assignments") or []))


def escalation_levels(module, policy_id):
    """({level: set of user IDs on call at that level}, the policy's name or None), from every page of /oncalls."""
    if not policy_id:
        raise PagerDutyError("the incident has no escalation policy to escalate along")
    oncalls, unused = module.client.list_all("/oncalls", "oncalls", {"escalation_policy_ids[]": [policy_id]})
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


def read_log_entries(module, incident_id):
    """The incident's log entries, newest first (every page)."""
    entries, unused = module.client.list_all("/incidents/%s/log_entries" % incident_id, "log_entries")
    return sorted(entries, key=lambda entry: entry.get("created_at") or "", reverse=True)


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


def incident_levels(module, incident, levels):
    """(the levels ``incident`` can be at, its log entries or None when they were not needed).

    When its assignees are on call at several levels, its log entries decide; if they
    cannot, every matching level is returned and the caller must not assume any.
    """
    found = levels_matching(levels, assignee_ids(incident))
    if len(found) < 2:
        return found, None
    entries = read_log_entries(module, incident["id"])
    proven = level_from_log_entries(entries)
    return ([proven] if proven in found else found), entries


def require_open(incident, what):
    if incident.get("status") == "resolved":
        raise PagerDutyError("incident %s is resolved: %s needs an open incident (set status: triggered or "
                             "acknowledged to reopen it)" % (incident.get("id"), what))
