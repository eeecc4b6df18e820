# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and emails to PagerDuty objects: the one resolver the modules, the callback and the lookup plugin share.

It takes a client, not a module.  Its failures are :class:`PagerDutyInputError`
exceptions whose message names the parameter and what was found; the module
base class turns them into the one-line ``fail_json`` every module gives.

Costs: an ID costs one read (a name shaped like an ID, such as ``PLATFORMOPS``,
is looked up as a name when no object has that ID); one name costs one
``query`` request; several names of one kind share one listing, read once
per resolver; an email costs one ``query``.  The account's priorities are
read at most once per resolver, and the same value is never resolved twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.incidents import (
    INCIDENT_WORKFLOWS, list_priorities)
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.schedules import SCHEDULES
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.services import ESCALATION_POLICIES, SERVICES
from ansible_collections.oncall.pagerduty.plugins.module_utils._api.users import TEAMS, USERS, list_users, search_users
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError

_ID = re.compile(r"^[PQ][A-Z0-9]{6,13}$")


def is_id(value):
    """Whether ``value`` looks like a PagerDuty object ID.  A name may look like one too (``PLATFORMOPS``)."""
    return bool(_ID.match(value or ""))


def named(items, name):
    """``(matches, exact)``: the items named ``name`` exactly; failing that, those whose name differs only in case."""
    exact = [item for item in items if item.get("name") == name]
    if exact:
        return exact, True
    return [item for item in items if (item.get("name") or "").lower() == name.lower()], False


def described(item):
    """An object as ``Name (ID)``."""
    return "%s (%s)" % (item.get("name"), item.get("id"))


def _plural(what):
    return what[:-1] + "ies" if what.endswith("y") else what + "s"


def pick(items, value, parameter, what):
    """The one item of ``items`` that ``value`` names; a one-line error when none or several do."""
    found, exact = named(items, value)
    if len(found) == 1:
        return found[0]
    if found:
        raise PagerDutyInputError("%s: %r matches %d %s%s: %s; use the ID" % (
            parameter, value, len(found), _plural(what), "" if exact else " without regard to case",
            ", ".join(described(item) for item in found)))
    near = [item for item in items if value.lower() in (item.get("name") or "").lower()][:10]
    raise PagerDutyInputError("%s: no %s %s %r%s" % (
        parameter, what, "has the ID or name" if is_id(value) else "is named", value,
        "; found: " + ", ".join(described(item) for item in near) if near else ""))


