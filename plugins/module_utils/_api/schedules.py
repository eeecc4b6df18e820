# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's on-call schedules, their overrides, and who is on call.  One function per endpoint; see
``_api/__init__.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import Collection, delete_found, items_of, rest_path

SCHEDULES = Collection("/schedules", "schedules", "schedule")


def list_overrides(client, schedule_id, since, until):
    """``GET /schedules/{id}/overrides`` over ``[since, until]`` (PagerDuty date-times), whole (``overflow``):
    every override that overlaps the range, with its own start and end."""
    path = rest_path("/schedules/%s/overrides", schedule_id)
    return items_of(client.get(path, {"since": since, "until": until, "overflow": "true"}), "overrides")


def create_overrides(client, schedule_id, overrides, confirm=None):
    """``POST /schedules/{id}/overrides`` with several overrides (``start``, ``end``, ``user``); not safe to repeat.

    PagerDuty answers with one result per override (``status``, ``override``, ``errors``): the list of those that
    are objects."""
    path = rest_path("/schedules/%s/overrides", schedule_id)
    answer = client.post(path, {"overrides": list(overrides)}, confirm=confirm)
    return [item for item in answer if isinstance(item, dict)] if isinstance(answer, list) else []


def delete_override(client, schedule_id, override_id):
    """``DELETE /schedules/{id}/overrides/{override_id}``: a future override is deleted, one under way ends now.

    True when done, False when PagerDuty has no such override (404); safe to repeat."""
    return delete_found(client, rest_path("/schedules/%s/overrides/%s", schedule_id, override_id))


def list_oncalls(client, params):
    """``GET /oncalls``, every page: ``(oncalls, info)``."""
    return client.list_all("/oncalls", "oncalls", params)


def list_schedules(client, params=None):
    """``GET /schedules``, every page: ``(schedules, info)`` (each with the ``users`` on its layers)."""
    return SCHEDULES.list_all(client, params)
