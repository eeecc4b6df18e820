"""The thin HTTP layer: parse a request, check it, call the model, render the answer.

Order of checks, as PagerDuty does them: route (404), authentication (401),
rate limit (429), read-only token (403), contract validation (400), then the
operation itself.  Test controls live under ``/_sim/`` (routes of the ``sim`` API,
see :mod:`pdsim.api.sim`) and are never logged, faulted, limited or validated.
"""

import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

from . import api as routes
from .api import sim as controls
from .errors import (ApiError, EventsError, Unauthorized, Forbidden, RateLimited, InvalidInput,
                     NotImplementedBySimulator, NotFound, error_for_status, render)
from .deliveries import Deliverer
from .faults import FaultInjector
from .limits import RateLimiter, RestLimits, rest_caller
from .model import Account, load_seed
from .openapi import Contract, find_documents

VERSION = "1.0.0"
EVENTS_PREFIX = "/v2"
CONTROL_PREFIX = "/_sim/"


class Request(object):
    """What a handler sees of a request: raw query strings plus typed accessors."""

    def __init__(self, method, path, query, headers, body, raw_size):
        self.method = method
        self.path = path
        self.query = query          # name -> [str]
        self.headers = headers      # lower-case name -> str
        self.body = body
        self.raw_size = raw_size
        self.params = {}
        self.token_user = None
        self.account = None

    def str(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def int(self, name, default=None):
        value = self.str(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise InvalidInput("%s must be an integer" % name)

    def flag(self, name):
        return (self.str(name) or "").lower() == "true"

    def list(self, name):
        """Every value of a repeated ``name[]`` parameter (or of a comma-separated one)."""
        values = self.query.get(name, [])
        if name.endswith("[]"):
            return list(values)
        return [part for value in values for part in value.split(",") if part]

    def page(self):
        """limit, offset and total for classic pagination."""
        return {"limit": self.int("limit"), "offset": self.int("offset"), "total": self.flag("total")}

    def requester(self):
        """The acting user: the ``From`` header's user, else the token's user."""
        email = self.headers.get("from")
        if email:
            return self.account.directory.requester_from(email)
        if self.token_user is not None:
            return self.token_user
        raise InvalidInput("The From header is required for this request", code=2011,
                           message="You must specify a requester_id to perform this action")


class Reply(object):
    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.drop = None
        self.raw = None             # bytes sent instead of the JSON body (a hostile answer, see faults.py)
        self.content_type = None
        self.trickle = 0.0


def _reply(result):
    """The :class:`Reply` for what a handler returns: a body, or (status, body[, headers])."""
    return Reply(*result) if isinstance(result, tuple) else Reply(200, result)


class Simulator(object):
    """The whole fake: an account, its contract, faults, limits and the request log."""

    def __init__(self, contract=None, seed=None, extra_users=0, rest_rate_limit=960, events_rate_limit=120):
        self.contract = contract
        self.seed = self._initial_seed = seed or load_seed()
        self.extra_users = self._initial_extra_users = extra_users
        self.deliveries = Deliverer()
        self.account = self._new_account(self.seed, extra_users)
        self.faults = FaultInjector()
        self._rate_limits = (rest_rate_limit, events_rate_limit)
        self.rest_limits = RestLimits(rest_rate_limit)
        self.events_limits = RateLimiter(events_rate_limit)
        self.requests = []
        self._seq = 0
        self._log_lock = threading.Lock()
        self.router = routes.Router()

    def _new_account(self, seed, extra_users):
        """An account whose webhooks this simulator sends (on the deliveries thread)."""
        account = Account(seed, extra_users=extra_users)
        account.webhooks.dispatch = lambda *webhook: self.deliveries.submit(account, *webhook)
        return account

    # -- test controls -------------------------------------------------------
    def reset(self, seed=None, extra_users=None):
        """Back to the seed the simulator started with, unless another seed or user count is given."""
        self.seed = seed if seed is not None else self._initial_seed
        self.extra_users = extra_users if extra_users is not None else self._initial_extra_users
        account = self._new_account(self.seed, self.extra_users)
        self.deliveries.clear()
        with self.account.lock:
            self.account = account
        self.faults.clear()
        self.rest_limits = RestLimits(self._rate_limits[0])      # the limits it started with, counts at 0
        self.events_limits = RateLimiter(self._rate_limits[1])
        self.clear_requests()

    def info(self):
        """``GET /_sim/info``: what this simulator is and how it is set."""
        return {
            "version": VERSION,
            "validation": self.contract is not None,
            "documents": self.contract.source if self.contract else None,
            "rest_rate_limit": self.rest_limits.limit,
            "events_rate_limit": self.events_limits.limit,
            "operation_rate_limits": self.rest_limits.operation_limits(),
            "rate_limit_window": self.rest_limits.window,
            "webhook_retry_delays": list(self.deliveries.delays),
            "users": len(self.account.directory.users),
        }

    def logged_requests(self, since=0):
        """The request log after sequence number ``since``."""
        with self._log_lock:
            return [r for r in self.requests if r["seq"] > since]

    def clear_requests(self):
        with self._log_lock:
            self.requests = []

    # -- requests -------------------------------------------------------------
    def handle(self, method, target, headers, raw_body):
        """Answer one request; returns a :class:`Reply`."""
        split = urlsplit(target)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        body, body_error = None, None
        if raw_body:
            try:
                body = json.loads(raw_body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                body_error = "The request body is not valid JSON"
        if path.startswith(CONTROL_PREFIX):
            return self._serve_control(Request(method, path, query, headers, body, len(raw_body or b"")))

        api = "events" if path in ("/v2/enqueue", "/v2/change/enqueue") else "rest"
        started = time.monotonic()
        fault = self.faults.take(api, method, path)
        if fault is not None and fault.query:
            query = dict(query, **fault.query)
        record = self._record(api, method, path, query, headers, body, fault)
        if fault is not None and fault.latency and not fault.after:
            time.sleep(fault.latency)
        if fault is not None and not fault.after and (fault.status or fault.drop):
            reply = self._fault_reply(fault, api)
        else:
            reply = self._dispatch(api, method, path, query, headers, body, body_error, len(raw_body or b""))
            if fault is not None and fault.after:
                # the change is made; the answer is late, wrong or lost
                if fault.latency:
                    time.sleep(fault.latency)
                if fault.status or fault.drop:
                    reply = self._fault_reply(fault, api)
        if fault is not None and fault.answer and not reply.drop:
            fault.change_answer(reply)
        if fault is not None and fault.headers and not (fault.status or fault.drop):
            reply.headers.update(fault.headers)     # (hostile headers on the real answer)
        record.update(status=reply.status if not reply.drop else None, dropped=reply.drop,
                      duration=round(time.monotonic() - started, 4))
        return reply

    def _serve_control(self, request):
        """A control: routed like any operation, but never logged, faulted, limited or validated."""
        found = self.router.match("sim", request.method, request.path)
        if found is None:
            return _reply(controls.unknown(request))
        handler, request.params = found
        return _reply(handler(self, request))

    def _fault_reply(self, fault, api):
        if fault.drop:
            reply = Reply(0)
            reply.drop = fault.drop
            return reply
        if fault.body is not None:
            reply = Reply(fault.status, fault.body)
        else:
            status, headers, body = render(error_for_status(fault.status, api))
            reply = Reply(status, body, headers)
        reply.headers.update(fault.headers)
        return reply

    def _dispatch(self, api, method, path, query, headers, body, body_error, raw_size):
        request = Request(method, path if api == "rest" else path[len(EVENTS_PREFIX):], query, headers, body, raw_size)
        limit_headers = {}
        try:
            found = self.router.match(api, method, request.path)
            if found is None:
                self._unknown_route(api, method, request.path)
            handler, request.params = found
            if api == "rest":
                limit_headers = self._authenticate(request)
            else:
                routing_key = body.get("routing_key") if isinstance(body, dict) else None
                if not self.events_limits.hit(routing_key)[0]:
                    raise error_for_status(429, "events")
            if body_error:
                raise (EventsError(body_error) if api == "events" else InvalidInput(body_error))
            if self.contract is not None:
                operation = self.contract.match(api, method, request.path)
                operation.validate(headers, query, body)
            account = self.account
            request.account = account
            with account.lock:
                account.plumbing.run_due()      # what PagerDuty did by itself since the last request
                reply = _reply(handler(account, request))
        except (ApiError, EventsError) as error:
            status, error_headers, error_body = render(as_events_error(error) if api == "events" else error)
            reply = Reply(status, error_body, error_headers)
        except Exception as exc:  # a simulator bug must still answer like PagerDuty's 500
            sys.stderr.write("pdsim: internal error on %s %s: %r\n" % (method, path, exc))
            status, error_headers, error_body = render(error_for_status(500, api))
            reply = Reply(status, error_body, error_headers)
        for name, value in limit_headers.items():
            reply.headers.setdefault(name, value)
        return reply

    def _unknown_route(self, api, method, path):
        if self.contract is not None:
            self.contract.match(api, method, path)   # raises 404/405 for what PagerDuty lacks
            raise NotImplementedBySimulator("%s %s is a PagerDuty operation the simulator does not implement"
                                            % (method, path))
        raise NotFound("%s %s not found" % (method, path))

    def _authenticate(self, request):
        header = request.headers.get("authorization") or ""
        token = header[len("Token token="):] if header.startswith("Token token=") else None
        entry = self.account.directory.user_for_token(token) if token else None
        if entry is None:
            raise Unauthorized()
        allowed, headers = self.rest_limits.hit(rest_caller(token, entry), request.method, request.path)
        if not allowed:
            raise RateLimited(headers=headers)
        if entry["read_only"] and request.method != "GET":
            raise Forbidden("This API key is read-only", headers=headers)
        request.token_user = self.account.directory.users.find(entry["user_id"]) if entry["user_id"] else None
        return headers

    def _record(self, api, method, path, query, headers, body, fault):
        """Log a request as it arrives (its status is filled in when it is answered)."""
        if isinstance(body, dict):
            body = _without_secrets(body)
        with self._log_lock:
            self._seq += 1
            record = {
                "seq": self._seq,
                "api": api,
                "method": method,
                "path": path,
                "query": query,
                "status": None,
                "dropped": None,
                "body": body,
                "from": headers.get("from"),
                "user_agent": headers.get("user-agent"),
                "fault": fault.describe() if fault else None,
                "duration": None,
            }
            self.requests.append(record)
        return record


def as_events_error(error):
    """The Events API answers errors in its own shape (``{"status", "message", "errors"}``), never the REST one
    (PagerDuty's Events API v2 OpenAPI document: /enqueue answers 400, 429 and 5XX with its own error objects)."""
    if isinstance(error, EventsError):
        return error
    return EventsError(*(error.errors or [str(error.message)]), status=error.status, message=error.message,
                       headers=error.headers)


def _without_secrets(body):
    """A request body as logged: without the routing key, nor the values of a webhook subscription's custom headers
    (PagerDuty redacts them in its answers: they may hold credentials)."""
    body = {k: v for k, v in body.items() if k != "routing_key"}
    subscription = body.get("webhook_subscription")
    method = subscription.get("delivery_method") if isinstance(subscription, dict) else None
    if isinstance(method, dict) and isinstance(method.get("custom_headers"), list):
        headers = [dict(h, value="-- redacted --") if isinstance(h, dict) else h for h in method["custom_headers"]]
        body["webhook_subscription"] = dict(subscription, delivery_method=dict(method, custom_headers=headers))
    return body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pdsim/" + VERSION
    simulator = None
    verbose = False

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes; without this a kept-alive client
        # waits ~40 ms for each answer (Nagle's algorithm against delayed ACKs).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.simulator.handle(self.command, self.path, headers, raw)
        if reply.drop:
            self._drop(reply.drop)
            return
        payload = reply.raw if reply.raw is not None else (
            b"" if reply.body is None else json.dumps(reply.body).encode("utf-8"))
        content_type = reply.content_type or ("application/json; charset=utf-8" if reply.body is not None else None)
        self.send_response(reply.status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != "HEAD":
            self._write(payload, reply.trickle)

    def _write(self, payload, trickle):
        """Send the answer; with ``trickle``, one byte at a time, ``trickle`` seconds apart (until the client goes)."""
        if not trickle:
            self.wfile.write(payload)
            return
        self.wfile.flush()
        for index in range(len(payload)):
            try:
                self.wfile.write(payload[index:index + 1])
                self.wfile.flush()
            except OSError:
                self.close_connection = True
                return
            time.sleep(trickle)

    def _drop(self, how):
        self.close_connection = True
        try:
            if how == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR) if how == "close" else None
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format, *args):  # never print request details unless asked
        if self.verbose:
            sys.stderr.write("pdsim: %s\n" % (format % args))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, *args, **kwargs):
        self._connections = set()
        self._connections_lock = threading.Lock()
        self._closing = False
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        if self._closing and isinstance(sys.exc_info()[1], OSError):
            return      # a connection this server is closing: nothing to report
        super().handle_error(request, client_address)

    def close_connections(self):
        """End the kept-alive connections too (``shutdown`` only stops accepting new ones)."""
        self._closing = True
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_server(port, simulator, verbose=False, host="127.0.0.1"):
    handler = type("BoundHandler", (Handler,), {"simulator": simulator, "verbose": verbose})
    return Server((host, port), handler)


class RunningSimulator(object):
    """A simulator served by this process on a background thread, until :meth:`stop` (or the end of a ``with``).

    ``url`` is its base URL (REST paths, ``/v2/enqueue`` and ``/_sim/`` controls alike);
    ``simulator`` is the :class:`Simulator`, for tests that look at its state directly
    (hold ``simulator.account.lock`` while doing so).
    """

    def __init__(self, simulator, port=0, host="127.0.0.1", verbose=False):
        self.simulator = simulator
        self.server = make_server(port, simulator, verbose=verbose, host=host)
        self.url = "http://%s:%d" % (host, self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="pdsim %s" % self.url, daemon=True)
        self._thread.start()

    def stop(self):
        """Stop serving and close every connection; calling it again does nothing."""
        if self._thread is None:
            return
        self.server.shutdown()
        self.server.close_connections()
        self.server.server_close()
        self._thread.join()
        self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def running(port=0, simulator=None, host="127.0.0.1", verbose=False, **build_options):
    """Serve a simulator in this process on a background thread: ``with running() as sim: ... sim.url ...``.

    ``simulator`` is served as given; otherwise one is built by :func:`build_simulator`
    from ``build_options`` (``require_validation=True`` to refuse to run unvalidated).
    Port 0 picks a free port.  Returns a started :class:`RunningSimulator`.
    """
    if simulator is None:
        simulator = build_simulator(**build_options)
    return RunningSimulator(simulator, port=port, host=host, verbose=verbose)


def build_simulator(openapi_dir=None, seed_path=None, extra_users=0, rest_rate_limit=960,
                    events_rate_limit=120, require_validation=False, out=sys.stderr):
    directory = find_documents(openapi_dir)
    contract = None
    if directory is None:
        banner = ("*" * 72 + "\n"
                  "pdsim: WARNING: PagerDuty's OpenAPI documents were not found (looked in ../shared/pagerduty-api\n"
                  "pdsim: and $PDSIM_OPENAPI_DIR). Requests will NOT be validated against the contract.\n"
                  + "*" * 72 + "\n")
        out.write(banner)
        if require_validation:
            raise SystemExit("pdsim: --require-validation was given and the OpenAPI documents are missing")
    else:
        contract = Contract.load(directory)
    seed = load_seed(seed_path) if seed_path else None
    return Simulator(contract=contract, seed=seed, extra_users=extra_users,
                     rest_rate_limit=rest_rate_limit, events_rate_limit=events_rate_limit)
