"""The hostile-server matrix: whatever answers in PagerDuty's place, every kind of request ends in the right
result or in a one-line error that names the request - never a Python exception, never a write applied twice,
never a token or routing key sent to another host, and never a listing that runs away.

Each answer of HOSTILE is what the simulator sends, on every attempt, in place of its answer to one kind of
request of OPERATIONS (see tests/pdsim/faults.py for the fault fields).  The module runs in-process
(in_process.py): the subject is the client and the modules' code, not ansible-core.  A cell passes when the module
either returns the right result (checked against the simulator's state) or fails with one line naming the
request; in both cases the write it makes is applied at most once.  The most requests any listing sent is
printed at the end of the run (the README's reliability section quotes it).
"""

import json
import math
import re
import socket
import threading

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_change_event, pd_event, pd_incident, pd_incident_info, pd_incident_note, pd_incident_workflow, pd_user,
    pd_user_info)
from ansible_collections.oncall.pagerduty.plugins.module_utils.connection import client_from_options
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError
from in_process import run_module
from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, ROUTING_KEY

TIMEOUT = 0.8
MAX_RETRY_WAIT = 0.6
LISTED_USERS = 295          # with the 5 seeded users: three pages (the first, then the last and the one between at once)
OTHER_HOST = "127.0.0.2"     # where the redirects point: it must receive nothing
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"

HOSTILE = {
    "HTML instead of JSON": {"after": True, "raw": HTML, "content_type": "text/html"},
    "plain text": {"after": True, "raw": "upstream connect error or disconnect/reset before headers"},
    "an empty 200": {"after": True, "raw": ""},
    "truncated JSON": {"after": True, "raw": '{"incident": {"id": "PX', "content_type": "application/json"},
    "a 200 whose body is an error": {"after": True, "content_type": "application/json",
                                     "raw": '{"error": {"code": 2001, "message": "Invalid Input Provided"}}'},
    "an answer far larger than any real one": {"after": True, "size": 17 * 2 ** 20},
    "a wrong Content-Type": {"after": True, "content_type": "text/html; charset=iso-8859-1"},
    "bytes trickling slower than timeout": {"after": True, "trickle": 0.2},
    "an error with wrong types": {"status": 500, "body": {"error": {"code": "E", "message": 5, "errors": "x"}}},
    "an error whose errors is an object": {"status": 400, "body": {"error": {
        "code": [1], "message": {"a": 1}, "errors": {"x": 5, "y": [None]}}}},
    "a proxy's problem document": {"status": 502, "body": {"status": 502, "title": "Bad Gateway",
                                                           "detail": "upstream timed out"}},
    "an error that is text": {"status": 503, "raw": "Service Unavailable\n<html>", "content_type": "text/html"},
    "objects of the wrong type": {"after": True, "patch": {"incident": "x", "note": [1], "user": 7, "users": {},
                                                           "status": 5, "message": ["m"], "dedup_key": 9}},
    "ids of the wrong type": {"after": True, "patch": {"incident": {"id": 5}, "note": {"id": None},
                                                       "user": {"id": 1}, "users": [{"id": 5}]}},
    "more: true forever": {"patch": {"more": True}},
    "more of the wrong type": {"patch": {"more": "yes"}},
    "echoed limit 1": {"patch": {"limit": 1}},
    "echoed limit 0": {"patch": {"limit": 0}},
    "echoed limit missing": {"patch": {"limit": None}},
    "limit, offset and total of the wrong types": {"patch": {"limit": "100", "offset": None, "total": "many"}},
    "the same page whatever the offset": {"query": {"offset": 0}, "patch": {"offset": 0}},
    "a total that lies (too many)": {"patch": {"total": 100000}},
    "a total that lies (too few)": {"patch": {"total": 3}},
    "a redirect to another host": {"status": 307, "body": {}, "headers": {"Location": "http://%s:{port}/v2/steal"
                                                                          % OTHER_HOST}},
    "a redirect loop": {"status": 302, "body": {}, "headers": {"Location": "{sim}{path}"}},
    "a redirect to what is not a URL": {"status": 302, "body": {}, "headers": {"Location": "http://[evil/x"}},
    "JSON nested deeper than a parser goes": {"after": True, "raw": "[" * 100000 + "]" * 100000,
                                              "content_type": "application/json"},
    "one item a page, more: true": {"query": {"limit": 1}, "patch": {"more": True}},
    "rate-limit headers that are no number": {"after": True, "headers": {
        "ratelimit-remaining": "0", "ratelimit-reset": "nan", "Retry-After": "inf"}},
    "a 429 that says to wait for ever": {"status": 429, "body": {"error": {"code": 2020, "message": "Rate Limit"}},
                                         "headers": {"ratelimit-reset": "inf", "Retry-After": "inf"}},
}


