# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""oncall.pagerduty.webhook: an ansible-rulebook event source for PagerDuty's V3 webhooks.

ansible-rulebook loads this file on its own (``runpy.run_path``), so it imports nothing from the collection.  The
logic is in plain classes that need no network (:class:`Verifier`, :class:`SeenEvents`, :func:`normalise`,
:class:`Receiver`); the HTTP layer below them only reads a request within its limits and writes the answer.

The HTTP layer is a small HTTP/1.1 server on asyncio streams rather than aiohttp's: aiohttp's server has no timeout
for a client that connects and then stalls in its request line, headers or body (such a connection stays open for
good), and it reads a body before it can refuse one that is too large.  Here every request must arrive whole within
``timeout`` seconds, a body larger than PagerDuty ever sends is refused from its ``Content-Length`` without being read,
and the number of connections is capped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r"""
---
short_description: Receive PagerDuty V3 webhooks, verified by their signatures
description:
  - An ansible-rulebook event source that receives PagerDuty's V3 webhooks (webhook subscriptions, see
    M(oncall.pagerduty.pd_webhook_subscription)) and puts each verified event on the rulebook's queue.
  - Every delivery is verified before anything else is done with it. PagerDuty signs the raw body with HMAC-SHA256 and
    the subscription's secret and sends one or more C(v1=<hex>) signatures, separated by commas, in the
    C(X-PagerDuty-Signature) header (several while a secret is being rotated). The delivery is accepted when one of
    them matches the body signed with one of the O(secret)s; the comparison takes constant time. A missing or wrong
    signature is answered C(401) and nothing is queued.
  - A body that is not JSON, or not a V3 event (an object C(event) with an C(id) and an C(event_type)), is answered
    C(400), as is a malformed request (its request line, a header, a C(Content-Length) that is not ASCII digits); a
    body larger than 256 KB (PagerDuty drops larger webhooks) C(413), without reading it; a request that has not
    arrived whole within O(timeout) seconds C(408). Such requests queue nothing.
  - PagerDuty delivers at least once and retries a delivery that failed, so the same event may arrive more than once.
    An event whose C(id) was already queued is answered C(200) and not queued again; the last O(dedup_size) event IDs
    are remembered (in memory, so not across restarts).
  - A delivery is answered C(202) once its event is on the rulebook's queue, in the order the deliveries arrived. When
    the rulebook does not take it within O(queue_timeout) seconds (PagerDuty expects an answer within 5), the delivery
    is answered C(503), which PagerDuty retries later.
  - "Each event is PagerDuty's body under C(payload), and under C(pagerduty) a stable shape to match on:
    C(event_id), C(event_type), C(resource_type), C(occurred_at), C(agent) (C(id), C(type), C(name)), C(webhook_id)
    (the C(X-Webhook-Id) header), and C(incident): C(id), C(number), C(title), C(status), C(urgency),
    C(incident_key), C(html_url), C(priority), C(service) and C(escalation_policy) (each C(id) and C(name), or
    null). For events about a note, a responder or a status update, C(incident) is the incident they belong to (its
    C(id), C(title) and C(html_url)); for events that are not about an incident it is null. C(meta.endpoint) is the
    path the delivery was posted to and C(meta.headers) its C(User-Agent), C(Content-Type) and C(X-Webhook-*)
    headers (never the signature, nor a subscription's custom headers)."
  - The secrets are never logged. Refused deliveries are logged by reason, at most one warning every 10 seconds with
    their counts (the five most frequent reasons, and how many others).
  - A request on which the source itself fails (a defect) is answered C(500) and counted with the refusals, by the
    exception's type and the function that raised it; no traceback is logged, and the source goes on serving.
version_added: 1.1.0
author:
  - oncall.pagerduty developers (@oncall)
requirements:
  - ansible-rulebook (Python 3.9 or later)
options:
  host:
    description:
      - The address to listen on. The default accepts local connections only; use C(0.0.0.0) to accept PagerDuty's
        deliveries from the network, behind TLS (O(certfile), or a proxy that terminates it).
    type: str
    default: 127.0.0.1
  port:
    description:
      - The TCP port to listen on.
    type: int
    required: true
  secret:
    description:
      - The signing secret of the webhook subscription (PagerDuty shows it once, when the subscription is created), or
        a list of secrets when several subscriptions deliver here, or while a secret is replaced.
      - Required unless O(allow_unsigned=true). Pass it from a vault or the environment, never literally in a
        rulebook.
    type: list
    elements: str
  allow_unsigned:
    description:
      - Accept deliveries without checking their signature. B(For local tests only); anyone who can reach the port
        can then run the rulebook's actions. Cannot be combined with O(secret).
    type: bool
    default: false
  event_types:
    description:
      - Queue only these event types, for example C(incident.triggered). Other verified events are answered C(200) and
        dropped. All event types are queued when this is not set.
    type: list
    elements: str
  certfile:
    description:
      - A PEM certificate (chain) to serve HTTPS with. PagerDuty verifies the server certificate of an https URL.
    type: str
  keyfile:
    description:
      - The private key of O(certfile), when it is not in that file.
    type: str
  password:
    description:
      - The password of O(keyfile), if it is encrypted.
    type: str
  timeout:
    description:
      - Seconds within which a request (and the TLS handshake) must arrive whole, and a kept-alive connection may stay
        idle; later, it is answered C(408) or closed.
    type: float
    default: 10
  max_connections:
    description:
      - Connections served at once; more are answered C(503) and closed. Each may hold up to about 272 KB while its
        request arrives.
    type: int
    default: 1024
  queue_timeout:
    description:
      - Seconds a delivery waits for the rulebook to take its event before it is answered C(503).
    type: float
    default: 3
  dedup_size:
    description:
      - How many event IDs are remembered to recognise a delivery PagerDuty sends again.
    type: int
    default: 10000
notes:
  - "PagerDuty's documentation of what this source relies on: the signature (U(https://developer.pagerduty.com/docs/
    webhooks/webhook-signatures/)); the event envelope and event types (U(https://developer.pagerduty.com/docs/
    webhooks/v3-overview/)); timeouts, retries, at-least-once delivery and the 256 KB size limit
    (U(https://developer.pagerduty.com/docs/webhooks/webhook-behavior/))."
"""

