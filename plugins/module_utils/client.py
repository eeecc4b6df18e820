# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one PagerDuty client every module and the notify callback use.

It speaks both of PagerDuty's APIs: the REST API v2 (token, versioned ``Accept``
header, ``From`` on the writes that need it, classic pagination) and the Events
API v2 (alert and change events).  Paths and bodies come from the API layer
(``module_utils/_api/``); this module only sends them.

Retries follow PagerDuty's contract; each request says what may be repeated
with a named :class:`RetryPolicy` (:data:`SAFE`, :data:`RETRY_ON_STATUS`,
:data:`UNSAFE`):

* 429 waits for ``ratelimit-reset`` (or ``Retry-After``) plus a little jitter,
  otherwise exponential backoff.  A 429 means nothing was done, so every request
  may be repeated after it.
* 500, 502, 503, 504, timeouts and broken connections are retried for requests
  that are safe to repeat (reads, PUT, DELETE, alert events with a dedup key);
  a change event retries PagerDuty's error answers but not a lost answer.
* A write that is not safe to repeat is never sent twice blindly: the caller
  passes ``confirm``, a function that re-reads PagerDuty and returns the result
  of the write if it did land (or None if it did not).  Without ``confirm`` the
  client stops with :class:`PagerDutyUncertainWriteError`.
* All waiting together stays under ``max_retry_wait`` seconds; then the client
  stops with :class:`PagerDutyRetryError`, naming the last failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import math
import random
import socket
import threading
import time
import traceback
from collections import deque

from urllib.parse import urlsplit

try:
    import requests
    from requests.exceptions import ConnectTimeout, ConnectionError as RequestsConnectionError, SSLError, Timeout
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import EVENTS_PATHS
from ansible_collections.oncall.pagerduty.plugins.module_utils.answers import (
    Listing, count_of, decoded, error_fields, json_or_text, text_of)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (  # noqa: F401 (re-exported)
    PagerDutyAnswerError, PagerDutyAPIError, PagerDutyConfigError, PagerDutyError, PagerDutyRetryError,
    PagerDutyTransportError, PagerDutyUncertainWriteError)
from ansible_collections.oncall.pagerduty.plugins.module_utils.version import COLLECTION_VERSION

REGIONS = {
    "us": ("https://api.pagerduty.com", "https://events.pagerduty.com"),
    "eu": ("https://api.eu.pagerduty.com", "https://events.eu.pagerduty.com"),
}
ACCEPT = "application/vnd.pagerduty+json;version=2"
USER_AGENT = "oncall.pagerduty/%s" % COLLECTION_VERSION
RETRY_STATUSES = (500, 502, 503, 504)
PAGE_LIMIT = 100
PAGINATION_CAP = 10000
MAX_ANSWER_BYTES = 16 * 2 ** 20     # far above any answer of PagerDuty's (100 objects a page)
MAX_RESET = 3600.0                  # seconds; PagerDuty's rate-limit windows are a minute


