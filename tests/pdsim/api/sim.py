"""The simulator's own controls under ``/_sim/``, for tests: reset, request log, faults, limits, state.

Controls are routed like the REST and Events operations, but they are never logged,
never faulted, never rate limited and never validated against PagerDuty's documents.
A control takes ``(simulator, request)`` and takes the account's lock itself when it
reads or changes the account.  Their errors are ``{"error": "<message>"}``, not
PagerDuty's error shape.  Their request and answer shapes are used by
``tests/integration/pd_harness.py``, ``benchmarks/run.py`` and the Molecule scenarios.
"""

from . import route
from ..errors import ApiError
from ..model.core import moment


def unknown(request):
    """The answer to a path under ``/_sim/`` that is no control."""
    return 404, {"error": "unknown simulator control %s %s" % (request.method, request.path)}


def _body(request):
    return request.body or {}


@route("GET", "/_sim/info", api="sim")
def info(sim, request):
    return sim.info()


@route("POST", "/_sim/reset", api="sim")
def reset(sim, request):
    """Back to the starting seed, or to ``{"seed": {...}}`` and/or ``{"extra_users": N}``."""
    body = _body(request)
    sim.reset(seed=body.get("seed"), extra_users=body.get("extra_users"))
    return {"reset": True, "users": len(sim.account.directory.users)}


@route("POST", "/_sim/config", api="sim")
def configure(sim, request):
    """Change the rate limits: ``{"rest_rate_limit": N, "events_rate_limit": N}`` (0: off), the operation specific
    ones ``{"operation_rate_limits": {"POST /incidents": N, ...}}`` and the window of every limit
    ``{"rate_limit_window": seconds}`` (see :mod:`pdsim.limits`; ``POST /_sim/reset`` restores them), the seconds before
    each retry of a failed webhook: ``{"webhook_retry_delays": [0.1, 0.2]}`` (see :mod:`pdsim.deliveries`); choose
    the reading of an uncertain PagerDuty rule: ``{"string_incident_bodies": true}`` (see
    ``Incidents._check_body_details``)."""
    body = _body(request)
    if "webhook_retry_delays" in body:
        sim.deliveries.delays = [float(delay) for delay in body["webhook_retry_delays"]]
    if "rest_rate_limit" in body:
        sim.rest_limits.limit = int(body["rest_rate_limit"])
    if "events_rate_limit" in body:
        sim.events_limits.limit = int(body["events_rate_limit"])
    if "operation_rate_limits" in body or "rate_limit_window" in body:
        sim.rest_limits.configure(operations=body.get("operation_rate_limits"), window=body.get("rate_limit_window"))
        sim.events_limits.window = sim.rest_limits.window
    incidents = sim.account.incidents
    if "string_incident_bodies" in body:
        with sim.account.lock:
            incidents.string_incident_bodies = bool(body["string_incident_bodies"])
    return {"rest_rate_limit": sim.rest_limits.limit, "events_rate_limit": sim.events_limits.limit,
            "operation_rate_limits": sim.rest_limits.operation_limits(), "rate_limit_window": sim.rest_limits.window,
            "webhook_retry_delays": sim.deliveries.delays, "string_incident_bodies": incidents.string_incident_bodies}


# -- the request log ------------------------------------------------------------------------------
@route("GET", "/_sim/requests", api="sim")
def list_requests(sim, request):
    """Logged requests after the sequence number ``since`` (0: all)."""
    return {"requests": sim.logged_requests(since=int(request.str("since", "0")))}


@route("DELETE", "/_sim/requests", api="sim")
def clear_requests(sim, request):
    sim.clear_requests()
    return 204, None


# -- faults ----------------------------------------------------------------------------------------
@route("POST", "/_sim/faults", api="sim")
def add_faults(sim, request):
    """One fault or a list of them (see :mod:`pdsim.faults`)."""
    specs = request.body if isinstance(request.body, list) else [request.body or {}]
    try:
        added = [sim.faults.add(spec).describe() for spec in specs]
    except (ValueError, TypeError) as exc:
        return 400, {"error": str(exc)}
    return 201, {"faults": added}


