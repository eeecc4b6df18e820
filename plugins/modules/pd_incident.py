#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incident
short_description: Create, update, merge or snooze a PagerDuty incident (status, assignees, escalation, priority, urgency, title)
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
  - With O(merge_into), merges the incident (and O(source_incidents)) into another one; PagerDuty moves their alerts
    to it and resolves them, noting the merge. Incidents merged into it already are left as they are, so a second
    run changes nothing.
  - With O(snooze), snoozes the incident after the other changes; PagerDuty snoozes only acknowledged incidents and
    returns a snoozed incident to C(triggered) (paging again) when the snooze ends.
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
  merge_into:
    description:
      - The incident (ID or number) to merge O(incident_id) and O(source_incidents) into. PagerDuty moves their
        alerts to it and resolves them, with the merge as the reason (C(resolve_reason) of type
        C(merge_resolve_reason)) and a resolve log entry.
      - An incident merged into it already is left as it is; one that is resolved otherwise, or merged into another
        incident, fails the task before anything is sent, as does a resolved target ("The target incident must be
        open").
      - Cannot be combined with the other changes, nor with the options that create an incident.
    type: str
    version_added: 1.1.0
  source_incidents:
    description:
      - More incidents (IDs or numbers) to merge into O(merge_into), with or instead of O(incident_id); a list, or a
        comma-separated string as Rundeck passes it.
    type: list
    elements: str
    version_added: 1.1.0
  snooze:
    description:
      - Snooze the incident for this long after the other changes - a number of seconds (V(3600)) or a duration such
        as V(90m), V(4h) or V(1d) - from 1 second to 7 days. When it ends, PagerDuty returns the incident to
        C(triggered) and pages its assignees again.
      - PagerDuty snoozes only acknowledged incidents. An incident that is not acknowledged (or would not be after
        the other changes, since a reassignment returns it to C(triggered)) fails the task before anything is sent;
        add O(status=acknowledged) to acknowledge it first.
      - Not sent when the incident is snoozed already for this duration (its last snooze, still running, was for
        the same length of time). A new status or a reassignment ends a snooze, so it is sent again after them.
    type: raw
    version_added: 1.1.0
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

- name: Merge two incidents into the first one opened (a second run changes nothing)
  oncall.pagerduty.pd_incident:
    merge_into: PT4KHLK
    source_incidents: [PQMF62U, "1235"]

- name: Merge this incident into another
  oncall.pagerduty.pd_incident:
    incident_id: "{{ pd_incident_id }}"
    merge_into: PT4KHLK

- name: Acknowledge and snooze for 4 hours (PagerDuty pages again when the snooze ends)
  oncall.pagerduty.pd_incident:
    incident_id: "{{ pd_incident_id }}"
    status: acknowledged
    snooze: 4h

- name: Everything from the environment, ad hoc (as a Rundeck Ansible module step runs it)
  ansible.builtin.debug:
    msg: >-
      ansible localhost -m oncall.pagerduty.pd_incident -a "incident_id=PT4KHLK status=resolved"
"""

RETURN = r"""
incident:
  description:
    - The incident as PagerDuty returns it, after the change (or as it is, in check mode).
    - With O(merge_into), the incident merged into, read after the merge.
  returned: success
  type: dict
  sample: {"id": "PT4KHLK", "incident_number": 1234, "status": "acknowledged", "title": "Checkout failing",
           "urgency": "high", "assignments": [{"assignee": {"id": "PLINUS1", "type": "user_reference"}}]}
created:
  description: Whether a new incident was opened.
  returned: success
  type: bool
merged:
  description: The incidents this task merged into O(merge_into) (in check mode, those it would merge).
  returned: with O(merge_into)
  type: list
  elements: str
  sample: ["PQMF62U"]
already_merged:
  description: The incidents of O(incident_id) and O(source_incidents) that were merged into O(merge_into) already.
  returned: with O(merge_into)
  type: list
  elements: str
  sample: []
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

import datetime
import json
import re
import uuid

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    create_incident, get_incident, merge_incidents, snooze_incident, update_incident)
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.services import get_service
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import UNSAFE
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyAPIError, PagerDutyError, PagerDutyInputError, PagerDutyUncertainWriteError)
from ansible_collections.oncall.pagerduty.plugins.module_utils.incident_plan import (
    IncidentFacts, landed, plan_update, resolve_desired, update_problem)
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import (
    OPEN_STATUSES, REASSIGNING, add_note, find_open_incident, read_incidents, ref, ref_id)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list

CREATE_ONLY = ("service", "body", "incident_key")
CREATED_WITH = ("title", "urgency", "priority", "escalation_policy", "assignees")
# What a merge cannot be combined with: it resolves the source incidents
NOT_WITH_MERGE = ("status", "resolution", "assignees", "escalation_level", "escalation_policy", "priority",
                  "urgency", "title", "snooze") + CREATE_ONLY
