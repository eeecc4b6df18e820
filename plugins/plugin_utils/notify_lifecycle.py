# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run of the notify callback from start to end: which events go out when, and what is kept for the next run.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import traceback

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import failure_message, one_line
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_run import RunOutcome
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import StateError

# The optional triggers whose alert the end of the run resolves: (option, trigger, dedup key suffix).
RESOLVED_AT_THE_END = (("on_start", "start", "start"), ("on_avg_duration", "avg_duration", "duration"),
                       ("on_retry", "retry", "retry"))


class RunLifecycle(object):
    """The runs of one process, one after another: what the callback's hooks tell it, turned into events.

    Its collaborators are passed in: the :class:`~.notify_config.NotifyConfig`, the
    :class:`~.notify_events.EventBuilder`, the :class:`~.notify_delivery.Delivery`, the
    :class:`~.notify_state.StateStore` (for the duration history), the
    :class:`~.notify_report.Reporter`, the :class:`~.notify_exit.ExitHooks`, and the
    class of the duration timer (``threading.Timer``).
    """

    def __init__(self, config, events, delivery, store, reporter, exit_hooks, timer=threading.Timer):
        self._config = config
        self._events = events
        self._delivery = delivery
        self._store = store
        self._reporter = reporter
        self._exit_hooks = exit_hooks
        self._timer = timer
        self._process_ready = False
        self.run = None                 # the current run

    def problem(self, text, detail=None):
        """Something went wrong: said in the warning at the end of the run."""
        self._reporter.problem(text, detail)

    # -- the hooks -------------------------------------------------------------------------------
    def start(self, run):
        """A playbook (or ad hoc command) starts: ``run`` (a :class:`~.notify_run.Run`) is the current run."""
        if self.run is not None and not self.run.finished:
            self._finish(self.run, aborted=True)
        self._prepare_process()
        run.begin()
        run.dedup_key = self._events.dedup_key(run)
        self.run = run
        if self._config.on_avg_duration:
            self._arm_duration_timer(run)
        if self._config.on_start:
            self._trigger(run, "start", self._events.start(run))

    def play_started(self, name):
        if self.run is not None and self.run.kind == "playbook":
            self.run.play_started(name)

    def task_failed(self, parts, unreachable=False):
        """A task failed (and its errors are not ignored), or its host was unreachable."""
        if self.run is not None:
            message = failure_message(parts.data, parts.no_log, self._config.max_message_length)
            self.run.record_failure(parts, message, unreachable)

    def task_retried(self, parts):
        """A task failed and will be retried (``until``/``retries``): the retry alert, once per task and host."""
        run = self.run
        if run is None or not self._config.on_retry or not run.first_retry(parts):
            return
        if parts.data.get("failed") or parts.data.get("msg") or parts.no_log:
            message = failure_message(parts.data, parts.no_log, self._config.max_message_length)
        else:
            message = "its until condition is not met yet"
        self._trigger(run, "retry", self._events.retry(run, parts, message))

    def end(self, stats):
        """The play's stats: the run ended (``stats``: ansible-core's AggregateStats)."""
        if self.run is not None and not self.run.finished:
            self._finish(self.run, stats=stats)

    def abort(self):
        """The process exits before the end of the run: the run was aborted."""
        if self.run is not None and not self.run.finished:
            self._finish(self.run, aborted=True)

    def terminate(self):
        """SIGTERM: the run was killed. Called in the signal handler, so it reports through the quiet output."""
        if self.run is not None and not self.run.finished:
            self.run.aborted_by = "SIGTERM"
            self._finish(self.run, aborted=True, quiet=True)

    # -- the start -------------------------------------------------------------------------------
    def _prepare_process(self):
        """Once per process: the exit hooks and the sender. Every run: the spooled events go first."""
        if not self._process_ready:
            self._process_ready = True
            self._exit_hooks.install(self.abort, self.terminate)
            self._delivery.start()
        try:
            with self._exit_hooks.section():
                self._delivery.queue_spooled()
        except StateError as exc:
            self.problem("cannot read the spool: %s" % exc)

    def _arm_duration_timer(self, run):
        try:
            with self._exit_hooks.section():
                history = self._store.durations(run.history_key)[-self._config.avg_duration_history:]
        except StateError as exc:
            self.problem("cannot read the duration history: %s" % exc)
            return
        run.previous_runs = len(history)
        if len(history) < self._config.avg_duration_min_runs:
            return
        run.average = sum(history) / len(history)
        threshold = max(run.average * self._config.avg_duration_factor, self._config.avg_duration_min_seconds)
        run.timer = self._timer(max(0.0, threshold - run.elapsed()), self._duration_due, args=(run,))
        run.timer.daemon = True
        run.timer.start()

    def _duration_due(self, run):
        """On the timer's thread: the run has gone on longer than its average times the factor.

        The trigger is queued holding the run's lock, which the end of the run takes
        to queue its resolves: it is either queued before them, or not at all.
        """
        try:
            with run.lock:
                if not run.finished:
                    self._trigger(run, "avg_duration", self._events.running_long(run, run.elapsed()))
        except Exception as exc:
            self.problem("internal error in the duration check: %s" % one_line(exc), detail=traceback.format_exc())

    def _trigger(self, run, trigger, event):
        run.triggered.add(trigger)
        self._delivery.queue(event)

    # -- the end ---------------------------------------------------------------------------------
    def _finish(self, run, stats=None, aborted=False, quiet=False):
        with self._exit_hooks.section():    # (a SIGTERM now waits for the events to be delivered or spooled)
            with run.lock:      # (the duration timer queues its trigger holding it: before these events, or never)
                if run.finished:
                    return
                run.finished = True
                if run.timer is not None:
                    run.timer.cancel()
                duration = run.elapsed()
                succeeded = self._queue_outcome(run, duration, stats, aborted)
            # A check run or a partial one (--limit, --tags, ...) says nothing about how long the playbook takes.
            if succeeded and not run.check_mode and not run.partial:
                try:
                    self._store.record_duration(run.history_key, duration, keep=self._config.avg_duration_history)
                except StateError as exc:
                    self.problem("cannot record the run's duration: %s" % exc)
            problems, delivered = self._delivery.settle()
            self._reporter.report(problems, delivered, quiet=quiet)

    def _queue_outcome(self, run, duration, stats, aborted):
        """Queue the end of the run's events; True when the run succeeded."""
        outcome = RunOutcome.from_stats(stats) if stats is not None else RunOutcome.from_failures(run)
        succeeded = not aborted and outcome.succeeded
        if succeeded:
            # A check run proves nothing about the real state: it never resolves the failure alert.
            if self._config.on_success and not run.check_mode:
                self._delivery.queue(self._events.resolve(run.dedup_key))
        elif self._config.on_failure:
            self._trigger(run, "failure", self._events.failure(run, duration, outcome, aborted))
        for enabled, trigger, suffix in RESOLVED_AT_THE_END:
            # (also the alerts of a run that was killed before it could resolve them; a check run only its own)
            if getattr(self._config, enabled) and (trigger in run.triggered or not run.check_mode):
                self._delivery.queue(self._events.resolve(self._events.aux_key(run, suffix)))
        return succeeded
