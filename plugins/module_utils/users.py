# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the user modules know about PagerDuty users: valid IDs and addresses, and what is never returned."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

HIDDEN = ("http_cal_url", "web_cal_url")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def user_id_problem(user_id):
    """Why ``user_id`` cannot be a user ID (blank, or really an email address), or None."""
    if user_id is not None and (not user_id.strip() or "@" in user_id):
        return ("user_id must be a PagerDuty user ID such as PXPGF42, got %r; to find a user by address, use email"
                % user_id)
    return None
