# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's Events API v2: alert and change events.  The bodies are built and checked by
``module_utils/events.py``; see ``_api/__init__.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import ALERT_EVENTS_PATH, CHANGE_EVENTS_PATH
from ansible_collections.oncall.pagerduty.plugins.module_utils.answers import text_of
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import RETRY_ON_STATUS, SAFE
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAnswerError


def send_alert_event(client, event):
    """``POST /v2/enqueue``.  Safe to repeat: every alert event carries its dedup key."""
    return _answer(client.events_request(ALERT_EVENTS_PATH, event, SAFE), ALERT_EVENTS_PATH)


def send_change_event(client, event):
    """``POST /v2/change/enqueue``.  PagerDuty's error answers are retried; a lost answer is not."""
    return _answer(client.events_request(CHANGE_EVENTS_PATH, event, RETRY_ON_STATUS), CHANGE_EVENTS_PATH)


def _answer(answer, path):
    """PagerDuty's answer: ``{"status": "success", "message": ..., "dedup_key": ...}`` (texts), checked."""
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
        raise PagerDutyAnswerError("POST " + path, "it is not the Events API's answer (no status): %s"
                                   % text_of(answer, 80))
    wrong = [key for key in ("message", "dedup_key") if not isinstance(answer.get(key, ""), str)]
    if wrong:
        raise PagerDutyAnswerError("POST " + path, "its %s is not text" % " and ".join(wrong))
    return answer
