# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the notify callback knows about one run: the run record, read from the command line and the playbook,
the task results it keeps, and the hosts' outcome at the end.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.
Ansible's objects are read here by duck typing, so everything is unit-tested with plain stand-ins.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os
import threading
import time

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import (
    default_dedup_key, identity, normalise_inventory, rundeck_context)

ADHOC_PLAYBOOK = "__adhoc_playbook__"      # the file name ansible-core gives the play of an ad hoc command
HOST_COUNTS = ("ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored")

# One task result, read from ansible-core's TaskResult (whose attributes moved between 2.16 and 2.21+).
ResultParts = collections.namedtuple("ResultParts", "host task task_uuid data no_log")


class Run(object):
    """One playbook run (one playbook file, or one ad hoc command): what it is, and what happened so far."""

    def __init__(self, playbook, label, run_identity, history_key, kind="playbook", playbook_path=None, module=None,
                 pattern=None, inventory=(), rundeck=None, check_mode=False, partial=(), clock=time.time,
                 monotonic=time.monotonic):
        self.kind = kind                    # "playbook" or "adhoc"
        self.playbook = playbook
        self.label = label                  # the name in the default dedup key
        self.playbook_path = playbook_path
        self.module = module
        self.pattern = pattern
        self.inventory = list(inventory)
        self.identity = run_identity
        self.history_key = history_key      # the duration history's key, and the default dedup key
        self.dedup_key = history_key
        self.rundeck = rundeck
        self.check_mode = check_mode
        self.partial = list(partial)        # the options that make this a partial run (--limit, --tags, ...)
        self.plays = []
        self.current_play = None
        self.last_failures = collections.OrderedDict()   # host -> its latest failed or unreachable result
        self.retried = set()                # (host, task) pairs already reported as retrying
        self.triggered = set()              # the triggers this run has sent
        self.timer = None
        self.average = None
        self.previous_runs = 0
        self.finished = False
        self.aborted_by = None
        self.lock = threading.RLock()       # re-entrant: a SIGTERM may arrive while the play's thread holds it
        self._clock, self._monotonic = clock, monotonic
        self.started, self._started_mono = clock(), monotonic()

    def begin(self):
        """Start the clock now (the end of the run's preparation)."""
        self.started, self._started_mono = self._clock(), self._monotonic()

    def elapsed(self):
        return self._monotonic() - self._started_mono

    def play_started(self, name):
        self.current_play = str(name or "")
        if self.current_play and self.current_play not in self.plays:
            self.plays.append(self.current_play)

    def record_failure(self, parts, message, unreachable):
        """Keep each host's latest failure: a failure that a rescue handled is followed by the one that ended
        the host, if any (the hosts that ended failed are known from the stats at the end)."""
        record = {"host": parts.host, "task": parts.task, "message": message}
        if self.current_play:
            record["play"] = self.current_play
        if unreachable:
            record["unreachable"] = True
        self.last_failures.pop(parts.host, None)
        self.last_failures[parts.host] = record

    def first_retry(self, parts):
        """True the first time this task is retried on this host in this run."""
        seen = (parts.host, parts.task_uuid or parts.task)
        if seen in self.retried:
            return False
        self.retried.add(seen)
        return True


class RunOutcome(object):
    """The hosts at the end of a run: each one's counts, and the failed and the unreachable ones."""

    def __init__(self, host_stats, failed, unreachable):
        self.host_stats = host_stats
        self.failed = failed
        self.unreachable = unreachable
        self.bad = sorted(set(failed) | set(unreachable))

    @property
    def succeeded(self):
        return not self.failed and not self.unreachable

    @classmethod
    def from_stats(cls, stats):
        """From ansible-core's AggregateStats."""
        host_stats, failed, unreachable = {}, [], []
        for host in sorted(getattr(stats, "processed", {}) or {}):
            summary = stats.summarize(host)
            host_stats[host] = dict((key, summary.get(key, 0)) for key in HOST_COUNTS)
            if summary.get("failures"):
                failed.append(host)
            if summary.get("unreachable"):
                unreachable.append(host)
        return cls(host_stats, failed, unreachable)

    @classmethod
    def from_failures(cls, run):
        """For a run that ended before its stats: its hosts' latest failures."""
        records = run.last_failures
        return cls({}, sorted(host for host, record in records.items() if not record.get("unreachable")),
                   sorted(host for host, record in records.items() if record.get("unreachable")))


