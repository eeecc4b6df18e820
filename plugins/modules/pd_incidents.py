#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_incidents
short_description: Acknowledge, resolve, escalate, reassign or re-prioritise many PagerDuty incidents in one task
version_added: 1.1.0
description:
  - Acts on many incidents at once, as in an alert storm - "acknowledge everything on Checkout that is triggered",
    "resolve the 400 incidents this flapping check opened" - with PagerDuty's bulk update (C(PUT /incidents)), up to
    250 incidents per request, instead of a loop of M(oncall.pagerduty.pd_incident) tasks (two requests and about
    half a second per incident).
  - Selects the incidents by O(incident_ids), or by the filters of M(oncall.pagerduty.pd_incident_info)
    (O(services), O(teams), O(statuses), O(urgencies), O(assigned_to), O(incident_key), O(since), O(until)), or
    both (the listed incidents that match the filters). Every page of the listing is read.
  - Plans each incident as M(oncall.pagerduty.pd_incident) does and sends only the incidents that are not in the
    desired state already, with only the fields that differ; a second run sends nothing. The escalation level of
    each incident is read back from who is on call, reading each escalation policy's on-calls once.
  - As in M(oncall.pagerduty.pd_incident), an acknowledgement asked for together with a reassignment (O(assignees),
    O(escalation_policy) or O(escalation_level)) is sent after it, in a second round of requests, because PagerDuty
    returns a reassigned incident to C(triggered).
  - A selected incident that cannot be changed as asked (for example a resolved incident to escalate) fails the
    task before anything is sent, naming it.
  - After a lost answer, or when PagerDuty refuses a request, the incidents of that request are read back; those
    that show the change count as changed, and the others are sent again only when reading them gave something new
    to send (they changed in the meantime). Otherwise the task stops and reports which incidents changed and which
    did not (RV(changed_ids), RV(failed_ids)). Run it again to finish, since it only sends what still differs.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads and plans, and reports in RV(changed_ids) and RV(changes) what would change, without writing.
  diff_mode:
    support: full
    details:
      - For each field that changes, the incidents by value before and after (for example C(status) C(triggered)
        -> C(resolved)), with their IDs.
  idempotent:
    support: full
options:
  incident_ids:
    description:
      - The incidents to act on, by ID (for example C(PT4KHLK)) or number (for example C(1234)); a list, or a
        comma-separated string as Rundeck passes it.
      - Without filters, each is read (a few at a time); an ID PagerDuty does not know fails the task before anything
        is sent.
      - With filters, the incidents of the listing that are among these; the others are returned in RV(skipped_ids).
    type: list
    elements: str
    aliases: [ids]
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
  statuses:
    description:
      - Only incidents with these statuses.
      - When the incidents are selected by filters and O(statuses) is not given, only open incidents (V(triggered)
        and V(acknowledged)) are selected, so that a task such as "acknowledge everything on Checkout" never reopens
        the service's resolved incidents (PagerDuty reopens a resolved incident it is sent a status for). Give
        V(resolved) to act on resolved incidents too. Incidents selected by O(incident_ids) alone are taken whatever
        their status.
      - To acknowledge, V(triggered) is enough.
    type: list
    elements: str
    choices: [triggered, acknowledged, resolved]
  urgencies:
    description:
      - Only incidents with these urgencies.
    type: list
    elements: str
    choices: [high, low]
  assigned_to:
    description:
      - Only incidents assigned to these users (IDs or email addresses).
    type: list
    elements: str
  incident_key:
    description:
      - Only incidents with this de-duplication key.
    type: str
  since:
    description:
      - Start of the date range the incidents were created in, in ISO 8601. PagerDuty allows a range of at most six
        months.
      - Without O(since) and O(until), incidents of any date are selected (unlike PagerDuty's listing, which defaults
        to the last month).
    type: str
  until:
    description:
      - End of the date range, in ISO 8601.
    type: str
  status:
    description:
      - The status to set. V(resolved) closes the incidents; V(triggered) or V(acknowledged) on a resolved incident
        reopens it.
      - V(resolved) cannot be combined with O(assignees), O(escalation_policy) or O(escalation_level).
    type: str
    choices: [triggered, acknowledged, resolved]
  resolution:
    description:
      - A note for the resolve log entry of each incident resolved. Only with O(status=resolved).
    type: str
  escalation_level:
    description:
      - Escalate (or de-escalate) each incident to this level of its escalation policy, starting at 1.
      - Not sent for an incident already at that level. With O(escalation_policy), the level of the new policy.
    type: int
  assignees:
    description:
      - Users (IDs or email addresses) to assign the incidents to, replacing their assignees.
      - Cannot be combined with O(escalation_policy), O(escalation_level) or O(status=resolved).
    type: list
    elements: str
  escalation_policy:
    description:
      - The escalation policy (ID or exact name) to move the incidents to; each is then assigned to level 1 of that
        policy (or O(escalation_level)).
    type: str
  priority:
    description:
      - The priority, by name (for example C(P1)) or ID.
    type: str
  urgency:
    description:
      - The urgency of the incidents. V(low) needs an account with the urgencies feature.
    type: str
    choices: [high, low]
  title:
    description:
      - The new title of every selected incident.
    type: str
