#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_maintenance_window
short_description: Open, change or end a PagerDuty maintenance window
version_added: 1.1.0
description:
  - Makes a maintenance window exist for some services, or makes it end. While a service is in a maintenance
    window PagerDuty opens no incidents for it and its integrations accept events without acting on them; open
    incidents stay open.
  - The window is found by O(id), or else among the windows that are ongoing or in the future, as the one with the
    same O(description) and exactly the same services. A window that has ended is never reused.
  - With O(state=present), a missing window is created; an existing one gets, in one request, the end, the
    description and the services that differ (and a new start if it has not begun). With O(state=absent), an
    ongoing window ends now and a future one is deleted (every such window, when several match); when there is
    none, nothing changes.
  - With O(state=present) and several matching windows, the one that starts at O(start) is changed, else the
    ongoing one, else the one that starts first; give O(id) to choose another. A task whose O(start) is in the
    future never changes a window that has begun, and creates its own instead (tonight's window and tomorrow
    night's may have the same description and services).
  - Times are compared in UTC, to the second. O(duration) counts from the window's start, so re-running a task
    with O(duration) and no O(start) finds the same window unchanged rather than moving its end.
  - Every value is checked before anything is sent; a bad one fails with one line naming the option.
  - Creating a window is not safe to repeat, so after a lost answer the module reads the windows again instead of
    sending a second create.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the windows (and resolves names) and reports what would change; writes nothing.
  diff_mode:
    support: full
    details:
      - Shows the window's start, end, description and services (by name) that change, before and after.
  idempotent:
    support: full
    details:
      - A second identical run reads the windows (one request when the services are given by ID or by the names
        the window shows) and writes nothing.
options:
  state:
    description:
      - V(present) makes the window exist with the given times, description and services.
      - V(absent) ends the window now if it is ongoing, or deletes it if it has not begun. Without O(id), every
        ongoing or future window with the same description and services goes (for example tonight's and
        tomorrow's), so that a second run finds none. A window that has already ended, or none at all, is left
        alone (unchanged).
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - The ID of the window, for example C(PW98YIO). It identifies the window; O(services), O(teams) and
        O(description) are then what to set.
      - With O(state=present), an unknown ID, or the ID of a window that has ended, is an error.
      - Without it, the window is the ongoing or future one with the same O(description) and the same services.
    type: str
    aliases: [window_id]
  services:
    description:
      - The services in maintenance, by ID or name (a list, or a comma-separated string).
      - A name matches exactly; only a name that matches no service exactly may match one whose name differs in
        case. A name or ID the window already shows costs no request; others are looked up (one request per ID,
        one for a name, one listing for several names).
      - Required without O(id) (unless O(teams) names the services).
    type: list
    elements: str
    aliases: [service]
  teams:
    description:
      - Put every service of these teams in maintenance too, by team ID or name (a list, or a comma-separated
        string). The teams are looked up, then their services are listed (one request).
      - PagerDuty shows a window's teams from its services; it does not take teams of its own.
    type: list
    elements: str
  description:
    description:
      - What the maintenance is for, shown in PagerDuty. Part of the window's identity when O(id) is not given
        (when this is not given, the window is one without a description).
    type: str
    aliases: [desc]
  start:
    description:
      - When the window starts, V(now) or an ISO 8601 date and time with its offset, such as
        C(2026-11-23T22:00:00+01:00) or C(2026-11-23T21:00:00Z) (quoted or not).
      - Not given, a new window starts now, and an existing window keeps its start. V(now) also starts a future
        window now. The start of a window that has begun is never changed.
    type: raw
  end:
    description:
      - When the window ends, an ISO 8601 date and time with its offset. Must be in the future and after the start.
      - One of O(end) and O(duration) is required to create a window (the module fails, naming them, when it finds
        no window to change); not given, an existing window keeps its end.
    type: raw
  duration:
    description:
      - How long the window lasts from its start, in whole minutes, as C(30m), C(2h), C(1d), C(1h30m), or a number
        of minutes.
      - Without O(start), counted from the existing window's start (within a minute, since PagerDuty may move a
        start of now by a second or two), so that a re-run does not move the end.
    type: raw
notes:
  - Needs O(from_email) (or E(PAGERDUTY_FROM_EMAIL)) to create a window; PagerDuty records that user as its creator.
  - While a service is in maintenance, PagerDuty answers Events API events as usual (202) but opens, acknowledges
    and resolves nothing for them; C(oncall.pagerduty.pd_event) reports them as sent.
  - The deploy pattern (open a window, deploy, always end the window) is the ready playbook
    C(deploy_in_maintenance) in the collection's C(playbooks/).
seealso:
  - module: oncall.pagerduty.pd_maintenance_window_info
  - name: Maintenance windows (PagerDuty)
    description: What a maintenance window does to a service.
    link: https://support.pagerduty.com/main/docs/maintenance-windows
"""

EXAMPLES = r"""
- name: Put Checkout API in maintenance for the deploy (re-running finds the same window)
  oncall.pagerduty.pd_maintenance_window:
    services: [Checkout API]
    description: "Deploy {{ release }}"
    duration: 30m
  register: window
  delegate_to: localhost

- name: End it when the deploy is done
  oncall.pagerduty.pd_maintenance_window:
    id: "{{ window.maintenance_window.id }}"
    state: absent
  delegate_to: localhost

- name: Schedule a database upgrade for Saturday night, for every Platform service
  oncall.pagerduty.pd_maintenance_window:
    teams: Platform
    services: PSVCCHK
    description: Postgres 17 upgrade
    start: "2026-11-28T22:00:00+01:00"
    end: "2026-11-29T02:00:00+01:00"
  delegate_to: localhost

- name: Extend a window under way by its ID, as Rundeck passes arguments
  oncall.pagerduty.pd_maintenance_window:
    window_id: PW98YIO
    desc: Deploy 1.4.2 (extended)
    end: "2026-11-23T23:30:00Z"
  delegate_to: localhost

- name: Start a scheduled window now
  oncall.pagerduty.pd_maintenance_window:
    service: Platform Database
    description: Postgres 17 upgrade
    start: now
  delegate_to: localhost
"""

RETURN = r"""
maintenance_window:
  description:
    - The window as PagerDuty returns it after the change (in check mode, as it would be; a window that would be
      created has no C(id)).
    - With O(state=absent), the window as PagerDuty has it after it ended (read again, one request), a deleted future
      window as it was, or V(null) when there was none. In check mode, the window as it is. When several windows
      went, the first of them (all are in RV(maintenance_windows)).
  returned: success
  type: dict
  sample: {"id": "PW98YIO", "type": "maintenance_window", "description": "Deploy 1.4.2",
           "start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-23T21:30:00Z", "sequence_number": 12,
           "services": [{"id": "PSVCCHK", "type": "service_reference", "summary": "Checkout API"}],
           "teams": [{"id": "PTCHKOT", "type": "team_reference", "summary": "Checkout"}],
           "created_by": {"id": "PADMIN1", "type": "user_reference", "summary": "Ada Admin"}}
maintenance_windows:
  description:
    - With O(state=absent), every window the task ended or deleted (or would, in check mode), each as described in
      RV(maintenance_window); an empty list when there was none to end.
  returned: when O(state=absent)
  type: list
  elements: dict
created:
  description: Whether a new window was created (or would be, in check mode).
  returned: success
  type: bool
window_state:
  description:
    - The window's state before the task at the controller's clock, V(future), V(ongoing) or V(past), or
      V(absent) when there was no such window.
  returned: success
  type: str
  sample: ongoing
"""

import datetime

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.maintenance_windows import (
    create_maintenance_window, delete_maintenance_window, get_maintenance_window, list_maintenance_windows,
    update_maintenance_window)
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.services import SERVICES
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule, as_list
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import is_id
from ansible_collections.oncall.pagerduty.plugins.module_utils.times import (
    from_pagerduty, parse_duration, parse_time, to_pagerduty, utc_now, window_end)

# PagerDuty moves a start of "now" to its own clock, a second or so later than the module's: an end counted from
# such a start is the same end within this much (durations are whole minutes).
SAME_END = datetime.timedelta(seconds=59)


class Wanted(object):
    """What the task asks for, checked before any request: the times, the description, the services and teams."""

    def __init__(self, params, now):
        self.state = params["state"]
        self.now = now
        self.start_given = params["start"] is not None and str(params["start"]).strip() != ""
        self.start_is_now = self.start_given and str(params["start"]).strip().lower() == "now"
        self.start = parse_time(params["start"], "start", now)
        self.end = parse_time(params["end"], "end", now)
        self.duration = parse_duration(params["duration"], "duration")
        self.description = params["description"]
        self.services = list(dict.fromkeys(as_list(params["services"]) or []))
        self.teams = list(dict.fromkeys(as_list(params["teams"]) or []))
        self.window_id = (params["id"] or "").strip() or None

    def check(self):
        """Refuse what cannot work, naming the option; before any request."""
        if self.duration is not None and self.duration.total_seconds() % 60:
            raise PagerDutyInputError("duration must be whole minutes, got %r" % str(self.duration))
        window_end(self.start or self.now, self.end, self.duration)
        if self.end is not None and self.end <= self.now:
            raise PagerDutyInputError("end must be in the future; got %s (now %s)" % (
                to_pagerduty(self.end), to_pagerduty(self.now)))
        if self.window_id is None and not (self.services or self.teams):
            raise PagerDutyInputError("services (or teams) are required to find or create a window without id")
        return self

    def end_from(self, start):
        """The end the task asks for, for a window starting at ``start``; None when it asks for none."""
        if self.end is not None:
            return self.end
        return start + self.duration if self.duration is not None else None


def window_state(window, now):
    """``future``, ``ongoing`` or ``past`` at ``now``, from the window's times (``past`` when it has none)."""
    start, end = from_pagerduty(window.get("start_time")), from_pagerduty(window.get("end_time"))
    if start is None or end is None or end <= now:
        return "past"
    return "future" if start > now else "ongoing"


def service_refs(window):
    return [ref for ref in window.get("services") or [] if isinstance(ref, dict) and ref.get("id")]


def known_services(values, refs):
    """``{value: service ID}`` for the values a window's own service references show (by ID or exact name)."""
    known = {}
    for value in values:
        for ref in refs:
            if value in (ref["id"], ref.get("summary")):
                known[value] = ref["id"]
    return known


def same_services(values, window):
    """Whether ``values`` (IDs or names) name exactly the window's services, read from the window alone."""
    refs = service_refs(window)
    known = known_services(values, refs)
    return len(known) == len(values) and set(known.values()) == set(ref["id"] for ref in refs)


def same_description(wanted, window):
    return (window.get("description") or "") == (wanted.description or "")


def in_order(windows):
    """The windows that match, in the order the task takes them: an ongoing one first, then the soonest (their
    starts compared in UTC: PagerDuty answers in the account's time zone)."""
    def start(window):
        moment = from_pagerduty(window.get("start_time"))
        return (moment is None, moment or 0, window.get("sequence_number") or 0)
    return sorted(windows, key=start)


def first_of(windows):
    """The window to act on among several that match (see :func:`in_order`)."""
    return in_order(windows)[0]


# -- finding the window ---------------------------------------------------------------------------------
def candidates(client, service_ids=None):
    """The ongoing and future windows (of these services, when given): one listing, every page."""
    params = {"filter": "open"}
    if service_ids:
        params["service_ids[]"] = list(service_ids)
    windows, unused = list_maintenance_windows(client, params)
    return [w for w in windows if isinstance(w, dict) and w.get("id")]


def resolve_services(module, wanted, refs=()):
    """``[(id, name)]`` of the wanted services and of every service of the wanted teams, once each; the services a
    window's ``refs`` show cost no request."""
    known = known_services(wanted.services, refs)
    names = dict((ref["id"], ref.get("summary")) for ref in refs)
    unknown = [value for value in wanted.services if value not in known]
    for value, service in zip(unknown, module.resolver.objects(SERVICES, unknown, "services")):
        known[value] = service["id"]
        names[service["id"]] = service.get("name") or service.get("summary")
    found = [(known[value], names.get(known[value])) for value in wanted.services]
    if wanted.teams:
        team_ids = module.resolver.team_ids(wanted.teams)
        services, unused = SERVICES.list_all(module.client, {"team_ids[]": team_ids})
        if not services:
            raise PagerDutyInputError("teams: %s own no services to put in maintenance" % ", ".join(wanted.teams))
        found += [(s["id"], s.get("name") or s.get("summary")) for s in services if isinstance(s, dict)]
    return list(dict(found).items())


def find_windows(module, wanted):
    """``(windows, wanted services [(id, name)] or None when the task gives none)``: the window of the ID (none
    when unknown), or else the ongoing and future windows with the same description and services, in order (see
    :func:`in_order`).  Windows whose services the task names exactly (by ID or by the names the window shows)
    are found without looking any name up.
    """
    client = module.client
    if wanted.window_id:
        window = get_maintenance_window(client, wanted.window_id)
        if window is None or not (wanted.services or wanted.teams):
            return [window] if window else [], None
        return [window], resolve_services(module, wanted, service_refs(window))
    by_id = not wanted.teams and all(is_id(value) for value in wanted.services)
    windows = [w for w in candidates(client, wanted.services if by_id else None) if same_description(wanted, w)]
    found = [w for w in windows if same_services(wanted.services, w)] if not wanted.teams else []
    if found:
        found = in_order(found)
        return found, resolve_services(module, wanted, service_refs(found[0]))
    services = resolve_services(module, wanted)
    ids = set(service_id for service_id, unused in services)
    if by_id and ids != set(wanted.services):       # a name that looked like an ID: list again by the real IDs
        windows = [w for w in candidates(client, sorted(ids)) if same_description(wanted, w)]
    return in_order([w for w in windows if set(ref["id"] for ref in service_refs(w)) == ids]), services


# -- planning -----------------------------------------------------------------------------------------------
def labels(services):
    """Services as the diff shows them: ``Name (ID)``, sorted."""
    return sorted("%s (%s)" % (name, service_id) if name else service_id for service_id, name in services)


def window_services(window):
    return [(ref["id"], ref.get("summary")) for ref in service_refs(window)]


class WindowPlan(object):
    """What one task does to a window: ``action`` (create, update, end, delete or None), the request ``body``
    (the whole window, as PagerDuty's PUT wants it), and the changes it makes."""

    def __init__(self, window, state):
        self.window = window
        self.state = state          # future, ongoing, past, or absent when there is no window
        self.action = None
        self.body = None
        self.changes = ChangeTracker()

    def predicted(self):
        """The window as it would be after the plan (check mode)."""
        window = dict(self.window or {"type": "maintenance_window"})
        if self.body:
            window.update((k, v) for k, v in self.body.items() if k != "services")
            window["services"] = [dict(ref, summary=name) for ref, name in self.body["services"]]
        if self.action == "end":
            window["end_time"] = self.changes.diff()["after"]["end_time"]
        return window


def create_plan(wanted, services, now):
    if wanted.end is None and wanted.duration is None:
        raise PagerDutyInputError("end or duration is required to create a maintenance window (none has the "
                                  "description %r and these services)" % (wanted.description or ""))
    plan = WindowPlan(None, "absent")
    start = wanted.start or now
    fields = {"start_time": to_pagerduty(start), "end_time": to_pagerduty(wanted.end_from(start))}
    if wanted.description is not None:
        fields["description"] = wanted.description
    plan.changes.add("state", "absent", "present")
    for name, value in sorted(fields.items()):
        plan.changes.add(name, None, value)
    plan.changes.add("services", None, labels(services))
    plan.action, plan.body = "create", dict(fields, services=[(_ref(i), n) for i, n in services])
    return plan


def _ref(service_id):
    return {"id": service_id, "type": "service_reference"}


def counted_from(wanted, new_start, current_start):
    """``(start, exact)``: what ``duration`` counts from, and whether the end must match to the second.

    An explicit start counts exactly.  Otherwise the end counts from the window's start (or from now, for a window
    started now), which PagerDuty set from its own clock: within a minute is the same end."""
    if wanted.start_given and not wanted.start_is_now:
        return wanted.start, True
    return new_start or current_start, wanted.duration is None


def update_plan(window, wanted, services, now):
    """The update that brings an ongoing or future ``window`` to what the task asks for (action None: nothing)."""
    state = window_state(window, now)
    plan = WindowPlan(window, state)
    current_start, current_end = from_pagerduty(window.get("start_time")), from_pagerduty(window.get("end_time"))
    start = wanted.start if state == "future" and wanted.start_given and wanted.start != current_start else None
    if start is not None:
        plan.changes.add("start_time", window.get("start_time"), to_pagerduty(start))
    base, exact = counted_from(wanted, start, current_start)
    target = wanted.end_from(base)
    if target is not None and current_end is not None and (target == current_end or (
            not exact and abs(target - current_end) <= SAME_END)):
        target = None
    if target is not None:
        plan.changes.add("end_time", window.get("end_time"), to_pagerduty(target))
    if wanted.description is not None and not same_description(wanted, window):
        plan.changes.add("description", window.get("description"), wanted.description)
    current = window_services(window)
    if services is not None and set(i for i, n in services) != set(i for i, n in current):
        plan.changes.add("services", labels(current), labels(services))
    if plan.changes.changed:
        plan.action = "update"
        plan.body = {"start_time": to_pagerduty(start or current_start),
                     "end_time": to_pagerduty(target or current_end),
                     "services": [(_ref(i), n) for i, n in (services if services is not None else current)]}
        description = wanted.description if wanted.description is not None else window.get("description")
        if description is not None:
            plan.body["description"] = description
    return plan


def absent_plan(window, now):
    """End an ongoing window now, delete a future one; nothing for an ended window or none."""
    state = window_state(window, now) if window is not None else "absent"
    plan = WindowPlan(window, state)
    if state == "future":
        plan.action = "delete"
        plan.changes.add("state", "future", "deleted")
    elif state == "ongoing":
        plan.action = "end"
        plan.changes.add("state", "ongoing", "ended")
        plan.changes.add("end_time", window.get("end_time"), to_pagerduty(now))
    return plan


# -- applying it --------------------------------------------------------------------------------------------
def request_body(plan):
    return dict(plan.body, services=[ref for ref, unused in plan.body["services"]])


def create(client, plan, known_ids):
    """Create the window; after a lost answer, the open windows are read again and it is resent only if it did not
    land."""
    body = request_body(plan)
    ids = set(ref["id"] for ref in body["services"])

    def confirm():
        for window in candidates(client, sorted(ids)):
            if (window["id"] not in known_ids and (window.get("description") or "") == body.get("description", "")
                    and set(ref["id"] for ref in service_refs(window)) == ids):
                return {"maintenance_window": window}
        return None
    return create_maintenance_window(client, body, confirm=confirm)


def apply_plan(client, plan, known_ids):
    """Carry the plan out: ``(the window as PagerDuty has it after, whether PagerDuty changed)``; a deleted window
    as it was before.  Ending or deleting a window that ended or went meanwhile changes nothing."""
    if plan.action == "create":
        return create(client, plan, known_ids), True
    if plan.action == "update":
        return update_maintenance_window(client, plan.window["id"], request_body(plan)), True
    done = delete_maintenance_window(client, plan.window["id"])
    if plan.action == "end" or not done:
        return get_maintenance_window(client, plan.window["id"]) or plan.window, done
    return plan.window, done


def the_window(windows, wanted):
    """Which of the matching windows a present task changes, or None to create one.  Never one that has ended by
    the controller's clock (PagerDuty's may be behind); with a start in the future, never one that has begun (a
    window for tomorrow night is not tonight's, which has the same description); the one that starts at the
    wanted start if there is one; else the first (see :func:`in_order`)."""
    if wanted.window_id:
        return windows[0]
    candidates = [w for w in windows if window_state(w, wanted.now) != "past"]
    if wanted.start_given and not wanted.start_is_now:
        same = [w for w in candidates if from_pagerduty(w.get("start_time")) == wanted.start]
        if same:
            return same[0]
        if wanted.start > wanted.now:
            candidates = [w for w in candidates if window_state(w, wanted.now) == "future"]
    return candidates[0] if candidates else None


def removal_changes(plans):
    """The changes of ending or deleting several windows, as one diff: each window's ID, state and end."""
    changes = ChangeTracker()
    changes.add("windows", [dict(id=p.window["id"], state=p.state, end_time=p.window.get("end_time")) for p in plans],
                [dict(id=p.window["id"], **dict((name, after) for name, unused, after in p.changes.items()))
                 for p in plans])
    return changes


def remove(module, windows, now):
    """State absent: end every matching ongoing window now and delete every future one, so that none is left."""
    plans = [plan for plan in (absent_plan(window, now) for window in windows) if plan.action]
    first = windows[0] if windows else None
    result = dict(created=False, window_state=plans[0].state if plans else (
        window_state(first, now) if first else "absent"), maintenance_window=plans[0].window if plans else first,
        maintenance_windows=[plan.window for plan in plans])
    if not plans:
        return result
    module.changes.extend(plans[0].changes if len(plans) == 1 else removal_changes(plans))
    if module.check_mode:
        return result
    done = [apply_plan(module.client, plan, set()) for plan in plans]
    result.update(maintenance_window=done[0][0], maintenance_windows=[window for window, unused in done])
    if not any(changed for unused, changed in done):       # (PagerDuty's clock: they had already ended)
        result.update(changed=False, diff={"before": {}, "after": {}})
    return result


def run(module):
    params = module.params
    wanted = Wanted(params, utc_now()).check()
    module.require("api_token")
    windows, services = find_windows(module, wanted)
    if wanted.state == "absent":
        return remove(module, windows, wanted.now)
    if not windows and wanted.window_id:
        raise PagerDutyInputError("id: no maintenance window has the ID %s" % wanted.window_id)
    if wanted.window_id and window_state(windows[0], wanted.now) == "past":
        raise PagerDutyInputError("id: maintenance window %s ended at %s and cannot be changed; leave out id to "
                                  "create a new window" % (windows[0]["id"], windows[0].get("end_time")))
    window = the_window(windows, wanted)
    if window is None:
        plan = create_plan(wanted, services, wanted.now)
    else:
        plan = update_plan(window, wanted, services, wanted.now)
    module.changes.extend(plan.changes)
    result = dict(created=plan.action == "create", window_state=plan.state, maintenance_window=window)
    if plan.action is None:
        return result
    if module.check_mode:
        return dict(result, maintenance_window=plan.predicted())
    window, unused = apply_plan(module.client, plan, set([window["id"]] if window else []))
    return dict(result, maintenance_window=window)


ARGUMENT_SPEC = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    id=dict(type="str", aliases=["window_id"]),
    services=dict(type="list", elements="str", aliases=["service"]),
    teams=dict(type="list", elements="str"),
    description=dict(type="str", aliases=["desc"]),
    start=dict(type="raw"),
    end=dict(type="raw"),
    duration=dict(type="raw"),
)
MUTUALLY_EXCLUSIVE = [("end", "duration")]


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE).run(run)


if __name__ == "__main__":
    main()
