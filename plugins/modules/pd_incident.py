#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident
short_description: Create a PagerDuty incident, or set its status, assignees, escalation, priority, urgency and title
version_added: 1.0.0
description:
  - Reads the incident first and sends one update with only the fields that differ; when nothing differs it sends
    nothing and reports C(changed=false).
  - Covers Rundeck's PagerDuty steps I(Incident Update) (status, resolution, assignees), I(Update Status),
    I(Escalate Incident) and I(Update Escalation Policy).
  - Without O(incident_id) it creates an incident on O(service), idempotent on O(incident_key), an open incident
    with that key on that service is reused, not duplicated.
  - PagerDuty's incident does not say which escalation level it is at. The module reads it back from the assignees
    and who is on call at each level of the incident's policy, so asking for the level the incident is already at
    sends nothing (use O(force) to page that level again).
  - When the assignees are on call at several levels (one person on two levels), the incident's log entries decide;
    it is at level 1 until an escalation is logged since it opened or moved to its policy. PagerDuty's escalation log
    entries name who was paged, not the level, so when even the log cannot tell, the escalation is sent (it may page
    that person again) rather than assumed done.
  - PagerDuty returns a reassigned incident (new assignees, escalation policy or escalation level) to C(triggered)
    so that the new assignees are paged. With O(status=acknowledged) the module therefore sends the reassignment
    first and the acknowledgement after it, in a second request, and the incident ends acknowledged. Without
    O(status), an acknowledged incident that is reassigned ends triggered, and the diff says so.
  - Combinations PagerDuty refuses are refused before anything is sent.
  - Updates are not blindly resent after a lost answer (a repeated escalation would page again); the module re-reads
    the incident and resends only if the update did not land.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - Shows the fields the task changes, before and after. Escalation policies and priorities show as
        C(Name (ID)) on both sides, assignees as user IDs.
      - A new escalation policy or level also shows the assignees it brings and, for an acknowledged incident,
        its return to C(triggered).
  idempotent:
    support: full
    details:
      - Except with O(force=true), which escalates again each time.
options:
  incident_id:
    description:
      - The ID (for example C(PT4KHLK)) or number (for example C(1234)) of the incident to change.
      - Without it, the module creates an incident on O(service), or reuses the open one with O(incident_key).
    type: str
    aliases: [id, incident_number]
  state:
    description:
      - V(present) is the only state. PagerDuty does not delete incidents; set O(status=resolved) to close one.
    type: str
    choices: [present]
    default: present
  service:
    description:
      - The service (ID or exact name) to open the incident on. Only used when creating an incident.
    type: str
  title:
    description:
      - The incident's title. Required to create an incident; on an existing incident, the new title.
    type: str
  body:
    description:
      - Details of the problem, shown on a new incident. Only used when creating an incident.
      - A dictionary is sent as the incident body's C(details). PagerDuty's API document defines C(details) as an
        object, so a string is sent as the C(description) key of C(details).
    type: raw
    aliases: [details]
  incident_key:
    description:
      - De-duplication key of a new incident. An open incident with this key on O(service) is reused instead of
        opening another one.
      - When not given, the module makes one up so that a create resent after a lost answer cannot open a second
        incident.
    type: str
  status:
    description:
      - The status to set. V(resolved) closes the incident; V(triggered) or V(acknowledged) on a resolved incident
        reopens it.
      - Reopened as V(triggered), the incident is assigned along O(assignees) or O(escalation_policy) when given,
        else level 1 of its policy; reopened as V(acknowledged), PagerDuty assigns it to the O(from_email) user.
      - V(resolved) cannot be combined with O(assignees), O(escalation_policy) or O(escalation_level), since a
        resolved incident has no assignees.
    type: str
    choices: [triggered, acknowledged, resolved]
  resolution:
    description:
      - A note for the resolve log entry. Only with O(status=resolved), and only sent when the status changes.
    type: str
  assignees:
    description:
      - Users (IDs or email addresses) to assign the incident to, replacing the current assignees.
      - A list, or a comma-separated string as Rundeck passes it.
      - Cannot be combined with O(escalation_policy), O(escalation_level) or O(status=resolved).
    type: list
    elements: str
  escalation_level:
    description:
      - Escalate (or de-escalate) the incident to this level of its escalation policy, starting at 1.
      - Not sent when the incident is already at that level, unless O(force=true).
      - With O(escalation_policy), the level of the new policy.
    type: int
  force:
    description:
      - Escalate to O(escalation_level) even when the incident is already there, which pages that level again.
    type: bool
    default: false
  escalation_policy:
    description:
      - The escalation policy (ID or exact name) to move the incident to; it is then assigned to level 1 of that
        policy (or O(escalation_level)).
      - Cannot be combined with O(status=resolved).
    type: str
  priority:
    description:
      - The priority, by name (for example C(P1)) or ID.
    type: str
  urgency:
    description:
      - The urgency of the incident. V(low) needs an account with the urgencies feature.
    type: str
    choices: [high, low]
