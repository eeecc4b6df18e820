"""Fault matrix: every kind of failure PagerDuty or the network can produce, against every kind of request.

Each cell injects one fault into the simulator, runs the module, and then
checks what the simulator received and holds: the change was applied exactly
once (never lost, never duplicated).  Faults marked "after" are injected after
PagerDuty made the change, so the client sees an error for a write that did
land - the case that duplicates writes in naive clients.  A persistent fault
must end in a clear failure within the bounded wait, with nothing applied.

What a cell tests is the client and the module's own code, not ansible-core,
so every cell runs the module in-process (``in_process.py``) against a
simulator served by a thread of the test worker; a handful of cells
(``THROUGH_ANSIBLE``) also run through ``ansible -m`` against the simulator
process, to show the same outcome end to end.
"""

import re

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_event, pd_incident, pd_incident_info, pd_incident_note, pd_incident_responder, pd_incidents,
    pd_maintenance_window, pd_user)
from in_process import run_module
from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, ROUTING_KEY

# The kinds of fault of the matrix; each but 429 also comes "after the change" (the answer is lost).
KINDS = ("429 with ratelimit-reset", "429 without headers", "500", "502", "503", "504", "connection reset",
         "read timeout")
TIMEOUT = 1.5
FAULTS = {
    "429 with ratelimit-reset": {"status": 429, "headers": {"ratelimit-reset": "1"}},
    "429 without headers": {"status": 429},
    "500": {"status": 500},
    "500 after the change": {"status": 500, "after": True},
    "502": {"status": 502},
    "502 after the change": {"status": 502, "after": True},
    "503": {"status": 503},
    "503 after the change": {"status": 503, "after": True},
    "504": {"status": 504},
    "504 after the change": {"status": 504, "after": True},
    "connection reset": {"drop": "reset"},
    "connection reset after the change": {"drop": "reset", "after": True},
    # no answer within the timeout; then the connection is dropped and PagerDuty never acts on it
    "read timeout before the change": {"latency": TIMEOUT + 1, "drop": "reset"},
    "read timeout after the change": {"latency": TIMEOUT + 1, "after": True},
}

COMMON = {"timeout": TIMEOUT, "max_retry_wait": 20}
EVENT_KEY = "matrix-key"
# The cells that also run through `ansible -m`: each kind of request once, mostly with its answer lost.
THROUGH_ANSIBLE = [("read", "500 after the change"), ("pd_incident update", "read timeout after the change"),
                   ("pd_incident_note", "connection reset after the change"),
                   ("pd_incident_responder", "502 after the change"), ("pd_user create", "504 after the change"),
                   ("pd_event", "429 with ratelimit-reset"),
                   ("pd_maintenance_window create", "connection reset after the change"),
                   ("pd_incidents bulk update", "connection reset after the change")]


class Operation(object):
    """One kind of request: how to run it, and how many times the simulator's state shows it applied.

    ``resent`` is True when a lost answer is followed by the same request again
    (a read, or an alert event whose dedup key makes PagerDuty fold the repeat
    into the same alert); other writes re-read PagerDuty to learn whether they
    landed instead of being sent again.  ``counts_sends`` is True when ``count``
    counts what the simulator received rather than the state it ended in.
    """

    def __init__(self, name, method, path, module, args, count, changes=True, resent=False, counts_sends=False):
        """``module`` is the module (of plugins/modules) and ``args`` its options; ``{id}`` stands for the
        incident's ID and ``{routing_key}`` for the routing key."""
        self.name = name
        self.method = method
        self.path = path
        self.module = module
        self.args = args
        self.count = count
        self.changes = changes
        self.resent = resent
        self.counts_sends = counts_sends

    def sends(self, fault):
        """How many times PagerDuty must have received and carried out this request."""
        return 2 if self.resent and fault.get("after") else 1

    def expected_count(self, fault):
        return self.sends(fault) if self.counts_sends else 1


def _notes(sim, incident, unused_result):
    return len([n for n in sim.rest("GET", "/incidents/%s/notes" % incident)["notes"] if n["content"] == "matrix"])


def _acks(sim, incident, unused_result):
    return [e["type"] for e in sim.log_entries(incident)].count("acknowledge_log_entry")


def _responder_requests(sim, incident, unused_result):
    return len(sim.incident(incident).get("responder_requests") or [])