class Operation(object):
    """One kind of request: the module that sends it, and how to tell its right result and its writes."""

    def __init__(self, name, method, path, module, args, prepare, right, applied):
        self.name, self.method, self.path, self.module, self.args = name, method, path, module, args
        self.prepare = prepare      # prepare(sim) -> context (format values for path and args)
        self.right = right          # right(sim, context, result) -> whether the result is the true one
        self.applied = applied      # applied(sim, context) -> how many times the write was applied (None: a read)


def _incident(sim):
    return {"id": sim.create_incident(title="Hostile matrix")["id"]}


def _user_ids(sim):
    ids, offset = [], 0
    while True:
        page = sim.rest("GET", "/users?limit=100&offset=%d" % offset)
        ids += [user["id"] for user in page["users"]]
        offset += len(page["users"])
        if not page["more"]:
            return ids


def _listing(sim):
    sim.reset(extra_users=LISTED_USERS)
    return {"users": _user_ids(sim)}


def _user(sim):
    return {"id": sim.rest("POST", "/users", {"user": {"type": "user", "name": "Leaver", "email":
                                                       "leaver@example.com"}})["user"]["id"]}


def _acks(sim, context):
    return [e["type"] for e in sim.log_entries(context["id"])].count("acknowledge_log_entry")


def _notes(sim, context):
    return len([n for n in sim.rest("GET", "/incidents/%s/notes" % context["id"])["notes"] if n["content"] == "hostile"])


def _deleted(sim, context):
    return 0 if context["id"] in _user_ids(sim) else 1


def _change_events(sim, unused_context):
    return len([e for e in sim.events()["change_events"] if (e.get("summary") or "") == "hostile deploy"])


OPERATIONS = [
    Operation("read", "GET", "^/incidents/{id}$", pd_incident_info, {"incident_id": "{id}"}, _incident,
              lambda sim, c, r: r["incident"]["id"] == c["id"], None),
    Operation("listing", "GET", "^/users$", pd_user_info, {}, _listing,
              lambda sim, c, r: sorted(u["id"] for u in r["users"]) == sorted(c["users"]), None),
    Operation("update (PUT)", "PUT", "^/incidents/{id}$", pd_incident, {"incident_id": "{id}", "status": "acknowledged"},
              _incident, lambda sim, c, r: r["incident"]["status"] == "acknowledged", _acks),
    Operation("create (POST)", "POST", "^/incidents/{id}/notes$", pd_incident_note,
              {"incident_id": "{id}", "note": "hostile"}, _incident, lambda sim, c, r: r["note"]["content"] == "hostile",
              _notes),
    Operation("delete", "DELETE", "^/users/{id}$", pd_user, {"email": "leaver@example.com", "state": "absent"}, _user,
              lambda sim, c, r: r["user"]["id"] == c["id"], _deleted),
    Operation("alert event", "POST", "^/v2/enqueue$", pd_event,
              {"summary": "hostile", "severity": "error", "source": "host", "dedup_key": "hostile-key",
               "routing_key": ROUTING_KEY}, lambda sim: {}, lambda sim, c, r: r["dedup_key"] == "hostile-key",
              lambda sim, c: 1 if sim.incidents(incident_key="hostile-key") else 0),
    Operation("change event", "POST", "^/v2/change/enqueue$", pd_change_event,
              {"summary": "hostile deploy", "routing_key": ROUTING_KEY}, lambda sim: {},
              lambda sim, c, r: r["status"] == "success", _change_events),
]
BY_NAME = dict((operation.name, operation) for operation in OPERATIONS)
MOST_LISTING_REQUESTS = []      # (requests, items) of each listing cell, for the summary


@pytest.fixture(scope="module")
def other_host():
    """A listener on another address: a redirect must never bring it a request (nor the token in one)."""
    server = socket.socket()
    server.bind((OTHER_HOST, 0))
    server.listen(8)
    server.settimeout(0.2)
    received = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, unused = server.accept()
            except socket.timeout:
                continue
            received.append(connection.recv(65536))
            connection.close()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def _fault(sim, operation, name, context, port):
    path = operation.path.format(**context)
    spec = json.loads(json.dumps(HOSTILE[name]).replace("{port}", str(port)).replace("{sim}", sim.url).replace(
        "{path}", path.strip("^$")))
    sim.fault(method=operation.method, path=path, count=None, **spec)