notes:
  - Changing an incident needs O(from_email) (or E(PAGERDUTY_FROM_EMAIL)), a user of the account who acts.
  - Each name or email costs one lookup request; IDs cost none.
seealso:
  - module: oncall.pagerduty.pd_incident_info
  - module: oncall.pagerduty.pd_incident_note
  - module: oncall.pagerduty.pd_incident_responder
"""

EXAMPLES = r"""
- name: Acknowledge an incident (Rundeck "Incident Update" / "Update Status")
  oncall.pagerduty.pd_incident:
    incident_id: "{{ pd_incident_id }}"
    status: acknowledged

- name: Resolve it with a resolution note
  oncall.pagerduty.pd_incident:
    incident_id: "{{ pd_incident_id }}"
    status: resolved
    resolution: Rolled back to 1.4.1; error rate back to normal.

- name: Reassign to two people, by email (Rundeck passes a comma-separated list)
  oncall.pagerduty.pd_incident:
    incident_id: PT4KHLK
    assignees: grace@example.com,linus@example.com

- name: Escalate to level 2 (nothing is sent if it is already there)
  oncall.pagerduty.pd_incident:
    incident_id: "1234"
    escalation_level: 2

- name: Escalate to level 2 and keep it acknowledged (two requests - escalating re-triggers it)
  oncall.pagerduty.pd_incident:
    incident_id: "1234"
    escalation_level: 2
    status: acknowledged

- name: Page level 2 again
  oncall.pagerduty.pd_incident:
    incident_id: "1234"
    escalation_level: 2
    force: true

- name: Move the incident to another escalation policy, by name
  oncall.pagerduty.pd_incident:
    incident_id: PT4KHLK
    escalation_policy: Platform On-Call

- name: Set priority, urgency and title
  oncall.pagerduty.pd_incident:
    incident_id: PT4KHLK
    priority: P1
    urgency: high
    title: Checkout failing for all EU customers

- name: Open an incident once per deploy (a second run reuses it)
  oncall.pagerduty.pd_incident:
    service: Checkout API
    title: "Deploy {{ version }} failed health checks"
    body: "{{ health_output }}"
    incident_key: "deploy-{{ version }}"
    urgency: high
    priority: P2
    assignees: [grace@example.com]
  register: opened

- name: Everything from the environment, ad hoc (as a Rundeck Ansible module step runs it)
  ansible.builtin.debug:
    msg: >-
      ansible localhost -m oncall.pagerduty.pd_incident -a "incident_id=PT4KHLK status=resolved"
"""

RETURN = r"""
incident:
  description: The incident as PagerDuty returns it, after the change (or as it is, in check mode).
  returned: success
  type: dict
  sample: {"id": "PT4KHLK", "incident_number": 1234, "status": "acknowledged", "title": "Checkout failing",
           "urgency": "high", "assignments": [{"assignee": {"id": "PLINUS1", "type": "user_reference"}}]}
created:
  description: Whether a new incident was opened.
  returned: success
  type: bool
escalation_levels:
  description:
    - The levels the incident was found at before the change (when O(escalation_level) was given).
    - Several when its assignees are on call at several levels and its log entries cannot tell which; the
      escalation is then sent. Empty when the incident moves to another O(escalation_policy).
  returned: when O(escalation_level) is given
  type: list
  elements: int
  sample: [1]
