# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by every oncall.pagerduty module."""

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - A PagerDuty REST API key (account or user API key) or user OAuth token.
      - "Sent as C(Authorization: Token token=...). Never logged or returned."
      - Needed by every module that uses the REST API. The Events API modules use it only when given.
      - If not set, the environment variable E(PAGERDUTY_API_TOKEN) is used.
    type: str
  from_email:
    description:
      - Email address of a valid PagerDuty user, sent as the C(From) header on the writes that PagerDuty attributes
        to a user (acknowledging, resolving, notes, responder requests, creating incidents and users, and so on).
      - If not set, the environment variable E(PAGERDUTY_FROM_EMAIL) is used.
    type: str
  region:
    description:
      - The PagerDuty service region of the account.
      - V(us) uses C(https://api.pagerduty.com) and C(https://events.pagerduty.com);
        V(eu) uses C(https://api.eu.pagerduty.com) and C(https://events.eu.pagerduty.com).
      - O(api_url) and O(events_url) override the region.
      - If not set, the environment variable E(PAGERDUTY_REGION) is used.
    type: str
    choices: [eu, us]
    default: us
  api_url:
    description:
      - Base URL of the REST API, overriding O(region). For a proxy, a test double, or the PagerDuty simulator that
        ships with this collection's tests.
      - If not set, the environment variable E(PAGERDUTY_API_URL) is used.
    type: str
  events_url:
    description:
      - Base URL of the Events API v2 (without C(/v2/enqueue)), overriding O(region).
      - If not set, the environment variable E(PAGERDUTY_EVENTS_URL) is used.
    type: str
  timeout:
    description:
      - Seconds to wait for each answer from PagerDuty.
      - If not set, the environment variable E(PAGERDUTY_TIMEOUT) is used.
    type: float
    default: 30
  validate_certs:
    description:
      - Whether to verify PagerDuty's TLS certificate. Only turn this off for a test endpoint.
      - If not set, the environment variable E(PAGERDUTY_VALIDATE_CERTS) is used.
    type: bool
    default: true
  max_retry_wait:
    description:
      - The most seconds, in all, to spend waiting before retries.
      - A 429 answer waits as long as PagerDuty's C(ratelimit-reset) header (or C(Retry-After)) asks, plus jitter;
        500, 502, 503, 504, timeouts and broken connections back off exponentially. When the next wait would go past
        this bound the module fails, naming the last error.
      - Reads and writes that are safe to repeat are retried. A write that is not (a note, a responder request, a
        new incident) is never sent twice blindly; the module re-reads PagerDuty first.
      - V(0) disables retries.
      - If not set, the environment variable E(PAGERDUTY_MAX_RETRY_WAIT) is used.
    type: float
    default: 60
requirements:
  - requests >= 2.25 (on the host that runs the module, usually C(localhost))
notes:
  - All modules of this collection are in the action group C(oncall.pagerduty.pagerduty), so the connection options
    can be set once with C(module_defaults) and C(group/oncall.pagerduty.pagerduty).
seealso:
  - name: PagerDuty REST API reference
    description: PagerDuty's documentation of the REST API v2.
    link: https://developer.pagerduty.com/api-reference/
"""

    # For plugins (the oncall lookup): the same options, read from the same environment variables.  Plugins read
    # the environment through their documentation; merged into the options above (extends_documentation_fragment:
    # oncall.pagerduty.connection, oncall.pagerduty.connection.plugins).
    PLUGINS = r"""
options:
  api_token:
    env:
      - name: PAGERDUTY_API_TOKEN
  from_email:
    env:
      - name: PAGERDUTY_FROM_EMAIL
  region:
    env:
      - name: PAGERDUTY_REGION
  api_url:
    env:
      - name: PAGERDUTY_API_URL
  events_url:
    env:
      - name: PAGERDUTY_EVENTS_URL
  timeout:
    env:
      - name: PAGERDUTY_TIMEOUT
  validate_certs:
    env:
      - name: PAGERDUTY_VALIDATE_CERTS
  max_retry_wait:
    env:
      - name: PAGERDUTY_MAX_RETRY_WAIT
"""
