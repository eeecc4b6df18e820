"""Unit tests of the notify callback's own sequencing: what a real run cannot make happen on demand.

The callback is configured with its documented defaults; only PagerDuty is replaced by a function that records what
it is sent, so the real sender, state directory and event building are used.
"""

import signal
import threading

import pytest
import yaml
from ansible import context
from ansible.module_utils.common.collections import ImmutableDict

from ansible_collections.oncall.pagerduty.plugins.callback import notify
from ansible_collections.oncall.pagerduty.plugins.module_utils.client import PagerDutyAPIError
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_sender import EventSender
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_state import key_fingerprint

KEY = "pdsimroutingkeycheckoutapi000001"
DEFAULTS = dict((name, spec.get("default"))
                for name, spec in yaml.safe_load(notify.DOCUMENTATION)["options"].items())


def configured(tmp_path, send, **options):
    values = dict(DEFAULTS, routing_key=KEY, state_dir=str(tmp_path / "state"), **options)
    callback = notify.CallbackModule()
    callback._configure(option=values.get)
    assert not callback.disabled
    callback._sender = EventSender(send, KEY)
    return callback


def started_run(callback):
    run = notify._Run()
    run.playbook = run.label = "site.yml"
    run.identity = "0123456789abcdef"
    run.dedup_key = run.history_key = "ansible:site.yml:0123456789abcdef"
    callback._run = run
    return run


def test_a_late_duration_alert_is_never_queued_after_the_resolves_of_the_end_of_the_run(tmp_path):
    sent = []
    callback = configured(tmp_path, lambda event: sent.append(event) or {"status": "success"},
                          on_avg_duration=True)
    run = started_run(callback)
    run.average = 1.0
    building = threading.Event()
    finished = threading.Event()
    details = callback._common_details

    def slow_details(run, status):
        if status == "running long":        # the timer has seen the run still going, and builds its alert
            building.set()
            finished.wait(2)
        return details(run, status)
    callback._common_details = slow_details

    timer = threading.Thread(target=callback._duration_due, args=(run,))
    timer.start()
    assert building.wait(5)
    end = threading.Thread(target=lambda: (callback._finish(run), finished.set()))
    end.start()
    end.join(10)
    timer.join(10)
    assert [(e["event_action"], e["dedup_key"]) for e in sent] == [
        ("trigger", run.dedup_key + ":duration"), ("resolve", run.dedup_key), ("resolve", run.dedup_key + ":duration")]


def test_sigterm_while_the_play_works_in_the_state_directory_is_handled_right_after(tmp_path):
    def wrong_url(event):
        raise PagerDutyAPIError(404, "POST", "https://events.example.com/nope/v2/enqueue", "/v2/enqueue",
                                api="events", message="Not Found")
    callback = configured(tmp_path, wrong_url, delivery_timeout=1)
    callback._store.lock_timeout = 0.5
    run = started_run(callback)
    passed_on = []
    callback._previous_sigterm = lambda signum, frame: passed_on.append(signum)
    installed = signal.getsignal(signal.SIGTERM)
    try:
        with callback._state_section():
            with callback._store.locked():      # e.g. reading the duration history when the run starts
                callback._on_sigterm(signal.SIGTERM, None)      # what Python runs when the signal arrives
                assert passed_on == [] and not run.finished, "handled while this thread holds the lock"
        assert passed_on == [signal.SIGTERM] and run.finished
    finally:
        signal.signal(signal.SIGTERM, installed)
    trigger, = [entry["event"] for entry in callback._store.spooled(key_fingerprint(KEY))]
    assert trigger["event_action"] == "trigger" and trigger["dedup_key"] == run.dedup_key
    assert "was terminated (SIGTERM)" in trigger["payload"]["summary"]


@pytest.mark.parametrize("arguments, rundeck, partial", [
    ({}, None, []),
    ({"tags": ["all"]}, None, []),
    ({"subset": "web1"}, None, ["--limit"]),
    ({"subset": "rundeck-node"}, {"job_id": "a1"}, []),     # Rundeck passes the job's nodes to every run
    ({"tags": ["all", "deploy"]}, None, ["--tags"]),
    ({"skip_tags": ["slow"]}, None, ["--skip-tags"]),
    ({"start_at_task": "Restart"}, None, ["--start-at-task"]),
    ({"step": True}, None, ["--step"]),
])
def test_partial_runs_are_known_by_their_options(tmp_path, monkeypatch, arguments, rundeck, partial):
    callback = configured(tmp_path, lambda event: {"status": "success"})
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(dict({"tags": ["all"], "skip_tags": []}, **arguments)))
    assert callback._selection(rundeck) == partial
