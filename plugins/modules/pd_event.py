#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_event
short_description: Send a PagerDuty Events API v2 alert event (trigger, acknowledge, resolve)
version_added: 1.0.0
description:
  - Sends an alert event to a PagerDuty service through the Events API v2, as Rundeck's PagerDuty C(Send Event) step
    does.
  - A V(trigger) opens an alert (and an incident) or adds to the open alert with the same O(dedup_key).
    V(acknowledge) and V(resolve) act on the open alert with that O(dedup_key).
  - Everything PagerDuty would refuse is refused before sending, with a message naming the option.
  - A trigger without O(dedup_key) gets a new random key, returned as RV(dedup_key). Because the key is chosen before
    sending, a trigger resent after a lost answer cannot open a second alert.
  - V(acknowledge) and V(resolve) are safe to repeat; PagerDuty ignores one that has nothing to do.
  - When O(api_token) is also available, V(acknowledge) first looks up the open incidents with that key and sends
    nothing (C(changed=false)) only when that proves the alert is already acknowledged, that is when exactly one open
    incident in the account has the key, it is acknowledged, and it holds the open alert with the key. In every other
    case (no open incident, several on different services, the alert grouped into another incident) the event is
    sent. The REST API does not tell which service a routing key belongs to, so a key that is also open on another
    service always sends.
  - V(resolve) is always sent. No REST lookup can prove an alert resolved, because an alert grouped into another
    incident is not found by its key.
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
    support: partial
    details:
      - A V(trigger) is always sent, as each one is recorded on the alert.
      - V(acknowledge) reports C(changed=false) and sends nothing when O(api_token) is set and the alert is provably
        acknowledged already (see the description).
      - V(resolve) is always sent and reports C(changed=true); PagerDuty ignores a resolve of a resolved alert.
