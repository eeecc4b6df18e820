# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The notify callback's background sender: events go out one after another, in order, off the play's thread.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.

Rules:

* Events are sent in the order they were queued, by one daemon thread, so the
  play never waits for PagerDuty except at the very end (and then for a bounded
  time, see :meth:`EventSender.wait`).
* PagerDuty refusing an event for good (400 or 413: an invalid event, an
  unknown routing key, a body too large; or a 2xx answer whose status is an
  error) drops that event: resending it can never succeed.
* A failure that may go away (PagerDuty down, slow, 429 or 5xx for longer than
  the client's bounded retries) pauses the sender: that event stays first in
  the queue, and it is tried again when the next event is queued and when the
  caller waits for delivery, until the caller's wait runs out.
* Any other failure (a 404 from a wrong events URL, a TLS or DNS error) stops
  the sender for this process: retrying within the run cannot help, so that
  event and every later one stay undelivered, in order, for the caller to spool.
* Nothing is ever sent out of order, and the routing key is added to an event
  only at the moment it is sent; queued entries never hold it.
* The thread never prints anything; the caller reports from the main thread.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import threading
import time

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyAPIError, PagerDutyRetryError

REFUSED_STATUSES = (400, 413)      # PagerDuty will never take this event
TRANSIENT_STATUSES = (408, 429)    # plus every 5xx


def _refused(exc):
    """True when PagerDuty answered that it will never take this event (so it must not be spooled)."""
    return isinstance(exc, PagerDutyAPIError) and exc.status in REFUSED_STATUSES


def _transient(exc):
    """True for a failure that may be gone in a moment: worth another try within the run."""
    if isinstance(exc, PagerDutyRetryError):
        return True
    status = getattr(exc, "status", None) if isinstance(exc, PagerDutyAPIError) else None
    return isinstance(status, int) and (status in TRANSIENT_STATUSES or status >= 500)


def _error_answer(answer):
    """PagerDuty's reason when it answered 2xx but with an error status instead of ``success``, else None."""
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
        return None
    if answer["status"].strip().lower() == "success":
        return None
    return ": ".join(str(part) for part in (answer["status"], answer.get("message")) if part)


class EventSender(object):
    """Queue of spool entries (``{"id", "created", "key", "event"}``) sent by a daemon thread."""

    def __init__(self, send, routing_key, name="oncall.pagerduty.notify sender", retry_pause=1.0):
        self._send = send                  # callable(event_with_routing_key) -> answer; raises on failure
        self._routing_key = routing_key
        self._name = name
        self._retry_pause = retry_pause    # seconds between tries while the caller waits
        self._queue = collections.deque()
        self._cond = threading.Condition()
        self._thread = None
        self._in_flight = None
        self._paused = False               # a transient failure: the first queued event waits for the next try
        self._stopped = False              # for good: nothing more is sent by this sender
        self.delivered = []                # ids, in delivery order
        self.refused = []                  # (entry, reason)
        self.failure = None                # the last failure, one line
        self.failure_status = None         # its HTTP status, if PagerDuty answered

    # -- producer side (play's thread, timer thread) ------------------------------------
    def start(self):
        """Start the thread now (it idles until something is queued).

        Started early on purpose: Python refuses to start threads while the
        interpreter is shutting down, which is when an aborted run is reported.
        """
        with self._cond:
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name=self._name)
                self._thread.daemon = True   # never keeps the process alive; the caller bounds the wait
                self._thread.start()

    def put(self, entry):
        """Queue an entry; after a transient failure, this is also the next try of the events waiting."""
        self.start()
        with self._cond:
            self._queue.append(entry)
            self._paused = False
            self._cond.notify_all()

    def wait(self, timeout):
        """Wait until every queued event is delivered or refused; at most ``timeout`` s.

        Events held back by a transient failure are tried again at once, and again
        every ``retry_pause`` seconds while time is left.  Returns True when
        nothing is left to send.  When the time runs out (or the sender stopped),
        the sender stops for good and what is still queued or in flight is
        :meth:`undelivered`.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            self._resume()
            while not self._stopped and (self._queue or self._in_flight is not None):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self._paused and remaining <= self._retry_pause):
                    self._stop("PagerDuty did not answer within %s s" % _seconds(timeout))
                    return False
                if self._paused:
                    self._cond.wait(self._retry_pause)
                    self._resume()
                else:
                    self._cond.wait(remaining)
            return not self._queue and self._in_flight is None

    def stop(self, reason):
        """Stop for good now (the caller gives up waiting); what is not delivered is :meth:`undelivered`."""
        with self._cond:
            self._stop(reason)

    def undelivered(self):
        """Take the entries not delivered, in order."""
        with self._cond:
            entries = list(self._queue)
            self._queue.clear()
            return entries

    def take_refused(self):
        """Take the ``(entry, reason)`` pairs of the events PagerDuty refused since the last call."""
        with self._cond:
            refused, self.refused = self.refused, []
            return refused

    @property
    def stopped(self):
        with self._cond:
            return self._stopped

    # -- state changes (holding the condition's lock) ---------------------------------------
    def _resume(self):
        if self._paused:
            self._paused = False
            self._cond.notify_all()

    def _stop(self, reason):
        if self._stopped:
            return
        self._stopped = True
        if self._in_flight is not None:
            # no answer yet: given back to the caller (PagerDuty may still take it; a repeat is harmless)
            self._queue.appendleft(self._in_flight)
            self._in_flight = None
            self.failure, self.failure_status = reason, None
        elif self.failure is None:
            self.failure = reason
        self._cond.notify_all()

    # -- the thread ------------------------------------------------------------------------
    def _run(self):
        while True:
            with self._cond:
                while not self._stopped and (self._paused or not self._queue):
                    self._cond.wait()
                if self._stopped:
                    return
                entry = self._queue.popleft()
                self._in_flight = entry
            failure = None
            answer = None
            try:
                answer = self._send(dict(entry["event"], routing_key=self._routing_key))
            except Exception as exc:  # the play must never see it
                failure = exc
            with self._cond:
                if self._stopped:       # the caller gave up waiting and took this entry back already
                    return
                self._in_flight = None
                if failure is None:
                    refusal = _error_answer(answer)
                    if refusal:
                        self.refused.append((entry, refusal))
                    else:
                        self.delivered.append(entry["id"])
                        self.failure = self.failure_status = None
                elif _refused(failure):
                    self.refused.append((entry, _line(failure)))
                else:
                    self._queue.appendleft(entry)
                    self.failure = _line(failure)
                    self.failure_status = _status(failure)
                    if _transient(failure):
                        self._paused = True
                    else:
                        self._stopped = True
                self._cond.notify_all()
                if self._stopped:
                    return


def _status(exc):
    error = getattr(exc, "last", exc)
    status = getattr(error, "status", None) if isinstance(error, PagerDutyAPIError) else None
    return status if isinstance(status, int) else None


def _line(exc):
    text = str(exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:300]


def _seconds(value):
    return ("%.1f" % value).rstrip("0").rstrip(".")
