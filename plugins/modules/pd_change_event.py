#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_change_event
short_description: Send a PagerDuty change event (a deploy, a config change) through the Events API v2
version_added: 1.0.0
description:
  - Sends a change event to a PagerDuty service, as Rundeck's PagerDuty C(Send Change Event) step does.
  - Change events do not page anyone; PagerDuty shows them next to incidents on the same service, so responders see
    what changed recently.
  - Everything PagerDuty would refuse is refused before sending, with a message naming the option.
  - A change event has no key, so PagerDuty cannot tell a resent one from a new one. The module retries PagerDuty's
    own error answers (429 and 5xx, which mean the event was not taken) but not a lost answer after sending; then it
    fails and asks you to check, rather than risk recording the change twice.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.routing_key
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Validates the event and reports what would be sent; sends nothing.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - Each run records a change event.
options:
  summary:
    description:
      - A brief text summary of the change, at most 1024 characters.
    type: str
    required: true
  source:
    description:
      - Where the change happened, for example the deploy tool or the host.
      - Defaults to the fully qualified name of the host that runs the module.
    type: str
  timestamp:
    description:
      - When the change happened, as a date and time with a time zone (RFC 3339), for example
        C(2026-11-23T08:42:58Z) or C(2026-11-23T09:42:58.315+01:00). Defaults to now.
    type: str
  custom_details:
    description:
      - Free-form details about the change (Rundeck's I(custom fields)), for example the version and who deployed it.
    type: dict
    aliases: [custom_fields]
  links:
    description:
      - Links to show with the change.
      - A list of dictionaries with C(href) (required) and C(text); or a list of URLs; or a comma-separated string of
        URLs.
    type: raw
seealso:
  - module: oncall.pagerduty.pd_event
"""

EXAMPLES = r"""
- name: Record a deploy on the checkout service
  oncall.pagerduty.pd_change_event:
    routing_key: "{{ pagerduty_routing_key }}"
    summary: "Deployed checkout-api {{ version }} to production"
    source: ansible
    custom_details:
      version: "{{ version }}"
      deployed_by: "{{ lookup('env', 'USER') }}"
      hosts: "{{ ansible_play_hosts | join(', ') }}"
    links:
      - href: "https://git.example.com/checkout-api/releases/{{ version }}"
        text: Release notes
  delegate_to: localhost
  run_once: true

- name: The same with the key from PAGERDUTY_ROUTING_KEY and Rundeck-style links
  oncall.pagerduty.pd_change_event:
    summary: Rotated the database password
    links: https://wiki.example.com/runbooks/rotate-db,https://rundeck.example.com/execution/show/42
  delegate_to: localhost

- name: EU account, a change made earlier (the time it happened, not now)
  oncall.pagerduty.pd_change_event:
    routing_key: "{{ pagerduty_routing_key }}"
    region: eu
    summary: Failed over the primary database
    timestamp: "2026-11-23T08:42:58Z"
  delegate_to: localhost

- name: Against a test endpoint with a self-signed certificate, waiting at most 20 seconds in all for retries
  oncall.pagerduty.pd_change_event:
    routing_key: "{{ pagerduty_routing_key }}"
    events_url: https://pagerduty-double.test.example.com
    validate_certs: false
    timeout: 10
    max_retry_wait: 20
    summary: Deployed checkout-api to staging
  delegate_to: localhost

- name: Connection options once for the whole group, through an internal relay (the REST ones are for the note)
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ pagerduty_api_token }}"
      from_email: ops-bot@example.com
      api_url: https://pagerduty-relay.example.com/rest
      events_url: https://pagerduty-relay.example.com/events
  delegate_to: localhost
  block:
    - name: Record the rollback
      oncall.pagerduty.pd_change_event:
        routing_key: "{{ pagerduty_routing_key }}"
        summary: Rolled back checkout-api to 1.4.1

    - name: Say so on the incident
      oncall.pagerduty.pd_incident_note:
        incident_id: "{{ pagerduty_incident_id }}"
        note: Rolled back checkout-api to 1.4.1
"""

RETURN = r"""
status:
  description: PagerDuty's status for the event (C(success)), or C(skipped) in check mode.
  returned: success
  type: str
  sample: success
message:
  description: PagerDuty's message.
  returned: success
  type: str
  sample: Change event processed
event:
  description: The event that was (or in check mode would be) sent, without the routing key.
  returned: success
  type: dict
  sample: {"payload": {"summary": "Deployed checkout-api 1.4.2", "source": "ansible",
                       "timestamp": "2026-11-23T08:42:58.000000Z"}}
"""


import socket

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.events import send_change_event
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.events import EventValidationError, build_change_event
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule


def run(module):
    params = module.params
    module.require("routing_key")
    try:
        event = build_change_event(params["routing_key"], params["summary"],
                                   source=params["source"] or socket.getfqdn(), timestamp=params["timestamp"],
                                   custom_details=params["custom_details"], links=params["links"])
    except EventValidationError as exc:
        raise PagerDutyInputError(str(exc))
    result = dict(event=dict((k, v) for k, v in event.items() if k != "routing_key"), changed=True)
    if module.check_mode:
        return dict(result, status="skipped", message="Check mode: the event was not sent")
    answer = send_change_event(module.client, event)
    return dict(result, status=answer.get("status"), message=answer.get("message"))


ARGUMENT_SPEC = dict(
    summary=dict(type="str", required=True),
    source=dict(type="str"),
    timestamp=dict(type="str"),
    custom_details=dict(type="dict", aliases=["custom_fields"]),
    links=dict(type="raw"),
)


def main():
    PagerDutyModule(events=True, supports_diff=False, argument_spec=ARGUMENT_SPEC).run(run)


if __name__ == "__main__":
    main()
