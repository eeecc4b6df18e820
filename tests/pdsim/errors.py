"""Errors raised by the simulator's model and HTTP layer.

Every error is a typed exception carrying what PagerDuty would answer; one
renderer (:func:`render`) turns it into PagerDuty's own error body, so the
model never builds HTTP responses itself.
"""


class ApiError(Exception):
    """A REST API error, rendered as ``{"error": {"message", "code", "errors"}}``.

    The base of :class:`InvalidInput`, :class:`NotFound` and the others.  (Named apart from the collection's own
    ``PagerDutyError``, which its client raises for any failure.)
    """

    status = 400
    code = 2001
    message = "Invalid Input Provided"

    def __init__(self, *errors, message=None, code=None, status=None, headers=None):
        super().__init__(message or self.message)
        self.errors = [str(e) for e in errors]
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})

    def body(self):
        error = {"message": self.message, "code": self.code}
        if self.errors:
            error["errors"] = self.errors
        return {"error": error}

    def __str__(self):
        return "%s %s: %s %s" % (self.status, self.code, self.message, "; ".join(self.errors))


class InvalidInput(ApiError):
    status, code, message = 400, 2001, "Invalid Input Provided"


class ArgumentsCausedError(ApiError):
    status, code, message = 400, 2002, "Arguments Caused Error"


class MissingArguments(ApiError):
    status, code, message = 400, 2003, "Missing Arguments"


class Unauthorized(ApiError):
    status, code, message = 401, 2006, "Authentication failed"


class PaymentRequired(ApiError):
    status, code, message = 402, 2014, "Missing Account Ability"


class Forbidden(ApiError):
    status, code, message = 403, 2010, "Access Denied"


class NotFound(ApiError):
    status, code, message = 404, 2100, "Not Found"


class MethodNotAllowed(ApiError):
    status, code, message = 405, 2100, "Method Not Allowed"


class RequestEntityTooLarge(ApiError):
    # PUT /incidents answers 413 for more than 250 incidents; the document gives the error body's shape (its
    # RequestEntityTooLarge response), not its code: the simulator uses the generic 2001.
    status, code, message = 413, 2001, "Request Entity Too Large"


class RateLimited(ApiError):
    status, code, message = 429, 2020, "Rate Limit Exceeded"


class InternalError(ApiError):
    status, code, message = 500, 2000, "An internal error has occurred. PagerDuty team has been notified."


class NotImplementedBySimulator(ApiError):
    status, code, message = 501, 2000, "Not implemented by the PagerDuty simulator"


class EventsError(Exception):
    """An Events API v2 error, rendered as ``{"status", "message", "errors"}``."""

    def __init__(self, *errors, status=400, title="invalid event", message="Event object is invalid", headers=None):
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.errors = [str(e) for e in errors]
        self.headers = dict(headers or {})

    def __str__(self):
        return "%s %s: %s" % (self.status, self.message, "; ".join(self.errors))

    def body(self):
        body = {"status": self.title, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


# Bodies PagerDuty sends with statuses the fault injector can produce.
_REST_STATUS_ERRORS = {
    400: InvalidInput,
    401: Unauthorized,
    402: PaymentRequired,
    403: Forbidden,
    404: NotFound,
    429: RateLimited,
    500: InternalError,
}


def error_for_status(status, api="rest"):
    """The error PagerDuty would send with ``status`` (for injected faults)."""
    if api == "events":
        if status == 429:
            return EventsError(status=429, title="throttle event",
                               message="Requests for this service are arriving too quickly.  Please retry later.")
        if status >= 500:
            return EventsError(status=status, title="internal error", message="An internal error occurred")
        return EventsError(status=status)
    cls = _REST_STATUS_ERRORS.get(status)
    if cls is not None:
        return cls()
    if status >= 500:
        return ApiError(status=status, code=2000,
                        message="Service Unavailable" if status == 503 else "Server Error")
    return ApiError(status=status)


def render(error):
    """(status, headers, body) for any simulator error."""
    return error.status, dict(error.headers), error.body()
