#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_user
short_description: Create, update or delete a PagerDuty user and set the user's teams
version_added: 1.0.0
description:
  - Makes a PagerDuty user exist with the given fields and teams, or makes it not exist, as Rundeck's PagerDuty
    C(Create User), C(Update User) and C(Delete User) steps do.
  - The user is found by O(user_id), or by O(email) when no ID is given (one request to PagerDuty, then an exact,
    case-insensitive match of the address).
  - With O(state=present), a missing user is created (which needs O(from_email), except in check mode, which only
    warns when it is missing); an existing user gets only the fields you supplied that differ. Fields you leave out
    are never changed.
  - Everything that can be checked before writing is checked first (the role, the email address, the lengths
    PagerDuty allows, the teams), so a bad value fails with one line naming the option and nothing is changed.
  - Creating a user is not safe to repeat, so after a lost answer the module looks the address up again instead of
    sending a second create; a lost answer never makes a duplicate user.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Looks the user and the teams up and reports what would change; writes nothing.
      - When deleting, warns if PagerDuty would refuse because the user has open incidents.
      - When creating without O(from_email), warns that the real run needs it.
  diff_mode:
    support: full
    details:
      - Shows the supplied fields that change (and the teams, by name), before and after.
  idempotent:
    support: full
    details:
      - A second identical run reads the user (one request) and writes nothing.
options:
  state:
    description:
      - V(present) creates the user or updates the fields that differ; V(absent) deletes the user.
      - PagerDuty refuses to delete a user who has open (triggered or acknowledged) incidents assigned, unless the
        account uses PagerDuty's offboarding feature; the module then fails and names the incidents.
      - The account owner cannot be deleted, nor made, nor have the role changed through the API.
    type: str
    choices: [present, absent]
    default: present
  user_id:
    description:
      - The PagerDuty ID of the user, for example C(PXPGF42).
      - When given, it identifies the user, and O(email) is a field to set. A user is never created from an ID;
        with O(state=present) an unknown ID is an error.
      - One of O(user_id) and O(email) is required.
    type: str
    aliases: [id]
  email:
    description:
      - The user's email address (login). Identifies the user when O(user_id) is not given; matched without regard
        to case, so the address is then never changed.
      - With O(user_id), the address to set. PagerDuty stores the address as sent (logins ignore case), so a
        different case alone is a change, sent to PagerDuty.
      - Required to create a user.
    type: str
  name:
    description:
      - The user's full name, at most 100 characters. Required to create a user.
    type: str
  role:
    description:
      - The user's base role.
      - "PagerDuty's API names: V(admin), V(limited_user), V(observer), V(owner), V(read_only_user),
        V(restricted_access), V(read_only_limited_user), V(user)."
      - "The web app's names are accepted too, in any case: V(Global Admin) or V(Admin) (C(admin)),
        V(Manager) (C(user)), V(Responder) (C(limited_user)), V(Observer) (C(observer)), V(Account Owner) or
        V(Owner) (C(owner)), V(Full Stakeholder) or V(Stakeholder) (C(read_only_user)), V(Limited Stakeholder)
        (C(read_only_limited_user)), V(Restricted Access) (C(restricted_access))."
      - The stakeholder roles need the account's C(read_only_users) ability; V(observer) and V(restricted_access)
        need advanced permissions.
      - PagerDuty gives new users the role C(user) (Manager) when this is not set.
    type: str
  color:
    description:
      - The color of the user on schedules, for example C(green) or C(dark-slate-blue).
    type: str
  job_title:
    description:
      - The user's job title, at most 100 characters.
    type: str
    aliases: [title]
  description:
    description:
      - The user's bio.
    type: str
  time_zone:
    description:
      - The user's time zone, an IANA name such as C(Europe/Paris). New users get the account's time zone when
        this is not set.
    type: str
  teams:
    description:
      - Teams the user is a member of, by ID or name (a list, or a comma-separated string).
      - A name matches exactly; only a name that matches no team exactly may match one whose name differs in case.
        A name that looks like an ID (such as C(PLATFORMOPS)) is tried as an ID first, then as a name.
      - See O(teams_mode) for what happens to the user's other teams. Not setting this leaves the teams alone.
      - New members get the team's default role. Teams need the account's C(teams) ability (without it PagerDuty
        answers 402 and the module fails), and PagerDuty does not put a C(read_only_user) (Full Stakeholder) on a
        team.
    type: list
    elements: str
  teams_mode:
    description:
      - V(merge) adds the user to the O(teams) it is not yet on and leaves its other teams alone.
      - V(exact) also removes the user from every team not in O(teams); with O(teams=[]) it removes the user from
        all teams.
    type: str
    choices: [merge, exact]
    default: merge
