"""The directory (users, teams) and the account's abilities."""

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
    users = account.directory.search_users(query=request.str("query"), team_ids=request.list("team_ids[]"))
    page = paginate(users, "users", **request.page())
    page["users"] = [account.directory.render_user(u, include) for u in page["users"]]
    return page


@route("POST", "/users")
def create_user(account, request):
    request.requester()
    user = account.directory.add_user(_user_body(request))
    return 201, {"user": account.directory.render_user(user)}


@route("GET", "/users/me")
def get_current_user(account, request):
    if request.token_user is None:
        raise InvalidInput("This endpoint needs a user-level API token", message="Invalid Input Provided")
    return {"user": account.directory.render_user(request.token_user, set(request.list("include[]")),
                                                  requester=request.token_user)}


@route("GET", "/users/{id}")
def get_user(account, request):
    user = account.directory.users.get(request.params["id"])
    # The requester decides whether calendar feed URLs are shown (own profile, or an admin's include[]).
    return {"user": account.directory.render_user(user, set(request.list("include[]")), requester=request.token_user)}


@route("PUT", "/users/{id}")
def update_user(account, request):
    user = account.directory.update_user(request.params["id"], _user_body(request))
    return {"user": account.directory.render_user(user)}


@route("DELETE", "/users/{id}")
def delete_user(account, request):
    account.directory.delete_user(request.params["id"])
    return 204, None


@route("GET", "/users/{id}/contact_methods")
def list_contact_methods(account, request):
    account.directory.users.get(request.params["id"])
    return {"contact_methods": [dict(c) for c in account.directory.contact_methods.get(request.params["id"], [])]}


# -- teams ------------------------------------------------------------------------
@route("GET", "/teams")
def list_teams(account, request):
    page = paginate(account.directory.search_teams(request.str("query")), "teams", **request.page())
    page["teams"] = [account.directory.render_team(t) for t in page["teams"]]
    return page


@route("GET", "/teams/{id}")
def get_team(account, request):
    return {"team": account.directory.render_team(account.directory.team(request.params["id"]))}


@route("GET", "/teams/{id}/members")
def list_team_members(account, request):
    team = account.directory.teams.get(request.params["id"])
    expand = "users" in request.list("include[]")
    members = [{"user": account.directory.render_user(account.directory.users.get(uid)) if expand
                else _ref(account, uid), "role": role}
               for uid, role in account.directory.team_members[team["id"]].items()]
    return paginate(members, "members", **request.page())


def _ref(account, user_id):
    return reference(account.directory.users.get(user_id))


@route("PUT", "/teams/{id}/users/{user_id}")
def add_team_member(account, request):
    role = (request.body or {}).get("role")
    account.directory.set_team_member(request.params["id"], request.params["user_id"], role)
    return 204, None


@route("DELETE", "/teams/{id}/users/{user_id}")
def remove_team_member(account, request):
    account.directory.remove_team_member(request.params["id"], request.params["user_id"])
    return 204, None


# -- abilities -------------------------------------------------------------------------------
@route("GET", "/abilities")
def list_abilities(account, request):
    return {"abilities": sorted(account.abilities)}


@route("GET", "/abilities/{id}")
def get_ability(account, request):
    if request.params["id"] not in account.abilities:
        raise PaymentRequired("Ability %s is not available to this account" % request.params["id"])
    return 204, None
