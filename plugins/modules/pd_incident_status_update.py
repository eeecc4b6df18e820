#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident_status_update
short_description: Send a stakeholder status update for a PagerDuty incident
version_added: 1.0.0
description:
  - Posts a status update to an incident's stakeholders (subscribers), the message part of Rundeck's PagerDuty
    I(Update Status) step. Use M(oncall.pagerduty.pd_incident) for the incident's own status.
  - A status update is an action - each run sends it again, and check mode sends nothing.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Checks that the incident exists; sends nothing.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - Each run sends the update again.
options:
  incident_id:
    description:
      - The ID or number of the incident.
    type: str
    required: true
    aliases: [id, incident_number]
  msg:
    description:
      - The status update, as text (PagerDuty's C(message)).
      - Named C(msg) because Ansible reserves C(message) for itself; ansible-test refuses it as an option name and
        as an alias.
    type: str
    required: true
  subject:
    description:
      - Subject of a custom HTML email. Must be given with O(html_message).
    type: str
  html_message:
    description:
      - Body of a custom HTML email. Must be given with O(subject).
    type: str
notes:
  - Needs O(from_email) (or E(PAGERDUTY_FROM_EMAIL)), shown as the sender.
  - Needs the account's status updates feature (PagerDuty answers 402 otherwise).
  - PagerDuty cannot list status updates, so one whose answer was lost is not retried; the module fails and asks
    you to check, rather than risk sending it twice.
seealso:
  - module: oncall.pagerduty.pd_incident
"""

EXAMPLES = r"""
- name: Tell stakeholders what is going on (Rundeck "Update Status")
  oncall.pagerduty.pd_incident_status_update:
    incident_id: "{{ pd_incident_id }}"
    msg: Checkout is degraded for EU customers; a fix is rolling out, next update in 30 minutes.

- name: With a custom HTML email
  oncall.pagerduty.pd_incident_status_update:
    incident_id: PT4KHLK
    msg: Resolved - checkout is healthy again.
    subject: "[Resolved] Checkout degradation"
    html_message: "<h1>Resolved</h1><p>Checkout is healthy again.</p>"
"""

RETURN = r"""
status_update:
  description: The status update as PagerDuty returns it.
  returned: success, not in check mode
  type: dict
  sample: {"id": "PWL7QXS", "message": "A fix is rolling out.", "created_at": "2026-11-23T08:42:58Z",
           "sender": {"id": "PADMIN1", "type": "user_reference"}}
incident_id:
  description: The ID of the incident.
  returned: success
  type: str
  sample: PT4KHLK
"""


from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    create_status_update, get_incident)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule


def run(module):
    p = module.params
    if not p["msg"].strip():
        raise PagerDutyInputError("msg must not be empty")
    module.require("api_token", "from_email")
    incident = get_incident(module.client, p["incident_id"])
    result = dict(incident_id=incident["id"], changed=True)
    if module.check_mode:
        return result
    update = create_status_update(module.client, incident["id"], p["msg"], p["subject"], p["html_message"])
    return dict(result, status_update=update)


ARGUMENT_SPEC = dict(
    incident_id=dict(type="str", required=True, aliases=["id", "incident_number"]),
    msg=dict(type="str", required=True),
    subject=dict(type="str"),
    html_message=dict(type="str"),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, required_together=[("subject", "html_message")]).run(run)


if __name__ == "__main__":
    main()
