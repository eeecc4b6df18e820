"""On-call schedules: layers of users taking turns, and overrides on top of them.

PagerDuty's rules, with where each is documented:

* A layer's users take turns of ``rotation_turn_length_seconds`` (a day for a daily hand-off, a week for a
  weekly one), counted from ``rotation_virtual_start``, between the layer's ``start`` and ``end``
  (``end`` null: the layer does not end).  REST API reference, Schedule ``schedule_layers``.
* "In a schedule with multiple layers, the lowest layer always takes precedence": the layer listed last wins where
  layers overlap.  support.pagerduty.com/docs/schedules (Schedule Basics).
* Overrides beat every layer, and "if you create an override on top of an existing override, the last created
  override will have priority".  REST API reference, ``POST /schedules/{id}/overrides``.
* "Only one user per schedule can be on-call at a time"; a time no layer covers has nobody on call.
  support.pagerduty.com/docs/schedules.
* "You cannot remove a past override"; an override under way is truncated to the current time instead of deleted
  (200 rather than 204).  REST API reference, ``DELETE /schedules/{id}/overrides/{override_id}``.
* Limited and Full Stakeholders cannot be put on a schedule.  support.pagerduty.com/main/docs/edit-schedules.

Layer restrictions (``daily_restriction``, ``weekly_restriction``) are not simulated: a seed that has some is
refused, so that no test relies on coverage the simulator does not compute.
"""

import datetime

from ..errors import ArgumentsCausedError, InvalidInput, NotFound
from .core import Store, isoformat, moment, reference, seed_named

DAY = 86400
WEEK = 7 * DAY
ROTATIONS = {"daily": DAY, "weekly": WEEK}
HORIZON = datetime.timedelta(days=90)   # "On-call shifts are limited to 90 days in the future" (GET /oncalls)
STAKEHOLDER_ROLES = ("read_only_user", "read_only_limited_user")


def merged(segments):
    """``[(user_id, start, end)]`` in time order from ``(user_id, start, end, shift)`` segments: contiguous pieces of
    one shift (a layer's turn, or an override) joined, so that a turn cut by another layer shows as its pieces."""
    out, shifts = [], []
    for user_id, start, end, shift in segments:
        if out and shifts[-1] == shift and out[-1][2] == start:
            out[-1] = (user_id, out[-1][1], end)
        else:
            out.append((user_id, start, end))
            shifts.append(shift)
    return out


