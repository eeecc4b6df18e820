# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How pd_incident and pd_incidents plan a change to an incident: desired vs current, as a value.

PagerDuty's incident does not carry its escalation level; the functions here
read it back from who is on call at each level and from the log entries, plan
the updates that bring an incident to the desired state (``plan_update``), and
tell whether an update whose answer was lost landed (``landed``).  Apart from
``IncidentFacts`` and ``landed``, which read through the API layer, they do not
talk to PagerDuty, so tests give them the facts directly.

(Kept apart from ``incidents.py`` so that modules that only read incidents do
not load the planning: every module run compiles what it imports.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import list_log_entries
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.schedules import list_oncalls
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import (
    OPEN_STATUSES, REASSIGNING, assignee_ids, ref, ref_id)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import as_list


def escalation_levels(client, policy_id):
    """({level: set of user IDs on call at that level}, the policy's name or None), from every page of /oncalls."""
    if not policy_id:
        raise PagerDutyError("the incident has no escalation policy to escalate along")
    oncalls, unused = list_oncalls(client, {"escalation_policy_ids[]": [policy_id]})
    levels = {}
    name = None
    for oncall in oncalls:
        level, user = oncall.get("escalation_level"), oncall.get("user")
        if isinstance(level, int) and isinstance(user, dict) and isinstance(user.get("id"), str):
            levels.setdefault(level, set()).add(user["id"])
        policy = oncall.get("escalation_policy")
        name = name or (policy.get("summary") if isinstance(policy, dict) else None)
    return levels, name


def levels_matching(levels, assigned):
    """The levels an incident assigned to ``assigned`` users can be at.

    PagerDuty's incident does not carry its escalation level; after an escalation
    it is assigned to whoever is on call at that level, so the level is read back
    from the assignees: levels whose on-call users are exactly the assignees, else
    levels whose on-call users include them all.
    """
    assigned = set(assigned)
    if not assigned:
        return []
    exact = [level for level in sorted(levels) if levels[level] == assigned]
    return exact or [level for level in sorted(levels) if assigned <= levels[level]]


def log_entries_newest_first(client, incident_id):
    """The incident's log entries (every page), newest first."""
    entries = list_log_entries(client, incident_id)
    return sorted(entries, key=lambda entry: str(entry.get("created_at") or ""), reverse=True)


def escalation_entry_ids(entries):
    return set(entry.get("id") for entry in entries if entry.get("type") == "escalate_log_entry")


def level_from_log_entries(entries):
    """The escalation level the log entries (newest first) prove, or None when they do not tell.

    PagerDuty's log entries carry no level: an ``escalate_log_entry`` names its new
    assignees only. But an incident starts at level 1 of its policy when it opens or
    is delegated to another policy, and only an escalation moves it from there.
    """
    for entry in entries:
        if entry.get("type") == "escalate_log_entry":
            return None
        if entry.get("type") == "delegate_log_entry":
            return 1
    return 1 if entries else None


def levels_from(found, entries):
    """The levels an incident can be at, narrowed by its log entries when its assignees match several."""
    if len(found) < 2:
        return found
    proven = level_from_log_entries(entries)
    return [proven] if proven in found else found


class IncidentFacts(object):
    """The reads an incident plan may need, each made only when needed and at most once.

    Planning functions take this instead of a client, so tests give them a fake
    with the answers in it.
    """

    def __init__(self, module):
        self.module = module            # (its client and resolver are made when first needed)
        self._levels = {}
        self._entries = {}

    def levels(self, policy_id):
        """``({level: on-call user IDs}, policy name)`` of an escalation policy."""
        if policy_id not in self._levels:
            self._levels[policy_id] = escalation_levels(self.module.client, policy_id)
        return self._levels[policy_id]

    def log_entries(self, incident_id):
        """The incident's log entries, newest first."""
        if incident_id not in self._entries:
            self._entries[incident_id] = log_entries_newest_first(self.module.client, incident_id)
        return self._entries[incident_id]

    def priority(self, priority_id):
        """The priority with this ID (the account's priorities are read once)."""
        return self.module.resolver.priority(priority_id)


def update_problem(p):
    """What PagerDuty would refuse in the update these parameters ask for, found before any request; None when
    nothing.  (``status``, ``resolution``, ``assignees``, ``escalation_level``, ``escalation_policy``, ``force``.)"""
    if p["resolution"] is not None and p["status"] != "resolved":
        return "resolution is only allowed with status=resolved"
    if p["escalation_level"] is not None and p["escalation_level"] < 1:
        return "escalation_level must be 1 or more, got %d" % p["escalation_level"]
    if p["status"] == "resolved":
        # a resolved incident has no assignees, so nothing can be assigned while resolving it
        for name in ("escalation_level", "assignees", "escalation_policy"):
            if p[name] is not None:
                return "%s cannot be combined with status=resolved" % name
    if p.get("force") and p["escalation_level"] is None:
        return "force only applies to escalation_level"
    if p["assignees"] is not None and not as_list(p["assignees"]):
        return "assignees must name at least one user"
    return None


def resolve_desired(module, p):
    """The fields the task asks for, with names and emails resolved to IDs (through ``module.resolver``, made
    only when there is something to resolve)."""
    desired = dict((name, p[name]) for name in ("title", "urgency", "status") if p[name] is not None)
    if p["priority"]:
        desired["priority"] = module.resolver.priority_id(p["priority"])
    if p["escalation_policy"]:
        desired["escalation_policy"] = module.resolver.escalation_policy_id(p["escalation_policy"])
    if p["assignees"] is not None:
        desired["assignees"] = sorted(set(module.resolver.user_id(a, "assignees") for a in as_list(p["assignees"])))
    return desired


def label(reference):
    """A reference as ``Name (ID)``, the one form the diff shows on both sides."""
    if not reference or not reference.get("id"):
        return None
    name = reference.get("summary") or reference.get("name")
    return "%s (%s)" % (name, reference["id"]) if name else reference["id"]


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


def landed(client, after, body, escalations_before, levels=None):
    """Whether ``after`` shows the update ``body`` applied (to confirm a lost answer).

    ``levels`` gives ``{level: on-call user IDs}`` of a policy (default: read with the client), so that a
    bulk update confirms many incidents with one read of each policy's on-calls.
    """
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
        policy_id = ref_id(after.get("escalation_policy"))
        on_call = levels(policy_id) if levels else escalation_levels(client, policy_id)[0]
        return body["escalation_level"] in levels_matching(on_call, assignee_ids(after))
    return True
