#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_maintenance_window_info
short_description: Get one PagerDuty maintenance window, or list them by state, service, team and text
version_added: 1.1.0
description:
  - Returns one maintenance window by O(id) (one request; an unknown ID is an error), or every window that matches
    O(filter), O(services), O(teams) and O(query), reading every page in PagerDuty's order.
  - Services and teams given by name are looked up first (one request for a name, one listing for several names;
    one request per ID), and one that does not exist is an error, since PagerDuty would just list nothing for it.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.info_module
  - oncall.pagerduty.fields
options:
  id:
    description:
      - The ID of one window, for example C(PW98YIO).
    type: str
    aliases: [window_id]
  filter:
    description:
      - Which windows to list, as PagerDuty tells their state now. V(ongoing) windows have begun and not ended,
        V(future) ones have not begun, V(past) ones have ended; V(open) is ongoing and future; V(all) every one.
      - Without O(filter) (and without O(id)), every window is listed, as with V(all).
      - Not with O(id), which names the one window to return.
    type: str
    choices: [ongoing, future, past, open, all]
  services:
    description:
      - List only windows that include one of these services, by ID or name (a list, or a comma-separated string).
    type: list
    elements: str
    aliases: [service]
  teams:
    description:
      - List only windows of these teams (their services' teams), by ID or name. Needs the account's teams
        feature.
    type: list
    elements: str
  query:
    description:
      - List only windows whose description contains this text.
    type: str
seealso:
  - module: oncall.pagerduty.pd_maintenance_window
"""

EXAMPLES = r"""
- name: Is Checkout API in maintenance now?
  oncall.pagerduty.pd_maintenance_window_info:
    filter: ongoing
    services: Checkout API
  register: ongoing
  delegate_to: localhost

- name: Refuse to deploy during someone else's maintenance
  ansible.builtin.assert:
    that: ongoing.maintenance_windows | length == 0
    fail_msg: "Checkout API is in maintenance: {{ ongoing.maintenance_windows | map(attribute='description') | list }}"

- name: Upcoming maintenance of the Platform team mentioning Postgres
  oncall.pagerduty.pd_maintenance_window_info:
    filter: future
    teams: [Platform]
    query: Postgres
  delegate_to: localhost

- name: One window by ID
  oncall.pagerduty.pd_maintenance_window_info:
    id: PW98YIO
  delegate_to: localhost

- name: The start and end of every ongoing window, and nothing else
  oncall.pagerduty.pd_maintenance_window_info:
    filter: ongoing
    fields: [start_time, end_time]
  delegate_to: localhost
"""

RETURN = r"""
maintenance_windows:
  description: The windows, in PagerDuty's order; one when O(id) was given (only the attributes of O(fields), when given).
  returned: success
  type: list
  elements: dict
  sample: [{"id": "PW98YIO", "type": "maintenance_window", "description": "Deploy 1.4.2",
            "start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-23T21:30:00Z",
            "services": [{"id": "PSVCCHK", "type": "service_reference", "summary": "Checkout API"}]}]
maintenance_window:
  description: The window, when O(id) was given (only the attributes of O(fields), when given).
  returned: when O(id) was given
  type: dict
  sample: {"id": "PW98YIO", "type": "maintenance_window", "description": "Deploy 1.4.2"}
total:
  description: How many windows PagerDuty counted for the listing.
  returned: success
  type: int
  sample: 3
truncated:
  description: Whether PagerDuty's 10,000-result limit cut the listing short.
  returned: success
  type: bool
  sample: false
"""

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.maintenance_windows import (
    get_maintenance_window, list_maintenance_windows)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.fields import FIELDS_SPEC, fields_problem, light
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list


def listing_params(module):
    """The query of ``GET /maintenance_windows`` for the task (an unknown service or team fails)."""
    params = module.params
    query = {"filter": params["filter"] or "all"}
    services = list(dict.fromkeys(as_list(params["services"]) or []))
    teams = list(dict.fromkeys(as_list(params["teams"]) or []))
    if services:
        query["service_ids[]"] = module.resolver.service_ids(services)
    if teams:
        query["team_ids[]"] = module.resolver.team_ids(teams)
    if params["query"]:
        query["query"] = params["query"]
    return query


def run(module):
    params = module.params
    module.require("api_token")
    problem = fields_problem(params["fields"])
    if problem:
        raise PagerDutyInputError(problem)
    if params["id"]:
        window = get_maintenance_window(module.client, params["id"].strip())
        if window is None:
            raise PagerDutyError("id: no maintenance window has the ID %s" % params["id"])
        window = light([window], params["fields"], "maintenance window", module.warn)[0]
        return dict(changed=False, maintenance_window=window, maintenance_windows=[window], total=1,
                    truncated=False)
    windows, info = list_maintenance_windows(module.client, listing_params(module))
    if info["truncated"]:
        module.warn("PagerDuty lists at most 10,000 results: %d maintenance windows are returned; narrow the "
                    "listing with filter, services, teams or query" % len(windows))
    return dict(changed=False, maintenance_windows=light(windows, params["fields"], "maintenance window", module.warn),
                total=info["total"], truncated=info["truncated"])


ARGUMENT_SPEC = dict(
    id=dict(type="str", aliases=["window_id"]),
    filter=dict(type="str", choices=["ongoing", "future", "past", "open", "all"]),
    services=dict(type="list", elements="str", aliases=["service"]),
    teams=dict(type="list", elements="str"),
    query=dict(type="str"),
    fields=dict(FIELDS_SPEC),
)
MUTUALLY_EXCLUSIVE = [("id", "filter"), ("id", "services"), ("id", "teams"), ("id", "query")]


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_diff=False).run(run)


if __name__ == "__main__":
    main()
