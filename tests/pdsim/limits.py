"""PagerDuty's rate limits: fixed windows per caller, with the ``ratelimit-*`` headers PagerDuty answers.

Who is limited (REST API, since PagerDuty's November 2023 refresh): "User API Keys act as a PagerDuty User and are
limited as such. Each user is allowed 960 requests per minute across all of the user's API keys", while "Each
Account API Key is allowed 960 requests per minute" (support.pagerduty.com "REST API Rate Limits", and PagerDuty's
answer in community.pagerduty.com "Rest Api Rate Limit", #151).  So the simulator counts a user's requests together
whichever of their keys they use, and an account key (one that acts as no user) on its own.

Operation specific limits: PagerDuty's OpenAPI document says of ``POST /incidents``, ``PUT /incidents`` and
``GET /oncalls`` "This API operation has operation specific rate limits" and gives no number.  **Uncertain**: the
only numbers PagerDuty staff have given are 303 incident creations and 400 ``/oncalls`` requests a minute
(community.pagerduty.com "Rate limiting", #5879, when the general limit was 2,000), with the warning that they are
not published because they change.  The simulator uses those, and the same as incident creation for the bulk
``PUT /incidents``, for which no number is given anywhere; ``POST /_sim/config`` changes them.  A request to such an
operation counts towards both its own limit and the general one.  The Events API is limited per routing key
(120 events a minute per integration key: PagerDuty staff on community.pagerduty.com, "Monitoring API rate
limiting"; its OpenAPI document only says 429 is "Too many API calls at a time").
"""

import math
import threading
import time

OPERATION_RATE_LIMITS = {"POST /incidents": 303, "PUT /incidents": 303, "GET /oncalls": 400}


class RateLimiter(object):
    """One limit: at most ``limit`` requests per caller in each fixed window of ``window`` seconds (0: off)."""

    def __init__(self, limit, window=60.0):
        self.limit = limit
        self.window = window
        self._counts = {}
        self._lock = threading.Lock()

    def hit(self, key):
        """(allowed, headers) for one request by ``key``."""
        now = time.monotonic()
        with self._lock:
            start, count = self._counts.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            count += 1
            self._counts[key] = (start, count)
        if not self.limit:
            return True, {}
        reset = max(1, int(math.ceil(self.window - (now - start))))
        headers = {"ratelimit-limit": str(self.limit), "ratelimit-remaining": str(max(0, self.limit - count)),
                   "ratelimit-reset": str(reset)}
        return count <= self.limit, headers

    def reset(self):
        with self._lock:
            self._counts = {}


def rest_caller(token, entry):
    """Whose budget a REST request spends: the user's (every key of theirs together), or the account key's."""
    return ("user", entry["user_id"]) if entry.get("user_id") else ("account key", token)


class RestLimits(object):
    """The REST API's general limit per caller and the operation specific ones; with the general limit off (0),
    all of them are off (the benchmarks' simulator)."""

    def __init__(self, limit, operations=None, window=60.0):
        self.general = RateLimiter(limit, window)
        self.operations = {}
        self.configure(operations=OPERATION_RATE_LIMITS if operations is None else operations)

    @property
    def limit(self):
        return self.general.limit

    @limit.setter
    def limit(self, value):
        self.general.limit = value

    @property
    def window(self):
        return self.general.window

    def configure(self, operations=None, window=None):
        """New operation limits (``{"POST /incidents": N, ...}``) and/or a new window (seconds) for every limit."""
        window = self.general.window if window is None else float(window)
        if window <= 0:
            raise ValueError("the window must be more than 0 seconds")
        self.general.window = window
        if operations is not None:
            self.operations = {str(op): RateLimiter(int(n), window) for op, n in operations.items()}
        for limiter in self.operations.values():
            limiter.window = window
        self.reset()

    def operation_limits(self):
        return {op: limiter.limit for op, limiter in sorted(self.operations.items())}

    def hit(self, caller, method, path):
        """(allowed, headers) for one request: the general limit's headers, or the operation's when it refuses."""
        allowed, headers = self.general.hit(caller)
        operation = self.operations.get("%s %s" % (method, path))
        if operation is not None and self.general.limit:
            operation_allowed, operation_headers = operation.hit(caller)
            if allowed and not operation_allowed:
                return False, operation_headers
        return allowed, headers

    def reset(self):
        self.general.reset()
        for limiter in self.operations.values():
            limiter.reset()
