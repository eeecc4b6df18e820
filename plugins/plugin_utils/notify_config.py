# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The notify callback's options, read once and checked.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.

A routing key that is missing or malformed turns the callback off (:class:`NotifyOff`).
Any other bad value costs one warning and is replaced by its default: a typo in
a template must not silence the alerts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.oncall.pagerduty.plugins.module_utils.events import (
    SEVERITIES, EventValidationError, check_routing_key, parse_images, parse_links)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import (
    DEDUP_KEY_FIELDS, TEMPLATE_FIELDS, TemplateError, check_template)

DEFAULT_STATE_DIR = "~/.ansible/pagerduty_notify"


class NotifyOff(Exception):
    """The options cannot work at all (no routing key, or not one): the callback stays off."""


class NotifyConfig(object):
    """Every option of the callback, as a checked attribute of the same name.

    ``option(name)`` returns an option's value (the callback's ``get_option``; a
    dict's ``get`` in tests); ``warn(text)`` is told about each bad value, which
    is then replaced by its default.
    """

    def __init__(self, option, warn):
        self.routing_key = _routing_key(option("routing_key"))
        self.region = option("region") or "us"
        self.events_url = option("events_url") or None
        self.timeout = float(option("timeout"))
        self.max_retry_wait = max(0.0, float(option("max_retry_wait")))
        self.validate_certs = bool(option("validate_certs"))
        self.on_failure = bool(option("on_failure"))
        self.on_success = bool(option("on_success"))
        self.on_start = bool(option("on_start"))
        self.on_avg_duration = bool(option("on_avg_duration"))
        self.on_retry = bool(option("on_retry"))
        self.failure_severity = _severity(option, "failure_severity", "error", warn)
        self.start_severity = _severity(option, "start_severity", "info", warn)
        self.avg_duration_severity = _severity(option, "avg_duration_severity", "warning", warn)
        self.retry_severity = _severity(option, "retry_severity", "warning", warn)
        self.summary = _template(option, "summary", "{message}", warn)
        self.source = _template(option, "source", "{controller}", warn)
        self.component = _template(option, "component", None, warn)
        self.group = _template(option, "group", None, warn)
        self.event_class = _template(option, "event_class", "{trigger}", warn)
        self.dedup_key = _template(option, "dedup_key", None, warn, DEDUP_KEY_FIELDS)
        self.images = _parsed(parse_images, option, "images", warn)
        self.links = _parsed(parse_links, option, "links", warn)
        self.custom_details = _custom_details(option("custom_details"), warn)
        self.delivery_timeout = max(0.0, float(option("delivery_timeout")))
        self.avg_duration_factor = max(0.0, float(option("avg_duration_factor")))
        self.avg_duration_min_seconds = max(0.0, float(option("avg_duration_min_seconds")))
        self.avg_duration_min_runs = max(1, int(option("avg_duration_min_runs")))
        self.avg_duration_history = max(1, int(option("avg_duration_history")))
        self.spool_max_events = max(1, int(option("spool_max_events")))
        self.spool_max_age = max(0.0, float(option("spool_max_age"))) * 3600     # seconds; 0: no limit
        self.max_message_length = max(20, int(option("max_message_length")))
        self.state_dir = option("state_dir") or DEFAULT_STATE_DIR

    @property
    def client_options(self):
        """The keyword arguments of the PagerDuty client that sends the events."""
        return dict(region=self.region, events_url=self.events_url, timeout=self.timeout,
                    max_retry_wait=self.max_retry_wait, validate_certs=self.validate_certs)


def _routing_key(value):
    if not value:
        raise NotifyOff("no routing key (set PAGERDUTY_ROUTING_KEY, or routing_key in the "
                        "[callback_pagerduty_notify] section of ansible.cfg)")
    routing_key = str(value).strip()
    try:
        check_routing_key(routing_key)
    except EventValidationError as exc:
        raise NotifyOff(str(exc))
    return routing_key


def _severity(option, name, default, warn):
    value = (option(name) or default).lower()
    if value not in SEVERITIES:
        warn("%s must be one of %s, got %r; using %s" % (name, ", ".join(SEVERITIES), value, default))
        return default
    return value


def _template(option, name, default, warn, allowed=TEMPLATE_FIELDS):
    value = option(name)
    if value in (None, ""):
        return default
    try:
        check_template(value, allowed)
    except TemplateError as exc:
        warn("%s: %s; using the default" % (name, exc))
        return default
    return value


def _parsed(parse, option, name, warn):
    try:
        return parse(option(name), name)
    except EventValidationError as exc:
        warn("%s; ignoring %s" % (exc, name))
        return []


def _custom_details(value, warn):
    if value in (None, ""):
        return {}
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
        if not isinstance(parsed, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        warn("custom_details must be a JSON object (%s); ignoring it" % exc)
        return {}
    return parsed