EXAMPLES = r"""
- name: Remediate incidents of the Checkout API
  hosts: localhost
  sources:
    - oncall.pagerduty.webhook:
        host: 0.0.0.0
        port: 5000
        secret: "{{ pagerduty_webhook_secret }}"
        event_types: [incident.triggered]
        certfile: /etc/eda/tls/cert.pem
        keyfile: /etc/eda/tls/key.pem
  rules:
    - name: A Checkout API incident was triggered
      condition: event.pagerduty.event_type == "incident.triggered" and event.pagerduty.incident.service.name == "Checkout API"
      action:
        run_playbook:
          name: oncall.pagerduty.remediate
          extra_vars:
            pd_incident_id: "{{ event.pagerduty.incident.id }}"

- name: Two subscriptions, one of them with a secret being replaced
  hosts: localhost
  sources:
    - oncall.pagerduty.webhook:
        port: 5000
        secret:
          - "{{ checkout_webhook_secret }}"
          - "{{ platform_webhook_secret }}"
          - "{{ platform_webhook_new_secret }}"
  rules:
    - name: Log every PagerDuty event
      condition: event.pagerduty is defined
      action:
        debug:
          msg: "{{ event.pagerduty.event_type }} {{ event.pagerduty.incident.title | default('') }}"

- name: Local tests only, without signatures
  hosts: localhost
  sources:
    - oncall.pagerduty.webhook:
        port: 5000
        allow_unsigned: true
  rules:
    - name: Print
      condition: true
      action:
        print_event:
"""

import asyncio
import collections
import hashlib
import hmac
import http
import json
import logging
import ssl
import time
import traceback

