"""On-call schedules and their overrides."""

from . import route
from ..model.core import paginate


def _render(account, schedule, request):
    return account.schedules.render_schedule(schedule, request.str("since"), request.str("until"),
                                             account.services.policies_targeting(schedule["id"]))


@route("GET", "/schedules")
def list_schedules(account, request):
    schedules = account.schedules.search_schedules(query=request.str("query"), team_ids=request.list("team_ids[]"))
    page = paginate(schedules, "schedules", **request.page())
    page["schedules"] = [_render(account, s, request) for s in page["schedules"]]
    return page


@route("GET", "/schedules/{id}")
def get_schedule(account, request):
    return {"schedule": _render(account, account.schedules.schedule(request.params["id"]), request)}


@route("GET", "/schedules/{id}/overrides")
def list_overrides(account, request):
    overrides = account.schedules.list_overrides(request.params["id"], request.str("since"), request.str("until"),
                                                 editable=request.flag("editable"), overflow=request.flag("overflow"))
    return {"overrides": [account.schedules.render_override(o) for o in overrides]}


@route("POST", "/schedules/{id}/overrides")
def create_overrides(account, request):
    results = account.schedules.create_overrides(request.params["id"], (request.body or {}).get("overrides"))
    answer = []
    for status, override, errors in results:
        item = {"status": status, "override": account.schedules.render_override(override) if status == 201
                else override}
        if errors:
            item["errors"] = errors
        answer.append(item)
    return 201, answer


@route("DELETE", "/schedules/{id}/overrides/{override_id}")
def delete_override(account, request):
    truncated = account.schedules.delete_override(request.params["id"], request.params["override_id"])
    if truncated is None:
        return 204, None
    return 200, {"override": account.schedules.render_override(truncated)}