def _events_received(sim, unused_incident, unused_result):
    """Every alert event the simulator accepted: a repeated trigger shows here though it folds into one alert."""
    return len([e for e in sim.events()["events"] if e.get("dedup_key") == EVENT_KEY])


def _users(sim, unused_incident, unused_result):
    found = sim.rest("GET", "/users?query=matrix.user%40example.com")["users"]
    return len([u for u in found if u["email"] == "matrix.user@example.com"])


def _windows(sim, unused_incident, unused_result):
    found = sim.rest("GET", "/maintenance_windows?filter=all&query=matrix")["maintenance_windows"]
    return len([w for w in found if w.get("description") == "matrix"])


def _incident_returned(unused_sim, incident, result):
    returned = result.get("incident") or {}
    return 1 if returned.get("id") == incident and returned.get("title") == "Fault matrix" else 0


OPERATIONS = [
    Operation("read", "GET", "^/incidents/{id}$", pd_incident_info, {"incident_id": "{id}"},
              _incident_returned, changes=False, resent=True),
    Operation("pd_incident update", "PUT", "^/incidents/{id}$", pd_incident,
              {"incident_id": "{id}", "status": "acknowledged"}, _acks),
    Operation("pd_incidents bulk update", "PUT", "^/incidents$", pd_incidents,
              {"incident_ids": "{id}", "status": "acknowledged"}, _acks),
    Operation("pd_incident_note", "POST", "^/incidents/{id}/notes$", pd_incident_note,
              {"incident_id": "{id}", "note": "matrix"}, _notes),
    Operation("pd_incident_responder", "POST", "^/incidents/{id}/responder_requests$", pd_incident_responder,
              {"incident_id": "{id}", "users": "PGRACE1"}, _responder_requests),
    Operation("pd_user create", "POST", "^/users$", pd_user,
              {"email": "matrix.user@example.com", "name": "Matrix User", "role": "Responder"}, _users),
    Operation("pd_event", "POST", "^/v2/enqueue$", pd_event,
              {"summary": "matrix", "severity": "error", "source": "host", "dedup_key": EVENT_KEY,
               "routing_key": "{routing_key}"},
              _events_received, resent=True, counts_sends=True),
    Operation("pd_maintenance_window create", "POST", "^/maintenance_windows$", pd_maintenance_window,
              {"services": "PSVCCHK", "description": "matrix", "duration": "30m"}, _windows),
]
BY_NAME = dict((operation.name, operation) for operation in OPERATIONS)


def _cells():
    for operation in OPERATIONS:
        for fault in FAULTS:
            yield pytest.param(operation, fault, id="%s | %s" % (operation.name, fault))


def _carried_out(sim, operation, incident, mark):
    """The logged requests of this operation that PagerDuty carried out: answered normally, or lost after the change."""
    pattern = re.compile(operation.path.format(id=incident))
    matching = [r for r in sim.requests(since=mark) if r["method"] == operation.method and pattern.search(r["path"])]
    return [r for r in matching
            if (r["fault"] is None and r["status"] is not None and r["status"] < 400) or (r["fault"] or {}).get("after")]


def _args(operation, incident, extra):
    args = dict((name, value.format(id=incident, routing_key=ROUTING_KEY) if isinstance(value, str) else value)
                for name, value in operation.args.items())
    args.update(extra)
    return args


def _run_in_process(sim, operation, incident, extra):
    """The module's result, run in this process against ``sim`` (connection options given, as the env would)."""
    connection = {"api_url": sim.url, "events_url": sim.url, "api_token": ADMIN_TOKEN, "from_email": ADMIN_EMAIL}
    return run_module(operation.module, dict(connection, **_args(operation, incident, extra)))


def _run_through_ansible(ansible, operation, incident, extra, expect_rc=0):
    args = " ".join("%s='%s'" % item for item in _args(operation, incident, extra).items())
    name = "oncall.pagerduty." + operation.module.__name__.rsplit(".", 1)[-1]
    return ansible.adhoc(name, args, rest=True, expect_rc=expect_rc).result()


def test_the_matrix_has_every_kind_of_fault_before_and_after_the_change():
    for kind in KINDS:
        forms = [name for name in FAULTS if name == kind or name.startswith(kind + " ")]
        afters = [name for name in forms if FAULTS[name].get("after")]
        assert len(forms) - len(afters) == 1, kind
        assert len(afters) == (0 if kind.startswith("429") else 1), kind
    assert len(list(_cells())) == len(FAULTS) * 8 == 112


