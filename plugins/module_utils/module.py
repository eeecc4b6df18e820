# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base class of every oncall.pagerduty module.

It assembles the argument spec from the shared connection options (documented
once in the ``oncall.pagerduty.connection`` doc fragment) and the module's own,
and gives each module the client, a change tracker for ``changed`` and
``diff``, check-mode helpers, and name-to-ID resolution.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from urllib.parse import quote

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import (
    HAS_REQUESTS, PAGE_LIMIT, REQUESTS_IMPORT_ERROR, PagerDutyAPIError, PagerDutyClient, PagerDutyError, REGIONS)
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.users import find_user_by_email

_ID = re.compile(r"^[PQ][A-Z0-9]{6,13}$")


def connection_argument_spec():
    """Options every module accepts, so that ``module_defaults: group/oncall.pagerduty.pagerduty`` fits all."""
    return dict(
        api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["PAGERDUTY_API_TOKEN"])),
        from_email=dict(type="str", fallback=(env_fallback, ["PAGERDUTY_FROM_EMAIL"])),
        region=dict(type="str", choices=sorted(REGIONS), default="us", fallback=(env_fallback, ["PAGERDUTY_REGION"])),
        api_url=dict(type="str", fallback=(env_fallback, ["PAGERDUTY_API_URL"])),
        events_url=dict(type="str", fallback=(env_fallback, ["PAGERDUTY_EVENTS_URL"])),
        timeout=dict(type="float", default=30, fallback=(env_fallback, ["PAGERDUTY_TIMEOUT"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["PAGERDUTY_VALIDATE_CERTS"])),
        max_retry_wait=dict(type="float", default=60, fallback=(env_fallback, ["PAGERDUTY_MAX_RETRY_WAIT"])),
    )


def routing_key_argument_spec():
    """The Events API v2 integration key, for the event modules."""
    return dict(
        routing_key=dict(type="str", no_log=True, aliases=["integration_key", "service_key"],
                         fallback=(env_fallback, ["PAGERDUTY_ROUTING_KEY"])),
    )


def is_id(value):
    """Whether ``value`` looks like a PagerDuty object ID.  A name may look like one too (``PLATFORMOPS``)."""
    return bool(_ID.match(value or ""))


def _singular(key):
    """The key of one object in PagerDuty's answers: ``escalation_policies`` -> ``escalation_policy``."""
    return key[:-3] + "y" if key.endswith("ies") else key[:-1]


def _plural(what):
    return what[:-1] + "ies" if what.endswith("y") else what + "s"


def _named(items, name):
    """The items named ``name`` exactly; failing that, the items whose name differs only in case."""
    exact = [item for item in items if item.get("name") == name]
    if exact:
        return exact, True
    return [item for item in items if (item.get("name") or "").lower() == name.lower()], False


def _described(item):
    return "%s (%s)" % (item.get("name"), item.get("id"))


