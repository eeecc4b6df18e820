# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the incident modules share about incidents: open incidents by key, references and assignees, notes, and
the incident listing's query.  Reads go through the API layer and take the client.  (Planning a change to an
incident: ``incident_plan.py``.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    create_note, get_incident, list_notes, search_incidents)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError, PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import as_list

NOTE_MAX_LENGTH = 25000
NOTES_PER_INCIDENT = 2000
OPEN_STATUSES = ("triggered", "acknowledged")
REASSIGNING = ("assignments", "escalation_policy", "escalation_level")


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


LIST_FILTERS = ("statuses", "services", "teams", "assignees", "urgencies", "incident_key", "since", "until",
                "date_range")


def listing_query(resolver, filters, users_option="assignees"):
    """The query of ``GET /incidents`` for the filters given (a dict of the ``LIST_FILTERS`` options and
    ``include``), service, team and user names and emails resolved to IDs.  ``users_option`` is the name of the
    option that holds the assignees filter, for the messages of the names that match nothing."""
    query = {}
    for name, key in (("statuses", "statuses[]"), ("urgencies", "urgencies[]")):
        if filters.get(name):
            query[key] = filters[name]
    if filters.get("services"):
        query["service_ids[]"] = resolver.service_ids(as_list(filters["services"]), "services")
    if filters.get("teams"):
        query["team_ids[]"] = resolver.team_ids(as_list(filters["teams"]), "teams")
    if filters.get("assignees"):
        query["user_ids[]"] = [resolver.user_id(u, users_option) for u in as_list(filters["assignees"])]
    for name in ("incident_key", "since", "until", "date_range"):
        if filters.get(name):
            query[name] = filters[name]
    if filters.get("include"):
        query["include[]"] = filters["include"]
    return query


def read_incidents(client, incident_ids):
    """``(incidents, missing)``: each incident by ID or number (``GET /incidents/{id}``, a few at a time, in the
    order given), and the IDs PagerDuty has no incident for."""
    from concurrent.futures import ThreadPoolExecutor

    def read(incident_id):
        try:
            return get_incident(client, incident_id)
        except PagerDutyAPIError as exc:
            if exc.status == 404:
                return None
            raise
    incident_ids = list(incident_ids)
    workers = max(1, min(getattr(client, "concurrency", 1), len(incident_ids)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(read, incident_ids))
    return ([incident for incident in found if incident is not None],
            [incident_id for incident_id, incident in zip(incident_ids, found) if incident is None])


def ref(kind, object_id):
    """A reference to a PagerDuty object: ``{"id": ..., "type": "<kind>_reference"}``."""
    return {"id": object_id, "type": "%s_reference" % kind}


def ref_id(reference):
    return (reference or {}).get("id")


def assignee_ids(incident):
    return sorted(set(ref_id(a.get("assignee")) for a in incident.get("assignments") or [] if ref_id(a.get("assignee"))))


def require_open(incident, what):
    if incident.get("status") == "resolved":
        raise PagerDutyError("incident %s is resolved: %s needs an open incident (set status: triggered or "
                             "acknowledged to reopen it)" % (incident.get("id"), what))