class Schedules(object):
    """On-call schedules and their overrides; who is on call on a schedule at any time.

    Depends on the plumbing (IDs, the clock) and the :class:`~pdsim.model.directory.Directory` (the users who
    take turns, the teams that own schedules).  A deleted user leaves every layer and override.
    """

    def __init__(self, plumbing, directory):
        self.plumbing = plumbing
        self.directory = directory
        self.schedules = Store("schedule", "Schedule")
        self.overrides = {}             # schedule id -> [override], in creation order (the last one wins)
        directory.guard_user_deletion(self._refuse_deleting_member)
        directory.on_user_deleted(self._forget_user)

    # -- seed ------------------------------------------------------------------------------
    def load(self, seed):
        """The schedules of a seed: ``{"id", "name", "time_zone", "teams", "layers": [{"id", "name", "users",
        "rotation" (daily, weekly) or "rotation_turn_length_seconds", "start", "rotation_virtual_start",
        "end"}]}``.  Give every ID: a seed loaded before the services must not use up generated IDs."""
        for spec in seed.get("schedules", []):
            schedule_id = self.plumbing.seed_id(spec)
            self.schedules.add({
                "id": schedule_id, "type": "schedule", "summary": spec["name"], "name": spec["name"],
                "description": spec.get("description"), "time_zone": spec.get("time_zone", "Etc/UTC"),
                "layers": [self._seed_layer(number, layer) for number, layer in enumerate(spec["layers"], 1)],
                "team_ids": [seed_named(self.directory.teams, t)["id"] for t in spec.get("teams", [])],
            })
            self.overrides[schedule_id] = []

    def _seed_layer(self, number, spec):
        if spec.get("restrictions"):
            raise ValueError("the simulator does not compute layer restrictions")
        start = moment(spec["start"], "start")
        turn = spec.get("rotation_turn_length_seconds") or ROTATIONS[spec.get("rotation", "weekly")]
        return {
            "id": self.plumbing.seed_id(spec), "name": spec.get("name", "Layer %d" % number),
            "start": start, "end": moment(spec["end"], "end") if spec.get("end") else None,
            "rotation_virtual_start": moment(spec.get("rotation_virtual_start") or spec["start"], "start"),
            "rotation_turn_length_seconds": int(turn),
            "user_ids": [self.directory.seed_user(user)["id"] for user in spec["users"]],
        }

    def _refuse_deleting_member(self, user):
        # A user on a schedule is not deleted until they are removed from it (PagerDuty community, "Why can't I
        # delete a user?": open incidents, schedules and escalation policies each block it). Uncertain: not in
        # PagerDuty's reference; pd_user names the schedules when PagerDuty refuses, whatever the reason.
        names = [s["name"] for s in self.schedules.values()
                 if any(user["id"] in layer["user_ids"] for layer in s["layers"])]
        if names:
            raise InvalidInput("User cannot be deleted while they are on schedules: %s" % ", ".join(names))

    def _forget_user(self, user_id):
        for schedule in self.schedules.values():
            for layer in schedule["layers"]:
                layer["user_ids"] = [u for u in layer["user_ids"] if u != user_id]
            self.overrides[schedule["id"]] = [o for o in self.overrides[schedule["id"]] if o["user_id"] != user_id]

    # -- who is on call ----------------------------------------------------------------------
    def layer_segments(self, layer, since, until):
        """``[(user_id, start, end, shift)]``: the layer's turns within ``[since, until)``, cut at those bounds."""
        start = max(layer["start"], since)
        end = min(layer["end"] or until, until)
        users = [u for u in layer["user_ids"] if u in self.directory.users]
        if not users or start >= end:
            return []
        turn = datetime.timedelta(seconds=layer["rotation_turn_length_seconds"])
        number = (start - layer["rotation_virtual_start"]) // turn
        segments = []
        while True:
            turn_start = layer["rotation_virtual_start"] + number * turn
            if turn_start >= end:
                return segments
            segments.append((users[number % len(users)], max(turn_start, start), min(turn_start + turn, end),
                             (layer["id"], number)))
            number += 1

    def _override_segments(self, schedule, since, until):
        return [(o["user_id"], max(o["start"], since), min(o["end"], until), o["id"])
                for o in self.overrides[schedule["id"]] if o["start"] < until and o["end"] > since]

    def final_segments(self, schedule, since, until, with_layers=True):
        """``[(user_id, start, end)]`` of the final schedule within ``[since, until)``: overrides (the last created
        first), then the layers (the last listed first); contiguous turns of one user joined."""
        layers = [self.layer_segments(layer, since, until) for layer in schedule["layers"] if with_layers]
        overrides = self._override_segments(schedule, since, until)
        ranked = list(reversed(overrides)) + [s for segments in reversed(layers) for s in segments]
        bounds = sorted(set([since, until] + [t for s in ranked for t in s[1:3]]))
        final = []
        for start, end in zip(bounds, bounds[1:]):
            covering = [(user_id, shift) for user_id, s, e, shift in ranked if s <= start < e]
            if covering:
                final.append((covering[0][0], start, end, covering[0][1]))
        return merged(final)

    def shifts(self, schedule, since, until):
        """The final schedule's shifts (turns and overrides, as far as other layers and overrides leave them) that
        overlap ``[since, until]`` (a moment when equal), whole as far as 90 days either side: ``[(user, start,
        end)]``."""
        segments = self.final_segments(schedule, since - HORIZON, until + HORIZON)
        return [(self.directory.users.get(user_id), start, end) for user_id, start, end in segments
                if start <= until and end > since and (start < until or since == until)]

    def on_call(self, schedule, at=None):
        """The user on call on ``schedule`` at ``at`` (default now), or None."""
        at = at or self.plumbing.now()
        found = self.final_segments(schedule, at, at + datetime.timedelta(seconds=1))
        return self.directory.users.get(found[0][0]) if found else None

    # -- overrides -------------------------------------------------------------------------------
    def schedule(self, schedule_id):
        return self.schedules.get(schedule_id)

    def list_overrides(self, schedule_id, since, until, editable=False, overflow=False):
        """``GET /schedules/{id}/overrides``: the overrides overlapping the range (only future ones when
        ``editable``), cut at its bounds unless ``overflow``."""
        schedule = self.schedule(schedule_id)
        since, until = moment(since, "since"), moment(until, "until")
        now = self.plumbing.now()
        found = [o for o in self.overrides[schedule["id"]] if o["start"] < until and o["end"] > since
                 and (not editable or o["start"] > now)]
        found.sort(key=lambda o: (o["start"], o["end"]))
        if overflow:
            return found
        return [dict(o, start=max(o["start"], since), end=min(o["end"], until)) for o in found]

    def create_overrides(self, schedule_id, overrides):
        """``POST /schedules/{id}/overrides``: ``[(status, override or the request's, errors)]``, one per override,
        each created or refused on its own."""
        schedule = self.schedule(schedule_id)
        if not isinstance(overrides, list) or not overrides:
            raise InvalidInput("overrides must be a non-empty array")
        return [self._create_override(schedule, item) for item in overrides]

    def _create_override(self, schedule, item):
        try:
            user_ref = item.get("user") or {}
            user = self.directory.users.find(user_ref.get("id"))
            if user is None:
                raise ArgumentsCausedError("User %s not found" % user_ref.get("id"))
            if user["role"] in STAKEHOLDER_ROLES:
                raise ArgumentsCausedError("%s is a stakeholder and cannot be put on a schedule" % user["name"])
            start, end = moment(item.get("start"), "start"), moment(item.get("end"), "end")
            if end <= start:
                raise ArgumentsCausedError("The override's end must be after its start")
        except (InvalidInput, ArgumentsCausedError) as exc:
            return 400, item, exc.errors
        override = {"id": self.plumbing.new_id(), "start": start, "end": end, "user_id": user["id"]}
        self.overrides[schedule["id"]].append(override)
        return 201, override, []

    def delete_override(self, schedule_id, override_id):
        """``DELETE``: a future override is deleted (None), one under way is truncated to now (the override); a past
        one cannot be removed."""
        schedule = self.schedule(schedule_id)
        found = [o for o in self.overrides[schedule["id"]] if o["id"] == override_id]
        if not found:
            raise NotFound("Override %s not found" % override_id)
        override, now = found[0], self.plumbing.now()
        if override["end"] <= now:
            raise ArgumentsCausedError("You cannot remove a past override")
        if override["start"] < now:
            override["end"] = now
            return override
        self.overrides[schedule["id"]].remove(override)
        return None

    # -- rendering --------------------------------------------------------------------------------
    def render_override(self, override):
        user = self.directory.users.find(override["user_id"])
        user_ref = reference(user) if user else {
            "id": override["user_id"], "type": "user_reference", "summary": "Deleted user"}
        return {"id": override["id"], "type": "override", "start": isoformat(override["start"]),
                "end": isoformat(override["end"]), "user": user_ref}

    def search_schedules(self, query=None, team_ids=None):
        schedules = self.schedules.values()
        if query:
            schedules = [s for s in schedules if query.lower() in s["name"].lower()]
        if team_ids:
            schedules = [s for s in schedules if set(team_ids) & set(s["team_ids"])]
        return sorted(schedules, key=lambda s: (s["name"].lower(), s["id"]))

    def _entries(self, segments):
        return [{"user": reference(self.directory.users.get(user_id)), "start": isoformat(start),
                 "end": isoformat(end)} for user_id, start, end in segments if user_id in self.directory.users]

    def _rendered(self, name, segments, since, until):
        covered = sum(((end - start).total_seconds() for unused, start, end in segments), 0.0)
        span = (until - since).total_seconds()
        return {"name": name, "rendered_schedule_entries": self._entries(segments),
                "rendered_coverage_percentage": round(100.0 * covered / span, 2) if span > 0 else None}

    def render_layer(self, layer, since=None, until=None):
        out = {"id": layer["id"], "name": layer["name"], "start": isoformat(layer["start"]),
               "end": isoformat(layer["end"]) if layer["end"] else None,
               "rotation_virtual_start": isoformat(layer["rotation_virtual_start"]),
               "rotation_turn_length_seconds": layer["rotation_turn_length_seconds"],
               "users": [{"user": reference(self.directory.users.get(u))} for u in layer["user_ids"]
                         if u in self.directory.users],
               "restrictions": []}
        if since is not None:
            segments = merged(self.layer_segments(layer, since, until))
            out.update((k, v) for k, v in self._rendered(layer["name"], segments, since, until).items() if k != "name")
        return out

    def render_schedule(self, schedule, since=None, until=None, policies=()):
        """A schedule as PagerDuty shows it; with a range (``since``/``until``, the other two weeks away, as
        PagerDuty defaults them), its layers' and final schedule's entries over the range."""
        if since or until:
            until = moment(until, "until") if until else moment(since, "since") + datetime.timedelta(days=14)
            since = moment(since, "since") if since else until - datetime.timedelta(days=14)
            if until < since:
                raise InvalidInput("until must not be before since")
        user_ids = list(dict.fromkeys(u for layer in schedule["layers"] for u in layer["user_ids"]
                                      if u in self.directory.users))
        out = {k: v for k, v in schedule.items() if k not in ("layers", "team_ids")}
        out.update(self=reference(schedule)["self"], html_url=reference(schedule)["html_url"],
                   schedule_layers=[self.render_layer(layer, since, until) for layer in schedule["layers"]],
                   users=[reference(self.directory.users.get(u)) for u in user_ids],
                   teams=[reference(self.directory.teams.get(t)) for t in schedule["team_ids"]],
                   escalation_policies=[reference(p) for p in policies])
        if since is not None:
            overrides = self.final_segments(schedule, since, until, with_layers=False)
            out["final_schedule"] = self._rendered("Final Schedule", self.final_segments(schedule, since, until),
                                                   since, until)
            out["overrides_subschedule"] = self._rendered("Overrides", overrides, since, until)
        return out
