"""Stand-ins for what the notify callback's plain classes are given: PagerDuty, the display, signals, the clock,
Ansible's stats and task results; and a lifecycle wired with them, as the callback wires the real ones."""

import json
import os

import yaml

from ansible_collections.oncall.pagerduty.plugins.callback import notify
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyAPIError
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_config import NotifyConfig
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_delivery import Delivery
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_events import EventBuilder
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_exit import ExitHooks
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_lifecycle import RunLifecycle
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_report import (
    DisplayOutput, Reporter, SignalSafeOutput)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_run import ResultParts, Run
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_sender import EventSender
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import StateStore, key_fingerprint

KEY = "pdsimroutingkeycheckoutapi000001"
# The options as ansible-core gives them when nothing is configured: the documented defaults.
DEFAULTS = dict((name, spec.get("default"))
                for name, spec in yaml.safe_load(notify.DOCUMENTATION)["options"].items())
CONTROLLER = "controller.example.com"
TIMESTAMP = "2026-11-02T10:00:00Z"


def config(tmp_path=None, warnings=None, **options):
    """A NotifyConfig from the documented defaults, the routing key and ``options``; warnings go to ``warnings``."""
    values = dict(DEFAULTS, routing_key=KEY)
    if tmp_path is not None:
        values["state_dir"] = str(tmp_path / "state")
    values.update(options)
    return NotifyConfig(values.get, (warnings if warnings is not None else []).append)


def events(notify_config, builder=EventBuilder, **kwargs):
    """An EventBuilder (or subclass ``builder``) with a fixed controller, user, ansible-core version and clock."""
    kwargs.setdefault("controller", CONTROLLER)
    kwargs.setdefault("user", "grace")
    kwargs.setdefault("core_version", "2.99.0")
    kwargs.setdefault("timestamp", lambda: TIMESTAMP)
    return builder(notify_config, **kwargs)


def run(playbook="site.yml", clock=None, **kwargs):
    """A playbook run as describe_run makes it (``clock``: a :class:`Clock` for both of its clocks)."""
    if clock is not None:
        kwargs.update(clock=clock.time, monotonic=clock.monotonic)
    kwargs.setdefault("playbook_path", "/srv/ansible/" + playbook)
    kwargs.setdefault("inventory", ["/srv/ansible/hosts"])
    return Run(playbook, playbook, "0123456789abcdef", "ansible:%s:0123456789abcdef" % playbook, **kwargs)


def parts(host="web1", task="Restart app", data=None, no_log=False, task_uuid=None):
    return ResultParts(host, task, task_uuid, {"failed": True, "msg": "boom"} if data is None else data, no_log)


def spooled(state_dir, routing_key=KEY):
    """The entries in the spool file for this routing key, oldest first (read as the next run would find them)."""
    path = os.path.join(str(state_dir), "spool.json")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        entries = json.load(handle)["events"]
    return [entry for entry in entries if entry.get("key") == key_fingerprint(routing_key)]


class Clock(object):
    """Both clocks of a run, moved by hand."""

    def __init__(self, now=1800000000.0):
        self.now = now

    def time(self):
        return self.now

    def monotonic(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class FakePagerDuty(object):
    """Records what it is sent; raises ``failure`` (an exception) for every event while it is set."""

    def __init__(self, failure=None):
        self.sent = []
        self.failure = failure

    def __call__(self, event):
        self.sent.append(event)
        if self.failure is not None:
            raise self.failure
        return {"status": "success", "message": "Event processed", "dedup_key": event.get("dedup_key")}

    def actions(self):
        return [(event["event_action"], event["dedup_key"]) for event in self.sent]


def not_found():
    return PagerDutyAPIError(404, "POST", "https://events.example.com/nope/v2/enqueue", "/v2/enqueue",
                             api="events", message="Not Found")


class FakeDisplay(object):
    def __init__(self):
        self.verbose = []
        self.warnings = []

    def vvv(self, text):
        self.verbose.append(text)

    def warning(self, text):
        self.warnings.append(text)


class FakeSignals(object):
    """The part of the ``signal`` module that ExitHooks uses, with no real handler installed."""

    SIGTERM = 15
    SIG_DFL = 0
    SIG_IGN = 1

    def __init__(self, handler=SIG_DFL):
        self.handler = handler

    def getsignal(self, signum):
        assert signum == self.SIGTERM
        return self.handler

    def signal(self, signum, handler):
        assert signum == self.SIGTERM
        self.handler = handler


class FakeTimer(object):
    """threading.Timer that never fires by itself: the test calls :meth:`fire`."""

    def __init__(self, interval, function, args=()):
        self.interval, self.function, self.args = interval, function, args
        self.daemon = False
        self.started = self.cancelled = False

    def start(self):
        self.started = True

    def cancel(self):
        self.cancelled = True

    def fire(self):
        self.function(*self.args)


class FakeStats(object):
    """ansible-core's AggregateStats: ``hosts`` maps each host to its counts."""

    def __init__(self, **hosts):
        self.processed = dict((host, 1) for host in hosts)
        self._hosts = hosts

    def summarize(self, host):
        return dict(self._hosts[host])


class Wiring(object):
    """A RunLifecycle with its real collaborators but PagerDuty, the display, the signals, the exit registry and
    the duration timers, wired as the callback wires them (``send``: the fake PagerDuty; ``builder``: the class of
    the event builder; ``**options``: the callback's options)."""

    def __init__(self, tmp_path, send, builder=EventBuilder, **options):
        self.config = config(tmp_path, **options)
        self.timers = []            # the duration timers made, as FakeTimer
        self.display = FakeDisplay()
        self.written = []           # what the signal-safe output wrote, as (fd, text)
        self.signals = FakeSignals()
        self.at_exit = []
        self.store = StateStore(self.config.state_dir, lock_timeout=0.5)
        self.sender = EventSender(send, KEY, retry_pause=0.05)
        self.delivery = Delivery(self.sender, self.store, KEY, self.config)
        self.exit_hooks = ExitHooks(register=self.at_exit.append, signals=self.signals)
        quiet = SignalSafeOutput(write=lambda fd, data: self.written.append((fd, data.decode("utf-8"))))
        self.lifecycle = RunLifecycle(self.config, events(self.config, builder), self.delivery, self.store,
                                      Reporter(DisplayOutput(self.display), quiet), self.exit_hooks, timer=self._timer)

    def _timer(self, interval, function, args=()):
        timer = FakeTimer(interval, function, args)
        self.timers.append(timer)
        return timer
