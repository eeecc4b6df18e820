# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base class of every oncall.pagerduty module.

It assembles the argument spec from the shared connection options (documented
once in the ``oncall.pagerduty.connection`` doc fragment) and the module's own,
and gives each module the client, the resolver and a change tracker for
``changed`` and ``diff``.  A module's work is one function that returns its
result; :meth:`PagerDutyModule.run` is the one place that turns the
collection's errors into ``fail_json`` and the result into ``exit_json``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.oncall.pagerduty.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.oncall.pagerduty.plugins.module_utils.connection import (
    ENVIRONMENT, check_connection_options, client_from_options, connection_argument_spec, routing_key_argument_spec)
from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker
from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import (
    PagerDutyError, PagerDutyInputError, unexpected)


def as_list(value):
    """A list from a list, or from a comma-separated string as Rundeck passes lists."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


def missing_options(params, *names):
    """A one-line error for the named options (or their environment variables) that are not set, or None."""
    missing = [name for name in names if not params.get(name)]
    if not missing:
        return None
    return PagerDutyInputError("missing required option(s): %s" % ", ".join(
        "%s (or %s)" % (name, ENVIRONMENT[name]) if name in ENVIRONMENT else name for name in missing))


class PagerDutyModule(AnsibleModule):
    """An ``AnsibleModule`` that talks to PagerDuty through the shared client and resolver."""

    def __init__(self, argument_spec=None, events=False, supports_diff=True, **kwargs):
        spec = connection_argument_spec()
        if events:
            spec.update(routing_key_argument_spec())
        spec.update(argument_spec or {})
        kwargs.setdefault("supports_check_mode", True)
        super(PagerDutyModule, self).__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        try:
            check_connection_options(self.params)
        except PagerDutyError as exc:
            self.fail_json(msg=str(exc))
        self.changes = ChangeTracker()
        self.supports_diff = supports_diff
        self._client = None
        self._resolver = None

    @property
    def client(self):
        if self._client is None:
            self._client = client_from_options(self.params)
        return self._client

    @property
    def resolver(self):
        """Names and emails to IDs, through this module's client (see ``module_utils/resolver.py``)."""
        if self._resolver is None:
            # (imported here: a module that resolves no names does not load, nor compile, the resolver)
            from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import Resolver
            self._resolver = Resolver(self.client)
        return self._resolver

    def require(self, *names):
        """Raise unless each named option (or its environment variable) is set."""
        error = missing_options(self.params, *names)
        if error is not None:
            raise error

    def run(self, work):
        """Exit with what ``work(self)`` returns; the collection's errors become one ``fail_json`` line, and so does
        a defect of the collection (its traceback only with -vvv), never a Python exception's text."""
        try:
            result = work(self)
        except PagerDutyError as exc:
            self.fail_json(msg=str(exc), **exc.details())
        except Exception as exc:  # pylint: disable=broad-except
            self.fail_json(msg=unexpected(exc), exception=traceback.format_exc())
        self.finish(**(result or {}))

    def fail_json(self, msg, **kwargs):
        """Fail; with ``changed=True`` when PagerDuty already accepted a write of this run."""
        super(PagerDutyModule, self).fail_json(msg=msg, **self.with_writes(kwargs))

    def with_writes(self, result):
        """``result`` with ``changed=True`` when PagerDuty already accepted a write of this run."""
        client = getattr(self, "_client", None)
        if client is not None and client.writes:
            result = dict(result, changed=True)
        return result

    def finish(self, **result):
        """Exit with ``changed`` and ``diff`` from the change tracker (unless given)."""
        result.setdefault("changed", self.changes.changed)
        if self._diff and self.supports_diff and "diff" not in result:
            result["diff"] = self.changes.diff()
        self.exit_json(**result)
