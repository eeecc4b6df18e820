# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who is on call: the one query that the ``pd_oncall_info`` module and the ``oncall`` lookup plugin share.

A query names escalation policies, schedules, services (meaning their escalation policies) and users, by ID or
name (users also by email), optionally one escalation level, and a moment or a range of time.  It costs one
listing of ``GET /oncalls`` (every page, ``include[]=users`` for the names and emails) plus one request per name,
email or service to resolve.  An ID is not looked up first: PagerDuty's answer naming it shows it exists, and only
an ID the answer does not name is checked afterwards (one request; a name shaped like an ID, such as
``PLATFORMOPS``, is then taken as a name and the listing read again).

Every entry holds the user's ID, name and email and nothing else of the user (never contact addresses).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.schedules import SCHEDULES, list_oncalls
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.services import ESCALATION_POLICIES
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.users import USERS
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import is_id
from ansible_collections.oncall.pagerduty.plugins.module_utils.times import parse_time, to_pagerduty

# option -> (query parameter, the entry's field, collection): how IDs of each kind filter the listing
FILTERS = (
    ("escalation_policies", "escalation_policy_ids[]", "escalation_policy", ESCALATION_POLICIES),
    ("schedules", "schedule_ids[]", "schedule", SCHEDULES),
    ("users", "user_ids[]", "user", USERS),
)
MAX_DAYS_AHEAD = 90     # GET /oncalls: "On-call shifts are limited to 90 days in the future"
KINDS = ("escalation_policies", "schedules", "services", "users")


class OncallQuery(object):
    """What to ask: lists of IDs or names per kind (``escalation_policies``, ``schedules``, ``services``,
    ``users``), an escalation ``level`` or None, and ``since``/``until`` (aware datetimes; None for now)."""

    def __init__(self, escalation_policies=(), schedules=(), services=(), users=(), level=None, since=None,
                 until=None):
        self.targets = {"escalation_policies": list(escalation_policies or ()), "schedules": list(schedules or ()),
                        "services": list(services or ()), "users": list(users or ())}
        self.level = level
        self.since = since
        self.until = until

    def key(self):
        """What identifies the question (for a cache): the targets, the level and the times."""
        return (tuple((kind, tuple(values)) for kind, values in sorted(self.targets.items())), self.level,
                self.since and to_pagerduty(self.since), self.until and to_pagerduty(self.until))


def check_range(since, until, now, names=("since", "until")):
    """Refuse a range PagerDuty would refuse, before any request (``now``: the controller's time)."""
    if until < since:
        raise PagerDutyInputError("%s must not be before %s (%s < %s)" % (
            names[1], names[0], to_pagerduty(until), to_pagerduty(since)))
    if (until - now).days >= MAX_DAYS_AHEAD:
        raise PagerDutyInputError("%s: PagerDuty computes on-calls at most %d days ahead; got %s" % (
            names[1], MAX_DAYS_AHEAD, to_pagerduty(until)))


def build_query(targets, level=None, at=None, since=None, until=None, now=None):
    """The :class:`OncallQuery` for the options the module and the lookup take (``targets``: lists of values by
    kind), checked before any request: the level, and the moment or range (at most 90 days ahead)."""
    if level is not None and level < 1:
        raise PagerDutyInputError("escalation_level must be 1 or more, got %d" % level)
    moment = parse_time(at, "at", now)
    since, until = parse_time(since, "since", now), parse_time(until, "until", now)
    if moment is not None and (since is not None or until is not None):
        raise PagerDutyInputError("at is one moment, since and until a range: give one or the other")
    if moment is not None and str(at).strip().lower() != "now":
        check_range(moment, moment, now, ("at", "at"))
        since = until = moment
    elif since is not None or until is not None:
        if since is None or until is None:
            raise PagerDutyInputError("since and until go together: give both, or at for one moment")
        check_range(since, until, now)
    values = dict((kind, list(dict.fromkeys(targets.get(kind) or []))) for kind in KINDS)
    return OncallQuery(level=level, since=since, until=until, **values)


def _filters(resolver, query):
    """``(params, pending)``: the listing's filter parameters, and the ID-shaped values not yet known to exist
    (``(option, value)``).  Names, emails and services are resolved now."""
    params, pending = {}, []
    for option, parameter, unused, collection in FILTERS:
        values = query.targets[option]
        pending += [(option, value) for value in values if is_id(value)]
        names = [value for value in values if not is_id(value)]
        if option == "users":
            found = dict((name, resolver.user_id_or_name(name, option)) for name in names)
        else:
            found = dict((name, item["id"]) for name, item in zip(names, resolver.objects(collection, names, option)))
        ids = [value if is_id(value) else found[value] for value in values]
        if option == "escalation_policies" and query.targets["services"]:
            ids += [policy_of(service) for service in resolver.services(query.targets["services"])]
        if ids:
            params[parameter] = list(dict.fromkeys(ids))
    return params, pending


def policy_of(service):
    """The ID of a service's escalation policy."""
    policy = service.get("escalation_policy")
    if not isinstance(policy, dict) or not policy.get("id"):
        raise PagerDutyInputError("services: %s (%s) has no escalation policy, so nobody is on call for it" % (
            service.get("name"), service.get("id")))
    return policy["id"]


def _listing(client, params, query):
    params = dict(params, **{"include[]": "users"})
    if query.since is not None:
        params.update(since=to_pagerduty(query.since), until=to_pagerduty(query.until or query.since))
    oncalls, unused = list_oncalls(client, params)
    return oncalls


def _named(oncalls, field):
    return set((entry.get(field) or {}).get("id") for entry in oncalls if isinstance(entry.get(field), dict))


def _check_pending(resolver, pending, oncalls, params):
    """Check the IDs the answer did not name; True when one was a name (``params`` corrected: list again)."""
    relisting = False
    for option, value in pending:
        parameter, field, collection = [(p, f, c) for name, p, f, c in FILTERS if name == option][0]
        if value in _named(oncalls, field):
            continue
        found = resolver.objects(collection, [value], option)[0]["id"]
        if found != value:
            params[parameter] = [found if item == value else item for item in params[parameter]]
            relisting = True
    return relisting


def person(user):
    """A user as the entries show it: ID, name and email, nothing else."""
    user = user if isinstance(user, dict) else {}
    return {"id": user.get("id"), "name": user.get("name") or user.get("summary"), "email": user.get("email")}


def _ref(value):
    if not isinstance(value, dict) or not value.get("id"):
        return None
    return {"id": value["id"], "name": value.get("summary") or value.get("name")}


def entry(oncall):
    """One on-call as the module and the lookup return it."""
    return {"user": person(oncall.get("user")), "escalation_level": oncall.get("escalation_level"),
            "escalation_policy": _ref(oncall.get("escalation_policy")), "schedule": _ref(oncall.get("schedule")),
            "start": oncall.get("start"), "end": oncall.get("end")}


def who_is_on_call(client, resolver, query):
    """The on-call entries that answer ``query``, in PagerDuty's order (see the module docstring for the cost)."""
    params, pending = _filters(resolver, query)
    oncalls = [o for o in _listing(client, params, query) if isinstance(o, dict)]
    if pending and _check_pending(resolver, pending, oncalls, params):
        oncalls = [o for o in _listing(client, params, query) if isinstance(o, dict)]
    entries = [entry(o) for o in oncalls if query.level is None or o.get("escalation_level") == query.level]
    return entries


def users_of(entries):
    """The users of the entries, once each, in order."""
    return list(dict((e["user"]["id"], e["user"]) for e in entries if e["user"]["id"]).values())
