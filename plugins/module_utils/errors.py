# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error hierarchy of the collection's PagerDuty code.

Every error's ``str()`` is one readable line, ready for ``fail_json(msg=...)``;
``details()`` gives the extra result fields (status, PagerDuty's error object).
The module base class, the callback and the lookup plugin catch
:class:`PagerDutyError`; anything else they meet is a defect, reported in one
line by :func:`unexpected` (its traceback only with -vvv).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class PagerDutyError(Exception):
    """Base of every error the collection's PagerDuty code raises; ``str()`` is one readable line."""

    def details(self):
        """Extra fields for ``fail_json``."""
        return {}


class PagerDutyInputError(PagerDutyError):
    """A value the user gave cannot work: bad input, or a name or email that matches nothing (or too much)."""


class PagerDutyConfigError(PagerDutyInputError):
    """Bad or missing connection settings, found before anything is sent."""


class PagerDutyAPIError(PagerDutyError):
    """PagerDuty answered with an error status."""

    def __init__(self, status, method, url, path, code=None, message=None, errors=None, api="rest", body=None):
        self.status = status
        self.method = method
        self.url = url
        self.path = path
        self.code = code
        self.message = message
        self.errors = list(errors) if isinstance(errors, (list, tuple)) else []
        self.api = api
        self.body = body
        super(PagerDutyAPIError, self).__init__(self._line())

    def _line(self):
        """One line, whatever the types of the fields (they come from a server's answer)."""
        what = "PagerDuty %s API error %s" % ("Events" if self.api == "events" else "REST", self.status)
        if self.code is not None:
            what += " (code %s)" % (self.code,)
        message = "%s" % (self.message,) if self.message else ""
        errors = "; ".join("%s" % (error,) for error in self.errors)
        detail = "%s: %s" % (message, errors) if message and errors else message or errors
        text = "%s on %s %s" % (what, self.method, self.path)
        if detail:
            text += ": " + detail
        return " ".join((text + _STATUS_HINTS.get(self.status, "")).split())

    def details(self):
        return {"status": self.status, "pagerduty_error": {
            "code": self.code, "message": self.message, "errors": self.errors}}


_STATUS_HINTS = {
    401: (" - check api_token (or PAGERDUTY_API_TOKEN) and that region/api_url match the account's region (us or"
          " eu)"),
    402: " - the PagerDuty account's plan does not include the feature this needs",
    403: " - the token is not allowed to do this (a read-only key, or a role without this permission)",
}


class PagerDutyAnswerError(PagerDutyError):
    """PagerDuty's answer (or whatever answered in its place) cannot be used: not JSON, the wrong shape, too large,
    too slow, a redirect."""

    sent = True     # the request reached a server: a write may have been carried out

    def __init__(self, request, problem):
        self.request = request
        super(PagerDutyAnswerError, self).__init__("Unusable answer to %s: %s" % (request, problem))


class PagerDutyRetryError(PagerDutyError):
    """The bounded wait for a retryable failure ran out."""

    def __init__(self, method, path, attempts, waited, last):
        self.last = last
        self.attempts = attempts
        super(PagerDutyRetryError, self).__init__(
            "Gave up on %s %s after %d attempts and %.1f s of waiting (max_retry_wait): %s"
            % (method, path, attempts, waited, last))

    def details(self):
        return self.last.details() if isinstance(self.last, PagerDutyError) else {}


class PagerDutyUncertainWriteError(PagerDutyError):
    """A write that must not be repeated may or may not have been applied."""


class PagerDutyTransportError(PagerDutyError):
    """No answer: connection refused or reset, timeout, TLS failure."""

    def __init__(self, method, url, reason, sent):
        self.sent = sent
        super(PagerDutyTransportError, self).__init__("%s %s failed: %s" % (method, url, reason))


class PagerDutyPartialError(PagerDutyError):
    """A task that changes many objects stopped part way; ``details()`` says which changed and which did not."""

    def __init__(self, message, outcome, cause=None):
        self.outcome = outcome
        self.cause = cause
        super(PagerDutyPartialError, self).__init__(message)

    def details(self):
        details = self.cause.details() if isinstance(self.cause, PagerDutyError) else {}
        details.update(self.outcome)
        return details


def unexpected(exc):
    """One line for an exception the collection did not expect (a defect, or an answer nothing foresaw): its kind
    and where it was raised, never its text (which may hold an answer's content)."""
    frame = None
    trace = exc.__traceback__
    while trace is not None:
        frame, trace = trace, trace.tb_next
    where = ""
    if frame is not None:
        code = frame.tb_frame.f_code
        filename = code.co_filename.replace("\\", "/").rsplit("/", 1)[-1]
        where = " in %s (%s, line %d)" % (code.co_name, filename, frame.tb_lineno)
    if isinstance(exc, RecursionError):
        return "oncall.pagerduty could not handle an answer nested too deeply (RecursionError%s)" % where
    return ("oncall.pagerduty failed unexpectedly (%s%s); run with -vvv for the traceback and please report it"
            % (type(exc).__name__, where))