notes:
  - Changing incidents needs O(from_email) (or E(PAGERDUTY_FROM_EMAIL)), a user of the account who acts.
  - Requests, for N selected incidents of which C changed - the listing's pages (N / 100, or one read per ID in
    O(incident_ids) without filters), one bulk request per 250 incidents to change (C / 250), one read per name or
    email to resolve, and with O(escalation_level) or O(escalation_policy) one read of the on-calls per escalation
    policy.
  - PagerDuty lists at most 10,000 incidents. When more match, the task acts on the first 10,000 and warns; run it
    again (with a O(statuses) filter that leaves out what it changed) for the rest.
seealso:
  - module: oncall.pagerduty.pd_incident
  - module: oncall.pagerduty.pd_incident_info
  - name: Manage incidents (PUT /incidents)
    description: PagerDuty's bulk update of incidents, at most 250 per request.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
- name: Acknowledge everything on Checkout that is triggered
  oncall.pagerduty.pd_incidents:
    services: Checkout API
    statuses: [triggered]
    status: acknowledged

- name: Resolve what a flapping check opened (one incident key), with a resolution note
  oncall.pagerduty.pd_incidents:
    incident_key: disk-check-db1
    statuses: [triggered, acknowledged]
    status: resolved
    resolution: Flapping check disabled; disk at 40%.
  register: resolved

- name: Resolve a list of incidents, by ID or number (Rundeck passes a comma-separated list)
  oncall.pagerduty.pd_incidents:
    incident_ids: PT4KHLK,PQMF62U,1234
    status: resolved

- name: Escalate the open high-urgency incidents of the Platform team to level 2
  oncall.pagerduty.pd_incidents:
    teams: Platform
    statuses: [triggered, acknowledged]
    urgencies: [high]
    escalation_level: 2

- name: Move last night's Checkout incidents to another policy, as P2, with a new title
  oncall.pagerduty.pd_incidents:
    services: [PSVCCHK]
    since: "2026-11-29T22:00:00Z"
    until: "2026-11-30T06:00:00Z"
    escalation_policy: Platform On-Call
    priority: P2
    urgency: high
    title: Checkout degraded (one incident per region)

- name: Reassign everything assigned to Linus to Grace, and keep it acknowledged
  oncall.pagerduty.pd_incidents:
    assigned_to: linus@example.com
    statuses: [acknowledged]
    assignees: grace@example.com
    status: acknowledged

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ resolved.changed_ids | length }} resolved: {{ resolved.changed_ids | join(', ') }}"
"""

RETURN = r"""
selected_ids:
  description: The IDs of the incidents selected, each once, in PagerDuty's order (or the order of O(incident_ids)).
  returned: success
  type: list
  elements: str
  sample: ["PT4KHLK", "PQMF62U"]
changed_ids:
  description:
    - The incidents PagerDuty changed (in check mode, those that would change).
    - After a lost answer or a refused request, the incidents that read back show the change count as changed,
      although another user may have made it meanwhile.
  returned: always
  type: list
  elements: str
  sample: ["PT4KHLK"]
unchanged_ids:
  description: The selected incidents that were in the desired state already.
  returned: always
  type: list
  elements: str
  sample: ["PQMF62U"]
failed_ids:
  description:
    - The incidents that were to change but did not (or not completely), when the task stopped part way; empty on
      success.
  returned: always
  type: list
  elements: str
  sample: []
skipped_ids:
  description: The incidents of O(incident_ids) that the filters left out (or that the listing does not show).
  returned: success
  type: list
  elements: str
  sample: []
changes:
  description:
    - For each field that changed (or would change in check mode), how many incidents, their IDs, and how many had
      each value before and after.
  returned: always
  type: dict
  sample: {"status": {"count": 3, "ids": ["PT4KHLK", "PQMF62U", "PPVZH9X"], "before": {"triggered": 2,
           "acknowledged": 1}, "after": {"resolved": 3}}}
