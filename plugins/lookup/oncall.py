# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: oncall
short_description: Who is on call in PagerDuty, for templates
version_added: 1.1.0
description:
  - Returns the email addresses of the users on call for escalation policies (or schedules, services or users,
    with O(kind)), now or at a moment; with O(details=true), the whole on-call entries.
  - Asks the same question as the module C(oncall.pagerduty.pd_oncall_info), through the same client and name
    resolution, with the same connection options and environment variables; a name that matches nothing (or
    several things) fails with one line.
  - Each question is asked once per run of C(ansible-playbook); later lookups of the same thing, in any task or
    host, read the answer kept in the controller's temporary directory for the run. The escalation level is applied
    to the kept answer, so lookups of several levels of one policy also cost one question.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.connection.plugins
options:
  _terms:
    description:
      - What to ask about, by ID or name (users also by email address); several terms (or a list) are
        alternatives.
    type: list
    elements: str
    required: true
  kind:
    description:
      - What the terms are. V(service) means who is on call on the service's escalation policy.
    type: str
    choices: [escalation_policy, schedule, service, user]
    default: escalation_policy
  level:
    description:
      - Only the users on call at this escalation level (1 is the first).
    type: int
  at:
    description:
      - The moment to ask about, V(now) (the default) or an ISO 8601 date and time with its offset, up to 90 days
        ahead.
    type: str
    default: now
  details:
    description:
      - Return the whole on-call entries (user with ID, name and email; escalation level and policy; schedule;
        start and end) instead of the email addresses.
    type: bool
    default: false
notes:
  - The answers of a run are kept in the controller's temporary directory for the run (mode 0700), which Ansible
    removes when the run ends; they hold the on-call users' IDs, names and email addresses, never a token.
  - An answer kept for the run is not refreshed during the run; use the module for an answer read anew.
seealso:
  - module: oncall.pagerduty.pd_oncall_info
"""

EXAMPLES = r"""
- name: Page whoever is first on call for Checkout
  ansible.builtin.debug:
    msg: "Paging {{ lookup('oncall.pagerduty.oncall', 'Checkout Escalation', level=1) | join(', ') }}"

- name: Post the deploy to the on-call engineer of the service
  community.general.mail:
    to: "{{ lookup('oncall.pagerduty.oncall', 'Checkout API', kind='service', level=1) | join(',') }}"
    subject: Deploying checkout-api {{ release }}

- name: Fail the change if nobody is on call
  ansible.builtin.assert:
    that: lookup('oncall.pagerduty.oncall', 'PEPCHK1', wantlist=true) | length > 0
    fail_msg: Nobody is on call for Checkout; not deploying.

- name: Who is on the schedule on Saturday night, in full
  ansible.builtin.debug:
    msg: "{{ lookup('oncall.pagerduty.oncall', 'Checkout Primary', kind='schedule', at='2026-11-28T23:00:00+01:00',
            details=true) }}"

- name: The connection from the environment (PAGERDUTY_API_TOKEN, ...) or as options
  ansible.builtin.debug:
    msg: "{{ lookup('oncall.pagerduty.oncall', 'Platform On-Call', api_token=vault_pagerduty_token, region='eu') }}"
"""

RETURN = r"""
_raw:
  description:
    - The email addresses of the users on call, once each, in PagerDuty's order (by escalation policy, then level).
    - With O(details=true), the on-call entries, each with C(user) (C(id), C(name), C(email)), C(escalation_level),
      C(escalation_policy) and C(schedule) (C(id), C(name); V(null) for a user the policy names directly),
      C(start) and C(end).
  type: list
  elements: raw
"""

import os
import traceback

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.oncall.pagerduty.plugins.module_utils.connection import (
    CONNECTION_OPTIONS, client_from_options)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, unexpected
from ansible_collections.oncall.pagerduty.plugins.module_utils.oncall import (
    KINDS, build_query, users_of, who_is_on_call)
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import Resolver
from ansible_collections.oncall.pagerduty.plugins.module_utils.times import utc_now
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.oncall_cache import RunCache, cache_key

display = Display()

KIND_TARGETS = dict(zip(("escalation_policy", "schedule", "service", "user"), KINDS))
_CACHE = []     # the RunCache of this process, made on first use


def run_cache():
    if not _CACHE:
        local_tmp = getattr(C, "DEFAULT_LOCAL_TMP", None)
        _CACHE.append(RunCache(os.path.join(local_tmp, "oncall_pagerduty_oncall") if local_tmp else None))
    return _CACHE[0]


def terms_of(terms):
    """The terms as a flat list of non-empty strings, once each (a term may be a list; names may hold commas)."""
    out = []
    for term in terms:
        for item in term if isinstance(term, (list, tuple)) else [term]:
            if str(item).strip():
                out.append(str(item).strip())
    return list(dict.fromkeys(out))


def ask(connection, query):
    """The entries answering ``query`` (every level), through the collection's one client and resolver."""
    client = client_from_options(connection)
    return who_is_on_call(client, Resolver(client), query)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        connection = dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS)
        level = self.get_option("level")
        try:
            if not connection.get("api_token"):
                raise PagerDutyError("api_token (or PAGERDUTY_API_TOKEN) is required")
            wanted = terms_of(terms)
            if not wanted:
                raise PagerDutyError("give what to ask about: an escalation policy (or kind=schedule, service, user)")
            query = build_query({KIND_TARGETS[self.get_option("kind")]: wanted}, level, self.get_option("at"),
                                now=utc_now())
            query.level = None      # (applied below, so that every level shares one answer)
            entries = run_cache().get(cache_key(connection, query.key()), lambda: ask(connection, query))
        except PagerDutyError as exc:
            raise AnsibleLookupError("oncall: %s" % exc)
        except Exception as exc:  # pylint: disable=broad-except
            display.vvv(traceback.format_exc())
            raise AnsibleLookupError("oncall: %s" % unexpected(exc))
        entries = [e for e in entries if level is None or e["escalation_level"] == level]
        if self.get_option("details"):
            return entries
        return [user["email"] for user in users_of(entries) if user["email"]]