"""

import json
import uuid

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    create_incident, get_incident, list_log_entries, update_incident)
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.services import get_service
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import UNSAFE
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import (
    OPEN_STATUSES, IncidentFacts, add_note, assignee_ids, escalation_entry_ids, escalation_levels, find_open_incident,
    levels_from, levels_matching, ref, ref_id)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list

CREATE_ONLY = ("service", "body", "incident_key")
REASSIGNING = ("assignments", "escalation_policy", "escalation_level")
CREATED_WITH = ("title", "urgency", "priority", "escalation_policy", "assignees")


def input_problem(p):
    """What PagerDuty would refuse in these parameters, found before any request; None when nothing."""
    if p["resolution"] is not None and p["status"] != "resolved":
        return "resolution is only allowed with status=resolved"
    if p["escalation_level"] is not None and p["escalation_level"] < 1:
        return "escalation_level must be 1 or more, got %d" % p["escalation_level"]
    if p["status"] == "resolved":
        # a resolved incident has no assignees, so nothing can be assigned while resolving it
        for name in ("escalation_level", "assignees", "escalation_policy"):
            if p[name] is not None:
                return "%s cannot be combined with status=resolved" % name
    if p["force"] and p["escalation_level"] is None:
        return "force only applies to escalation_level"
    if p["assignees"] is not None and not as_list(p["assignees"]):
        return "assignees must name at least one user"
    if p["incident_id"]:
        given = [name for name in CREATE_ONLY if p[name] is not None]
        if given:
            return "%s only apply when creating an incident (without incident_id)" % ", ".join(given)
    elif not p["service"] or not p["title"]:
        return ("without incident_id the module creates an incident and needs service and title (give incident_id "
                "to change an existing incident)")
    return None


def resolve_desired(resolver, p):
    """The fields the task asks for, with names and emails resolved to IDs."""
    desired = dict((name, p[name]) for name in ("title", "urgency", "status") if p[name] is not None)
    if p["priority"]:
        desired["priority"] = resolver.priority_id(p["priority"])
    if p["escalation_policy"]:
        desired["escalation_policy"] = resolver.escalation_policy_id(p["escalation_policy"])
    if p["assignees"] is not None:
        desired["assignees"] = sorted(set(resolver.user_id(a, "assignees") for a in as_list(p["assignees"])))
    return desired


def label(reference):
    """A reference as ``Name (ID)``, the one form the diff shows on both sides."""
    if not reference or not reference.get("id"):
        return None
    name = reference.get("summary") or reference.get("name")
    return "%s (%s)" % (name, reference["id"]) if name else reference["id"]


# -- creating -------------------------------------------------------------------------------------
def new_incident(p, desired, service_id, key):
    """The body of ``POST /incidents`` for this task.

    PagerDuty assigns a new incident to one user at most ("Only one assignee is supported at this time", developer
    docs, Incident Creation API): with several assignees the incident is created with the first, and the update
    that follows assigns them all.
    """
    incident = {"type": "incident", "title": p["title"], "service": ref("service", service_id), "incident_key": key}
    if p["urgency"]:
        incident["urgency"] = p["urgency"]
    if "priority" in desired:
        incident["priority"] = ref("priority", desired["priority"])
    if p["body"]:
        incident["body"] = {"type": "incident_body", "details": details_object(p["body"])}
    if "escalation_policy" in desired:
        incident["escalation_policy"] = ref("escalation_policy", desired["escalation_policy"])
    if "assignees" in desired:
        incident["assignments"] = [{"assignee": ref("user", desired["assignees"][0])}]
    return incident


def details_object(body):
    """``body.details`` as PagerDuty's OpenAPI document defines it: an object (a text becomes its description)."""
    return body if isinstance(body, dict) else {"description": str(body)}


def details_text(details):
    """The details as one text, for the note that carries them when PagerDuty refuses an object body."""
    if isinstance(details, dict) and list(details) == ["description"]:
        return str(details["description"])
    return json.dumps(details, indent=2, sort_keys=True) if isinstance(details, dict) else str(details)


def refuses_object_body(exc):
    """Whether PagerDuty refused the create for its ``body.details`` (its Incident Creation API guide says "only
    supports string Incident bodies", its OpenAPI document says an object: which one it enforces is uncertain)."""
    text = ("%s %s" % (exc.message, " ".join(exc.errors))).lower()
    return exc.status == 400 and ("details" in text or "body" in text)