batches:
  description: How many bulk requests (C(PUT /incidents), at most 250 incidents each) were sent.
  returned: success
  type: int
  sample: 4
"""

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import list_incidents, update_incidents
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyAPIError, PagerDutyConfigError, PagerDutyError, PagerDutyInputError, PagerDutyPartialError)
from ansible_collections.oncall.pagerduty.plugins.module_utils.incident_plan import (
    IncidentFacts, landed, plan_update, resolve_desired, update_problem)
from ansible_collections.oncall.pagerduty.plugins.module_utils.incidents import (
    OPEN_STATUSES, listing_query, read_incidents)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list

FILTERS = ("services", "teams", "statuses", "urgencies", "assigned_to", "incident_key", "since", "until")
ACTIONS = ("status", "escalation_level", "assignees", "escalation_policy", "priority", "urgency", "title")
# PUT /incidents: "A maximum of 250 incidents may be updated at a time. If more than this number of incidents are
# given, the API will respond with status 413" (PagerDuty's REST API document)
BATCH = 250
SHOWN = 10          # IDs named in a one-line message


def shown(ids):
    """Some IDs for a one-line message: the first few, and how many more."""
    ids = list(ids)
    more = len(ids) - SHOWN
    return ", ".join(ids[:SHOWN]) + (" and %d more" % more if more > 0 else "")


def input_problem(p):
    """What cannot work in these parameters, found before any request; None when nothing."""
    if all(p[name] is None for name in ACTIONS):
        return "give at least one change to make: %s" % ", ".join(ACTIONS)
    if p["incident_ids"] is not None and not as_list(p["incident_ids"]):
        return "incident_ids must name at least one incident"
    if not as_list(p["incident_ids"]) and not any(p[name] for name in FILTERS):
        return ("give incident_ids or at least one filter (%s) to select the incidents to change"
                % ", ".join(FILTERS))
    return update_problem(dict(p, force=False))


# -- selecting ------------------------------------------------------------------------------------
def once_each(incidents):
    found = {}
    for incident in incidents:
        if isinstance(incident.get("id"), str):
            found.setdefault(incident["id"], incident)
    return list(found.values())


def listing_filters(p):
    """The filters of the listing: open incidents unless ``statuses`` says otherwise (a status sent to a resolved
    incident reopens it); without a date range, every date (PagerDuty's listing defaults to a month)."""
    filters = dict((name, p[name]) for name in FILTERS)
    filters["assignees"] = filters.pop("assigned_to")
    if not p["statuses"]:
        filters["statuses"] = list(OPEN_STATUSES)
    if not p["since"] and not p["until"]:
        filters["date_range"] = "all"
    return filters


def select(module):
    """``(incidents, skipped IDs)``: the incidents the task acts on, each once."""
    p = module.params
    ids = list(dict.fromkeys(as_list(p["incident_ids"]) or []))
    if not any(p[name] for name in FILTERS):
        found, missing = read_incidents(module.client, ids)
        if missing:
            raise PagerDutyInputError("incident_ids: PagerDuty has no incident %s" % shown(missing))
        return once_each(found), []
    query = listing_query(module.resolver, listing_filters(p), "assigned_to")
    listed, info = list_incidents(module.client, query)
    if info["truncated"]:
        module.warn("PagerDuty lists at most 10,000 incidents and %s match: this run acts on the first 10,000; run it "
                    "again (with a statuses filter that leaves out what it changed) for the rest" % info["total"])
    listed = once_each(listed)
    if not ids:
        return listed, []
    wanted = set(ids)
    chosen = [i for i in listed if i["id"] in wanted or str(i.get("incident_number")) in wanted]
    matched = set(i["id"] for i in chosen) | set(str(i.get("incident_number")) for i in chosen)
    return chosen, [incident_id for incident_id in ids if incident_id not in matched]


# -- planning -------------------------------------------------------------------------------------
def plan_all(incidents, plan_one):
    """``{incident ID: IncidentPlan}`` of the incidents that differ from the desired state.

    ``plan_one(incident)`` plans one incident (``plan_update``).  When some cannot be changed as asked, the task
    fails before anything is sent, naming them.
    """
    plans, refused = {}, []
    for incident in incidents:
        try:
            plan = plan_one(incident)
        except PagerDutyInputError as exc:
            refused.append((incident["id"], str(exc)))
            continue
        if plan.writes:
            plans[incident["id"]] = plan
    if refused:
        others = [incident_id for incident_id, unused in refused[1:]]
        raise PagerDutyInputError("%d of the %d selected incidents cannot be changed as asked, so nothing was sent: "
                                  "%s%s" % (len(refused), len(incidents), refused[0][1],
                                            "; the same goes for %s" % shown(others) if others else ""))
    return plans


def value_label(value):
    """A planned value as the summary counts it: lists joined with commas, None as ``none``."""
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value) or "none"
    return str(value)