notes:
  - Membership changes use C(PUT) and C(DELETE) on C(/teams/{id}/users/{user_id}), which are safe to repeat.
  - When a step fails after an earlier one changed PagerDuty (for example the user was updated, then a team
    membership was refused), the module fails with C(changed=true).
  - The returned user never holds contact-method addresses or the private calendar feed URLs
    (C(http_cal_url), C(web_cal_url)) that PagerDuty shows a user on their own profile.
seealso:
  - module: oncall.pagerduty.pd_user_info
  - name: PagerDuty user roles
    description: What each base role may do, with its name in the web app.
    link: https://support.pagerduty.com/main/docs/user-roles
"""

EXAMPLES = r"""
- name: Make sure Jane is a responder on the Checkout and Platform teams
  oncall.pagerduty.pd_user:
    email: jane.doe@example.com
    name: Jane Doe
    role: Responder
    job_title: SRE
    time_zone: Europe/Berlin
    teams: [Checkout, Platform]
    from_email: ops-bot@example.com
  delegate_to: localhost

- name: Rundeck-style arguments (role by its web name, title, teams as one string)
  oncall.pagerduty.pd_user:
    email: jane.doe@example.com
    role: Manager
    title: Staff SRE
    teams: PTCHKOT,PTPLATF
    teams_mode: exact
  delegate_to: localhost

- name: Change a user's email address, found by ID
  oncall.pagerduty.pd_user:
    user_id: PXPGF42
    email: jane@new.example.com
  delegate_to: localhost

- name: Offboard a leaver
  oncall.pagerduty.pd_user:
    email: leaver@example.com
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
user:
  description:
    - The user as PagerDuty returns it after the change (in check mode, as it would be; a user that would be created
      has no C(id) yet), without contact-method addresses or calendar feed URLs.
    - With O(state=absent), the user as it was before deletion, or V(null) when there was no such user.
  returned: success
  type: dict
  sample: {"id": "PXPGF42", "type": "user", "name": "Jane Doe", "email": "jane.doe@example.com",
           "role": "limited_user", "job_title": "SRE", "time_zone": "Europe/Berlin", "color": "green",
           "teams": [{"id": "PTCHKOT", "type": "team_reference", "summary": "Checkout"}],
           "html_url": "https://example.pagerduty.com/users/PXPGF42"}
"""


import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import list_incidents
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.schedules import list_schedules
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.services import list_escalation_policies
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.users import (
    add_team_member, create_user, delete_user, get_user, remove_team_member, update_user)
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyAPIError, PagerDutyError, PagerDutyInputError)
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import OPEN_STATUSES
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list
from ansible_collections.oncall.pagerduty.plugins.module_utils.users import EMAIL, sanitized, user_id_problem

API_ROLES = ("admin", "limited_user", "observer", "owner", "read_only_user", "restricted_access",
             "read_only_limited_user", "user")
# The web app's names for the roles (lower case, words separated by one space).
UI_ROLES = {
    "global admin": "admin", "admin": "admin",
    "manager": "user",
    "responder": "limited_user",
    "observer": "observer",
    "account owner": "owner", "owner": "owner",
    "full stakeholder": "read_only_user", "stakeholder": "read_only_user",
    "limited stakeholder": "read_only_limited_user",
    "restricted access": "restricted_access",
}
FIELDS = ("name", "email", "role", "color", "job_title", "description", "time_zone")
OPTIONAL_TEXT = ("job_title", "description")
MAX_LENGTHS = {"name": 100, "email": 100, "job_title": 100}


def canonical_role(value):
    """PagerDuty's API name for a role given by its API or web app name, in any case; None if unknown."""
    key = re.sub(r"[\s_-]+", " ", (value or "").strip().lower())
    for role in API_ROLES:
        if key == role.replace("_", " "):
            return role
    return UI_ROLES.get(key)


