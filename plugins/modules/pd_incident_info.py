#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident_info
short_description: Get one PagerDuty incident (with its notes and log), or list incidents across all pages
version_added: 1.0.0
description:
  - With O(incident_id), returns that incident, as Rundeck's PagerDuty I(Get Incident) step does, with the extra
    details of O(include) and, on request, its notes and log entries.
  - Without it, lists the incidents that match the filters, across all pages (PagerDuty's classic pagination, up to
    its 10,000 cap; later pages are fetched concurrently).
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.info_module
  - oncall.pagerduty.fields
options:
  incident_id:
    description:
      - The ID or number of one incident.
    type: str
    aliases: [id, incident_number]
  include:
    description:
      - Details to return in full instead of as references.
      - V(first_trigger_log_entries) gives the log entry that opened the incident.
      - The values PagerDuty accepts for one incident. V(custom_fields) needs O(incident_id), because PagerDuty's
        incident listing does not accept it.
    type: list
    elements: str
    choices: [acknowledgers, agents, assignees, conference_bridge, custom_fields, escalation_policies,
              first_trigger_log_entries, priorities, services, teams, users]
  notes:
    description:
      - Also return the incident's notes (with O(incident_id)).
    type: bool
    default: false
  log_entries:
    description:
      - Also return the incident's log entries, newest first (with O(incident_id)).
    type: bool
    default: false
  statuses:
    description:
      - Only incidents with these statuses.
    type: list
    elements: str
    choices: [triggered, acknowledged, resolved]
  services:
    description:
      - Only incidents on these services (IDs or exact names); a list or a comma-separated string.
    type: list
    elements: str
  teams:
    description:
      - Only incidents of these teams (IDs or exact names); a list or a comma-separated string.
    type: list
    elements: str
  assignees:
    description:
      - Only incidents assigned to these users (IDs or email addresses).
    type: list
    elements: str
  urgencies:
    description:
      - Only incidents with these urgencies.
    type: list
    elements: str
    choices: [high, low]
  incident_key:
    description:
      - Only incidents with this de-duplication key.
    type: str
  since:
    description:
      - Start of the date range, in ISO 8601. PagerDuty allows a range of at most six months and defaults to the last
        month.
    type: str
  until:
    description:
      - End of the date range, in ISO 8601.
    type: str
  date_range:
    description:
      - V(all) ignores O(since) and O(until) and searches all incidents.
    type: str
    choices: [all]
seealso:
  - module: oncall.pagerduty.pd_incident
"""

EXAMPLES = r"""
- name: Get an incident with its first trigger log entry and notes (Rundeck "Get Incident")
  oncall.pagerduty.pd_incident_info:
    incident_id: "{{ pd_incident_id }}"
    include: [first_trigger_log_entries]
    notes: true
  register: found

- name: Open high-urgency incidents of the Checkout team
  oncall.pagerduty.pd_incident_info:
    statuses: [triggered, acknowledged]
    urgencies: [high]
    teams: Checkout
  register: open_incidents

- name: Everything on two services last week
  oncall.pagerduty.pd_incident_info:
    services: Checkout API,Platform Database
    since: "{{ '%Y-%m-%dT00:00:00Z' | strftime(ansible_date_time.epoch | int - 7 * 86400) }}"

- name: Only the number, status and title of each open incident (a light result for a long listing)
  oncall.pagerduty.pd_incident_info:
    statuses: [triggered, acknowledged]
    date_range: all
    fields: [incident_number, status, title]
  register: light
"""

RETURN = r"""
incident:
  description: The incident as PagerDuty returns it (only the attributes of O(fields), when given).
  returned: with O(incident_id)
  type: dict
  sample: {"id": "PT4KHLK", "incident_number": 1234, "status": "triggered", "title": "Checkout failing"}
notes:
  description: The incident's notes.
  returned: with O(incident_id) and O(notes=true)
  type: list
  elements: dict
log_entries:
  description: The incident's log entries, newest first.
  returned: with O(incident_id) and O(log_entries=true)
  type: list
  elements: dict
incidents:
  description: The incidents that match, in PagerDuty's order (only the attributes of O(fields), when given).
  returned: without O(incident_id)
  type: list
  elements: dict
total:
  description: How many incidents PagerDuty counted.
  returned: without O(incident_id)
  type: int
  sample: 42
truncated:
  description: Whether PagerDuty's 10,000-record cap stopped the listing; narrow the filters to see the rest.
  returned: without O(incident_id)
  type: bool
"""


from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    get_incident, list_incidents, list_log_entries, list_notes)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.fields import FIELDS_SPEC, fields_problem, light
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import LIST_FILTERS, listing_query
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule

# the include[] values of GET /incidents/{id}; GET /incidents accepts them all but custom_fields
INCLUDE = ("acknowledgers", "agents", "assignees", "conference_bridge", "custom_fields", "escalation_policies",
           "first_trigger_log_entries", "priorities", "services", "teams", "users")
ONE_INCIDENT_ONLY = ("custom_fields",)


def input_problem(p):
    """What cannot be combined in these parameters, found before any request; None when nothing."""
    if p["incident_id"]:
        given = [name for name in LIST_FILTERS if p[name]]
        if given:
            return "%s filter a listing and cannot be combined with incident_id" % ", ".join(given)
        return fields_problem(p["fields"])
    for name in ("notes", "log_entries"):
        if p[name]:
            return "%s needs incident_id" % name
    for value in ONE_INCIDENT_ONLY:
        if value in (p["include"] or []):
            return "include %s needs incident_id (PagerDuty's incident listing does not accept it)" % value
    return fields_problem(p["fields"])


def one(module):
    p = module.params
    client = module.client
    incident = get_incident(client, p["incident_id"], p["include"])
    result = dict(incident=light([incident], p["fields"], "incident", module.warn)[0], changed=False)
    if p["notes"]:
        result["notes"] = list_notes(client, incident["id"])
    if p["log_entries"]:
        result["log_entries"] = list_log_entries(client, incident["id"])
    return result


def many(module):
    p = module.params
    incidents, info = list_incidents(module.client, listing_query(module.resolver, p))
    if info["truncated"]:
        module.warn("PagerDuty returns at most 10,000 incidents and %s match; narrow the filters to see the rest"
                    % info["total"])
    return dict(changed=False, incidents=light(incidents, p["fields"], "incident", module.warn), total=info["total"],
                truncated=info["truncated"])


def run(module):
    module.require("api_token")
    problem = input_problem(module.params)
    if problem:
        raise PagerDutyInputError(problem)
    return one(module) if module.params["incident_id"] else many(module)


ARGUMENT_SPEC = dict(
    incident_id=dict(type="str", aliases=["id", "incident_number"]),
    include=dict(type="list", elements="str", choices=list(INCLUDE)),
    notes=dict(type="bool", default=False),
    log_entries=dict(type="bool", default=False),
    statuses=dict(type="list", elements="str", choices=["triggered", "acknowledged", "resolved"]),
    services=dict(type="list", elements="str"),
    teams=dict(type="list", elements="str"),
    assignees=dict(type="list", elements="str"),
    urgencies=dict(type="list", elements="str", choices=["high", "low"]),
    incident_key=dict(type="str", no_log=False),
    since=dict(type="str"),
    until=dict(type="str"),
    date_range=dict(type="str", choices=["all"]),
    fields=dict(FIELDS_SPEC),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, supports_diff=False).run(run)


if __name__ == "__main__":
    main()
