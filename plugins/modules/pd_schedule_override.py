#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pd_schedule_override
short_description: Put someone on call on a PagerDuty schedule for a while (schedule overrides)
version_added: 1.1.0
description:
  - Makes overrides exist on an on-call schedule, each putting one user on call from a start to an end, above every
    layer of the schedule; or removes them.
  - Several overrides in one task (O(overrides)), created in one request; or one given by O(user), O(start) and
    O(end) or O(duration).
  - An override with the same user, start and end (to the second, in UTC) that already exists is left alone, so a
    re-run changes nothing. With O(start=now), an override of the same user that is in effect now, with the same
    end (or, with O(duration), the same length), counts as the same.
  - With O(state=absent), the matching overrides are removed; one in effect now ends now (PagerDuty keeps the part
    that has passed). When none matches, nothing changes.
  - Creating overrides is not safe to repeat, so after a lost answer the module reads the overrides again instead of
    sending them twice.
author:
  - oncall.pagerduty developers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.connection
  - oncall.pagerduty.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the schedule's overrides (and resolves names) and reports what would change; writes nothing.
  diff_mode:
    support: full
    details:
      - Shows the overrides that are added or removed.
  idempotent:
    support: full
    details:
      - A second identical run reads the overrides (one request when the schedule and users are given by ID) and
        writes nothing.
options:
  schedule:
    description:
      - The schedule, by ID or name. A name costs one request; an ID none (an unknown one is then looked up as a
        name).
    type: str
    required: true
    aliases: [schedule_id]
  state:
    description:
      - V(present) makes the overrides exist; V(absent) removes them (one in effect now ends now).
      - With V(absent), an override that has already ended is left alone and the task reports it unchanged, since
        PagerDuty keeps past overrides and refuses to delete them, and they no longer put anyone on call. So a task
        that hands the pager back can run after the cover is over.
    type: str
    choices: [present, absent]
    default: present
  overrides:
    description:
      - The overrides, each with its O(overrides[].user), O(overrides[].start) and O(overrides[].end) or
        O(overrides[].duration).
      - Mutually exclusive with O(user).
    type: list
    elements: dict
    suboptions:
      user:
        description:
          - Who is on call, by user ID, email address or exact name.
        type: str
        required: true
      start:
        description:
          - When the override starts, V(now) (the default) or an ISO 8601 date and time with its offset.
        type: raw
      end:
        description:
          - When it ends, an ISO 8601 date and time with its offset; in the future and after the start.
        type: raw
      duration:
        description:
          - How long it lasts from its start, as C(30m), C(2h), C(2d), C(1h30m) or a number of minutes.
        type: raw
  user:
    description:
      - Who is on call, for one override, by user ID, email address or exact name.
    type: str
  start:
    description:
      - When one override starts, V(now) (the default) or an ISO 8601 date and time with its offset.
    type: raw
  end:
    description:
      - When one override ends, an ISO 8601 date and time with its offset; in the future and after the start.
    type: raw
  duration:
    description:
      - How long one override lasts from its start, as C(30m), C(2h), C(2d), C(1h30m) or a number of minutes.
    type: raw
notes:
  - PagerDuty gives the last created override priority where overrides overlap.
  - Limited and Full Stakeholders cannot be put on call.
seealso:
  - module: oncall.pagerduty.pd_oncall_info
  - name: Schedule overrides (PagerDuty)
    description: How overrides change who is on call.
    link: https://support.pagerduty.com/main/docs/edit-schedules
"""

EXAMPLES = r"""
- name: Grace takes the pager for the weekend
  oncall.pagerduty.pd_schedule_override:
    schedule: Checkout Primary
    user: grace@example.com
    start: "2026-11-27T18:00:00+01:00"
    end: "2026-11-30T09:00:00+01:00"
  delegate_to: localhost

- name: Margaret covers for Linus during the deploy
  oncall.pagerduty.pd_schedule_override:
    schedule: PSCHCHK
    user: margaret@example.com
    duration: 2h
  register: cover
  delegate_to: localhost

- name: Hand the pager back after the deploy
  oncall.pagerduty.pd_schedule_override:
    schedule: PSCHCHK
    user: margaret@example.com
    start: "{{ cover.overrides[0].start }}"
    end: "{{ cover.overrides[0].end }}"
    state: absent
  delegate_to: localhost

- name: The holiday rota, in one request
  oncall.pagerduty.pd_schedule_override:
    schedule: Checkout Primary
    overrides:
      - {user: grace@example.com, start: "2026-12-24T09:00:00Z", end: "2026-12-25T09:00:00Z"}
      - {user: PMARGRT, start: "2026-12-25T09:00:00Z", duration: 1d}
  delegate_to: localhost
