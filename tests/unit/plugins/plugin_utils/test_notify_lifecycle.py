"""Unit tests of a notify run's lifecycle: start, failures, retries, the duration timer, the end, SIGTERM and exit.

The real sender, state directory and event building are used; PagerDuty, the display, the signals, the exit
registry and the duration timer are stand-ins passed in (see notify_fakes.Wiring).
"""

import re
import threading

from notify_fakes import KEY, FakePagerDuty, FakeStats, Wiring, not_found, parts, run, spooled

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_details import CENSORED
from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_events import EventBuilder

OK = {"ok": 3, "changed": 1}
FAILED = {"ok": 1, "failures": 1}


def test_start_then_failure_then_a_successful_run_resolves_it(tmp_path):
    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty, on_start=True)
    first = run()
    wiring.lifecycle.start(first)
    assert wiring.at_exit and wiring.signals.handler == wiring.exit_hooks.handle_sigterm, "exit hooks installed"
    wiring.lifecycle.play_started("Deploy")
    wiring.lifecycle.task_failed(parts(host="web2"))
    wiring.lifecycle.end(FakeStats(web1=OK, web2=FAILED))
    key = first.dedup_key
    assert pagerduty.actions() == [("trigger", key + ":start"), ("trigger", key), ("resolve", key + ":start")]
    failure = pagerduty.sent[1]
    assert failure["routing_key"] == KEY
    assert failure["payload"]["summary"] == ("Ansible playbook site.yml failed: 1 failed of 2 hosts (web2) - task "
                                             "'Restart app' on web2: boom")
    assert failure["payload"]["custom_details"]["failures"] == [
        {"host": "web2", "task": "Restart app", "message": "boom", "play": "Deploy"}]
    assert wiring.display.warnings == [] and wiring.store.durations(first.history_key) == []

    second = run()
    wiring.lifecycle.start(second)
    wiring.lifecycle.end(FakeStats(web1=OK, web2=OK))
    assert pagerduty.actions()[3:] == [("trigger", key + ":start"), ("resolve", key), ("resolve", key + ":start")]
    assert len(wiring.store.durations(second.history_key)) == 1, "a successful full run is added to the history"
    assert wiring.display.warnings == [] and spooled(wiring.config.state_dir) == []
    assert wiring.display.verbose[-1].startswith("oncall.pagerduty.notify: PagerDuty took 3 event(s) (trigger %s:start, "
                                                 "resolve %s, resolve %s:start); the end of the run waited " % (
                                                     key, key, key))


def test_a_check_run_resolves_only_its_own_alerts_and_is_not_added_to_the_history(tmp_path):
    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty, on_start=True, on_retry=True)
    checking = run(check_mode=True)
    wiring.lifecycle.start(checking)
    wiring.lifecycle.end(FakeStats(web1=OK))
    key = checking.dedup_key
    assert pagerduty.actions() == [("trigger", key + ":start"), ("resolve", key + ":start")]
    assert pagerduty.sent[0]["payload"]["custom_details"]["check_mode"] is True
    assert wiring.store.durations(checking.history_key) == []


def test_undelivered_events_are_spooled_and_sent_first_by_the_next_run(tmp_path):
    pagerduty = FakePagerDuty(failure=not_found())
    wiring = Wiring(tmp_path, pagerduty)
    failing = run()
    wiring.lifecycle.start(failing)
    wiring.lifecycle.task_failed(parts())
    wiring.lifecycle.end(FakeStats(web1=FAILED))
    warning, = wiring.display.warnings
    assert re.match(r"^oncall\.pagerduty\.notify: 1 PagerDuty event\(s\) not delivered \(.*404.*; "
                    r"check events_url and region\); kept in .*spool\.json and sent first at the next run$", warning)
    entry, = spooled(wiring.config.state_dir)
    assert entry["event"]["event_action"] == "trigger" and "routing_key" not in entry["event"]

    pagerduty.failure = None        # the next process: PagerDuty is fine again
    later = Wiring(tmp_path, pagerduty)
    following = run()
    later.lifecycle.start(following)
    later.lifecycle.end(FakeStats(web1=OK))
    assert pagerduty.actions()[1:] == [("trigger", failing.dedup_key), ("resolve", following.dedup_key)]
    assert pagerduty.sent[1]["payload"] == entry["event"]["payload"]
    assert spooled(wiring.config.state_dir) == [] and later.display.warnings == []
    assert later.display.verbose[-1].startswith("oncall.pagerduty.notify: PagerDuty took 2 event(s) (spooled trigger")


