"""Responder requests, incident workflow instances, status updates and on-calls."""

from . import route
from ..model.core import paginate


@route("POST", "/incidents/{id}/responder_requests")
def create_responder_request(account, request):
    body = request.body or {}
    created = account.response.request_responders(request.params["id"], body.get("requester_id"), body.get("message"),
                                                  body.get("responder_request_targets"))
    return 200, {"responder_request": dict(created)}


@route("POST", "/incident_workflows/{id}/instances")
def start_incident_workflow(account, request):
    body = (request.body or {}).get("incident_workflow_instance") or {}
    instance = account.response.start_workflow(request.params["id"], body.get("incident"))
    return 201, {"incident_workflow_instance": account.response.render_workflow_instance(instance)}


@route("POST", "/incidents/{id}/status_updates")
def create_status_update(account, request):
    body = request.body or {}
    update = account.response.post_status_update(request.requester(), request.params["id"], body.get("message"),
                                                 body.get("subject"), body.get("html_message"))
    return 200, {"status_update": dict(update)}


@route("GET", "/oncalls")
def list_oncalls(account, request):
    entries = account.response.oncalls(escalation_policy_ids=request.list("escalation_policy_ids[]"),
                                       user_ids=request.list("user_ids[]"),
                                       schedule_ids=request.list("schedule_ids[]"), since=request.str("since"),
                                       until=request.str("until"), earliest=request.flag("earliest"))
    page = paginate(entries, "oncalls", **request.page())
    if "users" in request.list("include[]"):    # the whole user in place of the reference
        users = account.directory.users
        page["oncalls"] = [dict(e, user=account.directory.render_user(users.get(e["user"]["id"])))
                           for e in page["oncalls"]]
    return page
