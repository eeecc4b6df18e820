"""Maintenance windows."""

from . import route
from ..model.core import paginate


def _window(request):
    return (request.body or {}).get("maintenance_window") or {}


@route("GET", "/maintenance_windows")
def list_maintenance_windows(account, request):
    windows = account.maintenance.search(state=request.str("filter"), service_ids=request.list("service_ids[]"),
                                         team_ids=request.list("team_ids[]"), query=request.str("query"))
    page = paginate(windows, "maintenance_windows", **request.page())
    page["maintenance_windows"] = [account.maintenance.render(w) for w in page["maintenance_windows"]]
    return page


@route("POST", "/maintenance_windows")
def create_maintenance_window(account, request):
    window = account.maintenance.create(request.requester(), _window(request))
    return 201, {"maintenance_window": account.maintenance.render(window)}


@route("GET", "/maintenance_windows/{id}")
def get_maintenance_window(account, request):
    return {"maintenance_window": account.maintenance.render(account.maintenance.windows.get(request.params["id"]))}


@route("PUT", "/maintenance_windows/{id}")
def update_maintenance_window(account, request):
    window = account.maintenance.update(request.params["id"], _window(request))
    return {"maintenance_window": account.maintenance.render(window)}


@route("DELETE", "/maintenance_windows/{id}")
def delete_maintenance_window(account, request):
    account.maintenance.delete(request.params["id"])
    return 204, None