@route("GET", "/_sim/faults", api="sim")
def list_faults(sim, request):
    return {"faults": sim.faults.list()}


@route("DELETE", "/_sim/faults", api="sim")
def clear_faults(sim, request):
    sim.faults.clear()
    return 204, None


# -- the account's state ---------------------------------------------------------------------------
@route("POST", "/_sim/responders", api="sim")
def set_responder_state(sim, request):
    """A requested responder joins or declines: ``{"incident_id", "user_id", "state"}``."""
    body = _body(request)
    account = sim.account
    with account.lock:
        try:
            entry = account.response.set_responder_state(body.get("incident_id"), body.get("user_id"),
                                                         body.get("state"))
        except ApiError as exc:
            return 400, {"error": str(exc)}
    return {"responder": entry}


@route("GET", "/_sim/clock", api="sim")
def get_clock(sim, request):
    """The account's simulated time."""
    account = sim.account
    with account.lock:
        return {"now": account.plumbing.timestamp()}


@route("POST", "/_sim/clock", api="sim")
def set_clock(sim, request):
    """Move the account's time: ``{"advance": seconds}`` or ``{"now": "ISO 8601 date-time"}``; it runs on from
    there (``POST /_sim/reset`` goes back to the real time).  What falls due meanwhile happens (a snooze ends and its
    incident triggers again); ``ran`` says how many such actions ran."""
    body = _body(request)
    account = sim.account
    with account.lock:
        try:
            if "now" in body:
                account.plumbing.set_now(moment(body["now"], "now"))
            elif isinstance(body.get("advance"), (int, float)) and not isinstance(body["advance"], bool):
                account.plumbing.advance(body["advance"])
            else:
                return 400, {"error": "give {\"advance\": seconds} or {\"now\": \"ISO 8601 date-time\"}"}
        except ApiError as exc:
            return 400, {"error": str(exc)}
        ran = account.plumbing.run_due()
        return {"now": account.plumbing.timestamp(), "ran": ran}


# What GET /_sim/state/{name} shows, by name: state no REST operation lists.
_STATE = {
    "workflow_instances": lambda account: [dict(i) for i in account.response.workflow_instances.values()],
    "status_updates": lambda account: account.response.status_updates,
    "responder_requests": lambda account: account.response.responder_requests,
    "notes": lambda account: account.incidents.notes,
}


@route("GET", "/_sim/state/{name}", api="sim")
def get_state(sim, request):
    name = request.params["name"]
    if name not in _STATE:
        return unknown(request)
    account = sim.account
    with account.lock:
        return {name: _STATE[name](account)}


@route("GET", "/_sim/events", api="sim")
def list_events(sim, request):
    """Alert events (routing key removed) and change events received."""
    account = sim.account
    with account.lock:
        return {"events": list(account.events.received_events),
                "change_events": account.events.change_events.values()}


# -- webhooks ----------------------------------------------------------------------------------------------------
@route("GET", "/_sim/webhooks", api="sim")
def list_webhooks(sim, request):
    """The webhooks sent (or being sent): event, subscription, URL, status and each attempt's outcome, and the
    payload (never the headers: they hold the signature and the subscription's custom header values)."""
    account = sim.account
    with account.lock:
        return {"webhooks": [dict(d, attempts=list(d["attempts"])) for d in account.webhooks.deliveries]}


@route("POST", "/_sim/webhooks/wait", api="sim")
def wait_for_webhooks(sim, request):
    """Wait until every webhook made so far was delivered or dropped: ``{"timeout": seconds}`` (default 30)."""
    drained = sim.deliveries.wait(float(_body(request).get("timeout", 30)))
    account = sim.account
    with account.lock:
        return {"drained": drained, "webhooks": len(account.webhooks.deliveries)}
