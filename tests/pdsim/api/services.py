"""Services, escalation policies, priorities and incident workflows."""

from . import route
from ..model.core import paginate


# -- escalation policies -------------------------------------------------------------
@route("GET", "/escalation_policies")
def list_escalation_policies(account, request):
    policies = account.services.search_escalation_policies(query=request.str("query"),
                                                           team_ids=request.list("team_ids[]"),
                                                           user_ids=request.list("user_ids[]"))
    page = paginate(policies, "escalation_policies", **request.page())
    page["escalation_policies"] = [account.services.render_escalation_policy(p) for p in page["escalation_policies"]]
    return page


@route("GET", "/escalation_policies/{id}")
def get_escalation_policy(account, request):
    return {"escalation_policy": account.services.render_escalation_policy(
        account.services.escalation_policies.get(request.params["id"]))}


# -- services --------------------------------------------------------------------------
@route("GET", "/services")
def list_services(account, request):
    services = account.services.search_services(query=request.str("query"), team_ids=request.list("team_ids[]"))
    page = paginate(services, "services", **request.page())
    page["services"] = [account.services.render_service(s) for s in page["services"]]
    return page


@route("GET", "/services/{id}")
def get_service(account, request):
    return {"service": account.services.render_service(account.services.services.get(request.params["id"]))}


# -- priorities ---------------------------------------------------------------------------
@route("GET", "/priorities")
def list_priorities(account, request):
    if "priorities" not in account.abilities:
        return paginate([], "priorities", **request.page())
    page = paginate(account.services.priorities.values(), "priorities", **request.page())
    page["priorities"] = [account.services.render_priority(p) for p in page["priorities"]]
    return page


# -- incident workflows -------------------------------------------------------------------
@route("GET", "/incident_workflows")
def list_incident_workflows(account, request):
    page = paginate(account.services.search_incident_workflows(request.str("query")), "incident_workflows",
                    **request.page())
    page["incident_workflows"] = [account.services.render_incident_workflow(w) for w in page["incident_workflows"]]
    return page


@route("GET", "/incident_workflows/{id}")
def get_incident_workflow(account, request):
    return {"incident_workflow": account.services.render_incident_workflow(
        account.services.incident_workflows.get(request.params["id"]))}