class _RateBudget(object):
    """What PagerDuty's ``ratelimit-*`` headers last said, shared by the threads of one client."""

    def __init__(self, reserve):
        self.reserve = reserve
        self._lock = threading.Lock()
        self._remaining = None
        self._reset_at = 0.0

    def update(self, headers, now):
        remaining = headers.get("ratelimit-remaining")
        reset = headers.get("ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            remaining, reset = int(remaining), float(reset)
        except ValueError:
            return
        if not 0 <= reset <= MAX_RESET:     # (nan, inf and negative resets are not believed)
            return
        with self._lock:
            self._remaining = remaining
            self._reset_at = now + reset

    def delay(self, now):
        """Seconds to hold off so that concurrent requests stay inside the limit."""
        with self._lock:
            if self._remaining is None or self._remaining > self.reserve or now >= self._reset_at:
                if self._remaining is not None:
                    self._remaining -= 1
                return 0.0
            return self._reset_at - now


def normalise_events_url(url):
    """The Events API base URL, also from a pasted endpoint (``.../v2/enqueue``, ``.../v2/change/enqueue``)."""
    url = url.rstrip("/")
    for path in EVENTS_PATHS:
        if url.endswith(path):
            return url[:-len(path)].rstrip("/")
    return url


class RetryPolicy(object):
    """What may be sent again after an attempt failed.

    ``after_error_status``: PagerDuty answered 500, 502, 503 or 504.
    ``after_lost_answer``: the request left, but no answer came back (a timeout,
    a connection reset), so PagerDuty may have carried it out.
    A 429, or a connection that was never made, is always retried: nothing was done.
    """

    def __init__(self, name, after_error_status, after_lost_answer):
        self.name = name
        self.after_error_status = after_error_status
        self.after_lost_answer = after_lost_answer

    def __repr__(self):
        return "RetryPolicy(%s)" % self.name


# Reads, and writes that set a state (PUT, DELETE, an alert event with its dedup key): repeating them is harmless.
SAFE = RetryPolicy("SAFE", after_error_status=True, after_lost_answer=True)
# A change event: PagerDuty's error answer means it was not taken, but a lost answer may hide one that was.
RETRY_ON_STATUS = RetryPolicy("RETRY_ON_STATUS", after_error_status=True, after_lost_answer=False)
# A create, a note, an escalation: never sent twice blindly; the caller's ``confirm`` reads whether it landed.
UNSAFE = RetryPolicy("UNSAFE", after_error_status=False, after_lost_answer=False)

# What to do after a failed attempt
_RETRY, _CONFIRM, _RAISE = "retry", "confirm", "raise"


class _Call(object):
    """One request as the retry loop sends it, again if need be."""

    def __init__(self, method, url, path, api, headers, params=None, body=None, retry=SAFE, confirm=None):
        self.method = method
        self.url = url
        self.path = path
        self.api = api
        self.headers = headers
        self.params = params
        self.data = None if body is None else json.dumps(body, separators=(",", ":"))
        self.retry = retry
        self.confirm = confirm
        self.request = "%s %s" % (method, path)     # how messages name it


class PagerDutyClient(object):
    """A connection-reusing session for PagerDuty's REST and Events APIs.

    The API layer (``module_utils/_api/``) builds the paths and bodies; this class
    only sends them, with PagerDuty's retry rules, and reads paginated listings.
    """

    def __init__(self, api_token=None, from_email=None, region="us", api_url=None, events_url=None,
                 timeout=30, validate_certs=True, max_retry_wait=60, concurrency=8,
                 sleep=time.sleep, clock=time.monotonic, session=None):
        if not HAS_REQUESTS:
            raise PagerDutyConfigError("the Python library 'requests' is required")
        if region not in REGIONS:
            raise PagerDutyConfigError("region must be one of %s, got %r" % (", ".join(sorted(REGIONS)), region))
        default_api, default_events = REGIONS[region]
        self.api_url = (api_url or default_api).rstrip("/")
        self.events_url = normalise_events_url(events_url or default_events)
        self.api_token = api_token
        self.from_email = from_email
        self.timeout = timeout
        self.max_retry_wait = max_retry_wait
        self.concurrency = max(1, int(concurrency))
        self._sleep = sleep
        self._clock = clock
        self._budget = _RateBudget(reserve=self.concurrency)
        self.session = session or requests.Session()
        self.session.verify = validate_certs
        self.session.headers.update({"User-Agent": USER_AGENT, "Content-Type": "application/json"})
        self.writes = []        # (method, path) of each write PagerDuty accepted
        self._writes_lock = threading.Lock()

    # -- REST ----------------------------------------------------------------------
    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body=None, needs_from=False, retry=UNSAFE, confirm=None):
        return self.request("POST", path, body=body, needs_from=needs_from, retry=retry, confirm=confirm)

    def put(self, path, body=None, needs_from=False, retry=SAFE, confirm=None):
        return self.request("PUT", path, body=body, needs_from=needs_from, retry=retry, confirm=confirm)

    def delete(self, path, needs_from=False):
        return self.request("DELETE", path, needs_from=needs_from)

    def request(self, method, path, params=None, body=None, needs_from=False, retry=None, confirm=None):
        """Send one REST request with PagerDuty's retry rules; return the decoded JSON (None for 204).

        ``retry`` is a :class:`RetryPolicy`: by default :data:`SAFE` for GET, PUT
        and DELETE, :data:`UNSAFE` for POST.  ``confirm`` is called after an
        uncertain failure of an unsafe write; it returns the write's result if
        the write did land, else None (and the write is sent again).
        """
        if retry is None:
            retry = UNSAFE if method == "POST" else SAFE
        call = _Call(method, self.api_url + path, path, "rest", self._rest_headers(needs_from), params=params,
                     body=body, retry=retry, confirm=confirm)
        return self._send(call)

    def _rest_headers(self, needs_from):
        if not self.api_token:
            raise PagerDutyConfigError("api_token is required for the PagerDuty REST API "
                                       "(set api_token or PAGERDUTY_API_TOKEN)")
        headers = {"Accept": ACCEPT, "Authorization": "Token token=%s" % self.api_token}
        if needs_from:
            if not self.from_email:
                raise PagerDutyConfigError("from_email is required: PagerDuty needs a From header naming the acting "
                                           "user for this change (set from_email or PAGERDUTY_FROM_EMAIL)")
            headers["From"] = self.from_email
        return headers

    # -- Events API (see _api/events.py) ---------------------------------------------
    def events_request(self, path, body, retry):
        """POST ``body`` to the Events API (no token: the routing key is in the body)."""
        return self._send(_Call("POST", self.events_url + path, path, "events", {}, body=body, retry=retry))

    # -- the retry loop: attempt, classify, wait -----------------------------------------
    def _send(self, call):
        waited = 0.0
        attempts = 0
        while True:
            attempts += 1
            waited += self._hold_for_rate_limit(call, attempts, waited)
            answer, failure, response = self._attempt(call)
            if failure is None:
                return answer
            action = self._classify(call, failure, response)
            if action == _RAISE:
                raise failure
            if action == _CONFIRM:
                confirmed = self._confirm(call, failure)
                if confirmed is not None:
                    return confirmed
            delay = self._delay(attempts, response)
            if waited + delay > self.max_retry_wait:
                raise PagerDutyRetryError(call.method, call.path, attempts, waited, failure)
            self._sleep(delay)
            waited += delay

    def _hold_for_rate_limit(self, call, attempts, waited):
        """Wait while the REST rate limit is nearly used up by this client's requests; the seconds waited."""
        hold = self._budget.delay(self._clock()) if call.api == "rest" else 0.0
        if hold <= 0:
            return 0.0
        if waited + hold > self.max_retry_wait:
            raise PagerDutyRetryError(call.method, call.path, attempts - 1, waited, PagerDutyError(
                "the rate limit is used up for %.0f s more" % hold))
        self._sleep(hold)
        return hold

    def _attempt(self, call):
        """``(answer, failure, response)`` of one exchange.

        ``failure`` is None when PagerDuty answered with success (``answer`` is its
        decoded JSON, or None for an empty answer); ``response`` is given with an
        error status.  An answer that broke off, trickled past ``timeout`` or cannot
        be decoded is a failure without a response, like a lost answer.
        """
        try:
            response = self.session.request(call.method, call.url, params=call.params, data=call.data,
                                            headers=call.headers, timeout=self.timeout, stream=True,
                                            allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            return None, self._transport_error(call, exc), None
        except ValueError as exc:   # (requests reading the answer: a redirect's Location that is not a URL, ...)
            raise PagerDutyAnswerError(call.request, "the answer could not be read (%s): a redirect to a location "
                                       "that is not a URL, say; it is not followed" % text_of(str(exc), 80))
        status = response.status_code
        if 200 <= status < 300:
            self._record_write(call)        # (carried out, whatever the answer's body turns out to be)
        try:
            raw = self._body(call, response)
        except PagerDutyTransportError as failure:
            return None, failure, None
        if call.api == "rest":
            self._budget.update(response.headers, self._clock())
        if 300 <= status < 400:
            raise PagerDutyAnswerError(call.request, redirect_problem(status, response.headers.get("Location")))
        if status >= 400:
            return None, self._api_error(response, raw, call), response
        if status == 204 or not raw:
            return None, None, response
        try:
            return decoded(raw, call.request, status, response.headers.get("Content-Type")), None, response
        except PagerDutyAnswerError as failure:
            return None, failure, None

    def _body(self, call, response):
        """The answer's bytes, at most MAX_ANSWER_BYTES, read within ``timeout`` seconds in all.

        (The read timeout of ``requests`` bounds each wait for a byte, not the whole answer: a
        server that trickles bytes would hold the client for ever.  A timer cuts the connection.)
        """
        late = _Cutoff(response, self.timeout)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise PagerDutyAnswerError(call.request, "the answer is larger than %d MB, far larger than any "
                                               "of PagerDuty's; it was not read" % (MAX_ANSWER_BYTES // 2 ** 20))
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            if not late.fired:
                raise PagerDutyTransportError(call.method, call.url, "the answer broke off (%s)" % _reason(exc),
                                              sent=True)
        finally:
            late.cancel()
            response.close()
        if late.fired:
            raise PagerDutyTransportError(call.method, call.url, "the answer was still coming in after %s s"
                                          % self.timeout, sent=True)
        return b"".join(chunks)

    def _transport_error(self, call, exc):
        """The failure of an exchange that got no answer; raised at once when retrying cannot help."""
        method, url = call.method, call.url
        if isinstance(exc, SSLError):
            raise PagerDutyTransportError(method, url, "TLS error (%s); check the URL, the CA bundle, or set "
                                          "validate_certs=false for a test endpoint" % _reason(exc), sent=False)
        if isinstance(exc, ConnectTimeout):
            return PagerDutyTransportError(method, url, "connection timed out (%s)" % _reason(exc), sent=False)
        if isinstance(exc, Timeout):
            return PagerDutyTransportError(method, url, "no answer within %s s (%s)" % (self.timeout, _reason(exc)),
                                           sent=True)
        if isinstance(exc, RequestsConnectionError):
            if _unresolvable(exc):
                raise PagerDutyTransportError(method, url, "the host name does not resolve; check region, api_url "
                                              "and events_url", sent=False)
            return PagerDutyTransportError(method, url, _reason(exc), sent=_maybe_sent(exc))
        raise PagerDutyTransportError(method, url, _reason(exc), sent=False)

    @staticmethod
    def _classify(call, failure, response):
        """What to do after a failed attempt: retry it, confirm whether it landed, or raise."""
        if response is not None:
            if response.status_code == 429:
                return _RETRY
            if response.status_code not in RETRY_STATUSES:
                return _RAISE
            return _RETRY if call.retry.after_error_status else _CONFIRM
        if not failure.sent or call.retry.after_lost_answer:
            return _RETRY
        return _CONFIRM

    def _confirm(self, call, failure):
        """The write's result when ``call.confirm`` finds it landed; None when it did not (send it again)."""
        if call.confirm is None:
            raise PagerDutyUncertainWriteError(
                "%s; it was not retried because repeating %s %s could apply it twice - check PagerDuty before "
                "running again" % (failure, call.method, call.path))
        confirmed = call.confirm()
        if confirmed is not None:
            self._record_write(call)
        return confirmed

    def _record_write(self, call):
        if call.method not in ("GET", "HEAD"):
            with self._writes_lock:
                self.writes.append((call.method, call.path))

    @staticmethod
    def _delay(attempts, response):
        if response is not None and response.status_code == 429:
            reset = _seconds(response.headers.get("ratelimit-reset"))
            if reset is None:
                reset = _retry_after(response.headers.get("Retry-After"))
            if reset is not None:
                return reset + random.uniform(0.05, 0.05 + min(1.0, 0.1 * reset))
        base = min(8.0, 0.5 * (2 ** (attempts - 1)))
        return base / 2 + random.uniform(0, base / 2)

    @staticmethod
    def _api_error(response, raw, call):
        body = json_or_text(raw)
        code, message, errors = error_fields(body, call.api)
        if message is None:
            message = text_of(response.reason)
        return PagerDutyAPIError(response.status_code, call.method, call.url, call.path, code=code, message=message,
                                 errors=errors, api=call.api, body=body if isinstance(body, dict) else None)

    # -- pagination -------------------------------------------------------------------------
    def list_all(self, path, key, params=None, max_items=None, first=None):
        """Every item of a classic-paginated collection, in PagerDuty's order, once each.

        Returns ``(items, info)`` where ``info`` has ``total`` (as PagerDuty
        counted them, or None), ``truncated`` (the 10,000 cap or ``max_items``
        stopped the listing) and ``pages``.  ``first`` is a first page (offset 0)
        the caller already has; the listing goes on from it.

        Nothing in the answers is trusted: the offset steps by the items each page
        held, a page that adds nothing new ends the listing (one that repeats items
        while ``more`` is true is an error), and at most ceil(items / 100) + 2
        requests are sent.  When the first page is full and tells the total, and
        the last page PagerDuty should have agrees with it, the pages between are
        fetched concurrently, a few at a time.
        """
        params = dict(params or {})
        cap = PAGINATION_CAP if max_items is None else max(1, min(PAGINATION_CAP, max_items))
        limit = min(PAGE_LIMIT, cap)
        if first is None:
            first = self.get(path, dict(params, limit=limit, offset=0, total="true"))
        listing = Listing("GET %s" % path, key, cap, page_size=limit)
        listing.requests = 1
        more = listing.add(first)
        total = count_of(first.get("total")) if isinstance(first, dict) else None
        if more and total is not None and self.concurrency > 1 and listing.offset == limit:
            more = self._fetch_concurrently(path, params, listing, limit, min(total, cap))
        while more:
            if listing.offset >= PAGINATION_CAP:    # (PagerDuty answers no offset beyond it)
                listing.truncated = True
                break
            listing.check_budget()
            listing.requests += 1
            more = listing.add(self.get(path, dict(params, limit=min(limit, cap - len(listing.items),
                                                                     PAGINATION_CAP - listing.offset),
                                                   offset=listing.offset)))
        return listing.items, {"total": total, "truncated": listing.truncated, "pages": listing.pages}

    def _fetch_concurrently(self, path, params, listing, limit, expected):
        """Read the pages up to ``expected`` items a few at a time; whether the listing goes on after them.

        The last page is read first: when it does not hold what the total promised, the
        total is not believed and the listing goes on one page at a time.  A page between
        that comes back short ends the concurrent reading (at most ``concurrency`` pages
        were asked for beyond it): the listing goes on from it.
        """
        offsets = list(range(listing.offset, expected, limit))
        if len(offsets) < 2:
            return True
        listing.requests += 1
        last = self.get(path, dict(params, limit=limit, offset=offsets[-1]))
        if len(listing.page_items(last)) != expected - offsets[-1] or not listing.is_new(last):
            return True             # (not the page the total promised: the same page whatever the offset, say)
        for page in self._pages(path, params, limit, offsets[:-1], listing):
            if len(listing.page_items(page)) != limit:
                return True         # (short: the listing goes on from this page, one page at a time)
            if not listing.add(page):
                return False
        return listing.add(last)

    def _pages(self, path, params, limit, offsets, listing):
        """The pages at ``offsets``, in order, fetched by a pool of ``concurrency`` threads that runs at most
        ``concurrency`` pages ahead of the caller; when the caller stops taking them (an anomaly), no page
        further is asked for."""
        from concurrent.futures import ThreadPoolExecutor

        def fetch(offset):
            return self.get(path, dict(params, limit=limit, offset=offset))

        def submit(offset):
            listing.requests += 1
            return pool.submit(fetch, offset)
        width = min(self.concurrency, len(offsets) or 1)
        waiting = deque(offsets)
        with ThreadPoolExecutor(max_workers=width) as pool:
            running = deque(submit(waiting.popleft()) for dummy in range(min(width, len(waiting))))
            try:
                while running:
                    page = running.popleft().result()
                    if waiting:
                        running.append(submit(waiting.popleft()))
                    yield page
            finally:
                for future in running:
                    if future.cancel():         # (never sent)
                        listing.requests -= 1


class _Cutoff(object):
    """Cuts an answer's connection when reading it takes longer than ``seconds`` (0: never)."""

    def __init__(self, response, seconds):
        self.fired = False
        self._response = response
        self._timer = threading.Timer(seconds, self._cut) if seconds else None
        if self._timer is not None:
            self._timer.daemon = True
            try:
                self._timer.start()
            except RuntimeError:    # (no new threads at interpreter shutdown: each read is still bounded by timeout)
                self._timer = None

    def _cut(self):
        self.fired = True
        connection = getattr(getattr(self._response, "raw", None), "_connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)     # (a read blocked on the socket returns at once)
            except OSError:
                pass

    def cancel(self):
        if self._timer is not None:
            self._timer.cancel()


def redirect_problem(status, location):
    """Why a redirect is not followed: the token and the routing key must reach no other host."""
    try:
        host = urlsplit(location or "").netloc or "a location it did not say"
    except ValueError:          # (not a URL, such as "http://[host")
        host = location
    return ("the answer is a %d redirect to %s, which is not followed (the token and routing key go only to the "
            "configured host); check api_url, events_url and region" % (status, text_of(host, 80)))


def _reason(exc):
    """A short reason for a transport error, without URLs or headers."""
    text = str(exc)
    for marker in ("Caused by ", "Connection aborted.', "):
        if marker in text:
            text = text.split(marker, 1)[1]
    text = text.strip("()'\" ")
    return text[:200] or exc.__class__.__name__


def _unresolvable(exc):
    text = repr(exc)
    return any(marker in text for marker in ("NameResolutionError", "Name or service not known",
                                             "nodename nor servname", "Failed to resolve",
                                             "Temporary failure in name resolution"))


def _maybe_sent(exc):
    """False only when the connection was never made (refused, unreachable), so nothing reached PagerDuty."""
    text = repr(exc)
    for marker in ("NewConnectionError", "Connection refused", "No route to host"):
        if marker in text:
            return False
    return True


def _seconds(value):
    """A number of seconds a header says (nan, infinite or unreadable: None; negative: 0)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _retry_after(value):
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