options:
  event_action:
    description:
      - What the event does.
    type: str
    choices: [trigger, acknowledge, resolve]
    default: trigger
  dedup_key:
    description:
      - Identifies the alert. Required for V(acknowledge) and V(resolve); at most 255 characters.
      - For V(trigger), a new random key is used when this is not given.
    type: str
    aliases: [incident_key]
  summary:
    description:
      - A brief text summary of the event, used as the alert and incident title. Required for V(trigger).
      - At most 1024 characters.
    type: str
  source:
    description:
      - The unique location of the affected system, preferably a hostname or FQDN. Required for V(trigger).
      - Defaults to the fully qualified name of the host that runs the module.
    type: str
  severity:
    description:
      - How impacted the affected system is. Required for V(trigger).
    type: str
    choices: [critical, error, warning, info]
  timestamp:
    description:
      - When the emitting tool detected or generated the event, as a date and time with a time zone (RFC 3339), for
        example C(2026-11-23T08:42:58Z) or C(2026-11-23T09:42:58.315+01:00).
    type: str
  component:
    description:
      - Component of the source machine that is responsible for the event, for example C(mysql) or C(eth0).
    type: str
  group:
    description:
      - Logical grouping of components of a service, for example C(app-stack).
    type: str
  class:
    description:
      - The class or type of the event, for example C(ping failure) or C(cpu load).
    type: str
    aliases: [event_class]
  custom_details:
    description:
      - Free-form details about the event and the affected system, shown on the alert.
    type: dict
  images:
    description:
      - Images to show on the alert and incident.
      - A list of dictionaries with C(src) (an C(https://) URL, required), C(href) and C(alt); or a list of image URLs;
        or a comma-separated string of image URLs, as Rundeck passes them.
    type: raw
  links:
    description:
      - Links to show on the alert and incident.
      - A list of dictionaries with C(href) (required) and C(text); or a list of URLs; or a comma-separated string of
        URLs.
    type: raw
  client:
    description:
      - The name of the monitoring client that is triggering this event.
    type: str
  client_url:
    description:
      - The URL of the monitoring client that is triggering this event.
    type: str
seealso:
  - module: oncall.pagerduty.pd_change_event
  - module: oncall.pagerduty.pd_incident
"""

EXAMPLES = r"""
- name: Trigger an alert on the checkout service
  oncall.pagerduty.pd_event:
    routing_key: "{{ pagerduty_routing_key }}"
    summary: "Disk 95% full on {{ inventory_hostname }}"
    source: "{{ inventory_hostname }}"
    severity: critical
    timestamp: "{{ now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ') }}"
    component: postgres
    group: checkout-db
    class: disk
    dedup_key: "disk-full-{{ inventory_hostname }}"
    custom_details:
      free_space: 5%
      mount: /var/lib/postgresql
    links:
      - href: https://grafana.example.com/d/disk
        text: Disk dashboard
    images: https://grafana.example.com/render/disk.png
    client: AWX
    client_url: "https://awx.example.com/#/jobs/playbook/{{ awx_job_id }}"
  delegate_to: localhost

- name: Resolve it once the disk is cleaned (always sent; PagerDuty ignores it if already resolved)
  oncall.pagerduty.pd_event:
    routing_key: "{{ pagerduty_routing_key }}"
    event_action: resolve
    dedup_key: "disk-full-{{ inventory_hostname }}"
  delegate_to: localhost

- name: Acknowledge; with a REST token nothing is sent when it is provably acknowledged already
  oncall.pagerduty.pd_event:
    routing_key: "{{ pagerduty_routing_key }}"
    api_token: "{{ pagerduty_api_token }}"
    event_action: acknowledge
    dedup_key: deploy-failed-42
  delegate_to: localhost

- name: EU account, routing key from PAGERDUTY_ROUTING_KEY
  oncall.pagerduty.pd_event:
    region: eu
    summary: Backup job failed
    severity: error
    source: backup01.example.com
  delegate_to: localhost

- name: Against a test endpoint with a self-signed certificate, waiting at most 20 seconds in all for retries
  oncall.pagerduty.pd_event:
    routing_key: "{{ pagerduty_routing_key }}"
    api_token: "{{ pagerduty_api_token }}"
    api_url: https://pagerduty-double.test.example.com
    events_url: https://pagerduty-double.test.example.com
    validate_certs: false
    timeout: 10
    max_retry_wait: 20
    event_action: acknowledge
    dedup_key: deploy-failed-42
  delegate_to: localhost

- name: Connection options once for the whole group; the routing key only on the event module
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ pagerduty_api_token }}"
      from_email: ops-bot@example.com
      region: eu
  delegate_to: localhost
  block:
    - name: Acknowledge the alert
      oncall.pagerduty.pd_event:
        routing_key: "{{ pagerduty_routing_key }}"
        event_action: acknowledge
        dedup_key: deploy-failed-42

    - name: Say why on its incident (from_email is for writes like this one)
      oncall.pagerduty.pd_incident_note:
        incident_id: "{{ pagerduty_incident_id }}"
        note: Rolling back deploy 42
"""

RETURN = r"""
dedup_key:
  description: The key of the alert, to acknowledge or resolve it later.
  returned: success
  type: str
  sample: 7f1c2d6e9a6b4f4c8d1f0e2a3b4c5d6e
status:
  description: PagerDuty's status for the event (C(success)), or C(skipped) when nothing was sent.
  returned: success
  type: str
  sample: success
message:
  description: PagerDuty's message (C(Event processed)), or why nothing was sent.
  returned: success
  type: str
  sample: Event processed
event:
  description: The event that was (or in check mode would be) sent, without the routing key.
  returned: success
  type: dict
  sample: {"event_action": "trigger", "dedup_key": "disk-full-db1",
           "payload": {"summary": "Disk 95% full on db1", "source": "db1", "severity": "critical"}}
incident:
  description:
    - The only open incident with O(dedup_key) in the account, when O(api_token) was used to check the state first.
  returned: when O(event_action) is V(acknowledge), O(api_token) is set and exactly one open incident has the key
  type: dict