def as_list(value):
    """A list from a list, or from a comma-separated string as Rundeck passes lists."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


class PagerDutyModule(AnsibleModule):
    """An ``AnsibleModule`` that talks to PagerDuty through the shared client."""

    _priorities = None      # the account's priorities, read once per run (see find_priority)

    def __init__(self, argument_spec=None, events=False, **kwargs):
        spec = connection_argument_spec()
        if events:
            spec.update(routing_key_argument_spec())
        spec.update(argument_spec or {})
        kwargs.setdefault("supports_check_mode", True)
        super(PagerDutyModule, self).__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        for name in ("timeout", "max_retry_wait"):
            if self.params[name] is not None and self.params[name] < 0:
                self.fail_json(msg="%s must be 0 or more, got %s" % (name, self.params[name]))
        self.changes = ChangeTracker()
        self._client = None

    @property
    def client(self):
        if self._client is None:
            params = self.params
            try:
                self._client = PagerDutyClient(
                    api_token=params["api_token"], from_email=params["from_email"], region=params["region"],
                    api_url=params["api_url"], events_url=params["events_url"], timeout=params["timeout"],
                    validate_certs=params["validate_certs"], max_retry_wait=params["max_retry_wait"])
            except PagerDutyError as exc:
                self.fail_json(msg=str(exc))
        return self._client

    # -- running -----------------------------------------------------------------
    def run(self, function):
        """Call ``function(self)``; PagerDuty errors become one ``fail_json`` line."""
        try:
            function(self)
        except PagerDutyError as exc:
            self.fail_json(msg=str(exc), **exc.details())

    def fail_json(self, msg, **kwargs):
        """Fail; with ``changed=True`` when PagerDuty already accepted a write of this run."""
        client = getattr(self, "_client", None)
        if client is not None and client.writes:
            kwargs["changed"] = True
        super(PagerDutyModule, self).fail_json(msg=msg, **kwargs)

    def require(self, *names):
        """Fail unless each named option (or its environment variable) is set."""
        env = {"api_token": "PAGERDUTY_API_TOKEN", "from_email": "PAGERDUTY_FROM_EMAIL",
               "routing_key": "PAGERDUTY_ROUTING_KEY"}
        missing = [name for name in names if not self.params.get(name)]
        if missing:
            self.fail_json(msg="missing required option(s): %s" % ", ".join(
                "%s (or %s)" % (n, env[n]) if n in env else n for n in missing))

    def finish(self, **result):
        """Exit with ``changed`` and ``diff`` from the change tracker (unless given)."""
        result.setdefault("changed", self.changes.changed)
        if self._diff and "diff" not in result:
            result["diff"] = self.changes.diff()
        self.exit_json(**result)

    # -- name and email resolution --------------------------------------------------
    def resolve_user(self, value, parameter="user"):
        """A user ID from an ID or an email address (one request: ``query``, then an exact match)."""
        if is_id(value):
            return value
        if "@" not in value:
            raise PagerDutyError("%s must be a user ID or an email address, got %r" % (parameter, value))
        user, users = find_user_by_email(self.client, value)
        if user is None:
            near = ", ".join("%s <%s>" % (u.get("name"), u.get("email")) for u in users[:5])
            raise PagerDutyError("%s: no PagerDuty user has the email %s%s" % (
                parameter, value, " (found: %s)" % near if near else ""))
        return user["id"]

    def get_by_id(self, path, key, object_id):
        """The object at ``path/ID`` (``key`` names the collection, e.g. ``teams``), or None on a 404."""
        try:
            return self.client.get("%s/%s" % (path, quote(object_id, safe="")))[_singular(key)]
        except PagerDutyAPIError as exc:
            if exc.status == 404:
                return None
            raise

    def resolve_objects(self, path, key, values, parameter, what):
        """The objects (with ``id`` and ``name``) that IDs or names stand for, in the order given.

        A value shaped like an ID is read by ID (one request); when PagerDuty has
        no object with that ID, it is taken as a name, since names may look like
        IDs.  Names match exactly; only a name that matches nothing exactly may
        match a name that differs in case.  One name costs one ``query``
        request; several names share one listing.  A value that matches nothing,
        or several objects, fails naming ``parameter``.
        """
        objects = [self.get_by_id(path, key, value) if is_id(value) else None for value in values]
        names = [value for value, found in zip(values, objects) if found is None]
        items = []
        if len(names) == 1:
            items = self._search(path, key, names[0])
        elif names:
            items, unused = self.client.list_all(path, key)
        return [found or self._pick(items, value, parameter, what) for value, found in zip(values, objects)]

    def resolve_object(self, path, key, value, parameter, what):
        """The object an ID or a name stands for (see :meth:`resolve_objects`)."""
        return self.resolve_objects(path, key, [value], parameter, what)[0]

    def resolve_by_name(self, path, key, value, parameter, what):
        """An ID from an ID or a name (see :meth:`resolve_objects`)."""
        return self.resolve_object(path, key, value, parameter, what)["id"]

    def _search(self, path, key, name):
        """The objects whose name contains ``name``: one request, more only when the first page has no exact match."""
        page = self.client.get(path, {"query": name, "limit": PAGE_LIMIT})
        items = page.get(key) or []
        if page.get("more") and not any(item.get("name") == name for item in items):
            items, unused = self.client.list_all(path, key, {"query": name}, first=page)
        return items

    def _pick(self, items, value, parameter, what):
        found, exact = _named(items, value)
        if len(found) == 1:
            return found[0]
        if found:
            raise PagerDutyError("%s: %r matches %d %s%s: %s; use the ID" % (
                parameter, value, len(found), _plural(what), "" if exact else " without regard to case",
                ", ".join(_described(item) for item in found)))
        near = [item for item in items if value.lower() in (item.get("name") or "").lower()][:10]
        raise PagerDutyError("%s: no %s %s %r%s" % (
            parameter, what, "has the ID or name" if is_id(value) else "is named", value,
            "; found: " + ", ".join(_described(item) for item in near) if near else ""))

    def resolve_escalation_policy(self, value, parameter="escalation_policy"):
        return self.resolve_by_name("/escalation_policies", "escalation_policies", value, parameter,
                                    "escalation policy")

    def resolve_service(self, value, parameter="service"):
        return self.resolve_by_name("/services", "services", value, parameter, "service")

    def resolve_team(self, value, parameter="teams"):
        return self.resolve_by_name("/teams", "teams", value, parameter, "team")

    def resolve_teams(self, values, parameter="teams"):
        """The teams that IDs or names stand for, in the order given (see :meth:`resolve_objects`)."""
        return self.resolve_objects("/teams", "teams", values, parameter, "team")

    def resolve_priority(self, value, parameter="priority"):
        """A priority ID from an ID or a name such as ``P1`` (see :meth:`find_priority`)."""
        return self.find_priority(value, parameter)["id"]

    def find_priority(self, value, parameter="priority"):
        """The priority an ID or a name such as ``P1`` stands for (one request per run: the account's priorities)."""
        if self._priorities is None:
            self._priorities = self.client.get("/priorities", {"limit": 100}).get("priorities") or []
        priorities = self._priorities
        if not priorities:
            raise PagerDutyError("%s: this PagerDuty account has no priorities (enable them in the account "
                                 "settings)" % parameter)
        found = [p for p in priorities if p.get("id") == value or p.get("name") == value]
        if not found:
            found = [p for p in priorities if (p.get("name") or "").lower() == value.lower()]
        if not found:
            raise PagerDutyError("%s: no priority is named %r; the account has %s" % (
                parameter, value, ", ".join("%s (%s)" % (p["name"], p["id"]) for p in priorities)))
        return found[0]