# POST /incidents/{id}/snooze: duration "minimum": 1, "maximum": 604800 (PagerDuty's REST API document)
SNOOZE_MAX_SECONDS = 604800
DURATION = re.compile(r"^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s?)?$")
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def input_problem(p):
    """What PagerDuty would refuse in these parameters, found before any request; None when nothing."""
    if p["source_incidents"] is not None and not p["merge_into"]:
        return "source_incidents only apply with merge_into"
    if p["merge_into"]:
        return merge_problem(p)
    if p["snooze"] is not None:
        problem = snooze_problem(p)
        if problem:
            return problem
    problem = update_problem(p)
    if problem:
        return problem
    if p["incident_id"]:
        given = [name for name in CREATE_ONLY if p[name] is not None]
        if given:
            return "%s only apply when creating an incident (without incident_id)" % ", ".join(given)
    elif not p["service"] or not p["title"]:
        return ("without incident_id the module creates an incident and needs service and title (give incident_id "
                "to change an existing incident)")
    return None


def merge_problem(p):
    given = [name for name in NOT_WITH_MERGE if p[name] is not None] + (["force"] if p["force"] else [])
    if given:
        return "merge_into cannot be combined with %s (merging resolves the source incidents)" % ", ".join(given)
    if not p["incident_id"] and not as_list(p["source_incidents"]):
        return "merge_into needs incident_id or source_incidents: the incidents to merge into it"
    return None


def snooze_seconds(value):
    """Seconds from a number of seconds or a text such as ``90``, ``30m``, ``4h`` or ``1d12h``; None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = DURATION.match(str(value).strip().lower())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def snooze_problem(p):
    seconds = snooze_seconds(p["snooze"])
    if seconds is None or not 1 <= seconds <= SNOOZE_MAX_SECONDS:
        return ("snooze must be a duration from 1 second to 7 days (604800 seconds), such as 3600, 90m or 4h, got %r"
                % (p["snooze"],))
    if not p["incident_id"]:
        return "snooze needs incident_id (an acknowledged incident to snooze)"
    if p["status"] in ("triggered", "resolved"):
        return "snooze cannot be combined with status=%s: PagerDuty snoozes only acknowledged incidents" % p["status"]
    return None


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


# -- snoozing -------------------------------------------------------------------------------------
def _moment(text):
    """A PagerDuty timestamp as a naive UTC datetime, or None when it is not one."""
    match = TIMESTAMP.match(text or "") if isinstance(text, str) else None
    if not match:
        return None
    moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    zone = (match.group(2) or "Z").replace(":", "")
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        moment -= sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return moment


def snoozed_until(incident):
    """When the incident's pending ``unacknowledge`` action is due (a snooze, or an acknowledgement timeout)."""
    for action in incident.get("pending_actions") or []:
        if isinstance(action, dict) and action.get("type") == "unacknowledge":
            return action.get("at")
    return None


def current_snooze(incident, facts):
    """The duration in seconds of the snooze the incident is in, or None when it is not snoozed.

    Its pending ``unacknowledge`` action comes from the newest ``snooze_log_entry`` whose ``changed_actions``
    set it (an acknowledgement timeout sets one too, without a snooze).
    """
    until = snoozed_until(incident)
    if until is None:
        return None
    for entry in facts.log_entries(incident["id"]):
        if entry.get("type") != "snooze_log_entry":
            continue
        for action in entry.get("changed_actions") or []:
            start, end = _moment(entry.get("created_at")), _moment(action.get("at"))
            if action.get("at") == until and start is not None and end is not None:
                return int((end - start).total_seconds())
        return None
    return None


def ends_status(incident, plan):
    """The status the incident has once the plan is applied."""
    for name, unused, after in plan.changes.items():
        if name == "status":
            return after
    return incident.get("status")


def plan_snooze(incident, plan, seconds, facts):
    """The snooze to send after the plan (``seconds``), or None when the incident is snoozed for that long already.

    PagerDuty snoozes only acknowledged incidents ("You're only able to snooze acknowledged incidents", PagerDuty
    Support, "Snooze an Incident"); a new status or a reassignment ends a running snooze.
    """
    status = ends_status(incident, plan)
    if status != "acknowledged":
        raise PagerDutyInputError(
            "snooze needs an acknowledged incident (PagerDuty snoozes only those): incident %s %s %s; give status: "
            "acknowledged to acknowledge it first" % (
                incident.get("id"), "would be" if status != incident.get("status") else "is", status))
    resets = any(name in body for body in plan.writes for name in ("status",) + REASSIGNING)
    if not resets:
        running = current_snooze(incident, facts)
        if running is not None and abs(running - seconds) <= 1:
            return None
    return seconds


def send_snooze(client, incident, seconds):
    """Snooze; after a lost answer, a new pending ``unacknowledge`` time shows that it landed."""
    before = snoozed_until(incident)

    def confirm():
        current = get_incident(client, incident["id"])
        return {"incident": current} if snoozed_until(current) not in (None, before) else None
    return snooze_incident(client, incident["id"], seconds, confirm=confirm)