def result_parts(result):
    """The :data:`ResultParts` of an ansible-core TaskResult, on ansible-core 2.16 to 2.21+."""
    host = getattr(result, "host", None) or getattr(result, "_host", None)
    task = getattr(result, "task", None) or getattr(result, "_task", None)
    host_name = host.get_name() if hasattr(host, "get_name") else str(host or "?")
    task_name = getattr(result, "task_name", None) or (task.get_name() if hasattr(task, "get_name") else None)
    data = None
    for attribute in ("result", "_result"):
        try:
            data = getattr(result, attribute, None)
        except Exception:
            data = None
        if data is not None and hasattr(data, "get"):
            break
    no_log = bool(getattr(task, "no_log", False)) if task is not None else False
    return ResultParts(host_name, str(task_name or "?"), getattr(task, "_uuid", None),
                       data if hasattr(data, "get") else {}, no_log)


def play_names(playbook):
    """The names of a playbook's plays, or none if they cannot be read."""
    try:
        return [play.get_name() for play in playbook.get_plays()]
    except Exception:
        return []


def cli_value(cli, name, default=None):
    """A command-line option from ``cli`` (ansible-core's ``context.CLIARGS``), ``default`` when unset."""
    try:
        value = cli.get(name, default)
    except Exception:
        return default
    return default if value is None else value


def partial_options(cli, rundeck):
    """The command-line options that make this run play only part of its playbook."""
    options = []
    if cli_value(cli, "subset") and not rundeck:    # (Rundeck passes the job's nodes as --limit to every run)
        options.append("--limit")
    tags = cli_value(cli, "tags") or ()
    if isinstance(tags, str):
        tags = [tags]
    if set(tags) - {"all"}:
        options.append("--tags")
    for name, option in (("skip_tags", "--skip-tags"), ("start_at_task", "--start-at-task"), ("step", "--step")):
        if cli_value(cli, name):
            options.append(option)
    return options


def describe_run(cli, file_name, plays=(), environ=None, default_inventory=None):
    """The :class:`Run` that starts: from the command line ``cli``, the playbook's file name and its plays' names,
    the environment (Rundeck's ``RD_JOB_*``) and the configured default inventory."""
    environ = os.environ if environ is None else environ
    inventory = cli_value(cli, "inventory") or default_inventory or []
    inventory = normalise_inventory([inventory] if isinstance(inventory, str) else inventory)
    rundeck = rundeck_context(environ)
    common = dict(inventory=inventory, rundeck=rundeck, check_mode=bool(cli_value(cli, "check", False)),
                  partial=partial_options(cli, rundeck))
    if file_name == ADHOC_PLAYBOOK:
        module = str(cli_value(cli, "module_name", "") or "command")
        pattern = str(cli_value(cli, "args", "") or "all")
        label = "adhoc-" + module.rsplit(".", maxsplit=1)[-1]
        run_identity = identity("adhoc", [module, pattern], inventory)
        return Run("ad hoc %s" % module, label, run_identity, default_dedup_key(label, run_identity, rundeck, plays),
                   kind="adhoc", module=module, pattern=pattern, **common)
    path = file_name or (list(cli_value(cli, "args", ()) or ["playbook"]) + [None])[0]
    playbook_path = os.path.abspath(str(path))
    playbook = os.path.basename(playbook_path)
    run_identity = identity("playbook", playbook_path, inventory)
    return Run(playbook, playbook, run_identity, default_dedup_key(playbook, run_identity, rundeck, plays),
               playbook_path=playbook_path, **common)
