# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: notify
type: notification
short_description: Send PagerDuty alert events when a playbook fails, succeeds, starts, runs long or retries
version_added: 1.0.0
description:
  - Sends PagerDuty Events API v2 alert events about each C(ansible-playbook) run (and each C(ansible) ad hoc run),
    as Rundeck's C(PagerDuty Notification) plugin does for jobs. There are five triggers, named below with Rundeck's
    condition in brackets.
  - O(on_failure) [On Failure], on by default. The run ends with a failed or unreachable host, or is aborted (an error
    stops C(ansible-playbook), it is interrupted with Ctrl-C, or it is terminated with C(SIGTERM) as Rundeck's
    C(Kill Job) does). Triggers an alert whose details name the playbook, the failed and unreachable hosts, the
    failing tasks with their messages, and counts per host.
  - O(on_success) [On Success], on by default. The run ends with no failed or unreachable host. Resolves the failure
    alert of this playbook if one is open. A C(--check) run never resolves it.
  - O(on_start) [On Start], off by default. Triggers an alert when the playbook starts; the end of the run resolves it.
  - O(on_avg_duration) [On Avg. Duration], off by default. Triggers an alert while the run is still going, as soon as
    it has lasted longer than the average of its previous successful runs times O(avg_duration_factor); the end of
    the run resolves it. Check runs (C(--check)) and partial runs (C(--limit), C(--tags), C(--skip-tags),
    C(--start-at-task), C(--step)) are not added to the history the average is taken from.
  - O(on_retry) [On Retryable Failure], off by default. Triggers an alert when a task fails and will be retried
    (C(until)/C(retries)), once per task and host; the end of the run resolves it.
  - "Unlike Rundeck's notification, which opens a new alert for every notification and never resolves anything, all
    events of one playbook share a stable dedup key (see O(dedup_key)): repeated failures group into one alert and
    incident, and the next successful run resolves it."
  - Never slows the play. Events are sent by a background thread; only the end of the run waits for them to be
    delivered, at most O(delivery_timeout) seconds.
  - Never breaks the play. PagerDuty being down, slow, rate limiting (429) or failing (5xx) changes neither the play's
    output nor its exit code; at most one warning is printed at the end of the run. Ctrl-C while the end of the run
    waits for PagerDuty stops the wait without changing the exit code.
  - Never loses an event. When PagerDuty fails for a moment (5xx, 429, timeouts, refused connections, after the
    retries of O(max_retry_wait)), the event waits and is tried again, still in order, when the next event is
    queued and at the end of the run, until O(delivery_timeout) runs out. Events that could not be delivered by then
    (or at once, if PagerDuty answered in a way that retrying cannot fix soon, such as a 404 from a wrong
    O(events_url)) are kept in a spool file in O(state_dir) and sent first, in their original order, at the start of
    the next run that uses the same routing key. A run claims the spooled events it sends, so that runs going on
    at the same time never send them twice; what it could not deliver goes back to the spool at its end (or, if it
    was killed, at the start of the next run). Events PagerDuty refuses for good (a 400 or 413 answer, such as an
    unknown routing key or an invalid event) are dropped with a warning, as resending cannot help.
  - The routing key is never printed (not even with C(-vvvv)), never written to the spool (spooled events carry a
    one-way fingerprint of their key and are resent only by a run configured with the same key), and never put in
    an event's details.
  - Failure details hold the failing task's name, its message, the end of its stderr and its return code, truncated
    to O(max_message_length) characters; never the task's arguments. The results of C(no_log) tasks stay censored.
  - When run by Rundeck (environment variables C(RD_JOB_*) set), events carry the job name, group, project, execution
    id, user and a link to the execution, and the default dedup key is the Rundeck job and the playbook (or ad hoc
    module), so each step of a job has its own alert.
  - Works with ansible-core 2.16 and later.
author:
  - oncall.pagerduty developers (@oncall)
