# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alert events of the notify callback: what each trigger says, and the resolves.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.
Each method takes a :class:`~.notify_run.Run` and returns an Events API v2 body; nothing is sent from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import getpass
import socket
import time

try:
    from ansible.release import __version__ as ANSIBLE_VERSION
except ImportError:  # pragma: no cover
    ANSIBLE_VERSION = None

from ansible_collections.oncall.pagerduty.plugins.module_utils.events import (
    EventValidationError, build_alert_event, now_timestamp)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import (
    CENSORED, DEDUP_KEY_FIELDS, host_list, one_line, render, seconds, truncate)

MAX_FAILURES = 20          # failing task results detailed in one failure event
MAX_HOSTS = 50             # hosts listed by name in one failure event
MAX_SUMMARY = 1024


def controller_name():
    return socket.gethostname()


def user_name():
    try:
        return getpass.getuser()
    except Exception:
        return None


def _iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class EventBuilder(object):
    """Builds the trigger and resolve events of a run from the callback's :class:`~.notify_config.NotifyConfig`.

    The controller's name, the user, the ansible-core version and the clock of the
    events' timestamps are passed in (by default, the real ones).
    """

    def __init__(self, config, controller=None, user=None, core_version=None, timestamp=now_timestamp):
        self._config = config
        self._controller = controller if controller is not None else controller_name()
        self._user = user if user is not None else user_name()
        self._core_version = core_version if core_version is not None else ANSIBLE_VERSION
        self._timestamp = timestamp

    # -- what a run is ---------------------------------------------------------------------------
    def dedup_key(self, run):
        """The run's failure alert key: the ``dedup_key`` template, else the run's default key."""
        if self._config.dedup_key:
            custom = truncate(one_line(render(self._config.dedup_key, self.fields(run), DEDUP_KEY_FIELDS)), 255)
            return custom or run.history_key
        return run.history_key

    @staticmethod
    def aux_key(run, suffix):
        """The key of the run's start (``start``), duration (``duration``) or retry (``retry``) alert."""
        return "%s:%s" % (run.dedup_key[:240], suffix)

    @staticmethod
    def what(run):
        """The run in words: the Rundeck job, the ad hoc command or the playbook."""
        rundeck = run.rundeck or {}
        if rundeck.get("job_name"):
            name = rundeck["job_name"]
            if rundeck.get("job_group"):
                name = "%s/%s" % (rundeck["job_group"], name)
            text = "Rundeck job '%s'" % name
            if rundeck.get("execution_id"):
                text += " #%s" % rundeck["execution_id"]
            return text
        if run.kind == "adhoc":
            return "Ansible ad hoc %s on %s" % (run.module, run.pattern)
        return "Ansible playbook %s" % run.playbook

    def fields(self, run, **extra):
        """The values the templates may use (see ``TEMPLATE_FIELDS``), with ``extra`` ones of the event."""
        rundeck = run.rundeck or {}
        fields = {
            "playbook": run.playbook, "playbook_path": run.playbook_path or "", "inventory": run.inventory,
            "plays": run.plays, "controller": self._controller, "user": self._user, "identity": run.identity,
            "check_mode": bool(run.check_mode), "duration": seconds(run.elapsed()),
            "rd_job_name": rundeck.get("job_name"), "rd_job_group": rundeck.get("job_group"),
            "rd_job_id": rundeck.get("job_id"), "rd_project": rundeck.get("project"),
            "rd_exec_id": rundeck.get("execution_id"), "rd_user": rundeck.get("user"),
            "rd_execution_url": rundeck.get("execution_url"),
        }
        fields.update(extra)
        return fields

    def common_details(self, run, status):
        """The custom details every trigger of the run carries."""
        details = {"status": status}
        if run.kind == "adhoc":
            details.update(module=run.module, pattern=run.pattern)
        else:
            details.update(playbook=run.playbook, playbook_path=run.playbook_path)
            if run.plays:
                details["plays"] = list(run.plays)
        details.update(inventory=list(run.inventory), controller=self._controller, user=self._user,
                       check_mode=bool(run.check_mode), started_at=_iso(run.started),
                       ansible_core=self._core_version, dedup_key=run.dedup_key)
        if run.rundeck:
            details["rundeck"] = dict(run.rundeck)
        return details

    # -- the events ------------------------------------------------------------------------------
    def resolve(self, dedup_key):
        return build_alert_event(self._config.routing_key, "resolve", dedup_key=dedup_key)

    def start(self, run):
        message = "%s started on %s" % (self.what(run), self._controller)
        return self._trigger(run, "start", self.aux_key(run, "start"), self._config.start_severity, message,
                             self.common_details(run, "started"))

    def running_long(self, run, elapsed):
        """The run has lasted ``elapsed`` seconds, longer than its average times the factor."""
        factor = self._config.avg_duration_factor
        message = ("%s is still running after %s, longer than %s x its average of %s"
                   % (self.what(run), seconds(elapsed), ("%g" % factor), seconds(run.average)))
        details = self.common_details(run, "running long")
        details.update(elapsed_seconds=round(elapsed, 1), average_seconds=round(run.average, 1),
                       avg_duration_factor=factor, previous_runs=run.previous_runs)
        return self._trigger(run, "avg_duration", self.aux_key(run, "duration"), self._config.avg_duration_severity,
                             message, details, elapsed=seconds(elapsed), average=seconds(run.average))

    def retry(self, run, parts, message):
        """A task failed on a host and will be retried; ``message`` says why (see ``failure_message``)."""
        attempts, retries = parts.data.get("attempts"), parts.data.get("retries")
        summary = "%s: task '%s' failed on %s and is being retried" % (self.what(run), parts.task, parts.host)
        left = None
        if isinstance(attempts, int) and isinstance(retries, int):
            left = max(0, retries - attempts)
            summary += " (%d retries left)" % left
        details = self.common_details(run, "retrying")
        details.update(task=parts.task, host=parts.host, attempts=attempts, retries_left=left, message=message)
        if run.current_play:
            details["play"] = run.current_play
        return self._trigger(run, "retry", self.aux_key(run, "retry"), self._config.retry_severity,
                             summary + ": " + (message if message != CENSORED else "(no_log)"), details,
                             task=parts.task, host=parts.host)

    def failure(self, run, duration, outcome, aborted):
        """The run ended failed (``outcome``: a :class:`~.notify_run.RunOutcome`) or was aborted."""
        # the failure that ended each failed or unreachable host (not the ones a rescue handled)
        ended = [record for host, record in run.last_failures.items() if host in outcome.bad]
        failures = ended[:MAX_FAILURES]
        first = next((r for r in failures if not r.get("unreachable")), None) or (failures[0] if failures else None)
        status = "aborted" if aborted else "failed"
        details = self.common_details(run, status)
        details.update(self._failure_details(run, duration, outcome, ended))
        return self._trigger(run, "failure", run.dedup_key, self._config.failure_severity,
                             self._failure_message(run, duration, outcome, aborted, first), details,
                             duration=seconds(duration), host_count=len(outcome.host_stats),
                             failed_hosts=outcome.failed, failed_count=len(outcome.failed),
                             unreachable_hosts=outcome.unreachable, unreachable_count=len(outcome.unreachable),
                             task=first["task"] if first else None, host=first["host"] if first else None)

    def _failure_message(self, run, duration, outcome, aborted, first):
        counts = []
        if outcome.failed:
            counts.append("%d failed" % len(outcome.failed))
        if outcome.unreachable:
            counts.append("%d unreachable" % len(outcome.unreachable))
        total = len(outcome.host_stats)
        if not aborted:
            message = "%s failed: %s of %d host%s (%s)" % (
                self.what(run), ", ".join(counts), total, "" if total == 1 else "s", host_list(outcome.bad))
        else:
            if run.aborted_by:
                message = "%s was terminated (%s) after %s" % (self.what(run), run.aborted_by, seconds(duration))
            else:
                message = "%s was aborted after %s" % (self.what(run), seconds(duration))
            if outcome.bad:
                message += " (%s: %s)" % (", ".join(counts), host_list(outcome.bad))
        if first:
            message += " - task '%s' on %s: %s" % (first["task"], first["host"], first["message"])
        return message

    @staticmethod
    def _failure_details(run, duration, outcome, ended):
        bad = outcome.bad
        details = {"duration_seconds": round(duration, 1)}
        if run.aborted_by:
            details["signal"] = run.aborted_by
        details["hosts"] = {"total": len(outcome.host_stats), "failed": outcome.failed[:MAX_HOSTS],
                            "unreachable": outcome.unreachable[:MAX_HOSTS]}
        if len(bad) > MAX_HOSTS:
            details["hosts"]["not_listed"] = len(bad) - MAX_HOSTS
        details["host_stats"] = dict((host, outcome.host_stats[host]) for host in bad[:MAX_HOSTS]
                                     if host in outcome.host_stats)
        details["failures"] = ended[:MAX_FAILURES]
        if len(ended) > MAX_FAILURES:
            details["failures_not_shown"] = len(ended) - MAX_FAILURES
        return details

    def _trigger(self, run, trigger, dedup_key, severity, message, details, **extra):
        config = self._config
        status = extra.pop("status", details.get("status"))
        fields = self.fields(run, trigger=trigger, message=message, status=status, **extra)
        custom = dict(config.custom_details)
        custom.update(details)
        rundeck = run.rundeck or {}
        arguments = dict(dedup_key=dedup_key, severity=severity, timestamp=self._timestamp(),
                         summary=self._text("summary", fields, MAX_SUMMARY) or truncate(message, MAX_SUMMARY),
                         source=self._text("source", fields, 255) or fields["controller"] or "ansible",
                         component=self._text("component", fields, 255), group=self._text("group", fields, 255),
                         event_class=self._text("event_class", fields, 255), images=config.images,
                         links=self._links(rundeck), client="Rundeck" if rundeck.get("execution_url") else "Ansible",
                         client_url=rundeck.get("execution_url"))
        try:
            return build_alert_event(config.routing_key, "trigger", custom_details=custom, **arguments)
        except EventValidationError as exc:
            # Too big for PagerDuty: keep the summary, drop the details rather than the event.
            custom = dict(status=status, details_dropped=str(exc))
            return build_alert_event(config.routing_key, "trigger", custom_details=custom, **arguments)

    def _text(self, name, fields, limit):
        """The option ``name``'s template filled with ``fields``, on one line; None when empty."""
        template = getattr(self._config, name)
        if not template:
            return None
        value = one_line(render(template, fields))
        return truncate(value, limit) if value else None

    def _links(self, rundeck):
        links = list(self._config.links)
        if rundeck.get("execution_url"):
            label = "Rundeck execution"
            if rundeck.get("execution_id"):
                label += " #%s" % rundeck["execution_id"]
            links.insert(0, {"href": rundeck["execution_url"], "text": label})
        return links