"""

RETURN = r"""
overrides:
  description:
    - The overrides the task asks for, as PagerDuty has them (existing or created), in the order given. In check
      mode, those that would be created have no C(id).
    - With O(state=absent), the overrides that were removed, as they were.
  returned: success
  type: list
  elements: dict
  sample: [{"id": "Q3X6MJ1LUKD6QW", "start": "2026-11-27T17:00:00Z", "end": "2026-11-30T08:00:00Z",
            "user": {"id": "PGRACE1", "type": "user_reference", "summary": "Grace Hopper"}}]
schedule_id:
  description: The ID of the schedule.
  returned: success
  type: str
  sample: PSCHCHK
"""

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.schedules import (
    create_overrides, delete_override, list_overrides)
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyAPIError, PagerDutyError, PagerDutyInputError)
from ansible_collections.oncall.pagerduty.plugins.module_utils.module import PagerDutyModule
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import is_id
from ansible_collections.oncall.pagerduty.plugins.module_utils.times import (
    from_pagerduty, parse_duration, parse_time, to_pagerduty, utc_now, window_end)


class Override(object):
    """One override the task asks for: the user as given, its ID once resolved, its start and end (UTC)."""

    def __init__(self, spec, index, now, state):
        name = "overrides[%d]" % index if index is not None else None
        self.user = (spec.get("user") or "").strip()
        if not self.user:
            raise PagerDutyInputError("%s.user is required" % name if name else "user is required")
        self.from_now = spec.get("start") is None or str(spec.get("start")).strip().lower() in ("", "now")
        self.start = parse_time(spec.get("start"), _named(name, "start"), now) or now
        end = parse_time(spec.get("end"), _named(name, "end"), now)
        duration = parse_duration(spec.get("duration"), _named(name, "duration"))
        self.end = window_end(self.start, end, duration, _named(name, "end"), _named(name, "duration"))
        if self.end is None:
            raise PagerDutyInputError("%s or %s is required" % (_named(name, "end"), _named(name, "duration")))
        # An override that has ended is history: there is nothing to create, and nothing to remove (PagerDuty
        # refuses to delete a past override), so with state absent it is left alone, unchanged.
        self.ended = self.end <= now
        if self.ended and state != "absent":
            raise PagerDutyInputError("%s must be in the future; got %s" % (_named(name, "end"), to_pagerduty(self.end)))
        self.length = self.end - self.start
        self.user_id = None

    def matches(self, override, now):
        """Whether an existing override is this one: same user, start and end; or, from now, same user and end (or
        length) and in effect now."""
        start, end = from_pagerduty(override.get("start")), from_pagerduty(override.get("end"))
        if user_of(override).get("id") != self.user_id or start is None or end is None:
            return False
        if start == self.start and end == self.end:
            return True
        return self.from_now and start <= now < end and (end == self.end or end - start == self.length)

    def body(self):
        return {"start": to_pagerduty(self.start), "end": to_pagerduty(self.end),
                "user": {"id": self.user_id, "type": "user_reference"}}

    def shown(self):
        return {"user": self.user, "start": to_pagerduty(self.start), "end": to_pagerduty(self.end)}


def user_of(override):
    user = override.get("user")
    return user if isinstance(user, dict) else {}


def _named(prefix, option):
    return "%s.%s" % (prefix, option) if prefix else option


def wanted_overrides(params, now):
    """The overrides the task asks for, checked before any request."""
    if params["overrides"] is not None:
        if not params["overrides"]:
            raise PagerDutyInputError("overrides must list at least one override")
        return [Override(spec, index, now, params["state"]) for index, spec in enumerate(params["overrides"])]
    if not params["user"]:
        raise PagerDutyInputError("give user (with start and end or duration), or overrides")
    spec = dict((name, params[name]) for name in ("user", "start", "end", "duration"))
    return [Override(spec, None, now, params["state"])]


def read_overrides(module, schedule, wanted):
    """``(schedule ID, the overrides over the wanted range)``: a schedule given by ID is not looked up first."""
    since = to_pagerduty(min(o.start for o in wanted))
    until = to_pagerduty(max(o.end for o in wanted))
    if is_id(schedule):
        try:
            return schedule, list_overrides(module.client, schedule, since, until)
        except PagerDutyAPIError as exc:
            if exc.status != 404:
                raise
    schedule_id = module.resolver.schedule(schedule)["id"]      # (a name, or a name shaped like an ID)
    return schedule_id, list_overrides(module.client, schedule_id, since, until)


def plan(wanted, existing, now, state):
    """``(to create, to remove, kept)``: the wanted overrides missing (present) or the existing ones to remove
    (absent), and the existing overrides that match the wanted ones."""
    missing, matched = [], []
    for override in wanted:
        if override.ended:          # (state absent only: an ended override is neither removed nor created)
            continue
        found = [o for o in existing if o not in matched and override.matches(o, now)]
        if found:
            matched.append(found[0])
        else:
            missing.append(override)
    if state == "absent":
        return [], matched, []
    return missing, [], matched


def shown(override):
    """An existing override as the diff shows it."""
    user = user_of(override)
    return {"user": user.get("summary") or user.get("id"), "start": override.get("start"), "end": override.get("end")}


def created_overrides(results, missing):
    """The overrides PagerDuty created, from its per-override results; fails naming those it refused."""
    created, problems = [], []
    for index, override in enumerate(missing):
        result = results[index] if index < len(results) else {}
        if result.get("status") in (200, 201) and isinstance(result.get("override"), dict):
            created.append(result["override"])
        else:
            errors = result.get("errors") if isinstance(result.get("errors"), list) else []
            problems.append("%s from %s to %s (%s)" % (
                override.user, to_pagerduty(override.start), to_pagerduty(override.end),
                "; ".join(str(e) for e in errors) or "status %s" % result.get("status", "unknown")))
    if problems:
        raise PagerDutyError("PagerDuty did not create %d of %d override(s): %s" % (
            len(problems), len(missing), ", ".join(problems)))
    return created


def create(client, schedule_id, missing, existing, now):
    """Create the missing overrides in one request; after a lost answer they are read again and sent again only
    if none landed."""
    known = set(o.get("id") for o in existing)
    since, until = to_pagerduty(min(o.start for o in missing)), to_pagerduty(max(o.end for o in missing))

    def confirm():
        current = [o for o in list_overrides(client, schedule_id, since, until) if o.get("id") not in known]
        found = []
        for override in missing:
            landed = [o for o in current if override.matches(o, now) and o not in found]
            if landed:
                found.append(landed[0])
        return [{"status": 201, "override": o} for o in found] or None
    results = create_overrides(client, schedule_id, [o.body() for o in missing], confirm=confirm)
    return created_overrides(results, missing)


def in_order(wanted, overrides, now):
    """The overrides that are the wanted ones, in the order wanted (each once)."""
    out = []
    for override in wanted:
        found = [o for o in overrides if o not in out and override.matches(o, now)]
        out.extend(found[:1])
    return out


def run(module):
    params = module.params
    now = utc_now()
    wanted = wanted_overrides(params, now)
    module.require("api_token")
    for override in wanted:
        override.user_id = module.resolver.user_id_or_name(override.user, "user")
    schedule_id, existing = read_overrides(module, params["schedule"].strip(), wanted)
    missing, removing, kept = plan(wanted, existing, now, params["state"])
    if removing:
        module.changes.add("overrides", [shown(o) for o in removing], [])
    if missing:
        module.changes.add("overrides", [shown(o) for o in kept], [shown(o) for o in kept] + [
            o.shown() for o in missing])
    result = dict(schedule_id=schedule_id, overrides=removing if params["state"] == "absent" else kept)
    if module.check_mode or not (missing or removing):
        if missing:
            result["overrides"] = in_order(wanted, kept, now) + [o.body() for o in missing]
        return result
    for override in removing:
        delete_override(module.client, schedule_id, override["id"])     # False: it went meanwhile
    if missing:
        created = create(module.client, schedule_id, missing, existing, now)
        result["overrides"] = in_order(wanted, kept + created, now)
    return result


ARGUMENT_SPEC = dict(
    schedule=dict(type="str", required=True, aliases=["schedule_id"]),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    overrides=dict(type="list", elements="dict", options=dict(
        user=dict(type="str", required=True),
        start=dict(type="raw"),
        end=dict(type="raw"),
        duration=dict(type="raw"),
    )),
    user=dict(type="str"),
    start=dict(type="raw"),
    end=dict(type="raw"),
    duration=dict(type="raw"),
)
MUTUALLY_EXCLUSIVE = [("overrides", "user"), ("overrides", "start"), ("overrides", "end"), ("overrides", "duration"),
                      ("end", "duration")]


def main():
    PagerDutyModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE).run(run)


if __name__ == "__main__":
    main()
