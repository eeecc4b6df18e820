# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's incidents: incidents, notes, log entries, alerts, responder requests, status updates,
incident workflows and priorities.  One function per endpoint; see ``_api/__init__.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import (
    PAGE_LIMIT, Collection, items_of, rest_path, unwrap)
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import SAFE

INCIDENT_WORKFLOWS = Collection("/incident_workflows", "incident_workflows", "incident workflow")


def _include(include):
    return {"include[]": list(include)} if include else None


def get_incident(client, incident_id, include=None):
    """``GET /incidents/{id}``: the incident with this ID or number (a 404 is an error)."""
    path = rest_path("/incidents/%s", incident_id)
    return unwrap(client.get(path, _include(include)), "incident", "GET " + path)


def search_incidents(client, params, limit=PAGE_LIMIT):
    """``GET /incidents``, one page: ``(incidents, more)``."""
    page = client.get("/incidents", dict(params, limit=limit))
    return items_of(page, "incidents"), page.get("more") is True


def list_incidents(client, params):
    """``GET /incidents``, every page: ``(incidents, info)``."""
    return client.list_all("/incidents", "incidents", params)


def create_incident(client, incident, confirm=None):
    """``POST /incidents`` (not safe to repeat: ``confirm`` finds it after a lost answer)."""
    answer = client.post("/incidents", {"incident": incident}, needs_from=True, confirm=confirm)
    return unwrap(answer, "incident", "POST /incidents")


def update_incident(client, incident_id, incident, retry=SAFE, confirm=None):
    """``PUT /incidents/{id}`` with the fields of ``incident`` (``type: incident_reference``)."""
    path = rest_path("/incidents/%s", incident_id)
    answer = client.put(path, {"incident": incident}, needs_from=True, retry=retry, confirm=confirm)
    return unwrap(answer, "incident", "PUT " + path)


def list_notes(client, incident_id):
    """``GET /incidents/{id}/notes`` (PagerDuty returns them all, unpaginated)."""
    return items_of(client.get(rest_path("/incidents/%s/notes", incident_id)), "notes")


def create_note(client, incident_id, content, confirm=None):
    """``POST /incidents/{id}/notes`` (not safe to repeat)."""
    path = rest_path("/incidents/%s/notes", incident_id)
    answer = client.post(path, {"note": {"content": content}}, needs_from=True, confirm=confirm)
    return unwrap(answer, "note", "POST " + path)


def list_log_entries(client, incident_id):
    """``GET /incidents/{id}/log_entries``, every page, in PagerDuty's order."""
    entries, unused = client.list_all(rest_path("/incidents/%s/log_entries", incident_id), "log_entries")
    return entries


def list_alerts(client, incident_id, alert_key=None):
    """``GET /incidents/{id}/alerts``, one page (with ``alert_key``, the alerts with that key)."""
    params = {"limit": PAGE_LIMIT}
    if alert_key is not None:
        params["alert_key"] = alert_key
    return items_of(client.get(rest_path("/incidents/%s/alerts", incident_id), params), "alerts")


def create_responder_request(client, incident_id, requester_id, message, targets, confirm=None):
    """``POST /incidents/{id}/responder_requests``; ``targets`` are ``(type, id)`` pairs (``user``, ...)."""
    body = {
        "requester_id": requester_id,
        "message": message,
        "responder_request_targets": [
            {"responder_request_target": {"id": target_id, "type": kind + "_reference"}}
            for kind, target_id in targets],
    }
    path = rest_path("/incidents/%s/responder_requests", incident_id)
    return unwrap(client.post(path, body, confirm=confirm), "responder_request", "POST " + path)


def create_status_update(client, incident_id, message, subject=None, html_message=None):
    """``POST /incidents/{id}/status_updates`` (a subject goes with an HTML message)."""
    body = {"message": message}
    if subject:
        body.update(subject=subject, html_message=html_message)
    path = rest_path("/incidents/%s/status_updates", incident_id)
    return unwrap(client.post(path, body, needs_from=True), "status_update", "POST " + path)


def start_incident_workflow(client, workflow_id, incident_id):
    """``POST /incident_workflows/{id}/instances`` on one incident."""
    body = {"incident_workflow_instance": {"incident": {"id": incident_id, "type": "incident_reference"}}}
    path = rest_path("/incident_workflows/%s/instances", workflow_id)
    return unwrap(client.post(path, body), "incident_workflow_instance", "POST " + path)


def list_priorities(client):
    """``GET /priorities`` (an account has a handful; one page)."""
    return items_of(client.get("/priorities", {"limit": PAGE_LIMIT}), "priorities")
