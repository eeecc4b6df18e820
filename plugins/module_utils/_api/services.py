# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's services and escalation policies.  One function per endpoint; see ``_api/__init__.py`` (who is on
call: ``_api/schedules.py``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import Collection, rest_path, unwrap

SERVICES = Collection("/services", "services", "service")
ESCALATION_POLICIES = Collection("/escalation_policies", "escalation_policies", "escalation policy")


def get_service(client, service_id):
    """``GET /services/{id}`` (a 404 is an error)."""
    path = rest_path("/services/%s", service_id)
    return unwrap(client.get(path), "service", "GET " + path)


def list_escalation_policies(client, params=None):
    """``GET /escalation_policies``, every page: ``(policies, info)`` (``user_ids[]``: policies targeting the users;
    ``team_ids[]``: policies of the teams)."""
    return ESCALATION_POLICIES.list_all(client, params)
