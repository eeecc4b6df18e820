"""Users, teams, escalation policies, services, priorities, incident workflows, abilities."""

from . import route
from ..errors import InvalidInput, PaymentRequired
from ..model.core import paginate, reference


def _user_body(request):
    body = request.body or {}
    user = body.get("user")
    if not isinstance(user, dict):
        raise InvalidInput("user is required")
    return user


# -- users ------------------------------------------------------------------------
@route("GET", "/users")
def list_users(account, request):
    include = set(request.list("include[]"))
    users = account.search_users(query=request.str("query"), team_ids=request.list("team_ids[]"))
    page = paginate(users, "users", **request.page())
    page["users"] = [account.render_user(u, include) for u in page["users"]]
    return page


@route("POST", "/users")
def create_user(account, request):
    request.requester()
    user = account.add_user(_user_body(request))
    return 201, {"user": account.render_user(user)}


@route("GET", "/users/me")
def get_current_user(account, request):
    if request.token_user is None:
        raise InvalidInput("This endpoint needs a user-level API token", message="Invalid Input Provided")
    return {"user": account.render_user(request.token_user, set(request.list("include[]")),
                                        requester=request.token_user)}


@route("GET", "/users/{id}")
def get_user(account, request):
    user = account.users.get(request.params["id"])
    # The requester decides whether calendar feed URLs are shown (own profile, or an admin's include[]).
    return {"user": account.render_user(user, set(request.list("include[]")), requester=request.token_user)}


@route("PUT", "/users/{id}")
def update_user(account, request):
    user = account.update_user(request.params["id"], _user_body(request))
    return {"user": account.render_user(user)}


@route("DELETE", "/users/{id}")
def delete_user(account, request):
    account.delete_user(request.params["id"])
    return 204, None


@route("GET", "/users/{id}/contact_methods")
def list_contact_methods(account, request):
    account.users.get(request.params["id"])
    return {"contact_methods": [dict(c) for c in account.contact_methods.get(request.params["id"], [])]}


# -- teams ------------------------------------------------------------------------
@route("GET", "/teams")
def list_teams(account, request):
    page = paginate(account.search_teams(request.str("query")), "teams", **request.page())
    page["teams"] = [account.render_team(t) for t in page["teams"]]
    return page


@route("GET", "/teams/{id}")
def get_team(account, request):
    return {"team": account.render_team(account.team(request.params["id"]))}


@route("GET", "/teams/{id}/members")
def list_team_members(account, request):
    team = account.teams.get(request.params["id"])
    members = [{"user": account.render_user(account.users.get(uid)) if "users" in request.list("include[]")
                else _ref(account, uid), "role": role}
               for uid, role in account.team_members[team["id"]].items()]
    return paginate(members, "members", **request.page())


def _ref(account, user_id):
    return reference(account.users.get(user_id))


@route("PUT", "/teams/{id}/users/{user_id}")
def add_team_member(account, request):
    role = (request.body or {}).get("role")
    account.set_team_member(request.params["id"], request.params["user_id"], role)
    return 204, None


@route("DELETE", "/teams/{id}/users/{user_id}")
def remove_team_member(account, request):
    account.remove_team_member(request.params["id"], request.params["user_id"])
    return 204, None


# -- escalation policies -------------------------------------------------------------
@route("GET", "/escalation_policies")
def list_escalation_policies(account, request):
    policies = account.search_escalation_policies(query=request.str("query"),
                                                  team_ids=request.list("team_ids[]"),
                                                  user_ids=request.list("user_ids[]"))
    page = paginate(policies, "escalation_policies", **request.page())
    page["escalation_policies"] = [account.render_escalation_policy(p) for p in page["escalation_policies"]]
    return page


@route("GET", "/escalation_policies/{id}")
def get_escalation_policy(account, request):
    return {"escalation_policy": account.render_escalation_policy(
        account.escalation_policies.get(request.params["id"]))}


# -- services --------------------------------------------------------------------------
@route("GET", "/services")
def list_services(account, request):
    services = account.search_services(query=request.str("query"), team_ids=request.list("team_ids[]"))
    page = paginate(services, "services", **request.page())
    page["services"] = [account.render_service(s) for s in page["services"]]
    return page


@route("GET", "/services/{id}")
def get_service(account, request):
    return {"service": account.render_service(account.services.get(request.params["id"]))}


# -- priorities ---------------------------------------------------------------------------
@route("GET", "/priorities")
def list_priorities(account, request):
    if not account.has_ability("priorities"):
        return paginate([], "priorities", **request.page())
    page = paginate(account.priorities.values(), "priorities", **request.page())
    page["priorities"] = [account.render_priority(p) for p in page["priorities"]]
    return page


# -- incident workflows -------------------------------------------------------------------
@route("GET", "/incident_workflows")
def list_incident_workflows(account, request):
    page = paginate(account.search_incident_workflows(request.str("query")), "incident_workflows",
                    **request.page())
    page["incident_workflows"] = [account.render_incident_workflow(w) for w in page["incident_workflows"]]
    return page


@route("GET", "/incident_workflows/{id}")
def get_incident_workflow(account, request):
    return {"incident_workflow": account.render_incident_workflow(
        account.incident_workflows.get(request.params["id"]))}


# -- abilities -------------------------------------------------------------------------------
@route("GET", "/abilities")
def list_abilities(account, request):
    return {"abilities": sorted(account.abilities)}


@route("GET", "/abilities/{id}")
def get_ability(account, request):
    if not account.has_ability(request.params["id"]):
        raise PaymentRequired("Ability %s is not available to this account" % request.params["id"])
    return 204, None