def _one_fault_survived(sim, operation, fault, run):
    """Inject ``fault`` once, ``run(incident)`` the module; the write must land exactly once."""
    incident = sim.create_incident(title="Fault matrix")["id"]
    sim.fault(method=operation.method, path=operation.path.format(id=incident), count=1, **FAULTS[fault])
    mark = sim.mark()
    result = run(incident)
    faulted = [r for r in sim.requests(since=mark) if r["fault"]]
    assert len(faulted) == 1, "the fault was not exercised"
    assert result.get("changed") is operation.changes, result
    expected = operation.sends(FAULTS[fault])
    assert len(_carried_out(sim, operation, incident, mark)) == expected, sim.requests(since=mark)
    assert operation.count(sim, incident, result) == operation.expected_count(FAULTS[fault]), result
    if operation.name == "pd_event":
        assert len(sim.incidents(incident_key=EVENT_KEY)) == 1, "the repeated trigger must fold into one alert"


@pytest.mark.parametrize("operation, fault", list(_cells()))
def test_one_fault_is_survived_and_the_write_lands_once(local_sim, operation, fault):
    _one_fault_survived(local_sim, operation, fault,
                        lambda incident: _run_in_process(local_sim, operation, incident, COMMON))


@pytest.mark.parametrize("name, fault", THROUGH_ANSIBLE)
def test_through_ansible_one_fault_is_survived_and_the_write_lands_once(ansible, sim, name, fault):
    operation = BY_NAME[name]
    _one_fault_survived(sim, operation, fault,
                        lambda incident: _run_through_ansible(ansible, operation, incident, COMMON))


def _backoff(attempt):
    """The longest wait the client takes after failed attempt ``attempt`` (client._delay: between half and all)."""
    return min(8.0, 0.5 * 2 ** (attempt - 1))


def _attempts_within(max_wait, share):
    """How many attempts fit in ``max_wait`` when every wait is ``share`` of the longest."""
    waited, attempt = 0.0, 1
    while waited + _backoff(attempt) * share <= max_wait:
        waited += _backoff(attempt) * share
        attempt += 1
    return attempt


def _persistent_failure(sim, operation, max_wait, run):
    """A 503 on every attempt: a one-line failure within ``max_retry_wait`` that counts PagerDuty's attempts."""
    incident = sim.create_incident(title="Fault matrix")["id"]
    before = operation.count(sim, incident, {}) if operation.changes else None
    sim.fault(method=operation.method, path=operation.path.format(id=incident), count=None, status=503)
    mark = sim.mark()
    result = run(incident)
    assert result.get("failed") is True, result
    message = result["msg"]
    stated = re.match(r"Gave up on %s \S+ after (\d+) attempts and ([\d.]+) s of waiting \(max_retry_wait\): .*503"
                      % operation.method, message)
    assert stated and "\n" not in message, message
    attempts, waited = int(stated.group(1)), float(stated.group(2))
    logged = [r for r in sim.requests(since=mark) if r["fault"]]
    assert len(logged) == attempts, "the message must count the attempts PagerDuty saw"
    assert waited <= max_wait
    assert _attempts_within(max_wait, 1.0) <= attempts <= _attempts_within(max_wait, 0.5), \
        "%d attempts do not fit max_retry_wait=%s" % (attempts, max_wait)
    if max_wait == 0:
        assert attempts == 1 and waited == 0
    if before is not None:
        sim.call("DELETE", "/_sim/faults")
        assert operation.count(sim, incident, {}) == before


@pytest.mark.parametrize("max_wait", [0, 3])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.name for o in OPERATIONS])
def test_persistent_failure_is_a_clear_bounded_failure_with_nothing_applied(local_sim, operation, max_wait):
    _persistent_failure(local_sim, operation, max_wait,
                        lambda incident: _run_in_process(local_sim, operation, incident, {"max_retry_wait": max_wait}))


def test_through_ansible_a_persistent_failure_is_a_clear_bounded_failure(ansible, sim):
    operation = BY_NAME["pd_incident_note"]
    _persistent_failure(sim, operation, 3, lambda incident: _run_through_ansible(
        ansible, operation, incident, {"max_retry_wait": 3}, expect_rc=2))
