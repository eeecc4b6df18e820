"""Fault injection: make chosen requests fail the way PagerDuty or the network can.

A fault is posted to ``POST /_sim/faults`` as JSON::

    {"method": "POST",               # or "*" (default)
     "path": "^/incidents/[^/]+/notes$",   # regular expression on the path (default: any)
     "count": 1,                     # how many requests it applies to (null: no limit)
     "every": 1,                     # apply to every Nth matching request (1: each)
     "status": 503,                  # answer with this status and PagerDuty's error body ...
     "headers": {"ratelimit-reset": "1"},  # ... and these headers (without a status: on the real answer)
     "body": null,                   # or this body instead of PagerDuty's error body
     "latency": 0.0,                 # seconds to wait before answering (after the change with "after")
     "drop": null,                   # "reset" (TCP reset) or "close": no answer at all
     "after": false,                 # true: carry the request out first, then fail the answer
     # A hostile answer: what comes back in the answer's place (whatever its status)
     "query": {"offset": 0},         # query parameters replaced before the request is carried out
     "patch": {"more": true},        # keys set in the answer's JSON object (null: removed)
     "raw": "<html>...</html>",      # these bytes (UTF-8) instead of the JSON answer
     "content_type": "text/html",    # this Content-Type
     "size": 0,                      # pad the answer to at least this many bytes
     "trickle": 0.0}                 # seconds between the answer's bytes, sent one at a time

``after: true`` is how a lost response is simulated: PagerDuty made the change,
the client never heard about it.  ``patch``, ``raw``, ``content_type``, ``size``
and ``trickle`` change whatever answer is sent (PagerDuty's own, or the fault's
status); with none of ``status``, ``drop`` and ``latency`` the request is carried
out as usual and only its answer changes.
"""

import json

import re
import threading


class Fault(object):
    FIELDS = ("method", "path", "api", "count", "every", "status", "headers", "body", "latency", "drop", "after",
              "query", "patch", "raw", "content_type", "size", "trickle")
    ANSWER_FIELDS = ("patch", "raw", "content_type", "size", "trickle")

    def __init__(self, spec):
        unknown = set(spec) - set(self.FIELDS)
        if unknown:
            raise ValueError("unknown fault fields: %s" % ", ".join(sorted(unknown)))
        self.method = (spec.get("method") or "*").upper()
        self.path = re.compile(spec.get("path") or ".*")
        self.api = spec.get("api")
        self.count = spec.get("count", 1)
        self.every = int(spec.get("every") or 1)
        self.status = spec.get("status")
        self.headers = {str(k): str(v) for k, v in (spec.get("headers") or {}).items()}
        self.body = spec.get("body")
        self.latency = float(spec.get("latency") or 0)
        self.drop = spec.get("drop")
        self.after = bool(spec.get("after"))
        self.query = dict((str(k), [str(v)]) for k, v in (spec.get("query") or {}).items())
        self.answer = dict((name, spec[name]) for name in self.ANSWER_FIELDS if spec.get(name) is not None)
        if self.drop not in (None, "reset", "close"):
            raise ValueError("drop must be 'reset' or 'close'")
        if (self.status is None and not self.drop and not self.latency and not self.answer and not self.query
                and not self.headers):
            raise ValueError("a fault needs a status, a drop, a latency, or a change to the request or its answer")
        if self.every < 1:
            raise ValueError("every must be 1 or more")
        self.seen = 0
        self.applied = 0

    def matches(self, api, method, path):
        if self.api and self.api != api:
            return False
        if self.method != "*" and self.method != method:
            return False
        return bool(self.path.search(path))

    def describe(self):
        return {
            "method": self.method, "path": self.path.pattern, "api": self.api, "count": self.count,
            "every": self.every, "status": self.status, "headers": self.headers, "latency": self.latency,
            "drop": self.drop, "after": self.after, "applied": self.applied, "seen": self.seen,
            "query": self.query, "answer": sorted(self.answer),
        }

    def change_answer(self, reply):
        """Make ``reply`` the hostile answer this fault describes (see the module's documentation)."""
        answer = self.answer
        if isinstance(reply.body, dict) and "patch" in answer:
            for key, value in answer["patch"].items():
                if value is None:
                    reply.body.pop(key, None)
                else:
                    reply.body[key] = value
        payload = answer["raw"].encode("utf-8") if "raw" in answer else (
            b"" if reply.body is None else json.dumps(reply.body).encode("utf-8"))
        if answer.get("size"):
            filler = payload or b" "
            payload = (filler * (int(answer["size"]) // len(filler) + 1))[:max(int(answer["size"]), len(payload))]
        if reply.status == 204 and payload:
            reply.status = 200          # (a 204 carries no body: the hostile one is a 200 with this body)
        reply.raw = payload
        reply.content_type = answer.get("content_type") or ("text/plain" if "raw" in answer else None)
        reply.trickle = float(answer.get("trickle") or 0)


class FaultInjector(object):
    def __init__(self):
        self._faults = []
        self._lock = threading.Lock()

    def add(self, spec):
        fault = Fault(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [f.describe() for f in self._faults]

    def take(self, api, method, path):
        """The fault that applies to this request, if any (consuming one use of it)."""
        with self._lock:
            for fault in self._faults:
                if fault.count is not None and fault.applied >= fault.count:
                    continue
                if not fault.matches(api, method, path):
                    continue
                fault.seen += 1
                if fault.seen % fault.every:
                    continue
                fault.applied += 1
                return fault
        return None