def summarise(plans, ids):
    """``(changes, diff)`` of the plans of ``ids``: per field, the count, the IDs and the values before and after
    (counted in ``changes``; with their IDs in ``diff``)."""
    changes, diff = {}, {"before": {}, "after": {}}
    for incident_id in ids:
        for name, before, after in plans[incident_id].changes.items():
            entry = changes.setdefault(name, {"count": 0, "ids": [], "before": {}, "after": {}})
            entry["count"] += 1
            entry["ids"].append(incident_id)
            for side, value in (("before", before), ("after", after)):
                key = value_label(value)
                entry[side][key] = entry[side].get(key, 0) + 1
                diff[side].setdefault(name, {}).setdefault(key, []).append(incident_id)
    return changes, diff


# -- sending --------------------------------------------------------------------------------------
class BulkUpdate(object):
    """Sends the planned updates with ``PUT /incidents``, at most 250 incidents a request.

    Each incident has a queue of updates (two when an acknowledgement follows a reassignment); each round sends
    the first of every queue.  A request whose answer is lost, or that PagerDuty refuses, is confirmed by reading
    its incidents back: what shows the change landed.  The rest is planned again from what was read and sent once
    more, unless that would repeat what PagerDuty refused (its 4xx means "retrying with the same arguments will not
    work") or the client already retried it; then the update stops, with ``error`` set.
    """

    def __init__(self, client, facts, plan_one):
        self.client = client
        self.facts = facts
        self.plan_one = plan_one
        self.queues = {}            # incident ID -> update bodies still to send, in order
        self.escalations = {}       # incident ID -> escalation log entries before, when only they can confirm
        self.changed = []           # incidents with at least one update landed
        self.batches = 0
        self.error = None

    def run(self, plans, order):
        """Send every plan's updates (``order``: the incident IDs in sending order); False when it stopped."""
        for incident_id in order:
            if incident_id in plans:
                self.queues[incident_id] = list(plans[incident_id].writes)
                self.escalations[incident_id] = plans[incident_id].escalations_before
        while self.queues:
            round_ = [(incident_id, self.queues[incident_id][0]) for incident_id in order if incident_id in self.queues]
            for start in range(0, len(round_), BATCH):
                if not self.send(round_[start:start + BATCH]):
                    return False
        return True

    def send(self, batch):
        """Send one batch, confirm what a failure hides, send what is left once more; False when it stopped."""
        done, fresh, error = self.attempt(batch)
        rest = [(incident_id, body) for incident_id, body in batch if incident_id not in done]
        if not rest:
            return True
        retry = self.plan_again(rest, fresh) if fresh is not None else None
        if retry == []:         # what is left came to need nothing meanwhile
            return True
        if retry is None or (error is not None and not self.may_retry(error, batch, retry)):
            self.error = error or PagerDutyError("the incidents could not be read back to confirm the update")
            return False
        done, unused, error = self.attempt(retry)
        if len(done) < len(retry):
            self.error = error or PagerDutyError("PagerDuty's answer was lost and reading the incidents back showed "
                                                 "the update did not land")
            return False
        return True

    def attempt(self, batch):
        """``(IDs landed, incidents read back or None, error or None)`` of one request."""
        ids = [incident_id for incident_id, unused in batch]
        confirmed = {}

        def confirm():      # after a lost answer: None (send again) when nothing landed
            confirmed["fresh"] = self.read(ids)
            confirmed["done"] = self.landed_in(batch, confirmed["fresh"])
            return {"incidents": []} if confirmed["done"] else None
        self.batches += 1
        try:
            update_incidents(self.client, [dict(body, id=incident_id) for incident_id, body in batch], confirm=confirm)
        except PagerDutyConfigError:
            raise
        except PagerDutyError as exc:
            try:
                fresh = self.read(ids)
            except PagerDutyError:
                return set(), None, exc
            return self.finish(batch, self.landed_in(batch, fresh)), fresh, exc
        if confirmed.get("done"):
            return self.finish(batch, confirmed["done"]), confirmed["fresh"], None
        return self.finish(batch, set(ids)), None, None

    def read(self, ids):
        found, unused = read_incidents(self.client, ids)
        return dict((incident["id"], incident) for incident in found)

    def landed_in(self, batch, fresh):
        """The IDs of ``batch`` whose incident, as read back, shows its update."""
        def levels(policy_id):
            return self.facts.levels(policy_id)[0]
        return set(incident_id for incident_id, body in batch if incident_id in fresh and landed(
            self.client, fresh[incident_id], body, self.escalations.get(incident_id), levels))

    def finish(self, batch, done):
        """Take the landed updates off their queues; returns ``done``."""
        for incident_id, unused in batch:
            if incident_id in done:
                self.queues[incident_id].pop(0)
                if incident_id not in self.changed:
                    self.changed.append(incident_id)
                if not self.queues[incident_id]:
                    del self.queues[incident_id]
        return done

    def plan_again(self, rest, fresh):
        """The updates of ``rest`` planned again from the incidents read back; None when one cannot be."""
        retry = []
        for incident_id, unused in rest:
            if incident_id not in fresh:
                return None
            try:
                plan = self.plan_one(fresh[incident_id])
            except PagerDutyInputError:
                return None
            if not plan.writes:
                del self.queues[incident_id]
                continue
            self.queues[incident_id] = list(plan.writes)
            self.escalations[incident_id] = plan.escalations_before
            retry.append((incident_id, plan.writes[0]))
        return retry

    @staticmethod
    def may_retry(error, refused, retry):
        """Whether to send ``retry`` after ``error``: only after a refusal (not after the client gave up or lost the
        answer), and only when it differs from the ``refused`` request (some incidents changed meanwhile)."""
        if not isinstance(error, PagerDutyAPIError) or not 400 <= error.status < 500 or error.status == 429:
            return False
        return retry != refused


