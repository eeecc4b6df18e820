# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading PagerDuty's answers without trusting their shape.

Whatever a server answers (HTML, truncated JSON, wrong types, a proxy's problem
document), the functions here return values of the expected types or raise
:class:`PagerDutyAnswerError`, whose message is one line naming the request.
They never raise anything else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAnswerError

MAX_TEXT = 200


def text_of(value, limit=MAX_TEXT):
    """``value`` as one short line of text (None for None or an empty value); never raises."""
    try:
        if value is None:
            return None
        if not isinstance(value, str):
            value = json.dumps(value, sort_keys=True, default=repr) if isinstance(value, (dict, list)) else str(value)
        value = " ".join(value.split())
        if len(value) > limit:
            value = value[:limit - 1] + "\u2026"
        return value or None
    # A value whose str() fails is shown by its type.
    except Exception:  # pylint: disable=broad-except
        return "<%s>" % type(value).__name__


def decoded(raw, request, status, content_type=None):
    """The JSON object or list in ``raw`` (bytes); :class:`PagerDutyAnswerError` when it is not one."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise PagerDutyAnswerError(request, "the %d answer is JSON nested too deeply to read" % status)
    except (ValueError, UnicodeDecodeError):
        kind = " (%s)" % text_of(content_type, 60) if content_type else ""
        raise PagerDutyAnswerError(request, "the %d answer%s is not JSON: %r" % (
            status, kind, text_of(raw.decode("utf-8", "replace"), 80) or ""))
    if not isinstance(value, (dict, list)):
        raise PagerDutyAnswerError(request, "the %d answer is JSON but not an object: %s" % (status, text_of(value, 80)))
    return value


def _problems(errors):
    """PagerDuty's ``errors``: a list of texts, or (``/v3`` endpoints) an object of field -> problems."""
    if errors is None or errors == "":
        return []
    if isinstance(errors, dict):
        flat = []
        for field in sorted(errors, key=str):
            problems = errors[field]
            for problem in problems if isinstance(problems, list) else [problems]:
                flat.append("%s %s" % (text_of(field, 60), text_of(problem)))
        return flat
    items = errors if isinstance(errors, list) else [errors]
    return [text for text in (text_of(item) for item in items[:20]) if text]


def error_fields(body, api):
    """``(code, message, errors)`` from an error answer's body (REST v2 and v3, Events API, a proxy's document,
    or text), each of the right type: code a scalar or None, message text or None, errors a list of texts."""
    if not isinstance(body, dict):
        return None, text_of(_first_line(body)), []
    if api == "events" or ("error" not in body and "status" in body):
        message = text_of(body.get("message")) or text_of(body.get("detail")) or text_of(body.get("title"))
        status = text_of(body.get("status"), 80)
        if status and status != message and not status.isdigit():
            message = "%s: %s" % (status, message) if message else status
        return None, message, _problems(body.get("errors"))
    error = body.get("error")
    if not isinstance(error, dict):
        return None, text_of(error), []
    code = error.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        code = text_of(code, 40) if isinstance(code, str) else None
    return code, text_of(error.get("message")), _problems(error.get("errors"))


def _first_line(text):
    if not isinstance(text, str):
        return text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else None


def json_or_text(raw):
    """The decoded JSON of an error answer's body, or its text."""
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _identity(item):
    """What tells an item of a listing from another: its ``id``, or (items without one) its whole content."""
    if "id" in item:
        return ("id", item["id"])
    return ("content", json.dumps(item, sort_keys=True, default=repr))


class Listing(object):
    """The items of a paginated listing, page by page: one of each, in order, bounded.

    Each page steps the offset by the items it actually held (not by the limit
    a server echoes); a page that adds nothing new ends the listing; ``more``
    must be a boolean.  ``add`` returns whether another page should be read.
    """

    def __init__(self, request, key, cap, page_size=100):
        self.request = request          # "GET /users", for messages
        self.key = key
        self.cap = cap
        self.page_size = page_size      # the items asked for in each request
        self.items = []
        self.offset = 0
        self.pages = 0
        self.requests = 0               # sent for this listing (counted by the caller, pages read ahead included)
        self.truncated = False
        self._seen = set()

    def check_budget(self):
        """Before another request: :class:`PagerDutyAnswerError` when it could take the listing beyond
        ceil(items / page size) + 2 requests, as pages shorter than asked that still say there are more do (a
        server serving one item a page, or a window that slides by one item, would otherwise be read to its end)."""
        if self.requests + 1 > -(-len(self.items) // self.page_size) + 2:
            raise PagerDutyAnswerError(self.request, "the pages hold fewer items than asked (%d items in %d requests "
                                       "of %d) although the answers say there are more; stopped (a listing takes at "
                                       "most ceil(items / %d) + 2 requests)" % (
                                           len(self.items), self.requests, self.page_size, self.page_size))

    def is_new(self, page):
        """Whether none of the page's items is listed already (the last page, read before the pages between)."""
        return not any(_identity(item) in self._seen for item in self.page_items(page))

    def page_items(self, page):
        """The page's list of objects; :class:`PagerDutyAnswerError` when the page is not a listing page."""
        if not isinstance(page, dict):
            raise PagerDutyAnswerError(self.request, "a page of the listing is not an object")
        items = page.get(self.key)
        if not isinstance(items, list):
            raise PagerDutyAnswerError(self.request, "a page's %r is %s, not a list" % (self.key, text_of(items, 60)))
        bad = [item for item in items if not isinstance(item, dict) or not isinstance(item.get("id", ""), str)]
        if bad:
            raise PagerDutyAnswerError(self.request, "a page's %r holds %s, not an object with a string id"
                                       % (self.key, text_of(bad[0], 60)))
        return items

    def add(self, page):
        """Add a page; True when the listing goes on (PagerDuty said more, the page added items, under the cap)."""
        items = self.page_items(page)
        more = page.get("more")
        if more not in (True, False, None):
            raise PagerDutyAnswerError(self.request, "a page's 'more' is %s, not true or false" % text_of(
                json.dumps(more, default=repr), 40))
        self.pages += 1
        self.offset += len(items)
        new = 0
        for item in items:
            identity = _identity(item)
            if identity not in self._seen and len(self.items) < self.cap:
                self._seen.add(identity)
                self.items.append(item)
                new += 1
        if items and not new and len(self.items) < self.cap:
            raise PagerDutyAnswerError(self.request, "the page at offset %d repeats items already listed, although "
                                       "the answer said there were more; stopped after %d pages"
                                       % (self.offset - len(items), self.pages))
        if more is True and len(self.items) >= self.cap:
            self.truncated = True
        return more is True and new > 0 and len(self.items) < self.cap


def count_of(value):
    """A count PagerDuty sent (``total``), or None when it is not a non-negative integer."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