def role_error(value):
    return ("role must be one of %s, or a web app name (Global Admin, Admin, Manager, Responder, Observer, "
            "Account Owner, Owner, Full Stakeholder, Stakeholder, Limited Stakeholder, Restricted Access); got %r"
            % (", ".join(API_ROLES), value))


def check_email(value, parameter="email"):
    """An error message for an address PagerDuty would refuse, or None."""
    if not EMAIL.match(value or "") or not 6 <= len(value) <= 100:
        return "%s must be an email address of 6 to 100 characters, such as jane@example.com; got %r" % (
            parameter, value)
    return None


def describe(user):
    return "%s <%s> (%s)" % (user.get("name"), user.get("email"), user.get("id"))


def team_names(refs):
    return sorted((ref.get("summary") or ref.get("name") or ref["id"]) for ref in refs)


def plan_teams(current_refs, wanted, mode):
    """(to add, to remove) as lists of (id, name), from the current team references and the wanted (id, name)s."""
    current_ids = [ref["id"] for ref in current_refs]
    wanted_ids = [team_id for team_id, unused in wanted]
    add = [(team_id, name) for team_id, name in wanted if team_id not in current_ids]
    remove = []
    if mode == "exact":
        remove = [(ref["id"], ref.get("summary")) for ref in current_refs if ref["id"] not in wanted_ids]
    return add, remove


class Teams(object):
    """Resolves team IDs and names, asking PagerDuty only about teams the user is not already on."""

    def __init__(self, resolver, current_refs):
        self.resolver = resolver
        self.current = [(ref["id"], ref.get("summary") or "") for ref in current_refs]

    def resolve(self, entries):
        """(id, name) of each team, once each, in the order given."""
        known = [self._known(entry) for entry in entries]
        unknown = [entry for entry, team in zip(entries, known) if team is None]
        found = iter(self.resolver.teams(unknown) if unknown else [])
        out, seen = [], set()
        for team in known:
            if team is None:
                team = next(found)
                team = (team["id"], team.get("name") or team.get("summary"))
            if team[0] not in seen:
                seen.add(team[0])
                out.append(team)
        return out

    def _known(self, entry):
        """One of the user's own teams, by ID or exact name (a name in another case is asked about)."""
        for team_id, name in self.current:
            if entry in (team_id, name):
                return team_id, name
        return None


class TeamsUnavailable(PagerDutyError):
    """The account has no teams: PagerDuty answers 402 on every team endpoint."""

    def __init__(self, exc):
        self.api_error = exc
        super(TeamsUnavailable, self).__init__(
            "teams: this PagerDuty account's plan does not include teams (PagerDuty answered 402 on %s %s); leave "
            "teams unset" % (exc.method, exc.path))

    def details(self):
        return self.api_error.details()


class DeleteRefused(PagerDutyError):
    """PagerDuty refused to delete a user who has open incidents, or is on escalation policies or schedules."""

    def __init__(self, user, blockers, exc):
        self.api_error = exc
        self.incidents = [dict(id=i.get("id"), incident_number=i.get("incident_number"), title=i.get("title"),
                               status=i.get("status"), html_url=i.get("html_url")) for i in blockers.incidents]
        self.escalation_policies = [dict(id=p.get("id"), name=p.get("name")) for p in blockers.policies]
        self.schedules = [dict(id=s.get("id"), name=s.get("name")) for s in blockers.schedules]
        super(DeleteRefused, self).__init__("PagerDuty refused to delete %s: %s" % (describe(user), blockers.text()))

    def details(self):
        return dict(self.api_error.details(), incidents=self.incidents, escalation_policies=self.escalation_policies,
                    schedules=self.schedules)


