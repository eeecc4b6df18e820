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
  - "Rundeck Ansible Playbook steps (path or inline) and the Ansible Module step: point the step's (or the project's)
    C(ansible config file path) at an C(ansible.cfg) with C(callbacks_enabled = oncall.pagerduty.notify),
    C(bin_ansible_callbacks = true) (needed by the Module step, which runs the C(ansible) ad hoc command) and the
    C([callback_pagerduty_notify]) section with the routing key. Where C(ANSIBLE_CALLBACKS_ENABLED) is already set in
    the environment Rundeck gives Ansible, add C(oncall.pagerduty.notify) there instead: the plugin passes each
    (non-secure) job option to Ansible as an environment variable of the same name, so a job option
    C(ANSIBLE_CALLBACKS_ENABLED) with value C(oncall.pagerduty.notify) (plus any callbacks already listed) and, for
    the Module step, C(ANSIBLE_LOAD_CALLBACK_PLUGINS) with value C(true) enable it per job; C(PAGERDUTY_NOTIFY_*)
    options work the same way. Keep the routing key out of job options (they are shown in the Rundeck UI): put it in
    the C(ansible.cfg) above or in the Rundeck server's environment."
  - "Rundeck exports the C(RD_JOB_*) variables to Command and Script steps, so a step that runs C(ansible-playbook)
    itself gets the Rundeck context automatically. For the Ansible plugin's steps, pass the ones you want as job
    options named C(RD_JOB_NAME), C(RD_JOB_PROJECT), C(RD_JOB_ID), C(RD_JOB_EXECID), C(RD_JOB_USERNAME),
    C(RD_JOB_URL) (or C(RD_JOB_SERVERURL)) if your Rundeck does not already put them in the step's environment."
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

import atexit
import collections
import contextlib
import functools
import getpass
import json
import os
import signal
import socket
import threading
import time
import traceback
import uuid

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase

try:
    from ansible.release import __version__ as ANSIBLE_VERSION
except ImportError:  # pragma: no cover
    ANSIBLE_VERSION = None

from ansible_collections.oncall.pagerduty.plugins.module_utils._api.events import send_alert_event
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyClient, PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils.events import (
    SEVERITIES, EventValidationError, build_alert_event, check_routing_key, now_timestamp, parse_images, parse_links)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import (
    CENSORED, DEDUP_KEY_FIELDS, TemplateError, check_template, default_dedup_key, failure_message, host_list,
    identity, normalise_inventory, one_line, render, rundeck_context, seconds, truncate)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_sender import EventSender
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import StateError, StateStore, key_fingerprint

NAME = "oncall.pagerduty.notify"
MAX_FAILURES = 20          # failing task results detailed in one failure event
MAX_HOSTS = 50             # hosts listed by name in one failure event
MAX_SUMMARY = 1024
ADHOC_PLAYBOOK = "__adhoc_playbook__"


def _guarded(method):
    """Run a hook; whatever goes wrong inside stays inside (one warning at the end of the run, at most)."""
    @functools.wraps(method)
    def hook(self, *args, **kwargs):
        if self.disabled:
            return None
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # a notification must never break the play
            self._problem("internal error in %s: %s" % (method.__name__, one_line(exc) or exc.__class__.__name__),
                          detail=traceback.format_exc())
            return None
    return hook


class _Run(object):
    """What the callback knows about one playbook run (one playbook file, or one ad hoc command)."""

    def __init__(self):
        self.kind = "playbook"
        self.label = None
        self.playbook = None
        self.playbook_path = None
        self.module = None
        self.pattern = None
        self.inventory = []
        self.identity = None
        self.rundeck = None
        self.dedup_key = None
        self.started = time.time()
        self.started_mono = time.monotonic()
        self.history_key = None
        self.check_mode = False
        self.partial = []              # the options that make this a partial run (--limit, --tags, ...)
        self.plays = []
        self.current_play = None
        self.last_failures = collections.OrderedDict()   # host -> its latest failed or unreachable result
        self.retried = set()
        self.triggered = set()         # the triggers this run has sent
        self.timer = None
        self.average = None
        self.previous_runs = 0
        self.finished = False
        self.lock = threading.RLock()   # re-entrant: a SIGTERM may arrive while the play's thread holds it
        self.aborted_by = None

    def elapsed(self):
        return time.monotonic() - self.started_mono