SIGNATURE_HEADER = "x-pagerduty-signature"
# PagerDuty drops every webhook larger than 256 KB (docs/webhooks/02-Behavior.md, "Size Limit"), so no genuine
# delivery is larger.
MAX_BODY_BYTES = 256 * 1024
MAX_HEAD_BYTES = 16 * 1024          # request line and headers
MAX_SIGNATURES = 32                 # v1= values considered in one header
ASCII_DIGITS = "0123456789"
SAFE_HEADERS = ("user-agent", "content-type", "x-webhook-id", "x-webhook-subscription")
LOG_EVERY = 10.0                    # seconds between warnings about refused deliveries
LOG_REASONS = 5                     # reasons named in one warning (the most frequent); the others are counted
KEEP_REASONS = 64                   # distinct reasons counted between two warnings; then "other reasons" by status

logger = logging.getLogger(__name__)


class Rejected(Exception):
    """A request answered with an error ``status``; ``reason`` is answered and logged (never a secret or the body),
    unless ``logged`` gives what to log instead."""

    def __init__(self, status, reason, logged=None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.logged = logged or reason


# -- signatures ----------------------------------------------------------------------------------------------------
def signatures_in(header):
    """The hex digests of the ``v1=`` signatures in an ``X-PagerDuty-Signature`` header (at most 32).

    PagerDuty: "Split the signatures which are separated by the , character. Select only signatures which are
    version v1 and remove the v1= prefix." (docs/webhooks/04-Signatures.md)
    """
    found = []
    for part in (header or "").split(","):
        part = part.strip()
        if part[:3].lower() == "v1=":
            found.append(part[3:].strip().lower())
        if len(found) == MAX_SIGNATURES:
            break
    return found


def sign(secret, body):
    """``v1=<hex>``: the signature PagerDuty sends for ``body`` (bytes) with ``secret``."""
    return "v1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class Verifier:
    """Checks a body against the ``v1=`` signatures of its header, with each of the subscriptions' secrets."""

    def __init__(self, secrets):
        self._keys = [secret.encode("utf-8") for secret in secrets]

    def __repr__(self):
        return "Verifier(%d secret(s))" % len(self._keys)     # never the secrets

    def verify(self, body, header):
        """Whether one signature of ``header`` is HMAC-SHA256 of the raw ``body`` with one of the secrets.

        Each comparison takes constant time (``hmac.compare_digest``), as PagerDuty asks. The comparison is of bytes:
        ``compare_digest`` raises on strings with non-ASCII characters, which a header may hold; such a signature
        matches nothing.
        """
        given = [signature.encode("utf-8", "replace") for signature in signatures_in(header)]
        if not given:
            return False
        matched = False
        for key in self._keys:
            expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")
            for signature in given:
                matched |= hmac.compare_digest(expected, signature)
        return matched


# -- redelivered events ----------------------------------------------------------------------------------------------
class SeenEvents:
    """The IDs of the last ``capacity`` events queued, to recognise PagerDuty's redeliveries.

    PagerDuty delivers "at least once", so "duplicate webhooks may be delivered" (docs/webhooks/02-Behavior.md).
    """

    def __init__(self, capacity):
        self.capacity = max(1, int(capacity))
        self._ids = collections.OrderedDict()

    def add(self, event_id):
        """Remember ``event_id``; False when it was already remembered (a redelivery)."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = True
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def forget(self, event_id):
        self._ids.pop(event_id, None)

    def __len__(self):
        return len(self._ids)

    def __contains__(self, event_id):
        return event_id in self._ids


# -- the event rulebooks match on ----------------------------------------------------------------------------------
def _text(value):
    return value if isinstance(value, str) else None


def _named(ref):
    """``{"id", "name"}`` of a PagerDuty reference (its ``summary``), or None."""
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
        return None
    return {"id": ref["id"], "name": _text(ref.get("summary")) or _text(ref.get("name"))}


def incident_of(data):
    """The incident an event is about: ``data`` itself (``type: incident``), or the incident it refers to."""
    if not isinstance(data, dict):
        return None
    if data.get("type") == "incident":
        number = data.get("number")
        return {
            "id": _text(data.get("id")), "number": number if isinstance(number, int) else None,
            "title": _text(data.get("title")), "status": _text(data.get("status")),
            "urgency": _text(data.get("urgency")), "incident_key": _text(data.get("incident_key")),
            "html_url": _text(data.get("html_url")), "priority": _named(data.get("priority")),
            "service": _named(data.get("service")), "escalation_policy": _named(data.get("escalation_policy")),
        }
    ref = data.get("incident")
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
        return None
    return {"id": ref["id"], "number": None, "title": _text(ref.get("summary")), "status": None, "urgency": None,
            "incident_key": None, "html_url": _text(ref.get("html_url")), "priority": None, "service": None,
            "escalation_policy": None}


def normalise(payload, headers=None, endpoint=""):
    """The event put on the queue: PagerDuty's ``payload``, the ``pagerduty`` shape and ``meta``.

    ``payload`` must be a V3 webhook body (see :func:`v3_event`). ``headers`` have lower-case names.
    """
    headers = headers or {}
    event = payload["event"]
    agent = event.get("agent")
    shape = {
        "event_id": event["id"],
        "event_type": event["event_type"],
        "resource_type": _text(event.get("resource_type")),
        "occurred_at": _text(event.get("occurred_at")),
        "agent": dict(_named(agent), type=_text(agent.get("type"))) if _named(agent) else None,
        "webhook_id": headers.get("x-webhook-id"),
        "incident": incident_of(event.get("data")),
    }
    meta = {"endpoint": endpoint, "headers": {name: headers[name] for name in SAFE_HEADERS if name in headers}}
    return {"pagerduty": shape, "payload": payload, "meta": meta}


def v3_event(body):
    """The decoded body when it is a V3 webhook (``{"event": {"id", "event_type", ...}}``); else :class:`Rejected`.

    The envelope: docs/webhooks/01-Overview.md, "Webhook Payload".
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Rejected(400, "body is not JSON") from None
    event = payload.get("event") if isinstance(payload, dict) else None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event["id"] \
            or not isinstance(event.get("event_type"), str):
        raise Rejected(400, "body is not a PagerDuty V3 webhook (no event with an id and an event_type)")
    return payload


# -- what is done with a delivery -------------------------------------------------------------------------------------
class Receiver:
    """Decides what to do with each delivery and puts the accepted events on ``queue`` (the rulebook's).

    ``verifier`` is None only when unsigned deliveries are allowed.
    """

    def __init__(self, verifier, queue, event_types=None, dedup_size=10000, queue_timeout=3.0):
        self.verifier = verifier
        self.queue = queue
        self.event_types = set(event_types) if event_types else None
        self.seen = SeenEvents(dedup_size)
        self.queue_timeout = queue_timeout
        self.counts = collections.Counter()

    async def receive(self, headers, body, endpoint=""):
        """``(status, answer)`` for one POSTed delivery; queues its event when it is verified, new and wanted."""
        if self.verifier is not None and not self.verifier.verify(body, headers.get(SIGNATURE_HEADER)):
            reason = "invalid signature" if headers.get(SIGNATURE_HEADER) else "no signature"
            raise Rejected(401, reason)
        payload = v3_event(body)
        event = payload["event"]
        if self.event_types is not None and event["event_type"] not in self.event_types:
            self.counts["ignored"] += 1
            return 200, {"status": "ignored", "event_type": event["event_type"]}
        if not self.seen.add(event["id"]):      # remembered first, so that a concurrent redelivery is not queued
            self.counts["duplicate"] += 1
            return 200, {"status": "duplicate", "id": event["id"]}
        try:
            await asyncio.wait_for(self.queue.put(normalise(payload, headers, endpoint)), self.queue_timeout)
        except asyncio.TimeoutError:
            self.seen.forget(event["id"])       # PagerDuty sends it again after the 503
            raise Rejected(503, "the rulebook did not take the event within %ss" % self.queue_timeout) from None
        self.counts["queued"] += 1
        logger.debug("PagerDuty webhook: queued %s %s", event["event_type"], event["id"])
        return 202, {"status": "accepted", "id": event["id"]}


class RefusalLog:
    """Logs refused requests by reason: the first at once, then at most one warning every ``every`` seconds."""

    def __init__(self, every=LOG_EVERY, clock=time.monotonic):
        self.every = every
        self.clock = clock
        self.pending = collections.Counter()
        self.total = collections.Counter()
        self._last = None

    def refused(self, status, reason, peer=None):
        key = "%d %s" % (status, reason)
        if key not in self.pending and len(self.pending) >= KEEP_REASONS:
            key = "%d (other reasons)" % status         # a client that varies its reasons cannot grow the log
        self.pending[key] += 1
        self.total[status] += 1
        now = self.clock()
        if self._last is None or now - self._last >= self.every:
            self.flush(peer)
            self._last = now

    def flush(self, peer=None):
        """One warning: the ``LOG_REASONS`` most frequent reasons with their counts, then how many more."""
        if self.pending:
            ranked = sorted(self.pending.items(), key=lambda item: (-item[1], item[0]))
            named = ", ".join("%d x %s" % (count, reason) for reason, count in ranked[:LOG_REASONS])
            rest = ranked[LOG_REASONS:]
            more = ", and %d for %d other reason(s)" % (sum(count for _reason, count in rest), len(rest)) if rest else ""
            logger.warning("PagerDuty webhook: refused %s%s%s", named, more,
                           " (last from %s)" % (peer,) if peer else "")
            self.pending.clear()


# -- options -------------------------------------------------------------------------------------------------------
class Options:
    """The source's arguments, checked; ``ValueError`` names the argument that is wrong."""

    def __init__(self, args):
        args = dict(args or {})
        self.host = str(args.get("host") or "127.0.0.1")
        self.port = _number(args, "port", int, None, minimum=0)
        self.secrets = _secrets(args.get("secret"))
        self.allow_unsigned = _flag(args.get("allow_unsigned", False), "allow_unsigned")
        if self.allow_unsigned and self.secrets:
            raise ValueError("secret and allow_unsigned=true cannot be combined: unsigned deliveries would skip the "
                             "signature check")
        if not self.allow_unsigned and not self.secrets:
            raise ValueError("secret is required (the webhook subscription's signing secret); allow_unsigned=true "
                             "accepts unsigned deliveries, for local tests only")
        types = args.get("event_types")
        self.event_types = [types] if isinstance(types, str) else list(types or [])
        self.certfile, self.keyfile, self.password = args.get("certfile"), args.get("keyfile"), args.get("password")
        if self.keyfile and not self.certfile:
            raise ValueError("keyfile needs certfile")
        self.timeout = _number(args, "timeout", float, 10.0, minimum=0.1)
        self.max_connections = _number(args, "max_connections", int, 1024, minimum=1)
        self.queue_timeout = _number(args, "queue_timeout", float, 3.0, minimum=0.01)
        self.dedup_size = _number(args, "dedup_size", int, 10000, minimum=1)

    def __repr__(self):
        return "Options(host=%r, port=%r, %d secret(s))" % (self.host, self.port, len(self.secrets))

    def ssl_context(self):
        if not self.certfile:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.certfile, self.keyfile, self.password)
        return context