def named_list(objects, most=10):
    return ", ".join("%s (%s)" % (o.get("name"), o.get("id")) for o in objects[:most])


class DeletionBlockers(object):
    """What keeps PagerDuty from deleting a user: open incidents assigned to them (PagerDuty's reference: a 400
    without the offboarding feature), and the escalation policies that target them directly and the schedules they
    are on (PagerDuty community: refused until they are removed; not in the reference, so only reported)."""

    def __init__(self, client, user_id):
        self.incidents = open_incidents(client, user_id)
        self.policies = list_escalation_policies(client, {"user_ids[]": [user_id]})[0]
        self.schedules = [schedule for schedule in list_schedules(client)[0]
                          if user_id in [ref.get("id") for ref in schedule.get("users") or [] if isinstance(ref, dict)]]

    def __bool__(self):
        return bool(self.incidents or self.policies or self.schedules)

    __nonzero__ = __bool__

    def text(self):
        parts = []
        if self.incidents:
            parts.append("%d open incident(s) are assigned to the user: %s; resolve or reassign them first"
                         % (len(self.incidents), incidents_text(self.incidents)))
        if self.policies:
            parts.append("the user is a target of the escalation policies %s; remove the user from them first"
                         % named_list(self.policies))
        if self.schedules:
            parts.append("the user is on the schedules %s; remove the user from their layers first"
                         % named_list(self.schedules))
        return "; and ".join(parts)


def teams_call(function, *args):
    """Call a team endpoint (through the resolver or the API layer); a 402 becomes :class:`TeamsUnavailable`."""
    try:
        return function(*args)
    except PagerDutyAPIError as exc:
        if exc.status == 402:
            raise TeamsUnavailable(exc)
        raise


def validate(params):
    """The desired fields (role in its API name), checked as far as they can be without PagerDuty."""
    problem = user_id_problem(params["user_id"])
    desired = dict((field, params[field]) for field in FIELDS if params[field] is not None)
    if not problem and "email" in desired:
        problem = check_email(desired["email"])
    if not problem and params["state"] == "present":
        problem = present_field_problem(desired)
    if problem:
        raise PagerDutyInputError(problem)
    if "role" in desired:
        desired["role"] = canonical_role(desired["role"])
    return desired


def present_field_problem(desired):
    if "name" in desired and not desired["name"].strip():
        return "name must not be blank"
    for field, most in sorted(MAX_LENGTHS.items()):
        if field in desired and len(desired[field]) > most:
            return "%s must be at most %d characters, got %d" % (field, most, len(desired[field]))
    if "role" in desired and canonical_role(desired["role"]) is None:
        return role_error(desired["role"])
    return None


def open_incidents(client, user_id):
    incidents, unused = list_incidents(client, {"user_ids[]": [user_id], "statuses[]": list(OPEN_STATUSES),
                                                "date_range": "all"})
    return incidents


def incidents_text(incidents, most=10):
    shown = ["#%s %s (%s)" % (i.get("incident_number"), i.get("title") or i.get("summary"), i.get("id"))
             for i in incidents[:most]]
    if len(incidents) > most:
        shown.append("and %d more" % (len(incidents) - most))
    return ", ".join(shown)


# -- state: absent ---------------------------------------------------------------------------------
def absent(module, current):
    if current is None:
        return dict(user=None)
    if current.get("role") == "owner":
        raise PagerDutyInputError("%s is the account owner, whom PagerDuty does not delete; transfer ownership in the "
                                  "web app first" % describe(current))
    module.changes.add("state", "present", "absent")
    client = module.client
    if module.check_mode:
        blockers = DeletionBlockers(client, current["id"])
        if blockers:
            module.warn("PagerDuty may refuse to delete %s (it refuses while incidents are open, unless the account "
                        "uses offboarding): %s" % (describe(current), blockers.text()))
        return dict(user=sanitized(current))
    try:
        delete_user(client, current["id"])      # False: gone meanwhile (or an earlier attempt whose answer was lost)
    except PagerDutyAPIError as exc:
        blockers = DeletionBlockers(client, current["id"]) if exc.status == 400 else None
        if not blockers:
            raise
        raise DeleteRefused(current, blockers, exc)
    return dict(user=sanitized(current))


