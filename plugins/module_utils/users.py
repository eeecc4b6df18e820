# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads of PagerDuty users shared by the user modules and the base class's email resolution."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyAPIError

HIDDEN = ("http_cal_url", "web_cal_url")


def sanitized(value):
    """A copy without calendar feed URLs (bearer credentials) and contact-method addresses."""
    if isinstance(value, dict):
        kind = value.get("type")
        contact = isinstance(kind, str) and kind.endswith("contact_method")
        return dict((key, sanitized(item) if isinstance(item, (dict, list)) else item) for key, item in value.items()
                    if key not in HIDDEN and not (contact and key == "address"))
    if isinstance(value, list):
        return [sanitized(item) if isinstance(item, (dict, list)) else item for item in value]
    return value


def check_user_id(module):
    """Refuse a ``user_id`` that is blank or is really an email address, before any request."""
    user_id = module.params.get("user_id")
    if user_id is not None and (not user_id.strip() or "@" in user_id):
        module.fail_json(msg="user_id must be a PagerDuty user ID such as PXPGF42, got %r; to find a user by "
                             "address, use email" % user_id)


def user_path(user_id):
    return "/users/%s" % quote(user_id, safe="")


def get_user(client, user_id, include=None):
    """The user with this ID, or None when PagerDuty does not know it."""
    try:
        return client.get(user_path(user_id), {"include[]": list(include)} if include else None)["user"]
    except PagerDutyAPIError as exc:
        if exc.status == 404:
            return None
        raise


def find_user_by_email(client, email, include=None):
    """(the user with this address or None, the users the search found).

    One ``query`` request, then an exact case-insensitive match; the rest of the
    listing is read only when more than 100 addresses contain this one.
    """
    wanted = email.strip().lower()
    params = {"query": email.strip()}
    if include:
        params["include[]"] = list(include)
    page = client.get("/users", dict(params, limit=100))
    users = page.get("users") or []
    found = [u for u in users if (u.get("email") or "").lower() == wanted]
    if not found and page.get("more"):
        users, unused = client.list_all("/users", "users", params, first=page)
        found = [u for u in users if (u.get("email") or "").lower() == wanted]
    return (found[0] if found else None), users
