# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's maintenance windows.  One function per endpoint; see ``_api/__init__.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import get_found, rest_path, unwrap
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError

PATH = "/maintenance_windows"
KEY = "maintenance_windows"


def _body(window):
    return {"maintenance_window": dict(window, type="maintenance_window")}


def get_maintenance_window(client, window_id):
    """``GET /maintenance_windows/{id}``: the window, or None when PagerDuty has no window with this ID."""
    path = rest_path(PATH + "/%s", window_id)
    answer = get_found(client, path)
    return None if answer is None else unwrap(answer, "maintenance_window", "GET " + path)


def list_maintenance_windows(client, params):
    """``GET /maintenance_windows``, every page: ``(windows, info)``."""
    return client.list_all(PATH, KEY, params)


def create_maintenance_window(client, window, confirm=None):
    """``POST /maintenance_windows`` (not safe to repeat: ``confirm`` finds the window after a lost answer)."""
    answer = client.post(PATH, _body(window), needs_from=True, confirm=confirm)
    return unwrap(answer, "maintenance_window", "POST " + PATH)


def update_maintenance_window(client, window_id, window):
    """``PUT /maintenance_windows/{id}`` with the whole window (start and end times, services, description);
    safe to repeat."""
    path = rest_path(PATH + "/%s", window_id)
    return unwrap(client.put(path, _body(window)), "maintenance_window", "PUT " + path)


def delete_maintenance_window(client, window_id):
    """``DELETE /maintenance_windows/{id}``: a future window is deleted, an ongoing one ends now.

    True when done; False when there was nothing to do: the window is gone (404) or has already ended (405).
    Safe to repeat: a repeat after a lost answer finds the window gone or ended.
    """
    try:
        client.delete(rest_path(PATH + "/%s", window_id))
    except PagerDutyAPIError as exc:
        if exc.status in (404, 405):
            return False
        raise
    return True