def test_sigterm_reports_the_run_through_the_signal_safe_output_and_passes_the_signal_on(tmp_path):
    wiring = Wiring(tmp_path, FakePagerDuty(failure=not_found()))
    passed_on = []
    wiring.signals.handler = lambda signum, frame: passed_on.append(signum)
    running = run()
    wiring.lifecycle.start(running)
    wiring.signals.handler(15, None)         # what Python runs when the signal arrives
    assert passed_on == [15] and running.finished and running.aborted_by == "SIGTERM"
    assert wiring.display.warnings == [] and wiring.display.verbose == []
    (fd, text), = wiring.written
    assert fd == 2 and text.startswith("[WARNING]: oncall.pagerduty.notify: 1 PagerDuty event(s) not delivered")
    trigger, = [entry["event"] for entry in spooled(wiring.config.state_dir)]
    assert "was terminated (SIGTERM)" in trigger["payload"]["summary"]


def test_sigterm_while_the_play_works_in_the_state_directory_is_handled_right_after(tmp_path):
    wiring = Wiring(tmp_path, FakePagerDuty(failure=not_found()), delivery_timeout=1)
    passed_on = []
    wiring.signals.handler = lambda signum, frame: passed_on.append(signum)
    running = run()
    wiring.lifecycle.start(running)
    with wiring.exit_hooks.section():
        with wiring.store.locked():      # e.g. reading the duration history when the run starts
            wiring.signals.handler(15, None)
            assert passed_on == [] and not running.finished, "handled while this thread holds the lock"
    assert passed_on == [15] and running.finished
    trigger, = [entry["event"] for entry in spooled(wiring.config.state_dir)]
    assert trigger["event_action"] == "trigger" and trigger["dedup_key"] == running.dedup_key
    assert "was terminated (SIGTERM)" in trigger["payload"]["summary"]


def test_a_run_that_never_reaches_its_stats_is_reported_aborted_at_exit(tmp_path):
    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty)
    aborted = run()
    wiring.lifecycle.start(aborted)
    wiring.lifecycle.task_failed(parts(host="db1"), unreachable=True)
    at_exit, = wiring.at_exit
    at_exit()
    trigger, = pagerduty.sent
    assert trigger["payload"]["summary"].startswith("Ansible playbook site.yml was aborted after ")
    assert " (1 unreachable: db1) - task 'Restart app' on db1: boom" in trigger["payload"]["summary"]
    assert trigger["payload"]["custom_details"]["status"] == "aborted"
    at_exit()
    assert len(pagerduty.sent) == 1, "reported once"


def test_a_new_playbook_ends_the_unfinished_one_as_aborted(tmp_path):
    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty)
    first, second = run(), run("other.yml")
    wiring.lifecycle.start(first)
    wiring.lifecycle.start(second)
    assert first.finished and not second.finished
    assert pagerduty.actions() == [("trigger", first.dedup_key)]


def test_a_retried_task_triggers_once_per_task_and_host(tmp_path):
    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty, on_retry=True)
    retrying = run()
    wiring.lifecycle.start(retrying)
    waiting = {"attempts": 1, "retries": 3}
    wiring.lifecycle.task_retried(parts(data=waiting, task_uuid="t1"))
    wiring.lifecycle.task_retried(parts(data={"attempts": 2, "retries": 3}, task_uuid="t1"))
    wiring.lifecycle.task_retried(parts(host="web2", data=waiting, task_uuid="t1"))
    wiring.lifecycle.task_retried(parts(data={"failed": True, "msg": "secret"}, no_log=True, task_uuid="t2"))
    wiring.lifecycle.end(FakeStats(web1=OK))
    summaries = [event["payload"]["summary"] for event in pagerduty.sent[:3]]
    assert summaries == [
        "Ansible playbook site.yml: task 'Restart app' failed on web1 and is being retried (2 retries left): "
        "its until condition is not met yet",
        "Ansible playbook site.yml: task 'Restart app' failed on web2 and is being retried (2 retries left): "
        "its until condition is not met yet",
        "Ansible playbook site.yml: task 'Restart app' failed on web1 and is being retried: (no_log)"]
    assert pagerduty.sent[2]["payload"]["custom_details"]["message"] == CENSORED
    assert pagerduty.actions()[3:] == [("resolve", retrying.dedup_key), ("resolve", retrying.dedup_key + ":retry")]