class Resolver(object):
    """Resolves IDs, names and emails to PagerDuty objects through ``client``, remembering what it found."""

    def __init__(self, client):
        self.client = client
        self._known = {}            # (collection path, value) -> object
        self._priorities = None
        self._listings = {}         # collection path -> every object, when several names needed the listing

    # -- users ----------------------------------------------------------------------------
    def find_user_by_email(self, email, include=None):
        """``(the user with this address or None, the users the search found)``.

        One ``query`` request, then an exact case-insensitive match; the rest of the
        listing is read only when more than 100 addresses contain this one.
        """
        wanted = email.strip().lower()
        users, page = search_users(self.client, email.strip(), include)
        found = [u for u in users if (u.get("email") or "").lower() == wanted]
        if not found and page.get("more") is True:
            params = {"query": email.strip()}
            if include:
                params["include[]"] = list(include)
            users, unused = list_users(self.client, params, first=page)
            found = [u for u in users if (u.get("email") or "").lower() == wanted]
        return (found[0] if found else None), users

    def user_id(self, value, parameter="user"):
        """A user ID from an ID or an email address."""
        if is_id(value):
            return value
        if "@" not in value:
            raise PagerDutyInputError("%s must be a user ID or an email address, got %r" % (parameter, value))
        key = (USERS.path, value.strip().lower())
        if key not in self._known:
            user, users = self.find_user_by_email(value)
            if user is None:
                near = ", ".join("%s <%s>" % (u.get("name"), u.get("email")) for u in users[:5])
                raise PagerDutyInputError("%s: no PagerDuty user has the email %s%s" % (
                    parameter, value, " (found: %s)" % near if near else ""))
            self._known[key] = user
        return self._known[key]["id"]

    def user_id_or_name(self, value, parameter="users"):
        """A user ID from an ID, an email address or an exact name."""
        if is_id(value) or "@" in value:
            return self.user_id(value, parameter)
        return self.object(USERS, value, parameter)["id"]

    # -- objects with IDs and names ---------------------------------------------------------
    def objects(self, collection, values, parameter):
        """The objects (with ``id`` and ``name``) that IDs or names stand for, in the order given.

        A value shaped like an ID is read by ID (one request); when PagerDuty has
        no object with that ID, it is taken as a name, since names may look like
        IDs.  Names match exactly; only a name that matches nothing exactly may
        match a name that differs in case.  One name costs one ``query``
        request; several names share one listing.  A value that matches nothing,
        or several objects, fails naming ``parameter``.
        """
        found = dict((value, self._known.get((collection.path, value))) for value in values)
        for value in values:
            if found[value] is None and is_id(value):
                found[value] = collection.get(self.client, value)
        names = [value for value in dict.fromkeys(values) if found[value] is None]
        items = self._candidates(collection, names)
        for value in names:
            found[value] = pick(items, value, parameter, collection.what)
        for value in values:
            self._known[(collection.path, value)] = found[value]
        return [found[value] for value in values]

    def object(self, collection, value, parameter):
        """The object an ID or a name stands for (see :meth:`objects`)."""
        return self.objects(collection, [value], parameter)[0]

    def _candidates(self, collection, names):
        """The objects the names may be among: a search for one name, the whole listing (read once) for several."""
        if not names:
            return []
        if len(names) > 1:
            if collection.path not in self._listings:
                self._listings[collection.path] = collection.list_all(self.client)[0]
            return self._listings[collection.path]
        items, page = collection.search(self.client, names[0])
        if page.get("more") is True and not any(item.get("name") == names[0] for item in items):
            items, unused = collection.list_all(self.client, {"query": names[0]}, first=page)
        return items

    def service_id(self, value, parameter="service"):
        return self.object(SERVICES, value, parameter)["id"]

    def services(self, values, parameter="services"):
        """The services that IDs or names stand for, once each, in the order given (each with its
        ``escalation_policy`` reference)."""
        return list(dict((s["id"], s) for s in self.objects(SERVICES, values, parameter)).values())

    def service_ids(self, values, parameter="services"):
        """Service IDs, once each, in the order given."""
        return [service["id"] for service in self.services(values, parameter)]

    def escalation_policy_id(self, value, parameter="escalation_policy"):
        return self.object(ESCALATION_POLICIES, value, parameter)["id"]

    def escalation_policy_ids(self, values, parameter="escalation_policies"):
        """Escalation policy IDs, once each, in the order given."""
        return list(dict.fromkeys(p["id"] for p in self.objects(ESCALATION_POLICIES, values, parameter)))

    def schedule(self, value, parameter="schedule"):
        """The on-call schedule an ID or a name stands for."""
        return self.object(SCHEDULES, value, parameter)

    def schedule_ids(self, values, parameter="schedules"):
        """Schedule IDs, once each, in the order given."""
        return list(dict.fromkeys(s["id"] for s in self.objects(SCHEDULES, values, parameter)))

    def user_ids(self, values, parameter="users"):
        """User IDs from IDs, email addresses or exact names, once each, in the order given."""
        return list(dict.fromkeys(self.user_id_or_name(value, parameter) for value in values))

    def workflow_id(self, value, parameter="workflow"):
        return self.object(INCIDENT_WORKFLOWS, value, parameter)["id"]

    def teams(self, values, parameter="teams"):
        """The teams that IDs or names stand for, in the order given."""
        return self.objects(TEAMS, values, parameter)

    def team_ids(self, values, parameter="teams"):
        """Team IDs, once each, in the order given."""
        return list(dict.fromkeys(team["id"] for team in self.teams(values, parameter)))

    # -- priorities ------------------------------------------------------------------------------
    def priority(self, value, parameter="priority"):
        """The priority an ID or a name such as ``P1`` stands for (the account's priorities are read once)."""
        if self._priorities is None:
            self._priorities = list_priorities(self.client)
        priorities = self._priorities
        if not priorities:
            raise PagerDutyInputError("%s: this PagerDuty account has no priorities (enable them in the account "
                                      "settings)" % parameter)
        found = [p for p in priorities if p.get("id") == value or p.get("name") == value]
        if not found:
            found = [p for p in priorities if (p.get("name") or "").lower() == value.lower()]
        if not found:
            raise PagerDutyInputError("%s: no priority is named %r; the account has %s" % (
                parameter, value, ", ".join("%s (%s)" % (p.get("name"), p.get("id")) for p in priorities)))
        return found[0]

    def priority_id(self, value, parameter="priority"):
        return self.priority(value, parameter)["id"]
