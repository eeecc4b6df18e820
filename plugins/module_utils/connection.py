# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module takes (documented once in the ``oncall.pagerduty.connection`` doc
fragment), and the client built from them, for modules and plugins alike."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import REGIONS, PagerDutyClient
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyConfigError

# name: (type, environment variable, default, extra argument-spec keys)
CONNECTION_OPTIONS = {
    "api_token": ("str", "PAGERDUTY_API_TOKEN", None, {"no_log": True}),
    "from_email": ("str", "PAGERDUTY_FROM_EMAIL", None, {}),
    "region": ("str", "PAGERDUTY_REGION", "us", {"choices": sorted(REGIONS)}),
    "api_url": ("str", "PAGERDUTY_API_URL", None, {}),
    "events_url": ("str", "PAGERDUTY_EVENTS_URL", None, {}),
    "timeout": ("float", "PAGERDUTY_TIMEOUT", 30, {}),
    "validate_certs": ("bool", "PAGERDUTY_VALIDATE_CERTS", True, {}),
    "max_retry_wait": ("float", "PAGERDUTY_MAX_RETRY_WAIT", 60, {}),
}
ROUTING_KEY_ENV = "PAGERDUTY_ROUTING_KEY"
# The environment variable of each option that has one, for "missing option" messages.
ENVIRONMENT = dict((name, spec[1]) for name, spec in CONNECTION_OPTIONS.items())
ENVIRONMENT["routing_key"] = ROUTING_KEY_ENV


def connection_argument_spec():
    """Options every module accepts, so that ``module_defaults: group/oncall.pagerduty.pagerduty`` fits all."""
    spec = {}
    for name, (kind, env, default, extra) in CONNECTION_OPTIONS.items():
        spec[name] = dict(type=kind, fallback=(env_fallback, [env]), **extra)
        if default is not None:
            spec[name]["default"] = default
    return spec


def routing_key_argument_spec():
    """The Events API v2 integration key, for the event modules."""
    return dict(
        routing_key=dict(type="str", no_log=True, aliases=["integration_key", "service_key"],
                         fallback=(env_fallback, [ROUTING_KEY_ENV])),
    )


def check_connection_options(options):
    """Refuse connection settings that cannot work, before anything is sent."""
    for name in ("timeout", "max_retry_wait"):
        if options.get(name) is not None and options[name] < 0:
            raise PagerDutyConfigError("%s must be 0 or more, got %s" % (name, options[name]))


def client_from_options(options, **kwargs):
    """The client for the connection options in ``options`` (a module's params, or a plugin's options)."""
    check_connection_options(options)
    return PagerDutyClient(
        api_token=options.get("api_token"), from_email=options.get("from_email"),
        region=options.get("region") or "us", api_url=options.get("api_url"), events_url=options.get("events_url"),
        timeout=options.get("timeout", 30), validate_certs=options.get("validate_certs", True),
        max_retry_wait=options.get("max_retry_wait", 60), **kwargs)