# -- state: present: plan, then apply ------------------------------------------------------------------
class UserPlan(object):
    """What one task changes on a user: the fields to send, the teams to join and leave."""

    def __init__(self, current):
        self.current = current
        self.fields = {}
        self.adding = []        # (team id, name)
        self.removing = []
        self.changes = ChangeTracker()

    @property
    def creating(self):
        return self.current is None

    def predicted(self, teams_given):
        """The user as it would be after the plan (check mode)."""
        before = self.current or {}
        user = dict(before, **self.fields)
        user.setdefault("type", "user")
        if self.fields.get("name"):
            user["summary"] = self.fields["name"]
        if teams_given:
            gone = [team_id for team_id, unused in self.removing]
            user["teams"] = [ref for ref in before.get("teams") or [] if ref["id"] not in gone] + [
                {"id": team_id, "type": "team_reference", "summary": name} for team_id, name in self.adding]
        return user


def creation_problem(params, desired, current, check_mode):
    """``(error, warning)`` about creating the user (None each when there is nothing to say)."""
    if current is not None:
        return None, None
    if params["user_id"]:
        return ("user_id: no PagerDuty user has the ID %s (a user is only created from an email address)"
                % params["user_id"]), None
    if "name" not in desired:
        return "name is required to create the user %s" % desired["email"], None
    if not params["from_email"]:
        needed = ("from_email (or PAGERDUTY_FROM_EMAIL) is required to create the user %s: PagerDuty needs a From "
                  "header naming the acting user" % desired["email"])
        return (None, needed) if check_mode else (needed, None)
    return None, None


def field_is_same(field, old, new, found_by_email):
    if field == "email" and found_by_email:
        return (old or "").lower() == new.lower()      # the address found the user: it is the same address
    if field in OPTIONAL_TEXT:
        return (old or "") == new          # PagerDuty may show an empty bio or title as null
    return old == new


def plan_user(current, desired, found_by_email, wanted_teams=None, teams_mode="merge"):
    """The :class:`UserPlan` that brings ``current`` (None: no such user) to ``desired`` and ``wanted_teams``."""
    plan = UserPlan(current)
    before = current or {}
    for field in FIELDS:
        if field not in desired:
            continue
        if current is None or not field_is_same(field, before.get(field), desired[field], found_by_email):
            plan.fields[field] = desired[field]
            plan.changes.add(field, before.get(field), desired[field])
    current_teams = before.get("teams") or []
    if wanted_teams is not None:
        plan.adding, plan.removing = plan_teams(current_teams, wanted_teams, teams_mode)
        gone = [team_id for team_id, unused in plan.removing]
        final = [(ref["id"], ref.get("summary")) for ref in current_teams if ref["id"] not in gone] + plan.adding
        plan.changes.compare("teams", team_names(current_teams), sorted(name or team_id for team_id, name in final))
    if current is None:
        plan.changes.add("state", "absent", "present")
    return plan


def role_problem(current, plan):
    """Why PagerDuty would refuse the plan's role or teams, or None."""
    if plan.fields.get("role") == "owner":
        return "role: the PagerDuty API cannot make a user the account owner; transfer ownership in the web app"
    if current is not None and current.get("role") == "owner" and "role" in plan.fields:
        return "role: %s is the account owner, whose role the PagerDuty API cannot change" % describe(current)
    final_role = plan.fields.get("role") or (current or {}).get("role") or "user"
    if final_role == "read_only_user" and plan.adding:
        return ("teams: PagerDuty does not put a read_only_user (Full Stakeholder) on a team; cannot add the user to "
                "%s" % ", ".join(name for unused, name in plan.adding))
    return None


