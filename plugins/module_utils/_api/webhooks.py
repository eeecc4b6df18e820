# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's V3 webhook subscriptions.  One function per endpoint; see ``_api/__init__.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import Collection, delete_found, rest_path, unwrap

WEBHOOK_SUBSCRIPTIONS = Collection("/webhook_subscriptions", "webhook_subscriptions", "webhook subscription")


def list_webhook_subscriptions(client, filter_type=None, filter_id=None):
    """``GET /webhook_subscriptions``, every page, optionally of one filter (``account``, ``service`` or ``team``)."""
    params = {}
    if filter_type:
        params["filter_type"] = filter_type
    if filter_id:
        params["filter_id"] = filter_id
    return WEBHOOK_SUBSCRIPTIONS.list_all(client, params)[0]


def get_webhook_subscription(client, subscription_id):
    """``GET /webhook_subscriptions/{id}``: the subscription, or None."""
    return WEBHOOK_SUBSCRIPTIONS.get(client, subscription_id)


def create_webhook_subscription(client, subscription, confirm=None):
    """``POST /webhook_subscriptions`` (not safe to repeat: ``confirm`` finds it after a lost answer).

    PagerDuty's answer holds the signing secret, this once (``delivery_method.secret``).
    """
    answer = client.post("/webhook_subscriptions", {"webhook_subscription": dict(subscription,
                                                                                 type="webhook_subscription")},
                         confirm=confirm)
    return unwrap(answer, "webhook_subscription", "POST /webhook_subscriptions")


def update_webhook_subscription(client, subscription_id, fields):
    """``PUT /webhook_subscriptions/{id}`` with the fields to change (never ``delivery_method``)."""
    path = rest_path("/webhook_subscriptions/%s", subscription_id)
    return unwrap(client.put(path, {"webhook_subscription": fields}), "webhook_subscription", "PUT " + path)


def delete_webhook_subscription(client, subscription_id):
    """``DELETE /webhook_subscriptions/{id}``: True when deleted, False when it was already gone."""
    return delete_found(client, rest_path("/webhook_subscriptions/%s", subscription_id))