class CallbackModule(CallbackBase):
    """Sends PagerDuty alert events about play outcomes; see DOCUMENTATION."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "oncall.pagerduty.notify"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None):
        self._configured = False
        self._config = {}
        self._routing_key = None
        self._fingerprint = None
        self._client = None
        self._store = None
        self._sender = None
        self._run = None
        self._spool_ids = set()
        self._reported = 0
        self._delivered_names = {}
        self._problems = []
        self._problems_lock = threading.RLock()    # (re-entrant: the SIGTERM handler reports too)
        self._pid = os.getpid()
        self._atexit_registered = False
        self._previous_sigterm = signal.SIG_DFL
        self._in_state = 0                 # > 0 while the play's thread works in the state directory
        self._deferred_sigterm = None
        super(CallbackModule, self).__init__(display=display, options=options)

    # -- configuration --------------------------------------------------------------------------
    def set_options(self, task_keys=None, var_options=None, direct=None):
        super(CallbackModule, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        try:
            self._configure()
        except Exception as exc:
            self._disable("cannot read its configuration: %s" % one_line(exc))

    def _disable(self, why):
        if not self.disabled:
            self._display.warning("%s: %s; PagerDuty notifications are off for this run" % (NAME, why))
        self.disabled = True

    def _configure(self, option=None):
        if self._configured:
            return
        self._configured = True
        option = option or self.get_option
        routing_key = option("routing_key")
        if not routing_key:
            return self._disable("no routing key (set PAGERDUTY_ROUTING_KEY, or routing_key in the "
                                 "[callback_pagerduty_notify] section of ansible.cfg)")
        routing_key = str(routing_key).strip()
        try:
            check_routing_key(routing_key)
        except EventValidationError as exc:
            return self._disable(str(exc))
        try:
            self._client = PagerDutyClient(region=option("region") or "us", events_url=option("events_url") or None,
                                           timeout=float(option("timeout")),
                                           max_retry_wait=max(0.0, float(option("max_retry_wait"))),
                                           validate_certs=bool(option("validate_certs")))
        except PagerDutyError as exc:
            return self._disable(str(exc))
        self._routing_key = routing_key
        self._fingerprint = key_fingerprint(routing_key)

        config = {}
        for name in ("on_failure", "on_success", "on_start", "on_avg_duration", "on_retry"):
            config[name] = bool(option(name))
        for name, default in (("failure_severity", "error"), ("start_severity", "info"),
                              ("avg_duration_severity", "warning"), ("retry_severity", "warning")):
            value = (option(name) or default).lower()
            if value not in SEVERITIES:
                self._display.warning("%s: %s must be one of %s, got %r; using %s"
                                      % (NAME, name, ", ".join(SEVERITIES), value, default))
                value = default
            config[name] = value
        for name, default, allowed in (("summary", "{message}", None), ("source", "{controller}", None),
                                       ("component", None, None), ("group", None, None),
                                       ("event_class", "{trigger}", None), ("dedup_key", None, DEDUP_KEY_FIELDS)):
            value = option(name)
            if value not in (None, ""):
                try:
                    if allowed:
                        check_template(value, allowed)
                    else:
                        check_template(value)
                except TemplateError as exc:
                    self._display.warning("%s: %s: %s; using the default" % (NAME, name, exc))
                    value = default
            else:
                value = default
            config[name] = value
        config["images"] = self._checked(parse_images, option("images"), "images")
        config["links"] = self._checked(parse_links, option("links"), "links")
        details = option("custom_details")
        config["custom_details"] = {}
        if details not in (None, ""):
            try:
                parsed = json.loads(details) if isinstance(details, str) else details
                if not isinstance(parsed, dict):
                    raise ValueError("not a JSON object")
                config["custom_details"] = parsed
            except ValueError as exc:
                self._display.warning("%s: custom_details must be a JSON object (%s); ignoring it" % (NAME, exc))
        config["delivery_timeout"] = max(0.0, float(option("delivery_timeout")))
        config["avg_duration_factor"] = max(0.0, float(option("avg_duration_factor")))
        config["avg_duration_min_seconds"] = max(0.0, float(option("avg_duration_min_seconds")))
        config["avg_duration_min_runs"] = max(1, int(option("avg_duration_min_runs")))
        config["avg_duration_history"] = max(1, int(option("avg_duration_history")))
        config["spool_max_events"] = max(1, int(option("spool_max_events")))
        config["spool_max_age"] = max(0.0, float(option("spool_max_age"))) * 3600
        config["max_message_length"] = max(20, int(option("max_message_length")))
        config["state_dir"] = option("state_dir") or "~/.ansible/pagerduty_notify"
        self._config = config
        self._store = StateStore(config["state_dir"])
        self._sender = EventSender(functools.partial(send_alert_event, self._client), routing_key)
        return None

    def _checked(self, parse, value, name):
        try:
            return parse(value, name)
        except EventValidationError as exc:
            self._display.warning("%s: %s; ignoring %s" % (NAME, exc, name))
            return []

    # -- problems are reported once, at the end of a run, from the play's thread ---------------
    def _problem(self, text, detail=None):
        with self._problems_lock:
            self._problems.append((text, detail))

    def _report_quietly(self, run_problems):
        with self._problems_lock:
            texts = run_problems + [text for text, _detail in self._problems]
            self._problems = []
        if texts:
            try:
                os.write(2, ("[WARNING]: %s: %s\n" % (NAME, "; ".join(texts))).encode("utf-8", "replace"))
            except OSError:
                pass

    def _report(self, run_problems, waited):
        """At most one warning for the run, plus -vvv lines about what was sent."""
        delivered = self._sender.delivered[self._reported:]
        self._reported += len(delivered)
        self._display.vvv("%s: PagerDuty took %d event(s)%s; the end of the run waited %.3f s for delivery"
                          % (NAME, len(delivered), " (%s)" % ", ".join(self._delivered_names.pop(i, i) for i in delivered)
                             if delivered else "", waited))
        with self._problems_lock:
            problems, self._problems = self._problems, []
        for _text, detail in problems:
            if detail:
                self._display.vvv("%s: %s" % (NAME, detail))
        texts = run_problems + [text for text, _detail in problems]
        if texts:
            self._display.warning("%s: %s" % (NAME, "; ".join(texts)))

    # -- the run ---------------------------------------------------------------------------------
    def _cli(self, name, default=None):
        try:
            value = context.CLIARGS.get(name, default)
        except Exception:
            return default
        return default if value is None else value

    def _prepare_process(self):
        """Once per process: register the exit handler. Every run: claim the spooled events, queue them first."""
        if not self._atexit_registered:
            atexit.register(self._at_exit)
            self._atexit_registered = True
            self._sender.start()
            self._catch_sigterm()
        if self._sender.stopped:
            return      # (an earlier run of this process gave up on PagerDuty: they would only be put back)
        try:
            with self._state_section():
                entries = self._store.claim(self._fingerprint)
        except StateError as exc:
            self._problem("cannot read the spool: %s" % exc)
            return
        for entry in entries:
            self._spool_ids.add(entry["id"])
            self._delivered_names[entry["id"]] = "spooled " + self._event_name(entry["event"])
            self._sender.put(entry)

    @contextlib.contextmanager
    def _state_section(self):
        """The play's thread works in the state directory: a SIGTERM arriving meanwhile is handled right after.

        (Handled at once, it would find the directory's lock held by this very
        thread, or end the process halfway through writing the spool.)
        """
        self._in_state += 1
        try:
            yield
        finally:
            self._in_state -= 1
            if not self._in_state and self._deferred_sigterm is not None:
                signum, frame = self._deferred_sigterm
                self._deferred_sigterm = None
                self._on_sigterm(signum, frame)

    def _selection(self, rundeck):
        """The command-line options that make this run play only part of its playbook."""
        options = []
        if self._cli("subset") and not rundeck:    # (Rundeck passes the job's nodes as --limit to every run)
            options.append("--limit")
        tags = self._cli("tags") or ()
        if isinstance(tags, str):
            tags = [tags]
        if set(tags) - {"all"}:
            options.append("--tags")
        if self._cli("skip_tags"):
            options.append("--skip-tags")
        if self._cli("start_at_task"):
            options.append("--start-at-task")
        if self._cli("step"):
            options.append("--step")
        return options

    @_guarded
    def v2_playbook_on_start(self, playbook):
        if self._run is not None and not self._run.finished:
            self._finish(self._run, aborted=True)
        self._prepare_process()
        run = _Run()
        file_name = getattr(playbook, "_file_name", None)
        inventory = self._cli("inventory") or getattr(C, "DEFAULT_HOST_LIST", None) or []
        if isinstance(inventory, str):
            inventory = [inventory]
        run.inventory = normalise_inventory(inventory)
        if file_name == ADHOC_PLAYBOOK:
            run.kind = "adhoc"
            run.module = str(self._cli("module_name", "") or "command")
            run.pattern = str(self._cli("args", "") or "all")
            run.label = "adhoc-" + run.module.rsplit(".", maxsplit=1)[-1]
            run.playbook = "ad hoc %s" % run.module
            run.identity = identity("adhoc", [run.module, run.pattern], run.inventory)
        else:
            path = file_name or (list(self._cli("args", ()) or ["playbook"]) + [None])[0]
            run.playbook_path = os.path.abspath(str(path))
            run.playbook = os.path.basename(run.playbook_path)
            run.label = run.playbook
            run.identity = identity("playbook", run.playbook_path, run.inventory)
        run.rundeck = rundeck_context(os.environ)
        run.check_mode = bool(self._cli("check", False))
        run.partial = self._selection(run.rundeck)
        fields = self._fields(run)
        # the history is per playbook and inventory (per job and playbook under Rundeck), whatever the dedup key
        run.history_key = default_dedup_key(run.label, run.identity, run.rundeck, self._play_names(playbook))
        run.dedup_key = run.history_key
        if self._config["dedup_key"]:
            custom = truncate(one_line(render(self._config["dedup_key"], fields, DEDUP_KEY_FIELDS)), 255)
            run.dedup_key = custom or run.dedup_key
        self._run = run

        if self._config["on_avg_duration"]:
            self._arm_duration_timer(run)
        if self._config["on_start"]:
            self._trigger(run, "start", self._aux_key(run, "start"), self._config["start_severity"],
                          "%s started on %s" % (self._what(run), fields["controller"]),
                          self._common_details(run, "started"))

    @staticmethod
    def _play_names(playbook):
        try:
            return [play.get_name() for play in playbook.get_plays()]
        except Exception:
            return []

    def _arm_duration_timer(self, run):
        try:
            with self._state_section():
                history = self._store.durations(run.history_key)[-self._config["avg_duration_history"]:]
        except StateError as exc:
            self._problem("cannot read the duration history: %s" % exc)
            return
        run.previous_runs = len(history)
        if len(history) < self._config["avg_duration_min_runs"]:
            return
        run.average = sum(history) / len(history)
        threshold = max(run.average * self._config["avg_duration_factor"], self._config["avg_duration_min_seconds"])
        run.timer = threading.Timer(max(0.0, threshold - run.elapsed()), self._duration_due, args=(run,))
        run.timer.daemon = True
        run.timer.start()

    def _duration_due(self, run):
        """On the timer's thread: the run has gone on longer than its average times the factor.

        The trigger is queued holding the run's lock, which the end of the run takes
        to queue its resolves: it is either queued before them, or not at all.
        """
        try:
            with run.lock:
                if run.finished:
                    return
                elapsed = run.elapsed()
                factor = self._config["avg_duration_factor"]
                message = ("%s is still running after %s, longer than %s x its average of %s"
                           % (self._what(run), seconds(elapsed), ("%g" % factor), seconds(run.average)))
                details = self._common_details(run, "running long")
                details.update(elapsed_seconds=round(elapsed, 1), average_seconds=round(run.average, 1),
                               avg_duration_factor=factor, previous_runs=run.previous_runs)
                self._trigger(run, "avg_duration", self._aux_key(run, "duration"),
                              self._config["avg_duration_severity"], message, details,
                              elapsed=seconds(elapsed), average=seconds(run.average))
        except Exception as exc:
            self._problem("internal error in the duration check: %s" % one_line(exc), detail=traceback.format_exc())

    @_guarded
    def v2_playbook_on_play_start(self, play):
        run = self._run
        if run is None or run.kind != "playbook":
            return
        name = play.get_name() if hasattr(play, "get_name") else None
        run.current_play = str(name or "")
        if run.current_play and run.current_play not in run.plays:
            run.plays.append(run.current_play)

    @staticmethod
    def _result_parts(result):
        """(host name, task name, result mapping, no_log) of a task result, on ansible-core 2.16 to 2.21+."""
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
        return host_name, str(task_name or "?"), data if hasattr(data, "get") else {}, no_log

    def _record_failure(self, result, unreachable):
        """Keep each host's latest failure: a failure that a rescue handled is followed by the one that ended
        the host, if any (the hosts that ended failed are known from the stats at the end)."""
        run = self._run
        if run is None:
            return
        host, task, data, no_log = self._result_parts(result)
        record = {"host": host, "task": task,
                  "message": failure_message(data, no_log, self._config["max_message_length"])}
        if run.current_play:
            record["play"] = run.current_play
        if unreachable:
            record["unreachable"] = True
        run.last_failures.pop(host, None)
        run.last_failures[host] = record

    @_guarded
    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._record_failure(result, unreachable=False)

    @_guarded
    def v2_runner_on_unreachable(self, result):
        self._record_failure(result, unreachable=True)

    @_guarded
    def v2_runner_retry(self, result):
        run = self._run
        if run is None or not self._config["on_retry"]:
            return
        host, task, data, no_log = self._result_parts(result)
        task_object = getattr(result, "task", None) or getattr(result, "_task", None)
        seen = (host, getattr(task_object, "_uuid", None) or task)
        if seen in run.retried:
            return
        run.retried.add(seen)
        attempts, retries = data.get("attempts"), data.get("retries")
        if data.get("failed") or data.get("msg") or no_log:
            message = failure_message(data, no_log, self._config["max_message_length"])
        else:
            message = "its until condition is not met yet"
        summary = "%s: task '%s' failed on %s and is being retried" % (self._what(run), task, host)
        left = None
        if isinstance(attempts, int) and isinstance(retries, int):
            left = max(0, retries - attempts)
            summary += " (%d retries left)" % left
        details = self._common_details(run, "retrying")
        details.update(task=task, host=host, attempts=attempts, retries_left=left, message=message)
        if run.current_play:
            details["play"] = run.current_play
        self._trigger(run, "retry", self._aux_key(run, "retry"), self._config["retry_severity"],
                      summary + ": " + (message if message != CENSORED else "(no_log)"), details,
                      task=task, host=host)

    @_guarded
    def v2_playbook_on_stats(self, stats):
        run = self._run
        if run is None or run.finished:
            return
        self._finish(run, stats=stats)

    def _catch_sigterm(self):
        """Report a run killed with SIGTERM (Rundeck's "Kill job") as aborted, then let the signal do what it did.

        The handler in place (ansible-core's own since 2.19, else the default) is
        called afterwards, so the process ends exactly as it would have.
        """
        try:
            previous = signal.getsignal(signal.SIGTERM)
            if previous == signal.SIG_IGN or previous is None:
                return
            self._previous_sigterm = previous
            signal.signal(signal.SIGTERM, self._on_sigterm)
        except (ValueError, OSError):   # not the main thread, or no signals here
            return

    def _on_sigterm(self, signum, frame):
        if self._in_state and os.getpid() == self._pid:
            self._deferred_sigterm = (signum, frame)    # handled as soon as the state directory is left
            return
        previous = getattr(self, "_previous_sigterm", signal.SIG_DFL)
        try:
            signal.signal(signal.SIGTERM, previous)
            # Only in ansible-playbook itself: a worker process forked from it (ansible-core before 2.19 leaves
            # the handler in place when it forks) has no run to report and must stop as it always did.
            if os.getpid() == self._pid and not self.disabled:
                run = self._run
                if run is not None and not run.finished:
                    run.aborted_by = "SIGTERM"
                    self._finish(run, aborted=True, quiet=True)
        except Exception:  # the signal must be passed on, whatever happens
            pass
        if callable(previous):
            previous(signum, frame)
        else:
            os.kill(os.getpid(), signum)

    def _at_exit(self):
        """The process is ending: a run that never reached its stats was aborted."""
        if os.getpid() != self._pid or self.disabled:
            return
        try:
            run = self._run
            if run is not None and not run.finished:
                self._finish(run, aborted=True)
        except Exception:
            pass

    def _finish(self, run, stats=None, aborted=False, quiet=False):
        with self._state_section():     # (a SIGTERM now waits for the events to be delivered or spooled)
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
                    self._store.record_duration(run.history_key, duration,
                                                keep=self._config["avg_duration_history"])
                except StateError as exc:
                    self._problem("cannot record the run's duration: %s" % exc)
            self._deliver(quiet)

    def _queue_outcome(self, run, duration, stats, aborted):
        """Queue the end of the run's events; True when the run succeeded."""
        config = self._config
        host_stats, failed, unreachable = {}, [], []
        if stats is not None:
            for host in sorted(getattr(stats, "processed", {}) or {}):
                summary = stats.summarize(host)
                host_stats[host] = dict((key, summary.get(key, 0)) for key in (
                    "ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored"))
                if summary.get("failures"):
                    failed.append(host)
                if summary.get("unreachable"):
                    unreachable.append(host)
        else:
            failed = sorted(host for host, r in run.last_failures.items() if not r.get("unreachable"))
            unreachable = sorted(host for host, r in run.last_failures.items() if r.get("unreachable"))
        succeeded = not aborted and not failed and not unreachable

        if succeeded:
            # A check run proves nothing about the real state: it never resolves the failure alert.
            if config["on_success"] and not run.check_mode:
                self._resolve(run, run.dedup_key)
        elif config["on_failure"]:
            self._failure_event(run, duration, host_stats, failed, unreachable, aborted)
        for enabled, trigger, suffix in (("on_start", "start", "start"), ("on_avg_duration", "avg_duration", "duration"),
                                         ("on_retry", "retry", "retry")):
            # (also the alerts of a run that was killed before it could resolve them; a check run only its own)
            if config[enabled] and (trigger in run.triggered or not run.check_mode):
                self._resolve(run, self._aux_key(run, suffix))
        return succeeded

    def _deliver(self, quiet=False):
        """Wait (bounded) for the sender; spool what it could not deliver; report."""
        sender = self._sender
        waiting = time.monotonic()
        try:
            sender.wait(self._config["delivery_timeout"])
        except KeyboardInterrupt:
            # Ctrl-C while the end of the run waits: stop waiting, spool, and end the run as it would have ended
            sender.stop("the wait for PagerDuty was interrupted")
        waited = time.monotonic() - waiting
        undelivered = sender.undelivered()
        refused = sender.take_refused()
        remove = set(i for i in sender.delivered if i in self._spool_ids)
        remove.update(entry["id"] for entry, _reason in refused if entry["id"] in self._spool_ids)
        self._spool_ids.difference_update(remove)
        problems = []
        if refused:
            problems.append("PagerDuty refused %d event(s), which were dropped: %s"
                            % (len(refused), refused[-1][1]))
        try:
            discarded = 0
            if undelivered or remove or self._store.claiming:
                discarded = self._store.update_spool(
                    remove_ids=remove, append=undelivered, max_events=self._config["spool_max_events"],
                    max_age=self._config["spool_max_age"] or None)[1]
            if discarded:
                problems.append("%d spooled event(s) were too old or too many and were dropped" % discarded)
        except StateError as exc:
            if undelivered:
                problems.append("cannot update the spool, %d event(s) lost: %s" % (len(undelivered), exc))
            else:
                problems.append("cannot update the spool: %s" % exc)
            undelivered = []
        if undelivered:
            for entry in undelivered:
                self._spool_ids.add(entry["id"])
            reason = sender.failure or "PagerDuty did not answer in time"
            if sender.failure_status in (404, 405):
                reason += "; check events_url and region"
            problems.insert(0, "%d PagerDuty event(s) not delivered (%s); kept in %s and sent first at the next run"
                            % (len(undelivered), reason, self._store.spool_path))
        if quiet:
            # (in a signal handler, the display's lock may be held by the very code the signal interrupted)
            self._report_quietly(problems)
        else:
            self._report(problems, waited)

    # -- events ------------------------------------------------------------------------------------
    @staticmethod
    def _aux_key(run, suffix):
        return "%s:%s" % (run.dedup_key[:240], suffix)

    @staticmethod
    def _what(run):
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

    def _fields(self, run, **extra):
        rundeck = run.rundeck or {}
        try:
            user = getpass.getuser()
        except Exception:
            user = None
        fields = {
            "playbook": run.playbook, "playbook_path": run.playbook_path or "", "inventory": run.inventory,
            "plays": run.plays, "controller": socket.gethostname(), "user": user, "identity": run.identity,
            "check_mode": bool(self._cli("check", False)), "duration": seconds(run.elapsed()),
            "rd_job_name": rundeck.get("job_name"), "rd_job_group": rundeck.get("job_group"),
            "rd_job_id": rundeck.get("job_id"), "rd_project": rundeck.get("project"),
            "rd_exec_id": rundeck.get("execution_id"), "rd_user": rundeck.get("user"),
            "rd_execution_url": rundeck.get("execution_url"),
        }
        fields.update(extra)
        return fields

    def _common_details(self, run, status):
        fields = self._fields(run)
        details = {"status": status}
        if run.kind == "adhoc":
            details.update(module=run.module, pattern=run.pattern)
        else:
            details.update(playbook=run.playbook, playbook_path=run.playbook_path)
            if run.plays:
                details["plays"] = list(run.plays)
        details.update(inventory=list(run.inventory), controller=fields["controller"], user=fields["user"],
                       check_mode=fields["check_mode"], started_at=_iso(run.started), ansible_core=ANSIBLE_VERSION,
                       dedup_key=run.dedup_key)
        if run.rundeck:
            details["rundeck"] = dict(run.rundeck)
        return details

    def _failure_event(self, run, duration, host_stats, failed, unreachable, aborted):
        what = self._what(run)
        counts = []
        if failed:
            counts.append("%d failed" % len(failed))
        if unreachable:
            counts.append("%d unreachable" % len(unreachable))
        bad = sorted(set(failed) | set(unreachable))
        if aborted:
            if run.aborted_by:
                message = "%s was terminated (%s) after %s" % (what, run.aborted_by, seconds(duration))
            else:
                message = "%s was aborted after %s" % (what, seconds(duration))
            if bad:
                message += " (%s: %s)" % (", ".join(counts), host_list(bad))
        else:
            message = "%s failed: %s of %d host%s (%s)" % (
                what, ", ".join(counts), len(host_stats), "" if len(host_stats) == 1 else "s", host_list(bad))
        # the failure that ended each failed or unreachable host (not the ones a rescue handled)
        ended = [record for host, record in run.last_failures.items() if host in bad]
        failures = ended[:MAX_FAILURES]
        first = next((r for r in failures if not r.get("unreachable")), None) or (failures[0] if failures else None)
        if first:
            message += " - task '%s' on %s: %s" % (first["task"], first["host"], first["message"])
        details = self._common_details(run, "aborted" if aborted else "failed")
        details["duration_seconds"] = round(duration, 1)
        if run.aborted_by:
            details["signal"] = run.aborted_by
        details["hosts"] = {"total": len(host_stats), "failed": failed[:MAX_HOSTS],
                            "unreachable": unreachable[:MAX_HOSTS]}
        if len(bad) > MAX_HOSTS:
            details["hosts"]["not_listed"] = len(bad) - MAX_HOSTS
        details["host_stats"] = dict((host, host_stats[host]) for host in bad[:MAX_HOSTS] if host in host_stats)
        details["failures"] = failures
        if len(ended) > MAX_FAILURES:
            details["failures_not_shown"] = len(ended) - MAX_FAILURES
        self._trigger(run, "failure", run.dedup_key, self._config["failure_severity"], message, details,
                      status="aborted" if aborted else "failed", duration=seconds(duration),
                      host_count=len(host_stats), failed_hosts=failed, failed_count=len(failed),
                      unreachable_hosts=unreachable, unreachable_count=len(unreachable),
                      task=first["task"] if first else None, host=first["host"] if first else None)

    def _trigger(self, run, trigger, dedup_key, severity, message, details, **extra):
        config = self._config
        run.triggered.add(trigger)
        status = extra.pop("status", details.get("status"))
        fields = self._fields(run, trigger=trigger, message=message, status=status, **extra)

        def text(name, limit=None):
            template = config[name]
            if not template:
                return None
            value = one_line(render(template, fields))
            return truncate(value, limit) if value else None

        custom = dict(config["custom_details"])
        custom.update(details)
        links = list(config["links"])
        rundeck = run.rundeck or {}
        if rundeck.get("execution_url"):
            label = "Rundeck execution"
            if rundeck.get("execution_id"):
                label += " #%s" % rundeck["execution_id"]
            links.insert(0, {"href": rundeck["execution_url"], "text": label})
        arguments = dict(dedup_key=dedup_key, summary=text("summary", MAX_SUMMARY) or truncate(message, MAX_SUMMARY),
                         source=text("source", 255) or fields["controller"] or "ansible", severity=severity,
                         timestamp=now_timestamp(), component=text("component", 255), group=text("group", 255),
                         event_class=text("event_class", 255), images=config["images"], links=links,
                         client="Rundeck" if rundeck.get("execution_url") else "Ansible",
                         client_url=rundeck.get("execution_url"))
        try:
            event = build_alert_event(self._routing_key, "trigger", custom_details=custom, **arguments)
        except EventValidationError as exc:
            # Too big for PagerDuty: keep the summary, drop the details rather than the event.
            custom = dict(status=status, details_dropped=str(exc))
            event = build_alert_event(self._routing_key, "trigger", custom_details=custom, **arguments)
        self._queue(event)

    def _resolve(self, run, dedup_key):
        self._queue(build_alert_event(self._routing_key, "resolve", dedup_key=dedup_key))

    def _queue(self, event):
        event = dict((key, value) for key, value in event.items() if key != "routing_key")
        entry = {"id": uuid.uuid4().hex, "created": time.time(), "key": self._fingerprint, "event": event}
        self._delivered_names[entry["id"]] = self._event_name(event)
        self._sender.put(entry)

    @staticmethod
    def _event_name(event):
        return "%s %s" % (event.get("event_action"), event.get("dedup_key"))


def _iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