def _number(args, name, kind, default, minimum):
    value = args.get(name, default)
    if value is None:
        raise ValueError("%s is required" % name)
    try:
        value = kind(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number, got %r" % (name, value)) from None
    if value < minimum:
        raise ValueError("%s must be at least %s, got %r" % (name, minimum, value))
    return value


def _flag(value, name):
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "yes", "1", "false", "no", "0"):
        return str(value).lower() in ("true", "yes", "1")
    raise ValueError("%s must be true or false, got %r" % (name, value))


def _secrets(value):
    """The list of secrets from a string or a list; never shows a secret in an error."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ValueError("secret must be a string or a list of strings")
    if any(not v.strip() for v in values):
        raise ValueError("secret must not be empty")
    return list(values)


# -- HTTP/1.1 on asyncio streams ---------------------------------------------------------------------------------------
class Request:
    """One request as read: method, path, version, lower-case headers and the raw body."""

    def __init__(self, method, path, version, headers, body=b""):
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.body = body

    @property
    def keep_alive(self):
        connection = self.headers.get("connection", "").lower()
        return connection != "close" if self.version == "HTTP/1.1" else connection == "keep-alive"


def parse_head(head):
    """A :class:`Request` (without its body) from the request line and headers; :class:`Rejected` if malformed."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1") or not parts[1].startswith("/"):
        raise Rejected(400, "malformed request line")
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or line[0] in " \t":
            raise Rejected(400, "malformed header")
        name = name.lower()
        if name in headers and name in ("content-length", "transfer-encoding", SIGNATURE_HEADER):
            raise Rejected(400, "repeated %s header" % name)
        headers[name] = value.strip()
    return Request(parts[0], parts[1].split("?", 1)[0], parts[2], headers)