def _run(sim, operation, context):
    args = dict((key, value.format(**context) if isinstance(value, str) else value)
                for key, value in operation.args.items())
    connection = {"api_url": sim.url, "events_url": sim.url, "api_token": ADMIN_TOKEN, "from_email": ADMIN_EMAIL,
                  "timeout": TIMEOUT, "max_retry_wait": MAX_RETRY_WAIT}
    return run_module(operation.module, dict(connection, **args))


def _cells():
    for operation in OPERATIONS:
        for name in HOSTILE:
            yield pytest.param(operation, name, id="%s | %s" % (operation.name, name))


def test_the_matrix_covers_every_kind_of_request_and_answer():
    assert len(list(_cells())) == len(OPERATIONS) * len(HOSTILE) == 7 * 30


@pytest.mark.parametrize("operation, name", list(_cells()))
def test_a_hostile_answer_ends_in_the_right_result_or_one_line(local_sim, other_host, operation, name):
    sim = local_sim
    context = operation.prepare(sim)
    port, received = other_host
    _fault(sim, operation, name, context, port)
    mark = sim.mark()
    result = _run(sim, operation, context)          # (any Python exception fails the test here)
    sim.call("DELETE", "/_sim/faults")
    assert any(r["fault"] for r in sim.requests(since=mark)), "the hostile answer was served"
    if result.get("failed"):
        message = result["msg"]
        assert "\n" not in message and message.strip() == message, message
        request = operation.path.format(**context).strip("^$")
        assert operation.method in message and request in message, "the error must name the request: " + message
        assert not re.search(r"Traceback|Error\(|object has no attribute|unsupported operand|not subscriptable|"
                             r"failed unexpectedly|RecursionError", message), message
    else:
        assert operation.right(sim, context, result), result
    if operation.applied is not None:
        applied = operation.applied(sim, context)
        assert applied <= 1, "written %d times" % applied
        assert applied == 1 or result.get("failed"), "the module reported success, but nothing was written"
    assert not received, "a request reached another host"
    if operation.name == "listing":
        sent = len([r for r in sim.requests(since=mark) if r["path"] == "/users" and r["method"] == "GET"])
        items = len(context["users"])
        assert sent <= math.ceil(items / 100.0) + 2, "%d requests for %d items" % (sent, items)
        MOST_LISTING_REQUESTS.append((sent, items))


def test_a_listing_that_never_ends_is_bounded(local_sim):
    """The issue's incident-workflow listing: limit 1, offset 0 and more: true, whatever was asked for."""
    sim = local_sim
    sim.fault(method="GET", path="^/incident_workflows$", count=None, query={"offset": 0, "limit": 1},
              patch={"limit": 1, "offset": 0, "more": True})
    client = client_from_options({"api_url": sim.url, "api_token": ADMIN_TOKEN, "max_retry_wait": 0})
    mark = sim.mark()
    with pytest.raises(PagerDutyError, match=r"^Unusable answer to GET /incident_workflows: the page at offset 1 "
                                             r"repeats items already listed"):
        client.list_all("/incident_workflows", "incident_workflows")
    assert len(sim.requests(since=mark)) == 2, "the second page repeats the first: the listing stops there"
    mark = sim.mark()
    result = run_module(pd_incident_workflow, {"api_url": sim.url, "api_token": ADMIN_TOKEN, "incident_id": "1",
                                               "workflow": "Postmortem"})
    assert result["msg"] == "workflow: no incident workflow is named 'Postmortem'"
    assert len([r for r in sim.requests(since=mark) if r["path"] == "/incident_workflows"]) <= 2


def test_summary_of_the_listings(local_sim):
    """(Runs last in its worker: prints the most requests a listing cell sent, for the README.)"""
    if MOST_LISTING_REQUESTS:
        print("\nhostile matrix: most requests of a listing: %d for %d items" % max(MOST_LISTING_REQUESTS))


def test_what_nothing_foresaw_is_one_line_with_the_traceback_kept_for_vvv(local_sim, monkeypatch):
    """A defect (here a module whose code raises TypeError on an answer's content) fails in one line naming its kind
    and place, never the exception's text; the traceback goes to fail_json's ``exception`` (shown with -vvv)."""
    def broken(module):
        module.client.get("/users")
        raise TypeError("can only concatenate str (not \"int\") to str: the answer's content")
    monkeypatch.setattr(pd_user_info, "run", broken)
    result = run_module(pd_user_info, {"api_url": local_sim.url, "api_token": ADMIN_TOKEN})
    assert result["failed"] is True
    assert re.match(r"^oncall\.pagerduty failed unexpectedly \(TypeError in broken \(test_hostile_matrix\.py, line "
                    r"\d+\)\); run with -vvv for the traceback and please report it$", result["msg"]), result["msg"]
    assert "Traceback" in result["exception"] and "concatenate" in result["exception"]