def outcome(incidents, plans, sent):
    """The result's lists of IDs and the summary of what changed (or would, in check mode, when ``sent`` is None)."""
    order = [incident["id"] for incident in incidents]
    landed = set(sent.changed) if sent is not None else set(plans)
    changed = [i for i in order if i in landed]
    failed = [i for i in order if i in sent.queues] if sent is not None else []
    changes, diff = summarise(plans, [i for i in changed if i in plans])
    result = dict(selected_ids=order, changed_ids=changed, failed_ids=failed, changes=changes,
                  unchanged_ids=[i for i in order if i not in changed and i not in failed],
                  batches=sent.batches if sent is not None else 0)
    return result, diff


def run(module):
    p = module.params
    problem = input_problem(p)
    if problem:
        raise PagerDutyInputError(problem)
    module.require("api_token")
    desired = resolve_desired(module, p)
    incidents, skipped = select(module)
    facts = IncidentFacts(module)
    params = dict(p, force=False)

    def plan_one(incident):
        return plan_update(incident, desired, params, facts, check_mode=module.check_mode)
    plans = plan_all(incidents, plan_one)
    sent = None
    if plans and not module.check_mode:
        sent = BulkUpdate(module.client, facts, plan_one)
        sent.run(plans, [incident["id"] for incident in incidents])
    result, diff = outcome(incidents, plans, sent)
    if sent is not None and sent.error is not None:
        raise PagerDutyPartialError("%s; %d of the %d incidents to change were changed, %d were not: %s" % (
            sent.error, len(result["changed_ids"]), len(plans), len(result["failed_ids"]),
            shown(result["failed_ids"])), result, sent.error)
    result.update(changed=bool(result["changed_ids"]), skipped_ids=skipped)
    if module._diff:
        result["diff"] = diff
    return result


ARGUMENT_SPEC = dict(
    incident_ids=dict(type="list", elements="str", aliases=["ids"]),
    services=dict(type="list", elements="str"),
    teams=dict(type="list", elements="str"),
    statuses=dict(type="list", elements="str", choices=["triggered", "acknowledged", "resolved"]),
    urgencies=dict(type="list", elements="str", choices=["high", "low"]),
    assigned_to=dict(type="list", elements="str"),
    incident_key=dict(type="str", no_log=False),
    since=dict(type="str"),
    until=dict(type="str"),
    status=dict(type="str", choices=["triggered", "acknowledged", "resolved"]),
    resolution=dict(type="str"),
    escalation_level=dict(type="int"),
    assignees=dict(type="list", elements="str"),
    escalation_policy=dict(type="str"),
    priority=dict(type="str"),
    urgency=dict(type="str", choices=["high", "low"]),
    title=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("assignees", "escalation_policy"), ("assignees", "escalation_level")]


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE).run(run)


if __name__ == "__main__":
    main()
