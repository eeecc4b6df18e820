#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident_workflow
short_description: Start a PagerDuty incident workflow on an incident (the successor of Response Plays)
version_added: 1.0.0
description:
  - Starts an incident workflow on an incident.
  - This replaces Rundeck's PagerDuty I(Run Response Play) step. PagerDuty deprecated Response Plays in 2023 and
    removed the C(/response_plays) endpoints in 2025; incident workflows do what response plays did (add responders,
    post status updates, open a conference bridge, subscribe stakeholders) and more.
  - Migrating a Rundeck job - recreate the response play as an incident workflow in PagerDuty (Automation >
    Incident Workflows), then replace the step's C(response_play_id) with this module's O(workflow) (the workflow's
    ID or name) and keep the incident ID. The requester email becomes O(from_email).
  - Starting a workflow is an action, not a state - each run starts it again, and check mode starts nothing.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Checks that the workflow and the incident exist; starts nothing.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - Each run starts the workflow again.
options:
  incident_id:
    description:
      - The ID or number of the incident.
    type: str
    required: true
    aliases: [id, incident_number]
  workflow:
    description:
      - The incident workflow, by ID or exact name.
    type: str
    required: true
    aliases: [workflow_id, workflow_name]
notes:
  - Needs the account's incident workflows feature (PagerDuty answers 402 otherwise).
  - PagerDuty cannot list a workflow's runs, so a start whose answer was lost is not retried; the module fails and
    asks you to check, rather than risk starting it twice.
seealso:
  - module: oncall.pagerduty.pd_incident_responder
  - module: oncall.pagerduty.pd_incident_status_update
  - name: Incident Workflows
    description: PagerDuty's documentation of incident workflows.
    link: https://support.pagerduty.com/main/docs/incident-workflows
"""

EXAMPLES = r"""
- name: Start the major incident workflow (was Rundeck "Run Response Play")
  oncall.pagerduty.pd_incident_workflow:
    incident_id: "{{ pd_incident_id }}"
    workflow: Major Incident Response

- name: By workflow ID
  oncall.pagerduty.pd_incident_workflow:
    incident_id: PT4KHLK
    workflow: PWFMAJR
"""

RETURN = r"""
incident_workflow_instance:
  description: The started workflow instance as PagerDuty returns it.
  returned: success, not in check mode
  type: dict
  sample: {"id": "P3SNKQS", "type": "incident_workflow_instance",
           "incident": {"id": "PT4KHLK", "type": "incident_reference"}}
workflow_id:
  description: The ID of the workflow.
  returned: success
  type: str
  sample: PWFMAJR
incident_id:
  description: The ID of the incident.
  returned: success
  type: str
  sample: PT4KHLK
"""


from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    get_incident, start_incident_workflow)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule


def run(module):
    p = module.params
    module.require("api_token")
    workflow_id = module.resolver.workflow_id(p["workflow"])
    incident = get_incident(module.client, p["incident_id"])
    result = dict(workflow_id=workflow_id, incident_id=incident["id"], changed=True)
    if module.check_mode:
        return result
    instance = start_incident_workflow(module.client, workflow_id, incident["id"])
    return dict(result, incident_workflow_instance=instance)


ARGUMENT_SPEC = dict(
    incident_id=dict(type="str", required=True, aliases=["id", "incident_number"]),
    workflow=dict(type="str", required=True, aliases=["workflow_id", "workflow_name"]),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC).run(run)


if __name__ == "__main__":
    main()