# -- merging --------------------------------------------------------------------------------------
def merged_into(incident):
    """The ID of the incident this one was merged into (its ``merge_resolve_reason``), or None."""
    reason = incident.get("resolve_reason")
    if isinstance(reason, dict) and reason.get("type") == "merge_resolve_reason":
        return ref_id(reason.get("incident"))
    return None


def plan_merge(target, sources):
    """``(IDs to merge, IDs already merged)`` into ``target``; what PagerDuty would refuse fails here.

    PagerDuty's document: merging resolves the source incidents, "Only incidents that have alerts or incidents
    that were created manually in the UI can be merged", and "The target incident must be open".
    """
    to_merge, already = [], []
    for source in sources:
        if source["id"] == target["id"]:
            raise PagerDutyInputError("merge_into: incident %s cannot be merged into itself" % target["id"])
        if merged_into(source) == target["id"]:
            already.append(source["id"])
        elif source.get("status") not in OPEN_STATUSES:
            other = merged_into(source)
            raise PagerDutyInputError("incident %s is resolved%s: only open incidents can be merged" % (
                source["id"], " (merged into %s)" % other if other else ""))
        elif source.get("is_mergeable") is False:
            raise PagerDutyInputError("incident %s cannot be merged: PagerDuty merges only incidents that have alerts "
                                      "or were created manually" % source["id"])
        elif source["id"] not in to_merge:
            to_merge.append(source["id"])
    if to_merge and target.get("status") not in OPEN_STATUSES:
        raise PagerDutyInputError("merge_into: incident %s is resolved and PagerDuty merges only into an open incident"
                                  % target["id"])
    return to_merge, already


def send_merge(client, target_id, source_ids):
    """Merge; after a lost answer the sources are re-read: merged into the target, the merge landed."""
    def confirm():
        fresh, unused = read_incidents(client, source_ids)
        done = [incident["id"] for incident in fresh if merged_into(incident) == target_id]
        if not done:
            return None
        if len(done) < len(source_ids):
            raise PagerDutyUncertainWriteError(
                "the merge into %s was cut short: %s merged, %s not; run the task again to merge the rest" % (
                    target_id, ", ".join(done), ", ".join(i for i in source_ids if i not in done)))
        return {"incident": {"id": target_id, "type": "incident_reference"}}
    return merge_incidents(client, target_id, source_ids, confirm=confirm)


def merge(module):
    """Merge the source incidents into ``merge_into`` (those merged already are left as they are)."""
    p = module.params
    client = module.client
    target = get_incident(client, p["merge_into"])
    wanted = ([p["incident_id"]] if p["incident_id"] else []) + (as_list(p["source_incidents"]) or [])
    sources, missing = read_incidents(client, list(dict.fromkeys(wanted)))
    if missing:
        raise PagerDutyError("PagerDuty has no incident %s to merge" % ", ".join(missing))
    to_merge, already = plan_merge(target, sources)
    if to_merge:
        module.changes.add("merged", already, already + to_merge)
        if not module.check_mode:
            send_merge(client, target["id"], to_merge)
            target = get_incident(client, target["id"])
    return dict(incident=target, created=False, merged=to_merge, already_merged=already)


# -- applying an update ---------------------------------------------------------------------------
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


def update(module):
    """Create or change the incident (and snooze it), sending only what differs."""
    p = module.params
    desired = resolve_desired(module, p)
    created = False
    if p["incident_id"]:
        incident = get_incident(module.client, p["incident_id"])
    else:
        incident, created = open_or_reuse(module, desired)
        if created:
            for name in CREATED_WITH:       # what creation already set needs no update
                if name != "assignees" or len(desired.get(name) or ()) < 2:
                    desired.pop(name, None)
    facts = IncidentFacts(module)
    plan = plan_update(incident, desired, p, facts, created, module.check_mode)
    snooze = None
    if p["snooze"] is not None:         # checked before anything is sent
        snooze = plan_snooze(incident, plan, snooze_seconds(p["snooze"]), facts)
    module.changes.extend(plan.changes)
    if snooze is not None:
        module.changes.add("snooze", current_snooze(incident, facts) if snoozed_until(incident) else None, snooze)
    if not module.check_mode:
        incident = apply_plan(module.client, incident, plan)
        if snooze is not None:
            incident = send_snooze(module.client, incident, snooze)
    result = dict(incident=incident, created=created)
    if plan.escalation_levels is not None:
        result["escalation_levels"] = plan.escalation_levels
    return result


def run(module):
    problem = input_problem(module.params)
    if problem:
        raise PagerDutyInputError(problem)
    module.require("api_token")
    return merge(module) if module.params["merge_into"] else update(module)


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
    merge_into=dict(type="str"),
    source_incidents=dict(type="list", elements="str"),
    snooze=dict(type="raw"),
)
MUTUALLY_EXCLUSIVE = [("assignees", "escalation_policy"), ("assignees", "escalation_level")]


def main():
    module = PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE)
    module.run(run)


if __name__ == "__main__":
    main()