def body_length(request):
    """The body's length from ``Content-Length``; :class:`Rejected` when it is missing, invalid or too large."""
    if "transfer-encoding" in request.headers:
        raise Rejected(411, "chunked body (Content-Length required)")
    value = request.headers.get("content-length")
    if value is None:
        raise Rejected(411, "no Content-Length")
    # ASCII digits only (RFC 9110: 1*DIGIT): str.isdigit() also takes superscripts and other scripts' digits (U+00B2,
    # U+0663), on which int() fails.
    if not value or value.strip(ASCII_DIGITS):
        raise Rejected(400, "invalid Content-Length")
    # Leading zeros are allowed; a length with more digits than the limit is too large without being converted (int()
    # refuses strings of more than 4300 digits).
    significant = value.lstrip("0") or "0"
    if len(significant) > len(str(MAX_BODY_BYTES)) or int(significant) > MAX_BODY_BYTES:
        raise Rejected(413, "body larger than %d bytes" % MAX_BODY_BYTES)
    return int(significant)


async def read_request(reader):
    """The next request on the connection, body included; None when the client closed it between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise Rejected(400, "connection closed within the headers") from None
    except asyncio.LimitOverrunError:
        raise Rejected(431, "headers larger than %d bytes" % MAX_HEAD_BYTES) from None
    request = parse_head(head[:-4])
    if request.method != "POST":
        # ascii(): the method is the client's text, which may hold line breaks; logged escaped, in quotes, bounded.
        raise Rejected(405, "method %s" % ascii(request.method[:16]))
    length = body_length(request)
    try:
        request.body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise Rejected(400, "connection closed within the body") from None
    return request


def answer(status, body, keep_alive):
    """The bytes of a JSON answer."""
    payload = json.dumps(body).encode("utf-8")
    reason = http.HTTPStatus(status).phrase
    head = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: %s\r\n"
            % (status, reason, len(payload), "keep-alive" if keep_alive else "close"))
    if status == 405:
        head += "Allow: POST\r\n"
    return head.encode("latin-1") + b"\r\n" + payload


def raised_at(exc):
    """``TypeError in verify (line 255)``: an exception's type and the function it was raised in, without its text."""
    frames = traceback.extract_tb(exc.__traceback__)
    return type(exc).__name__ + (" in %s (line %d)" % (frames[-1].name, frames[-1].lineno) if frames else "")