def apply_user_plan(client, resolver, plan):
    """Write the user first, then the teams; returns the user as PagerDuty has it after the plan."""
    current = plan.current
    if plan.creating:
        email = plan.fields["email"]

        def confirm():
            found = resolver.find_user_by_email(email)[0]
            return {"user": found} if found is not None else None
        user = create_user(client, plan.fields, confirm=confirm)
    elif plan.fields:
        user = update_user(client, current["id"], dict(plan.fields, name=plan.fields.get("name", current.get("name")),
                                                       email=plan.fields.get("email", current.get("email"))))
    else:
        user = current
    for team_id, unused in plan.adding:
        teams_call(add_team_member, client, team_id, user["id"])
    for team_id, unused in plan.removing:
        teams_call(remove_team_member, client, team_id, user["id"])
    if plan.adding or plan.removing:
        user = get_user(client, user["id"]) or user
    return user


class PolicyKeepsTeamMember(PagerDutyInputError):
    """PagerDuty refuses to take a user off a team while they are a target of one of the team's policies."""


def check_team_removals(client, user, removing):
    """Refuse, before any write, to take ``user`` off teams whose escalation policies target them: PagerDuty answers
    400 "User cannot be removed as they belong to an escalation policy on this team" (terraform-provider-pagerduty
    PR #558, #863). One read for all the teams."""
    if not removing:
        return
    policies, unused = list_escalation_policies(client, {"user_ids[]": [user["id"]],
                                                         "team_ids[]": [team_id for team_id, unused in removing]})
    names = dict(removing)
    held = ["%s (escalation policy %s, %s)" % (names[team["id"]], policy.get("name") or policy.get("summary"),
                                               policy.get("id"))
            for policy in policies for team in policy.get("teams") or [] if team.get("id") in names]
    if held:
        raise PolicyKeepsTeamMember(
            "teams: PagerDuty refuses to take %s off a team while they are a target of the team's escalation policy: "
            "%s; remove the user from the policy first, or keep the team (teams_mode: merge)"
            % (describe(user), "; ".join(held)))


def present(module, current, desired):
    params = module.params
    error, warning = creation_problem(params, desired, current, module.check_mode)
    if error:
        raise PagerDutyInputError(error)
    if warning:
        module.warn(warning)
    wanted = None
    if params["teams"] is not None:
        teams = Teams(module.resolver, (current or {}).get("teams") or [])
        wanted = teams_call(teams.resolve, as_list(params["teams"]))
    plan = plan_user(current, desired, not params["user_id"], wanted, params["teams_mode"])
    problem = role_problem(current, plan)
    if problem:
        raise PagerDutyInputError(problem)
    if current is not None:
        check_team_removals(module.client, current, plan.removing)
    module.changes.extend(plan.changes)
    if not plan.changes.changed:
        return dict(user=sanitized(current))
    if module.check_mode:
        return dict(user=sanitized(plan.predicted(params["teams"] is not None)))
    return dict(user=sanitized(apply_user_plan(module.client, module.resolver, plan)))


def run(module):
    params = module.params
    module.require("api_token")
    desired = validate(params)
    if params["user_id"]:
        current = get_user(module.client, params["user_id"].strip())
    else:
        current = module.resolver.find_user_by_email(params["email"])[0]
    if params["state"] == "absent":
        return absent(module, current)
    return present(module, current, desired)


ARGUMENT_SPEC = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    user_id=dict(type="str", aliases=["id"]),
    email=dict(type="str"),
    name=dict(type="str"),
    role=dict(type="str"),
    color=dict(type="str"),
    job_title=dict(type="str", aliases=["title"]),
    description=dict(type="str"),
    time_zone=dict(type="str"),
    teams=dict(type="list", elements="str"),
    teams_mode=dict(type="str", default="merge", choices=["merge", "exact"]),
)


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, required_one_of=[("user_id", "email")]).run(run)


if __name__ == "__main__":
    main()
