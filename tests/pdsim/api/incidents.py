"""Incidents, notes, log entries and alerts."""

from . import route
from ..errors import InvalidInput
from ..model.core import paginate, reference


def _incident_body(request):
    incident = (request.body or {}).get("incident")
    if not isinstance(incident, dict):
        raise InvalidInput("incident is required")
    return incident


@route("GET", "/incidents")
def list_incidents(account, request):
    query = {name: request.list(name) for name in
             ("statuses[]", "service_ids[]", "team_ids[]", "user_ids[]", "urgencies[]")}
    query.update(incident_key=request.str("incident_key"), date_range=request.str("date_range"),
                 since=request.str("since"), until=request.str("until"))
    include = set(request.list("include[]"))
    page = paginate(account.incidents.list_incidents(query), "incidents", **request.page())
    page["incidents"] = [account.incidents.render_incident(i, include) for i in page["incidents"]]
    return page


@route("POST", "/incidents")
def create_incident(account, request):
    incident = account.incidents.create_incident(request.requester(), _incident_body(request))
    return 201, {"incident": account.incidents.render_incident(incident)}


@route("GET", "/incidents/{id}")
def get_incident(account, request):
    incident = account.incidents.incident(request.params["id"])
    return {"incident": account.incidents.render_incident(incident, set(request.list("include[]")))}


@route("PUT", "/incidents/{id}")
def update_incident(account, request):
    incident = account.incidents.update_incident(request.requester(), request.params["id"], _incident_body(request))
    return {"incident": account.incidents.render_incident(incident)}


@route("PUT", "/incidents")
def update_incidents(account, request):
    """Several incidents in one request; the answer is paginated like a listing (PagerDuty's document: the
    Pagination fields and ``incidents``; the operation takes ``limit``, ``offset`` and ``total``)."""
    items = (request.body or {}).get("incidents")
    if not isinstance(items, list):
        raise InvalidInput("incidents is required")
    updated = account.incidents.update_incidents(request.requester(), items)
    page = paginate(updated, "incidents", **request.page())
    page["incidents"] = [account.incidents.render_incident(i) for i in page["incidents"]]
    return page


@route("PUT", "/incidents/{id}/merge")
def merge_incidents(account, request):
    """The target incident, as a reference (PagerDuty's document: ``{"incident": IncidentReference}``)."""
    sources = (request.body or {}).get("source_incidents")
    if not isinstance(sources, list):
        raise InvalidInput("source_incidents is required")
    target = account.incidents.merge_incidents(request.requester(), request.params["id"], sources)
    return {"incident": reference(target)}


@route("POST", "/incidents/{id}/snooze")
def snooze_incident(account, request):
    duration = (request.body or {}).get("duration")
    incident = account.incidents.snooze(request.requester(), request.params["id"], duration)
    return 201, {"incident": account.incidents.render_incident(incident)}


@route("GET", "/incidents/{id}/notes")
def list_notes(account, request):
    incident = account.incidents.incident(request.params["id"])
    return {"notes": [dict(n) for n in account.incidents.notes[incident["id"]]]}


@route("POST", "/incidents/{id}/notes")
def create_note(account, request):
    note = (request.body or {}).get("note") or {}
    created = account.incidents.add_note(request.requester(), request.params["id"], note.get("content"))
    return 200, {"note": dict(created)}


@route("GET", "/incidents/{id}/log_entries")
def list_incident_log_entries(account, request):
    incident = account.incidents.incident(request.params["id"])
    entries = account.incidents.incident_log_entries(incident)
    page = paginate(entries, "log_entries", **request.page())
    page["log_entries"] = [account.incidents.render_log_entry(e) for e in page["log_entries"]]
    return page


@route("GET", "/log_entries/{id}")
def get_log_entry(account, request):
    return {"log_entry": account.incidents.render_log_entry(account.incidents.log_entries.get(request.params["id"]))}


@route("GET", "/incidents/{id}/alerts")
def list_incident_alerts(account, request):
    incident = account.incidents.incident(request.params["id"])
    alerts = [account.incidents.alerts.get(a) for a in incident["_alert_ids"]]
    statuses = request.list("statuses[]")
    if statuses:
        alerts = [a for a in alerts if a["status"] in statuses]
    alert_key = request.str("alert_key")
    if alert_key is not None:       # "Alert de-duplication key." (the alert_key parameter of PagerDuty's document)
        alerts = [a for a in alerts if a["alert_key"] == alert_key]
    page = paginate(alerts, "alerts", **request.page())
    page["alerts"] = [account.incidents.render_alert(a) for a in page["alerts"]]
    return page