class Server:
    """Serves a :class:`Receiver` over HTTP(S): limits, timeouts and answers; no decisions of its own."""

    def __init__(self, receiver, options, refusals=None):
        self.receiver = receiver
        self.options = options
        self.refusals = refusals or RefusalLog()
        self.connections = 0
        self._server = None
        self._writers = set()

    async def start(self):
        self._server = await asyncio.start_server(
            self.serve, self.options.host, self.options.port, limit=MAX_HEAD_BYTES, backlog=1024,
            ssl=self.options.ssl_context(),
            ssl_handshake_timeout=self.options.timeout if self.options.certfile else None)
        return self._server.sockets[0].getsockname()[:2]

    async def close(self):
        """Stop listening and close the open connections (Python 3.12 waits for them to close)."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()

    async def serve(self, reader, writer):
        """One connection: requests one after the other while the client keeps it alive."""
        peer = writer.get_extra_info("peername")
        self.connections += 1
        self._writers.add(writer)
        try:
            if self.connections > self.options.max_connections:
                await self._refuse(writer, Rejected(503, "too many connections"), peer)
                return
            while await self._one(reader, writer, peer):
                pass
        except (ConnectionError, OSError):
            pass
        finally:
            self.connections -= 1
            self._writers.discard(writer)
            writer.close()

    async def _one(self, reader, writer, peer):
        """Read, handle and answer one request; whether the connection stays open for another."""
        try:
            request = await asyncio.wait_for(read_request(reader), self.options.timeout)
            if request is None:
                return False
            status, body = await self.receiver.receive(request.headers, request.body, request.path)
        except asyncio.TimeoutError:
            await self._refuse(writer, Rejected(408, "request not received within %ss" % self.options.timeout),
                               peer)
            return False
        except Rejected as exc:
            await self._refuse(writer, exc, peer)
            return False
        except Exception as exc:  # pylint: disable=broad-except
            # The last resort: a defect must not leave a request unanswered, stop the server or log a traceback (whose
            # values may come from the request). Logged as the exception's type and where it was raised, nothing more.
            await self._refuse(writer, Rejected(500, "internal error", "internal error: %s" % raised_at(exc)), peer)
            return False
        writer.write(answer(status, body, request.keep_alive))
        await writer.drain()
        return request.keep_alive

    async def _refuse(self, writer, exc, peer):
        """Answer an error and close (the rest of the request is never read)."""
        self.refusals.refused(exc.status, exc.logged, peer[0] if peer else None)
        writer.write(answer(exc.status, {"status": "refused", "error": exc.reason}, False))
        try:
            await asyncio.wait_for(writer.drain(), self.options.timeout)
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass


async def main(queue, args):
    """ansible-rulebook's entry point: serve until cancelled."""
    options = Options(args)
    verifier = None if options.allow_unsigned else Verifier(options.secrets)
    server = Server(Receiver(verifier, queue, options.event_types, options.dedup_size, options.queue_timeout), options)
    host, port = await server.start()
    if options.allow_unsigned:
        logger.warning("PagerDuty webhook: accepting UNSIGNED deliveries on %s:%s (allow_unsigned: local tests only)",
                       host, port)
    logger.info("PagerDuty webhook: listening on %s:%s (%s)", host, port, "https" if options.certfile else "http")
    try:
        await asyncio.Future()
    except asyncio.CancelledError:
        logger.info("PagerDuty webhook: stopping")
    finally:
        await server.close()
        server.refusals.flush()


if __name__ == "__main__":
    # Manual test: python webhook.py PORT, with the secret in the environment variable PAGERDUTY_WEBHOOK_SECRET (never
    # on the command line); prints each queued event as one JSON line.
    import os
    import sys

    class _PrintQueue(asyncio.Queue):
        async def put(self, item):
            print(json.dumps(item), flush=True)

    logging.basicConfig(level=logging.INFO)
    _secret = os.environ.get("PAGERDUTY_WEBHOOK_SECRET")
    asyncio.run(main(_PrintQueue(), {"port": int(sys.argv[1]) if len(sys.argv) > 1 else 5000, "secret": _secret,
                                     "allow_unsigned": not _secret}))