def test_the_duration_alert_is_armed_from_the_history_and_resolved_at_the_end(tmp_path):
    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty, on_avg_duration=True, avg_duration_min_seconds=0)
    long_run = run()
    for seconds in (10, 20, 30):
        wiring.store.record_duration(long_run.history_key, seconds)
    wiring.lifecycle.start(long_run)
    timer, = wiring.timers
    assert timer.started and timer.daemon and 29 < timer.interval <= 30       # the average, 20 s, times 1.5
    timer.fire()
    wiring.lifecycle.end(FakeStats(web1=OK))
    assert timer.cancelled
    duration, _resolve, resolve_duration = pagerduty.sent
    assert duration["dedup_key"] == long_run.dedup_key + ":duration" and duration["payload"]["class"] == "avg_duration"
    assert duration["payload"]["custom_details"]["previous_runs"] == 3
    assert resolve_duration["dedup_key"] == long_run.dedup_key + ":duration"


def test_partial_runs_are_not_added_to_the_history(tmp_path):
    wiring = Wiring(tmp_path, FakePagerDuty(), on_avg_duration=True)
    partial = run(partial=["--limit"])
    wiring.lifecycle.start(partial)
    assert wiring.timers == [], "too few earlier runs to arm the timer"
    wiring.lifecycle.end(FakeStats(web1=OK))
    assert wiring.store.durations(partial.history_key) == []


def test_a_late_duration_alert_is_never_queued_after_the_resolves_of_the_end_of_the_run(tmp_path):
    building = threading.Event()
    finished = threading.Event()

    class SlowEvents(EventBuilder):
        def running_long(self, run, elapsed):      # the timer has seen the run still going, and builds its alert
            building.set()
            finished.wait(2)
            return super(SlowEvents, self).running_long(run, elapsed)

    pagerduty = FakePagerDuty()
    wiring = Wiring(tmp_path, pagerduty, builder=SlowEvents, on_avg_duration=True)
    slow = run()
    for seconds in (1, 1, 1):
        wiring.store.record_duration(slow.history_key, seconds)
    wiring.lifecycle.start(slow)
    timer, = wiring.timers
    timer = threading.Thread(target=timer.fire)
    timer.start()
    assert building.wait(5)
    end = threading.Thread(target=lambda: (wiring.lifecycle.end(FakeStats()), finished.set()))
    end.start()
    end.join(10)
    timer.join(10)
    assert pagerduty.actions() == [
        ("trigger", slow.dedup_key + ":duration"), ("resolve", slow.dedup_key),
        ("resolve", slow.dedup_key + ":duration")]


def test_an_internal_error_of_the_duration_check_is_one_warning_at_the_end(tmp_path):
    class BrokenEvents(EventBuilder):
        def running_long(self, run, elapsed):
            raise KeyError("average")

    wiring = Wiring(tmp_path, FakePagerDuty(), builder=BrokenEvents, on_avg_duration=True)
    broken = run()
    for seconds in (1, 1, 1):
        wiring.store.record_duration(broken.history_key, seconds)
    wiring.lifecycle.start(broken)
    timer, = wiring.timers
    timer.fire()
    wiring.lifecycle.end(FakeStats(web1=OK))
    assert wiring.display.warnings == ["oncall.pagerduty.notify: internal error in the duration check: 'average'"]
    assert any("Traceback" in line for line in wiring.display.verbose)