def would_be_created(module, incident, escalating):
    """The incident a create would open (check mode): on its service's escalation policy, triggered, or
    acknowledged when the acting user assigns it to themselves (developer docs, Incident Creation API)."""
    incident = dict(incident, status="triggered")
    assigned = [a["assignee"]["id"] for a in incident.get("assignments") or []]
    from_email = module.params["from_email"]
    if assigned and from_email and assigned == [module.resolver.user_id(from_email, "from_email")]:
        incident["status"] = "acknowledged"
    if "escalation_policy" not in incident and escalating:
        incident["escalation_policy"] = get_service(module.client, incident["service"]["id"]).get("escalation_policy")
    return incident


def create(client, incident, service_id):
    """``POST /incidents`` (a lost answer is confirmed by the incident key); when PagerDuty refuses an object body,
    the incident is created without it and the details become its first note."""
    def confirm():
        found = find_open_incident(client, incident["incident_key"], service_id)
        return {"incident": found} if found else None
    try:
        return create_incident(client, incident, confirm=confirm)
    except PagerDutyAPIError as exc:
        if "body" not in incident or not refuses_object_body(exc):
            raise
    bare = dict((key, value) for key, value in incident.items() if key != "body")
    created = create_incident(client, bare, confirm=confirm)
    add_note(client, created["id"], details_text(incident["body"]["details"]), [])
    return created


def open_or_reuse(module, desired):
    """``(incident, created)``: the open incident with the task's key on its service, else a new one."""
    p = module.params
    client = module.client
    service_id = module.resolver.service_id(p["service"])
    key = p["incident_key"]
    if key:
        existing = find_open_incident(client, key, service_id)
        if existing is not None:
            return existing, False
    incident = new_incident(p, desired, service_id, key or "oncall-pagerduty-%s" % uuid.uuid4().hex)
    module.changes.add("incident", None, dict((k, v) for k, v in incident.items() if k != "type"))
    if module.check_mode:
        return would_be_created(module, incident, p["escalation_level"] is not None), True
    return create(client, incident, service_id), True


# -- planning an update ------------------------------------------------------------------------------
class IncidentPlan(object):
    """What one task sends to bring an incident to the desired state, and what that changes."""

    def __init__(self):
        self.body = {"type": "incident_reference"}   # the one update, before order_writes splits it
        self.writes = []                # PUT bodies, in sending order
        self.changes = ChangeTracker()
        self.escalation_levels = None   # the levels the incident was found at (when escalation_level is given)
        self.escalations_before = None  # escalation log entries before the write, when only they can confirm it


def refuse_on_resolved(incident, desired, p):
    """Fail when the task changes what a resolved incident cannot have (it is not reopened)."""
    touched = [name for name in ("escalation_level", "assignees") if p[name] is not None]
    if desired.get("escalation_policy") not in (None, ref_id(incident.get("escalation_policy"))):
        touched.append("escalation_policy")
    if desired.get("urgency") not in (None, incident.get("urgency")):
        touched.append("urgency")
    if touched:
        raise PagerDutyInputError("incident %s is resolved: %s cannot change on a resolved incident (set status: "
                                  "triggered or acknowledged to reopen it)" % (incident["id"], ", ".join(touched)))


