"""Sends the webhooks the model builds (:mod:`pdsim.model.webhooks`), on a thread of its own, as PagerDuty does.

The model hands each webhook over (``dispatch``) while the request that caused it holds the account's lock; this
thread POSTs it afterwards, so deliveries never hold up the simulator's answers.  One thread sends them one after
the other, in the order they were made: PagerDuty "sends webhooks for a given extension and incident combination in
the order that they were generated", and while it retries one, "subsequent webhooks for this extension or
subscription and resource ID will be queued" (docs/webhooks/02-Behavior.md, "Ordering", "Temporary Errors and
Retries").

What is retried and what is dropped, from the same page: no answer or a timeout (PagerDuty expects a 2xx "within 5
seconds"), a 5xx, a 429, or a connection that cannot be made are retried; any other 4xx, or a TLS error, drops the
webhook.  PagerDuty retries "for up to 48 hours"; the simulator compresses that into ``delays`` (seconds before each
retry, settable with ``POST /_sim/config {"webhook_retry_delays": [...]}``) and drops the webhook after the last.
"""

import collections
import http.client
import ssl
import threading
import time
import urllib.parse

TIMEOUT = 5.0
DEFAULT_DELAYS = (0.1, 0.2, 0.4, 0.8, 1.6)


def post(url, headers, body, timeout=TIMEOUT):
    """POST once: the status code, or the name of the error (a string) when there was no answer."""
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", (parts.path or "/") + ("?" + parts.query if parts.query else ""), body, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except ssl.SSLError:
        return "tls error"
    except (OSError, http.client.HTTPException) as exc:
        return "timeout" if "timed out" in str(exc) else exc.__class__.__name__
    finally:
        connection.close()


def verdict(outcome):
    """"delivered", "dropped", or None (retry) for one attempt's outcome (docs/webhooks/02-Behavior.md)."""
    if isinstance(outcome, int):
        if 200 <= outcome < 300:
            return "delivered"
        if outcome == 429 or outcome >= 500:
            return None
        return "dropped"
    return "dropped" if outcome == "tls error" else None


class Deliverer(object):
    """A queue of webhooks and the thread that sends them; ``wait`` returns once all are sent (or dropped)."""

    def __init__(self, delays=DEFAULT_DELAYS, send=post):
        self.delays = list(delays)
        self._send = send
        self._jobs = collections.deque()
        self._busy = False
        self._generation = 0
        self._condition = threading.Condition()
        self._thread = None

    def submit(self, account, webhook_id, url, headers, body):
        """Queue one webhook of ``account`` (its ``webhooks.attempted`` hears of each attempt)."""
        with self._condition:
            self._jobs.append((self._generation, account, webhook_id, url, headers, body))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pdsim webhooks", daemon=True)
                self._thread.start()
            self._condition.notify_all()

    def clear(self):
        """Forget the webhooks not yet sent (a reset); one being retried stops after its current attempt."""
        with self._condition:
            self._jobs.clear()
            self._generation += 1
            self._condition.notify_all()

    def wait(self, timeout):
        """Whether every queued webhook was sent or dropped within ``timeout`` seconds."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._jobs and not self._busy, timeout)

    def _run(self):
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._jobs)
                job = self._jobs.popleft()
                self._busy = True
            try:
                self._deliver(*job)
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()

    def _deliver(self, generation, account, webhook_id, url, headers, body):
        delays = list(self.delays)
        for attempt in range(len(delays) + 1):
            outcome = self._send(url, headers, body)
            final = verdict(outcome)
            if final is None and attempt == len(delays):
                final = "dropped"
            with account.lock:
                account.webhooks.attempted(webhook_id, outcome, final)
            if final is not None or not self._sleep(delays[attempt], generation):
                return

    def _sleep(self, seconds, generation):
        """Wait before a retry; False when a reset came meanwhile."""
        deadline = time.monotonic() + seconds
        with self._condition:
            while self._generation == generation:
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                self._condition.wait(left)
        return False