"""


import socket

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.events import send_alert_event
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import list_alerts
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.events import EventValidationError, build_alert_event
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import open_incidents_with_key
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule


def only_open_incident(client, dedup_key):
    """The open incident with ``dedup_key`` if it is the only one in the account, else None."""
    incidents, more = open_incidents_with_key(client, dedup_key, limit=2)
    return incidents[0] if len(incidents) == 1 and not more else None


def holds_open_alert(client, incident, dedup_key):
    """Whether the open alert with ``dedup_key`` is in ``incident`` (not grouped into another one)."""
    return any(a.get("alert_key") == dedup_key and a.get("status") != "resolved"
               for a in list_alerts(client, incident["id"], dedup_key))


def acknowledged_already(client, dedup_key):
    """``(incident, proven)``: the incident checked, and whether it proves an acknowledge has nothing to do.

    The REST API does not tell which service a routing key belongs to, so the
    proof is an acknowledged incident that is the only open one with the key in
    the account and holds the open alert with that key.  Without that proof
    (no incident, several services, an alert grouped elsewhere) the event is
    sent: PagerDuty ignores an acknowledge that has nothing to do.
    """
    incident = only_open_incident(client, dedup_key)
    if incident is None or incident.get("status") != "acknowledged":
        return incident, False
    return incident, holds_open_alert(client, incident, dedup_key)


def event_from(params):
    """The alert event the task describes, checked as PagerDuty would check it."""
    try:
        return build_alert_event(
            params["routing_key"], params["event_action"], dedup_key=params["dedup_key"],
            summary=params["summary"], source=params["source"] or socket.getfqdn(), severity=params["severity"],
            timestamp=params["timestamp"], component=params["component"], group=params["group"],
            event_class=params["class"], custom_details=params["custom_details"], images=params["images"],
            links=params["links"], client=params["client"], client_url=params["client_url"])
    except EventValidationError as exc:
        raise PagerDutyInputError(str(exc))


def run(module):
    params = module.params
    module.require("routing_key")
    event = event_from(params)
    result = dict(dedup_key=event["dedup_key"], event=dict((k, v) for k, v in event.items() if k != "routing_key"))
    if params["event_action"] == "acknowledge" and params["api_token"]:
        incident, proven = acknowledged_already(module.client, event["dedup_key"])
        if incident is not None:
            result["incident"] = incident
        if proven:
            return dict(result, changed=False, status="skipped",
                        message="Nothing sent: incident %s is already acknowledged" % incident.get("id"))
    if module.check_mode:
        return dict(result, changed=True, status="skipped", message="Check mode: the event was not sent")
    answer = send_alert_event(module.client, event)
    return dict(result, changed=True, status=answer.get("status"), message=answer.get("message"),
                dedup_key=answer.get("dedup_key") or event["dedup_key"])


ARGUMENT_SPEC = dict(
    event_action=dict(type="str", default="trigger", choices=["trigger", "acknowledge", "resolve"]),
    dedup_key=dict(type="str", aliases=["incident_key"], no_log=False),
    summary=dict(type="str"),
    source=dict(type="str"),
    severity=dict(type="str", choices=["critical", "error", "warning", "info"]),
    timestamp=dict(type="str"),
    component=dict(type="str"),
    group=dict(type="str"),
    custom_details=dict(type="dict"),
    images=dict(type="raw"),
    links=dict(type="raw"),
    client=dict(type="str"),
    client_url=dict(type="str"),
    **{"class": dict(type="str", aliases=["event_class"])}
)
REQUIRED_IF = [
    ("event_action", "trigger", ("summary", "severity")),
    ("event_action", "acknowledge", ("dedup_key",)),
    ("event_action", "resolve", ("dedup_key",)),
]


def main():
    module = PagerDutyModule(events=True, supports_diff=False, argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF)
    module.run(run)


if __name__ == "__main__":
    main()