def plan_update(incident, desired, p, facts, created=False, check_mode=False):
    """The :class:`IncidentPlan` that brings ``incident`` to ``desired``.

    Each change, and what it brings with it (the assignees of a new level or policy, a
    reassigned incident back to triggered), is recorded in the plan's changes.
    """
    plan = IncidentPlan()
    body, changes = plan.body, plan.changes
    status = incident.get("status")
    if status == "resolved" and desired.get("status") not in OPEN_STATUSES:
        refuse_on_resolved(incident, desired, p)
    if changes.compare("status", status, desired.get("status")):
        body["status"] = desired["status"]
        if p["resolution"]:
            body["resolution"] = p["resolution"]
            changes.add("resolution", None, p["resolution"])
    for name in ("title", "urgency"):
        if changes.compare(name, incident.get(name), desired.get(name)):
            body[name] = desired[name]
    if "priority" in desired and ref_id(incident.get("priority")) != desired["priority"]:
        changes.add("priority", label(incident.get("priority")), label(facts.priority(desired["priority"])))
        body["priority"] = ref("priority", desired["priority"])
    if "assignees" in desired:
        plan_assignees(plan, incident, desired["assignees"])
    else:
        plan_escalation(plan, incident, desired, p, facts, created, check_mode)
    if any(name in body for name in REASSIGNING) and status == "acknowledged" and "status" not in desired:
        changes.add("status", "acknowledged", "triggered")
    if status == "acknowledged" and body.get("status") == "triggered" and not any(n in body for n in REASSIGNING):
        plan_retrigger(plan, incident, facts)
    plan.writes = [write for write in order_writes(incident, desired, dict(body)) if len(write) > 1]
    return plan


def plan_assignees(plan, incident, assignees):
    current = assignee_ids(incident)
    if current != assignees:
        plan.changes.add("assignees", current, assignees)
        plan.body["assignments"] = [{"assignee": ref("user", user_id)} for user_id in assignees]


def plan_escalation(plan, incident, desired, p, facts, created, check_mode):
    """Add the escalation policy or level that differ to the plan, with the assignees they bring."""
    current_policy = ref_id(incident.get("escalation_policy"))
    moving = desired.get("escalation_policy") not in (None, current_policy)
    level = p["escalation_level"]
    if not moving and level is None:
        return
    policy_id = desired["escalation_policy"] if moving else current_policy
    levels, policy_name = facts.levels(policy_id)
    current = assignee_ids(incident)
    if created and not current:     # check mode: the incident a create would open is assigned to level 1
        current = sorted(levels.get(1) or ())
    if level is not None and level > max(levels or [0]):
        raise PagerDutyInputError("escalation_level %d is beyond the incident's escalation policy %s, whose levels "
                                  "with someone on call are %s" % (
                                      level, policy_id, ", ".join(str(n) for n in sorted(levels)) or "none"))
    if moving:
        given = p["escalation_policy"]
        name = policy_name or (given if given != policy_id else None)
        plan.changes.add("escalation_policy", label(incident.get("escalation_policy")),
                         label({"id": policy_id, "name": name}))
        plan.body["escalation_policy"] = ref("escalation_policy", policy_id)
    if level is not None:
        plan_level(plan, incident, level, levels, p["force"], moving, created, facts, check_mode)
    paged = sorted(levels.get(level or 1) or ())
    if ("escalation_policy" in plan.body or "escalation_level" in plan.body) and paged and paged != current:
        plan.changes.add("assignees", current, paged)


def plan_level(plan, incident, level, levels, force, moving, created, facts, check_mode):
    """Escalate to ``level`` unless the incident is provably there already (or ``force``)."""
    if moving:
        found = []          # not on the new policy yet
    elif created:
        found = [1]         # a new incident starts at level 1 of its policy
    else:
        found = levels_matching(levels, assignee_ids(incident))
        if len(found) > 1:
            found = levels_from(found, facts.log_entries(incident["id"]))
    plan.escalation_levels = found
    if not (force or moving or found != [level]):
        return
    plan.changes.add("escalation_level", found[0] if len(found) == 1 else found or None, level)
    plan.body["escalation_level"] = level
    if (force or len(found) > 1) and not check_mode:
        # the assignees cannot show whether it landed: a new escalation log entry will
        plan.escalations_before = escalation_entry_ids(facts.log_entries(incident["id"]))


def plan_retrigger(plan, incident, facts):
    """Take an acknowledged incident back to triggered by escalating it to the level it is at.

    PagerDuty reopens a resolved incident on ``status: triggered`` (OpenAPI, ``PUT /incidents/{id}``) but is not
    documented to un-acknowledge one that way; its community answers show ``status`` alone ignored and a
    reassignment or ``escalation_level`` working (community.pagerduty.com/forum/t/4086). Escalating to the current
    level (level 1 when it cannot be told) works under either reading: the assignees are paged again.
    """
    policy_id = ref_id(incident.get("escalation_policy"))
    found = []
    if policy_id:
        levels, unused = facts.levels(policy_id)
        found = levels_matching(levels, assignee_ids(incident))
        if len(found) > 1:
            found = levels_from(found, facts.log_entries(incident["id"]))
    level = found[0] if found else 1
    plan.changes.add("escalation_level", level if found else None, level)
    plan.body["escalation_level"] = level


