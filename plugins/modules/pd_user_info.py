#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_user_info
short_description: Get one PagerDuty user, or list users by search text and team
version_added: 1.0.0
description:
  - Returns one user, found by O(user_id) or O(email), as Rundeck's PagerDuty C(Get User) step does; or every user
    that matches O(query) and O(team_ids), as its C(Get Users) step does.
  - A user found by O(email) costs one request to PagerDuty (a search, then an exact, case-insensitive match of
    the address). An unknown ID or address is an error.
  - Listings read every page in PagerDuty's order (by name). After the first page, which tells how many users
    match, the other pages are fetched a few at a time in parallel, holding back when PagerDuty reports its rate
    limit nearly used.
  - PagerDuty lists at most 10,000 results. A longer listing returns the first 10,000, sets RV(truncated) and
    warns; narrow it with O(query) or O(team_ids).
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.info_module
  - oncall.pagerduty.fields
options:
  user_id:
    description:
      - The PagerDuty ID of one user, for example C(PXPGF42).
    type: str
    aliases: [id]
  email:
    description:
      - The email address of one user, matched without regard to case.
      - To test whether a user exists without failing, list with O(query) set to the address instead.
    type: str
  query:
    description:
      - List the users whose name or email address contains this text.
    type: str
  team_ids:
    description:
      - List only members of these teams (of any of them), by ID or name.
      - A list, or a comma-separated string as Rundeck passes it.
      - Each team is looked up first (one request per ID; one for a name, or one listing for several names), and a
        team that does not exist is an error, since PagerDuty would just list nobody for it.
      - A name matches exactly; only a name that matches no team exactly may match one whose name differs in case.
        A name that looks like an ID (such as C(PLATFORMOPS)) is tried as an ID first, then as a name.
    type: list
    elements: str
    aliases: [teams]
  include:
    description:
      - Related objects to return in full inside each user instead of as references. Each is asked for once.
      - Contact methods come without their addresses.
    type: list
    elements: str
    choices: [contact_methods, notification_rules, teams]
notes:
  - Users are returned without contact-method addresses and without the private calendar feed URLs
    (C(http_cal_url), C(web_cal_url)) that PagerDuty shows a user on their own profile.
seealso:
  - module: oncall.pagerduty.pd_user
"""

EXAMPLES = r"""
- name: Get one user by email address
  oncall.pagerduty.pd_user_info:
    email: jane.doe@example.com
  register: jane
  delegate_to: localhost

- name: Everyone on the Checkout and Platform teams, with their teams in full
  oncall.pagerduty.pd_user_info:
    team_ids: Checkout,PTPLATF
    include: [teams]
  register: members
  delegate_to: localhost

- name: Does anyone have this address?
  oncall.pagerduty.pd_user_info:
    query: new.hire@example.com
  register: found
  delegate_to: localhost

- name: Show the e-mail addresses of every user
  ansible.builtin.debug:
    msg: "{{ members.users | map(attribute='email') | list }}"

- name: The address of every user of the account, and nothing else (a light result for 10,000 users)
  oncall.pagerduty.pd_user_info:
    fields: [email]
  register: addresses
  delegate_to: localhost
"""

RETURN = r"""
users:
  description:
    - The users, in PagerDuty's order (by name); one user when O(user_id) or O(email) was given.
    - Without contact-method addresses and calendar feed URLs.
    - Only the attributes of O(fields), when given.
  returned: success
  type: list
  elements: dict
  sample: [{"id": "PXPGF42", "type": "user", "name": "Jane Doe", "email": "jane.doe@example.com",
            "role": "limited_user", "time_zone": "Europe/Berlin",
            "teams": [{"id": "PTCHKOT", "type": "team_reference", "summary": "Checkout"}]}]
user:
  description: The user, when O(user_id) or O(email) was given (only the attributes of O(fields), when given).
  returned: when O(user_id) or O(email) was given
  type: dict
  sample: {"id": "PXPGF42", "type": "user", "name": "Jane Doe", "email": "jane.doe@example.com"}
total:
  description: How many users PagerDuty counted for the listing (it may be more than 10,000).
  returned: success
  type: int
  sample: 2500
truncated:
  description: Whether PagerDuty's 10,000-result limit cut the listing short.
  returned: success
  type: bool
  sample: false
"""


from ansible_collections.oncall.pagerduty.plugins.module_utils._api.users import get_user, list_users
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.fields import FIELDS_SPEC, fields_problem, light
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list
from ansible_collections.oncall.pagerduty.plugins.module_utils.users import EMAIL, sanitized, user_id_problem


def one_user(module, include):
    """The one user asked for by ID or address; fails when there is none."""
    params = module.params
    if params["user_id"]:
        user = get_user(module.client, params["user_id"].strip(), include)
        if user is None:
            raise PagerDutyError("user_id: no PagerDuty user has the ID %s" % params["user_id"])
        return user
    email = params["email"].strip()
    user, users = module.resolver.find_user_by_email(email, include)
    if user is None:
        near = ", ".join("%s <%s>" % (u.get("name"), u.get("email")) for u in users[:5])
        raise PagerDutyError("email: no PagerDuty user has the address %s%s" % (
            email, " (similar: %s)" % near if near else ""))
    return user


def input_problem(params):
    """A user ID or address that cannot be one, found before any request; None when fine."""
    problem = user_id_problem(params["user_id"])
    if problem:
        return problem
    if params["email"] is not None and not EMAIL.match(params["email"].strip()):
        return "email must be an email address such as jane@example.com, got %r" % params["email"]
    return fields_problem(params["fields"])


def returned(module, users):
    """The users as returned: projected on ``fields`` first (cheap), then without the secrets of what is left."""
    return sanitized(light(users, module.params["fields"], "user", module.warn))


def listing_query(module, include):
    """The query of ``GET /users`` for the task's search text and teams (an unknown team fails: PagerDuty would
    quietly list nobody for it)."""
    params = module.params
    query = {}
    if params["query"]:
        query["query"] = params["query"]
    teams = list(dict.fromkeys(as_list(params["team_ids"]) or []))
    if teams:
        query["team_ids[]"] = module.resolver.team_ids(teams, "team_ids")
    if include:
        query["include[]"] = include
    return query


def run(module):
    params = module.params
    module.require("api_token")
    problem = input_problem(params)
    if problem:
        raise PagerDutyInputError(problem)
    include = list(dict.fromkeys(params["include"] or []))      # once each, in the order given
    if params["user_id"] or params["email"]:
        user = returned(module, [one_user(module, include)])[0]
        return dict(changed=False, user=user, users=[user], total=1, truncated=False)
    users, info = list_users(module.client, listing_query(module, include))
    if info["truncated"]:
        module.warn("PagerDuty lists at most 10,000 results: %d of %s users are returned; narrow the listing with "
                    "query or team_ids" % (len(users), info["total"] if info["total"] is not None else "more"))
    return dict(changed=False, users=returned(module, users), total=info["total"], truncated=info["truncated"])


ARGUMENT_SPEC = dict(
    user_id=dict(type="str", aliases=["id"]),
    email=dict(type="str"),
    query=dict(type="str"),
    team_ids=dict(type="list", elements="str", aliases=["teams"]),
    include=dict(type="list", elements="str", choices=["contact_methods", "notification_rules", "teams"]),
    fields=dict(FIELDS_SPEC),
)
MUTUALLY_EXCLUSIVE = [("user_id", "email", "query"), ("user_id", "team_ids"), ("email", "team_ids")]


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_diff=False).run(run)


if __name__ == "__main__":
    main()
