#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_oncall_info
short_description: Who is on call in PagerDuty, now, at a time or over a range
version_added: 1.1.0
description:
  - Returns who is on call for escalation policies, schedules, services (through their escalation policies) or
    users, now, at a moment (O(at)) or over a range (O(since) and O(until)), optionally at one escalation level.
  - Each entry names the user (ID, name and email only, never contact addresses), the escalation level and policy,
    the schedule the user is on call through (none for a user the policy names directly), and the start and end
    of that on-call (none for a user the policy names directly, who is always on call).
  - "Costs one listing request (every page) plus one request per name, email or service to resolve. An ID is not
    looked up first: PagerDuty's answer naming it shows it exists; an ID the answer does not name is checked
    afterwards (one request), and one that does not exist is an error rather than an empty answer."
  - The filters combine (the entries that match all of them); several values of one kind are alternatives.
  - The lookup plugin C(oncall.pagerduty.oncall) asks the same question from a template.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.info_module
  - oncall.pagerduty.fields
options:
  escalation_policies:
    description:
      - Escalation policies, by ID or name (a list, or a comma-separated string).
    type: list
    elements: str
    aliases: [escalation_policy]
  schedules:
    description:
      - On-call schedules, by ID or name. Only the on-calls through these schedules are returned.
    type: list
    elements: str
    aliases: [schedule]
  services:
    description:
      - Services, by ID or name; who is on call for a service is who is on call on its escalation policy.
    type: list
    elements: str
    aliases: [service]
  users:
    description:
      - Users, by ID, email address or exact name. Only their on-calls are returned.
    type: list
    elements: str
    aliases: [user]
  escalation_level:
    description:
      - Only the on-calls at this escalation level (1 is the first level).
    type: int
    aliases: [level]
  at:
    description:
      - The moment to ask about, V(now) (the default) or an ISO 8601 date and time with its offset, such as
        C(2026-11-23T22:00:00+01:00). PagerDuty computes on-calls up to 90 days ahead.
    type: raw
  since:
    description:
      - The start of a range of time; every on-call that overlaps the range is returned. With O(until).
    type: raw
  until:
    description:
      - The end of the range (at most 90 days ahead), not before O(since). With O(since).
    type: raw
notes:
  - Without O(at), O(since) and O(until), PagerDuty answers for its own current time.
seealso:
  - module: oncall.pagerduty.pd_schedule_override
  - plugin: oncall.pagerduty.oncall
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Who is on call for Checkout, first level
  oncall.pagerduty.pd_oncall_info:
    services: Checkout API
    escalation_level: 1
  register: oncall
  delegate_to: localhost

- name: Fail the change when nobody is on call
  ansible.builtin.assert:
    that: oncall.users | length > 0
    fail_msg: Nobody is on call for Checkout API; not deploying.

- name: Tell the on-call engineer about the deploy
  community.general.mail:
    to: "{{ oncall.emails | join(',') }}"
    subject: Deploying checkout-api {{ release }}
  delegate_to: localhost

- name: Who will be on call on the schedule on Saturday night
  oncall.pagerduty.pd_oncall_info:
    schedules: [Checkout Primary]
    at: "2026-11-28T23:00:00+01:00"
  delegate_to: localhost

- name: Grace's on-call shifts over the next week, on any policy
  oncall.pagerduty.pd_oncall_info:
    users: grace@example.com
    since: "{{ now(utc=true).strftime('%Y-%m-%dT%H:%M:%SZ') }}"
    until: "{{ (now(utc=true) + timedelta(days=7)).strftime('%Y-%m-%dT%H:%M:%SZ') }}"
  delegate_to: localhost

- name: Level 2 of a policy by ID
  oncall.pagerduty.pd_oncall_info:
    escalation_policies: PEPCHK1
    level: 2
  delegate_to: localhost

- name: Each on-call entry with its user and level only
  oncall.pagerduty.pd_oncall_info:
    services: Checkout API
    fields: [user, escalation_level]
  delegate_to: localhost
"""

RETURN = r"""
oncalls:
  description: The on-call entries, in PagerDuty's order (by escalation policy, then level); only the attributes of
    O(fields), when given.
  returned: success
  type: list
  elements: dict
  contains:
    user:
      description: The user on call, C(id), C(name) and C(email).
      type: dict
      returned: always
    escalation_level:
      description: The escalation level.
      type: int
      returned: always
    escalation_policy:
      description: The escalation policy, C(id) and C(name).
      type: dict
      returned: always
    schedule:
      description: The schedule the user is on call through, C(id) and C(name); V(null) for a user the policy
        names directly.
      type: dict
      returned: always
    start:
      description: When this on-call starts; V(null) for a user the policy names directly.
      type: str
      returned: always
    end:
      description: When this on-call ends; V(null) for a user the policy names directly.
      type: str
      returned: always
  sample: [{"user": {"id": "PLINUS1", "name": "Linus Ops", "email": "linus@example.com"}, "escalation_level": 1,
            "escalation_policy": {"id": "PEPCHK1", "name": "Checkout Escalation"},
            "schedule": {"id": "PSCHCHK", "name": "Checkout Primary"},
            "start": "2026-11-23T09:00:00Z", "end": "2026-11-30T09:00:00Z"}]
users:
  description: The users of the entries, once each, in order (C(id), C(name), C(email)).
  returned: success
  type: list
  elements: dict
  sample: [{"id": "PLINUS1", "name": "Linus Ops", "email": "linus@example.com"}]
emails:
  description: The email addresses of those users, in the same order.
  returned: success
  type: list
  elements: str
  sample: [linus@example.com]
"""

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.fields import FIELDS_SPEC, fields_problem, light
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list
from ansible_collections.oncall.pagerduty.plugins.module_utils.oncall import build_query, users_of, who_is_on_call
from ansible_collections.oncall.pagerduty.plugins.module_utils.times import utc_now


def run(module):
    params = module.params
    targets = dict((kind, as_list(params[kind])) for kind in ("escalation_policies", "schedules", "services", "users"))
    query = build_query(targets, params["escalation_level"], params["at"], params["since"], params["until"],
                        utc_now())
    module.require("api_token")
    problem = fields_problem(params["fields"])
    if problem:
        raise PagerDutyInputError(problem)
    entries = who_is_on_call(module.client, module.resolver, query)
    users = users_of(entries)
    return dict(changed=False, oncalls=light(entries, params["fields"], "on-call entry", module.warn), users=users,
                emails=[u["email"] for u in users if u["email"]])


ARGUMENT_SPEC = dict(
    escalation_policies=dict(type="list", elements="str", aliases=["escalation_policy"]),
    schedules=dict(type="list", elements="str", aliases=["schedule"]),
    services=dict(type="list", elements="str", aliases=["service"]),
    users=dict(type="list", elements="str", aliases=["user"]),
    escalation_level=dict(type="int", aliases=["level"]),
    at=dict(type="raw"),
    since=dict(type="raw"),
    until=dict(type="raw"),
    fields=dict(FIELDS_SPEC),
)
MUTUALLY_EXCLUSIVE = [("at", "since"), ("at", "until")]


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_diff=False).run(run)


if __name__ == "__main__":
    main()