def order_writes(incident, desired, body):
    """The request bodies in sending order.

    PagerDuty returns a reassigned incident to triggered (its new assignees are paged), so an
    acknowledgement asked for together with a reassignment is sent after it, in a second request.
    """
    if desired.get("status") != "acknowledged" or not any(name in body for name in REASSIGNING):
        return [body]
    body.pop("status", None)
    if incident.get("status") == "resolved":
        body["status"] = "triggered"    # reopened and assigned along the request, as PagerDuty documents
    return [body, {"type": "incident_reference", "status": "acknowledged"}]


# -- applying it ----------------------------------------------------------------------------------
def landed(client, after, body, escalations_before):
    """Whether ``after`` shows the update ``body`` applied (to confirm a lost answer)."""
    for name in ("status", "title", "urgency"):
        if name in body and after.get(name) != body[name]:
            return False
    for name in ("priority", "escalation_policy"):
        if name in body and ref_id(after.get(name)) != body[name]["id"]:
            return False
    if "assignments" in body and assignee_ids(after) != sorted(a["assignee"]["id"] for a in body["assignments"]):
        return False
    if "escalation_level" in body:
        if escalations_before is not None:
            return bool(escalation_entry_ids(list_log_entries(client, after["id"])) - escalations_before)
        levels, unused = escalation_levels(client, ref_id(after.get("escalation_policy")))
        return body["escalation_level"] in levels_matching(levels, assignee_ids(after))
    return True


def apply_plan(client, incident, plan):
    """Send the plan's updates; after a lost answer the incident is re-read and an update resent only if it did
    not land.  Returns the incident as PagerDuty last answered."""
    for body in plan.writes:
        incident = send_update(client, incident["id"], body, plan.escalations_before)
    return incident


def send_update(client, incident_id, body, escalations_before):
    def confirm():
        current = get_incident(client, incident_id)
        return {"incident": current} if landed(client, current, body, escalations_before) else None
    return update_incident(client, incident_id, body, retry=UNSAFE, confirm=confirm)


def run(module):
    p = module.params
    problem = input_problem(p)
    if problem:
        raise PagerDutyInputError(problem)
    module.require("api_token")
    desired = resolve_desired(module.resolver, p)
    created = False
    if p["incident_id"]:
        incident = get_incident(module.client, p["incident_id"])
    else:
        incident, created = open_or_reuse(module, desired)
        if created:
            for name in CREATED_WITH:       # what creation already set needs no update
                if name != "assignees" or len(desired.get(name) or ()) < 2:
                    desired.pop(name, None)
    plan = plan_update(incident, desired, p, IncidentFacts(module.client, module.resolver), created,
                       module.check_mode)
    module.changes.extend(plan.changes)
    if not module.check_mode:
        incident = apply_plan(module.client, incident, plan)
    result = dict(incident=incident, created=created)
    if plan.escalation_levels is not None:
        result["escalation_levels"] = plan.escalation_levels
    return result


ARGUMENT_SPEC = dict(
    incident_id=dict(type="str", aliases=["id", "incident_number"]),
    state=dict(type="str", default="present", choices=["present"]),
    service=dict(type="str"),
    title=dict(type="str"),
    body=dict(type="raw", aliases=["details"]),
    incident_key=dict(type="str", no_log=False),
    status=dict(type="str", choices=["triggered", "acknowledged", "resolved"]),
    resolution=dict(type="str"),
    assignees=dict(type="list", elements="str"),
    escalation_level=dict(type="int"),
    force=dict(type="bool", default=False),
    escalation_policy=dict(type="str"),
    priority=dict(type="str"),
    urgency=dict(type="str", choices=["high", "low"]),
)
MUTUALLY_EXCLUSIVE = [("assignees", "escalation_policy"), ("assignees", "escalation_level")]


def main():
    module = PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE)
    module.run(run)


if __name__ == "__main__":
    main()
