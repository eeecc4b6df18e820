# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API layer: one small module per PagerDuty area, one function per endpoint.

Every function takes the client, quotes every path segment, and returns
PagerDuty's objects (None where "not found" is the natural answer).  Nothing
else in the collection formats a REST path.  Business logic (plans, diffs,
name resolution) lives in the modules and the resolver, never here.

For internal use by the oncall.pagerduty collection only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAnswerError, PagerDutyAPIError

PAGE_LIMIT = 100
# The Events API v2 endpoints (see _api/events.py); the client strips them from a pasted events_url.
ALERT_EVENTS_PATH = "/v2/enqueue"
CHANGE_EVENTS_PATH = "/v2/change/enqueue"
EVENTS_PATHS = (CHANGE_EVENTS_PATH, ALERT_EVENTS_PATH, "/v2")


def rest_path(template, *segments):
    """``template`` with each ``%s`` replaced by a URL-quoted segment: ``rest_path("/users/%s", user_id)``."""
    return template % tuple(quote(str(segment), safe="") for segment in segments)


def unwrap(answer, key, what):
    """``answer[key]`` when it is an object with a string ``id``; else a one-line error naming the request."""
    value = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(value, dict):
        raise PagerDutyAnswerError(what, "it has no %r object" % key)
    if not isinstance(value.get("id"), str) or not value["id"]:
        raise PagerDutyAnswerError(what, "its %r object has no string id" % key)
    return value


def items_of(page, key):
    """The objects of ``page[key]`` (objects with a string id where they have one), or an empty list."""
    value = page.get(key) if isinstance(page, dict) else None
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and isinstance(item.get("id", ""), str)]


def get_found(client, path, params=None):
    """``GET path``: PagerDuty's answer, or None when it has nothing there (404)."""
    try:
        return client.get(path, params)
    except PagerDutyAPIError as exc:
        if exc.status == 404:
            return None
        raise


def delete_found(client, path):
    """``DELETE path``: True when deleted, False when PagerDuty had nothing there (404: gone already)."""
    try:
        client.delete(path)
    except PagerDutyAPIError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def singular(key):
    """The key of one object in PagerDuty's answers: ``escalation_policies`` -> ``escalation_policy``."""
    return key[:-3] + "y" if key.endswith("ies") else key[:-1]


class Collection(object):
    """A REST collection of named objects (``/services``, ``/teams``, ...): read by ID, search, list."""

    def __init__(self, path, key, what):
        self.path = path
        self.key = key
        self.item_key = singular(key)
        self.what = what            # what one object is called in messages: "escalation policy"

    def get(self, client, object_id, params=None):
        """The object with this ID, or None when PagerDuty has none."""
        path = rest_path(self.path + "/%s", object_id)
        answer = get_found(client, path, params)
        return None if answer is None else unwrap(answer, self.item_key, "GET " + path)

    def search(self, client, query, params=None):
        """``(objects, page)``: the first page of objects matching ``query`` (PagerDuty matches names and more)."""
        page = client.get(self.path, dict(params or {}, query=query, limit=PAGE_LIMIT))
        return items_of(page, self.key), page

    def list_all(self, client, params=None, first=None, max_items=None):
        """``(objects, info)``: every page of the collection (see ``PagerDutyClient.list_all``)."""
        return client.list_all(self.path, self.key, params, max_items=max_items, first=first)

    def __repr__(self):
        return "Collection(%s)" % self.path