requirements:
  - requests >= 2.25 on the controller (the host that runs C(ansible-playbook))
  - Enabled in C(callbacks_enabled) (C(ANSIBLE_CALLBACKS_ENABLED)); for the C(ansible) ad hoc command also
    C(bin_ansible_callbacks=true) (C(ANSIBLE_LOAD_CALLBACK_PLUGINS=true)).
options:
  routing_key:
    description:
      - The 32-character integration key of an Events API v2 integration on the PagerDuty service to notify.
      - Required; without it the callback prints one warning and stays off.
      - Never printed, spooled or sent anywhere but in the body of the request to PagerDuty.
    type: str
    env:
      - name: PAGERDUTY_ROUTING_KEY
    ini:
      - section: callback_pagerduty_notify
        key: routing_key
  region:
    description:
      - The PagerDuty service region of the account. V(us) sends to C(https://events.pagerduty.com), V(eu) to
        C(https://events.eu.pagerduty.com).
    type: str
    choices: [us, eu]
    default: us
    env:
      - name: PAGERDUTY_REGION
    ini:
      - section: callback_pagerduty_notify
        key: region
  events_url:
    description:
      - Base URL of the Events API v2 (without C(/v2/enqueue)), overriding O(region). For a proxy or a test double.
    type: str
    env:
      - name: PAGERDUTY_EVENTS_URL
    ini:
      - section: callback_pagerduty_notify
        key: events_url
  validate_certs:
    description:
      - Whether to verify PagerDuty's TLS certificate. Only turn this off for a test endpoint.
    type: bool
    default: true
    env:
      - name: PAGERDUTY_VALIDATE_CERTS
    ini:
      - section: callback_pagerduty_notify
        key: validate_certs
  timeout:
    description:
      - Seconds to wait for each answer from PagerDuty.
    type: float
    default: 5
    env:
      - name: PAGERDUTY_NOTIFY_TIMEOUT
    ini:
      - section: callback_pagerduty_notify
        key: timeout
  max_retry_wait:
    description:
      - The most seconds, in all, that the sender waits between retries of one event (a 429 waits as long as
        PagerDuty's C(ratelimit-reset) asks; 5xx answers, timeouts and refused connections back off exponentially).
      - After that the event, and the ones after it, wait for the next try, which comes when another event is
        queued and while the end of the run waits (see O(delivery_timeout)). V(0) disables the retries in between.
    type: float
    default: 5
    env:
      - name: PAGERDUTY_NOTIFY_MAX_RETRY_WAIT
    ini:
      - section: callback_pagerduty_notify
        key: max_retry_wait
  delivery_timeout:
    description:
      - The most seconds the end of a run waits for events still being sent, trying again every second those that
        PagerDuty failed to take. What is not delivered by then is spooled in O(state_dir) and sent first at the
        next run.
    type: float
    default: 10
    env:
      - name: PAGERDUTY_NOTIFY_DELIVERY_TIMEOUT
    ini:
      - section: callback_pagerduty_notify
        key: delivery_timeout
  on_failure:
    description:
      - Trigger an alert when a run ends with failed or unreachable hosts, or is aborted.
    type: bool
    default: true
    env:
      - name: PAGERDUTY_NOTIFY_ON_FAILURE
    ini:
      - section: callback_pagerduty_notify
        key: on_failure
  on_success:
    description:
      - Resolve the failure alert (the alert with O(dedup_key)) when a run ends with no failed or unreachable host.
      - The resolve event is sent after every successful run, so an alert opened by another controller or by a run
        whose state was lost is resolved too; PagerDuty ignores a resolve when no alert is open.
      - A check run (C(--check)) sends no resolve, as it changes nothing on the hosts; it resolves only the start,
        duration and retry alerts it triggered itself.
    type: bool
    default: true
    env:
      - name: PAGERDUTY_NOTIFY_ON_SUCCESS
    ini:
      - section: callback_pagerduty_notify
        key: on_success
  on_start:
    description:
      - Trigger an alert (dedup key O(dedup_key) followed by C(:start)) when a playbook starts, resolved when the
        run ends.
    type: bool
    default: false
    env:
      - name: PAGERDUTY_NOTIFY_ON_START
    ini:
      - section: callback_pagerduty_notify
        key: on_start
  on_avg_duration:
    description:
      - Trigger an alert (dedup key O(dedup_key) followed by C(:duration)) while a run is still going, once it has
        lasted longer than the average duration of the previous successful runs of the same playbook and inventory
        (of the same job and playbook, under Rundeck) times O(avg_duration_factor). The end of the run resolves it.
      - Only successful full runs are added to the history, not check runs (C(--check)) nor runs of part of the
        playbook (C(--limit), C(--tags), C(--skip-tags), C(--start-at-task), C(--step)). Under Rundeck, which passes
        the job's nodes with C(--limit) to every run, C(--limit) does not count.
      - Needs at least O(avg_duration_min_runs) earlier successful runs in the history kept in O(state_dir), and never
        triggers before O(avg_duration_min_seconds).
    type: bool
    default: false
    env:
      - name: PAGERDUTY_NOTIFY_ON_AVG_DURATION
    ini:
      - section: callback_pagerduty_notify
        key: on_avg_duration
  on_retry:
    description:
      - Trigger an alert (dedup key O(dedup_key) followed by C(:retry)) when a task fails and will be retried
        (C(until)/C(retries)), once per task and host and run. The end of the run resolves it.
    type: bool
    default: false
    env:
      - name: PAGERDUTY_NOTIFY_ON_RETRY
    ini:
      - section: callback_pagerduty_notify
        key: on_retry
  failure_severity:
    description:
      - Severity of the alert triggered by O(on_failure).
    type: str
    choices: [critical, error, warning, info]
    default: error
    env:
      - name: PAGERDUTY_NOTIFY_FAILURE_SEVERITY
    ini:
      - section: callback_pagerduty_notify
        key: failure_severity
  start_severity:
    description:
      - Severity of the alert triggered by O(on_start).
    type: str
    choices: [critical, error, warning, info]
    default: info
    env:
      - name: PAGERDUTY_NOTIFY_START_SEVERITY
    ini:
      - section: callback_pagerduty_notify
        key: start_severity
  avg_duration_severity:
    description:
      - Severity of the alert triggered by O(on_avg_duration).
    type: str
    choices: [critical, error, warning, info]
    default: warning
    env:
      - name: PAGERDUTY_NOTIFY_AVG_DURATION_SEVERITY
    ini:
      - section: callback_pagerduty_notify
        key: avg_duration_severity
  retry_severity:
    description:
      - Severity of the alert triggered by O(on_retry).
    type: str
    choices: [critical, error, warning, info]
    default: warning
    env:
      - name: PAGERDUTY_NOTIFY_RETRY_SEVERITY
    ini:
      - section: callback_pagerduty_notify
        key: retry_severity
  dedup_key:
    description:
      - The dedup key of the failure alert, a template (see O(summary) for the syntax). It may use only the fields
        known when the run starts - C({playbook}), C({playbook_path}), C({inventory}), C({controller}), C({user}),
        C({identity}), C({rd_job_name}), C({rd_job_group}), C({rd_job_id}), C({rd_project}).
      - By default C(ansible:<playbook file name>:<identity>), where C(identity) is a hash of the playbook's path and
        the inventory sources (for ad hoc runs, of the module, the host pattern and the inventory), so each playbook
        and inventory has its own alert. Under a Rundeck job (C(RD_JOB_PROJECT) and C(RD_JOB_ID) set) the default is
        C(rundeck:<project>:<job id>:<playbook file name>) (C(adhoc-<module>) for the Module step), because Rundeck
        writes a new inventory for every execution; an inline playbook, which Rundeck writes to a new temporary file
        every time, is named C(inline-) and a hash of the names of its plays.
      - The duration history in O(state_dir) is kept per playbook and inventory (per job and playbook under Rundeck),
        whatever the dedup key.
    type: str
    env:
      - name: PAGERDUTY_NOTIFY_DEDUP_KEY
    ini:
      - section: callback_pagerduty_notify
        key: dedup_key
  summary:
    description:
      - "The alert summary (its title), a template: C({field}) is replaced by the field's value, C({{) and C(}})
        are literal braces. Fields: C({message}) (the callback's own description of what happened, for example
        C(Ansible playbook site.yml failed: 1 failed of 3 hosts (web2) - task 'Restart app' on web2: ...)),
        C({trigger}) (C(failure), C(start), C(avg_duration), C(retry)), C({status}), C({playbook}),
        C({playbook_path}), C({inventory}), C({plays}), C({controller}), C({user}), C({duration}), C({elapsed}),
        C({average}), C({host_count}), C({failed_hosts}), C({failed_count}), C({unreachable_hosts}),
        C({unreachable_count}), C({task}), C({host}), C({check_mode}), C({identity}), C({rd_job_name}),
        C({rd_job_group}), C({rd_job_id}), C({rd_project}), C({rd_exec_id}), C({rd_user}), C({rd_execution_url})."
      - Truncated to PagerDuty's limit of 1024 characters.
    type: str
    default: "{message}"
    env:
      - name: PAGERDUTY_NOTIFY_SUMMARY
    ini:
      - section: callback_pagerduty_notify
        key: summary
  source:
    description:
      - The alert source, a template (see O(summary)). By default the name of the controller running Ansible.
    type: str
    default: "{controller}"
    env:
      - name: PAGERDUTY_NOTIFY_SOURCE
    ini:
      - section: callback_pagerduty_notify
        key: source
  component:
    description:
      - The alert component, a template (see O(summary)). Not sent when empty.
    type: str
    env:
      - name: PAGERDUTY_NOTIFY_COMPONENT
    ini:
      - section: callback_pagerduty_notify
        key: component
  group:
    description:
      - The alert group, a template (see O(summary)). Not sent when empty.
    type: str
    env:
      - name: PAGERDUTY_NOTIFY_GROUP
    ini:
      - section: callback_pagerduty_notify
        key: group
  event_class:
    description:
      - The alert class, a template (see O(summary)). By default the trigger (C(failure), C(start),
        C(avg_duration), C(retry)), so PagerDuty event rules can tell them apart.
    type: str
    default: "{trigger}"
    env:
      - name: PAGERDUTY_NOTIFY_CLASS
    ini:
      - section: callback_pagerduty_notify
        key: class
  images:
    description:
      - Images to show on the alert, as a list (or comma-separated string) of C(https://) image URLs.
    type: list
    elements: str
    env:
      - name: PAGERDUTY_NOTIFY_IMAGES
    ini:
      - section: callback_pagerduty_notify
        key: images
  links:
    description:
      - Links to show on the alert, as a list (or comma-separated string) of C(http(s)://) URLs, for example a
        runbook. Under Rundeck a link to the execution is added.
    type: list
    elements: str
    env:
      - name: PAGERDUTY_NOTIFY_LINKS
    ini:
      - section: callback_pagerduty_notify
        key: links
  custom_details:
    description:
      - 'Extra custom details added to every triggered alert, as a JSON object, for example
        C({"environment": "production", "team": "checkout"}). The callback''s own details win on a name clash.'
    type: str
    env:
      - name: PAGERDUTY_NOTIFY_CUSTOM_DETAILS
    ini:
      - section: callback_pagerduty_notify
        key: custom_details
  avg_duration_factor:
    description:
      - O(on_avg_duration) triggers once a run lasts longer than the average of the previous runs times this factor.
    type: float
    default: 1.5
    env:
      - name: PAGERDUTY_NOTIFY_AVG_DURATION_FACTOR
    ini:
      - section: callback_pagerduty_notify
        key: avg_duration_factor
  avg_duration_min_seconds:
    description:
      - O(on_avg_duration) never triggers before a run has lasted this many seconds, however short its average, so
        that a playbook of a few seconds does not page anyone for taking a few seconds more. V(0) turns this off.
    type: float
    default: 60
    env:
      - name: PAGERDUTY_NOTIFY_AVG_DURATION_MIN_SECONDS
    ini:
      - section: callback_pagerduty_notify
        key: avg_duration_min_seconds
  avg_duration_min_runs:
    description:
      - The number of previous successful runs needed before O(on_avg_duration) triggers.
    type: int
    default: 3
    env:
      - name: PAGERDUTY_NOTIFY_AVG_DURATION_MIN_RUNS
    ini:
      - section: callback_pagerduty_notify
        key: avg_duration_min_runs
  avg_duration_history:
    description:
      - How many of the latest successful runs of each playbook the history keeps and averages.
    type: int
    default: 10
    env:
      - name: PAGERDUTY_NOTIFY_AVG_DURATION_HISTORY
    ini:
      - section: callback_pagerduty_notify
        key: avg_duration_history
  state_dir:
    description:
      - Directory for the spool of undelivered events (C(spool.json)), the events a running run has claimed from it
        (C(claimed-*.json)) and the history of run durations (C(history.json)). Created with mode C(0700) if missing;
        shared safely by concurrent runs.
    type: path
    default: ~/.ansible/pagerduty_notify
    env:
      - name: PAGERDUTY_NOTIFY_STATE_DIR
    ini:
      - section: callback_pagerduty_notify
        key: state_dir
  spool_max_events:
    description:
      - The most events kept in the spool; the oldest are dropped first (with a warning).
    type: int
    default: 100
    env:
      - name: PAGERDUTY_NOTIFY_SPOOL_MAX_EVENTS
    ini:
      - section: callback_pagerduty_notify
        key: spool_max_events
  spool_max_age:
    description:
      - Hours a spooled event is kept; older ones are dropped (with a warning) rather than sent late.
    type: float
    default: 168
    env:
      - name: PAGERDUTY_NOTIFY_SPOOL_MAX_AGE
    ini:
      - section: callback_pagerduty_notify
        key: spool_max_age
  max_message_length:
    description:
      - The most characters kept of each failing task's message in the failure details.
    type: int
    default: 500
    env:
      - name: PAGERDUTY_NOTIFY_MAX_MESSAGE_LENGTH
    ini:
      - section: callback_pagerduty_notify
        key: max_message_length
notes:
  - "Enable it in C(ansible.cfg): C(callbacks_enabled = oncall.pagerduty.notify) in C([defaults]), and set the
    routing key and other options in a C([callback_pagerduty_notify]) section (keep that file readable only by the
    user running Ansible), or in the environment: C(ANSIBLE_CALLBACKS_ENABLED=oncall.pagerduty.notify),
    C(PAGERDUTY_ROUTING_KEY=...)."
  - "For the C(ansible) ad hoc command, Ansible loads notification callbacks only with C(bin_ansible_callbacks = true)
    in C([defaults]) (C(ANSIBLE_LOAD_CALLBACK_PLUGINS=true))."
  - "C(ANSIBLE_CALLBACKS_ENABLED) in the environment replaces C(callbacks_enabled) from C(ansible.cfg), it does not add
    to it. Tools that run Ansible for you, Rundeck's Ansible plugin among them, may set it themselves; then add
    C(oncall.pagerduty.notify) to that variable's list rather than to C(ansible.cfg)."
  - "Rundeck: how to enable the callback in the Ansible plugin's Playbook and Module steps, where to keep the routing
    key, and how to give Ansible the job's C(RD_JOB_*) context are in the guide
    R(Running the collection from Rundeck, ansible_collections.oncall.pagerduty.docsite.rundeck)
    (C(docs/docsite/rst/rundeck.rst) in the collection)."
  - "On C(SIGTERM) the callback reports the run as terminated (waiting at most O(delivery_timeout) seconds), then
    hands the signal on to the handler that was in place, so the process ends exactly as it would have. A C(SIGTERM)
    that arrives while the end of the run waits for PagerDuty or writes the spool is handed on right after that. A
    run killed with C(SIGKILL) cannot send anything; its start, duration or retry alert is resolved by the next run of
    the same playbook, and the spooled events it had claimed are sent by the next run."
  - Each extra event costs one small HTTPS request; PagerDuty accepts 120 events a minute per routing key.
seealso:
  - module: oncall.pagerduty.pd_event
  - name: Events API v2 overview
    description: PagerDuty's documentation of the Events API v2.
    link: https://developer.pagerduty.com/docs/events-api-v2/overview/
"""

import functools
import os
import traceback

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.events import send_alert_event
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyClient, PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_config import NotifyConfig, NotifyOff
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_delivery import Delivery
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import one_line
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_events import EventBuilder
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_exit import ExitHooks
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_lifecycle import RunLifecycle
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_report import NAME, DisplayOutput, Reporter
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_run import (
    describe_run, play_names, result_parts)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_sender import EventSender
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import StateStore


def _guarded(method):
    """Run a hook; whatever goes wrong inside stays inside (one warning at the end of the run, at most)."""
    @functools.wraps(method)
    def hook(self, *args, **kwargs):
        if self.disabled or self._lifecycle is None:
            return None
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # a notification must never break the play
            what = one_line(exc) or exc.__class__.__name__
            self._lifecycle.problem("internal error in %s: %s" % (method.__name__, what), detail=traceback.format_exc())
            return None
    return hook


def wire(config, send, display):
    """The :class:`RunLifecycle` of the configured callback, with its collaborators; ``send(event)`` sends."""
    store = StateStore(config.state_dir)
    delivery = Delivery(EventSender(send, config.routing_key), store, config.routing_key, config)
    return RunLifecycle(config, EventBuilder(config), delivery, store, Reporter(DisplayOutput(display)), ExitHooks())


class CallbackModule(CallbackBase):
    """Sends PagerDuty alert events about play outcomes; see DOCUMENTATION.

    The hooks hand what Ansible tells them to a :class:`RunLifecycle`, wired from the options by :func:`wire`.
    """

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "oncall.pagerduty.notify"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None):
        self._configured = False
        self._lifecycle = None
        super(CallbackModule, self).__init__(display=display, options=options)

    # -- configuration -----------------------------------------------------------------------------
    def set_options(self, task_keys=None, var_options=None, direct=None):
        super(CallbackModule, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        if self._configured:
            return
        self._configured = True
        try:
            self._configure()
        except Exception as exc:
            self._disable("cannot read its configuration: %s" % one_line(exc))

    def _configure(self):
        warnings = []
        try:
            config = NotifyConfig(self.get_option, warnings.append)
            client = PagerDutyClient(**config.client_options)
        except (NotifyOff, PagerDutyError) as exc:
            self._disable(str(exc))
            return
        for text in warnings:
            self._display.warning("%s: %s" % (NAME, text))
        self._lifecycle = wire(config, functools.partial(send_alert_event, client), self._display)

    def _disable(self, why):
        if not self.disabled:
            self._display.warning("%s: %s; PagerDuty notifications are off for this run" % (NAME, why))
        self.disabled = True

    # -- the hooks ---------------------------------------------------------------------------------
    @_guarded
    def v2_playbook_on_start(self, playbook):
        run = describe_run(context.CLIARGS, getattr(playbook, "_file_name", None), play_names(playbook), os.environ,
                           getattr(C, "DEFAULT_HOST_LIST", None))
        self._lifecycle.start(run)

    @_guarded
    def v2_playbook_on_play_start(self, play):
        self._lifecycle.play_started(play.get_name() if hasattr(play, "get_name") else None)

    @_guarded
    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._lifecycle.task_failed(result_parts(result), unreachable=False)

    @_guarded
    def v2_runner_on_unreachable(self, result):
        self._lifecycle.task_failed(result_parts(result), unreachable=True)

    @_guarded
    def v2_runner_retry(self, result):
        self._lifecycle.task_retried(result_parts(result))

    @_guarded
    def v2_playbook_on_stats(self, stats):
        self._lifecycle.end(stats)
