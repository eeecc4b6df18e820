"""Building blocks every area shares: the plumbing (IDs, clock, lock), stores, references, pagination."""

import datetime
import heapq
import itertools
import random
import string
import threading
import uuid

from ..errors import InvalidInput, NotFound
from ..openapi import parse_datetime

API_BASE = "https://api.pagerduty.com"
WEB_BASE = "https://pdsim.pagerduty.com"

_ID_ALPHABET = string.ascii_uppercase + string.digits


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def isoformat(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(value, name):
    """An aware datetime from an ISO 8601 date-time; InvalidInput naming ``name`` otherwise."""
    try:
        parsed = parse_datetime(value)
    except (AttributeError, TypeError, ValueError):
        raise InvalidInput("%s must be an ISO 8601 date-time, got %r" % (name, value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


class Plumbing(object):
    """What every area of one account shares: its IDs, its clock, its timers and its lock.

    IDs come from one seeded generator, so a fresh account hands out the same IDs in the
    same order every time (tests and recorded answers rely on it).  ``now`` is the clock,
    a function returning an aware datetime; tests move the account's time with
    :meth:`advance` and :meth:`set_now` (``POST /_sim/clock``), after which it keeps running
    from there.  Areas schedule what PagerDuty does by itself later (a snoozed incident
    triggering again) with :meth:`schedule`; :meth:`run_due` carries out what is due, before
    each request and after the clock moves.  Callers hold :attr:`lock` around anything that
    reads or changes the account.
    """

    def __init__(self, rng_seed=20261123, now=utcnow):
        self.lock = threading.RLock()
        self._rng = random.Random(rng_seed)
        self._taken = set()
        self._now = now
        self._offset = datetime.timedelta(0)     # the simulated time is the clock's plus this
        self._timers = []               # heap of (when, sequence, action)
        self._sequence = itertools.count()
        self._cancelled = set()

    def new_id(self):
        """A new PagerDuty-shaped ID: ``P`` and six capital letters or digits."""
        while True:
            candidate = "P" + "".join(self._rng.choice(_ID_ALPHABET) for unused in range(6))
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate

    def claim(self, item_id):
        """Reserve an ID the seed gives (a seed may not give one twice)."""
        if item_id in self._taken:
            raise ValueError("duplicate id %s in seed" % item_id)
        self._taken.add(item_id)
        return item_id

    def seed_id(self, spec):
        """The ID a seed entry asks for, else a new one."""
        return self.claim(spec["id"]) if spec.get("id") else self.new_id()

    def random_hex(self):
        """32 random hex digits (an Events API ``dedup_key`` PagerDuty makes up), from the same generator as IDs."""
        return uuid.UUID(int=self._rng.getrandbits(128)).hex

    # -- the clock and what happens on it ------------------------------------------
    def now(self):
        return self._now() + self._offset if self._offset else self._now()

    def timestamp(self):
        return isoformat(self.now())

    def advance(self, seconds):
        """Move the simulated time ``seconds`` on (back, when negative); the new time."""
        self._offset += datetime.timedelta(seconds=seconds)
        return self.now()

    def set_now(self, moment):
        """Make the simulated time ``moment`` (an aware datetime); it runs on from there."""
        self._offset = moment - self._now()
        return self.now()

    def schedule(self, when, action):
        """Call ``action()`` once the clock reaches ``when`` (an aware datetime); returns a handle for :meth:`cancel`."""
        handle = next(self._sequence)
        heapq.heappush(self._timers, (when, handle, action))
        return handle

    def cancel(self, handle):
        """Forget a scheduled action (a handle of :meth:`schedule`, or None)."""
        if handle is not None:
            self._cancelled.add(handle)

    def run_due(self):
        """Carry out the scheduled actions that are due, in the order they fall due; how many ran."""
        ran = 0
        now = self.now()
        while self._timers and self._timers[0][0] <= now:
            unused, handle, action = heapq.heappop(self._timers)
            if handle in self._cancelled:
                self._cancelled.discard(handle)
                continue
            action()
            ran += 1
        return ran


class Store(object):
    """Resources of one kind, by id, in creation order."""

    def __init__(self, kind, label):
        self.kind = kind
        self.label = label
        self._items = {}

    def add(self, item):
        self._items[item["id"]] = item
        return item

    def get(self, resource_id):
        try:
            return self._items[resource_id]
        except KeyError:
            raise NotFound("%s %s not found" % (self.label, resource_id))

    def find(self, resource_id):
        return self._items.get(resource_id)

    def delete(self, resource_id):
        return self._items.pop(resource_id, None)

    def values(self):
        return list(self._items.values())

    def __contains__(self, resource_id):
        return resource_id in self._items

    def __len__(self):
        return len(self._items)


_PATHS = {
    "user": "users", "team": "teams", "service": "services",
    "escalation_policy": "escalation_policies", "priority": "priorities",
    "incident": "incidents", "incident_workflow": "incident_workflows",
    "alert": "alerts", "note": "notes",
}


def resource_path(kind):
    return "log_entries" if kind.endswith("_log_entry") else _PATHS.get(kind, kind + "s")


def reference(item):
    """PagerDuty's reference object for a stored resource (every item has a ``summary``)."""
    path = resource_path(item["type"])
    ref = {
        "id": item["id"],
        "type": item["type"] + "_reference",
        "summary": item["summary"],
        "self": "%s/%s/%s" % (API_BASE, path, item["id"]),
    }
    if item["type"] != "priority":
        ref["html_url"] = "%s/%s/%s" % (WEB_BASE, path, item["id"])
    return ref


def paginate(items, key, limit=None, offset=None, total=False):
    """Classic pagination exactly as PagerDuty does it (limit 25 by default, 100 at most, 10,000 in all)."""
    limit = 25 if limit is None else limit
    offset = offset or 0
    if limit < 1:
        raise InvalidInput("limit must be greater than 0")
    limit = min(limit, 100)
    if offset < 0:
        raise InvalidInput("offset must be 0 or greater")
    if offset + limit > 10000:
        raise InvalidInput("Offset must be less than 10000 - limit. "
                           "The sum of offset and limit cannot exceed 10000")
    return {
        key: items[offset:offset + limit],
        "limit": limit,
        "offset": offset,
        "more": offset + limit < len(items),
        "total": len(items) if total else None,
    }


def resolve_ref(store, ref, kinds):
    """The stored item a client's reference object names (``kinds``: the reference types allowed)."""
    if not isinstance(ref, dict) or "id" not in ref:
        raise InvalidInput("%s must be a reference object with an id" % store.label)
    if ref.get("type") not in kinds:
        raise InvalidInput("%s reference type must be one of %s" % (store.label, ", ".join(kinds)))
    item = store.find(ref["id"])
    if item is None:
        raise NotFound("%s %s not found" % (store.label, ref["id"]))
    return item


def seed_named(store, name):
    """The item a seed names by name or ID (seeds name teams and policies as people read them)."""
    for item in store.values():
        if item["name"] == name or item["id"] == name:
            return item
    raise ValueError("seed refers to unknown %s %s" % (store.label, name))
