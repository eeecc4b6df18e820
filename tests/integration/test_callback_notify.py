"""The oncall.pagerduty.notify callback: real ansible-playbook / ansible runs with the callback enabled.

Each test gets its own state directory (spool and duration history) under its tmp_path.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from pd_harness import PLATFORM_KEY, ROUTING_KEY, SECRETS, TARGETS

NOTIFY = "oncall.pagerduty.notify"
PLAY = "callback_notify/play.yml"
CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
SECRET = "hunter2-no-log-secret-value"
RESULT_SECRET = "only-in-the-result-3f9a61"     # (never in a task's arguments: read from a file as the task runs)
ARGUMENT_MARKER = "argument-marker-7c1e"
# The command module prints when it ran; nothing else in these plays depends on time.
TIMING = re.compile(r'"(delta|end|start)": "[^"]*"')


def notify_env(tmp_path, **options):
    env = {
        "ANSIBLE_CALLBACKS_ENABLED": NOTIFY,
        "PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        "PAGERDUTY_NOTIFY_STATE_DIR": str(tmp_path / "state"),
        # short bounds, so that the runs with PagerDuty in trouble stay quick
        "PAGERDUTY_NOTIFY_TIMEOUT": "1",
        "PAGERDUTY_NOTIFY_MAX_RETRY_WAIT": "1",
        "PAGERDUTY_NOTIFY_DELIVERY_TIMEOUT": "5",
    }
    for name, value in options.items():
        env[name if name.isupper() else "PAGERDUTY_NOTIFY_" + name.upper()] = str(value)
    return env


# PagerDuty failing all along: the end of the run tries again until delivery_timeout, so keep that short
DOWN = {"PAGERDUTY_NOTIFY_DELIVERY_TIMEOUT": "1"}


def playbook_with(ansible, name, options, variables=None, env=None, expect_rc=0):
    """ansible-playbook NAME with extra command-line ``options`` (--limit, --tags, ...), through the harness."""
    values = {"sim_url": ansible.sim.url}
    values.update(variables or {})
    vars_file = ansible.tmp_path / ("vars-with-%d.json" % len(ansible.runs))
    vars_file.write_text(json.dumps(values))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(TARGETS, name),
               "-i", "localhost,", "-c", "local", "-e", "@%s" % vars_file] + list(options)
    return ansible._run(command, ansible.env(env), expect_rc)


# A shell without job control starts a background command (`.ci/run &`) with SIGINT ignored, its children too,
# and ansible-core 2.16 then never sees the tests' Ctrl-C. Commands that get one start through this, which gives
# them SIGINT as a terminal does and then becomes the command (same process, so the signal reaches it).
WITH_DEFAULT_SIGINT = [sys.executable, "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                       "os.execv(sys.argv[1], sys.argv[1:])"]


def started(ansible, tmp_path, name, variables, env):
    """ansible-playbook started in the background (output to files: see _stopped_run); (process, out, err)."""
    vars_file = tmp_path / ("bg-vars-%s.json" % name)
    vars_file.write_text(json.dumps(dict({"sim_url": ansible.sim.url}, **variables)))
    command = WITH_DEFAULT_SIGINT + [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                                     os.path.join(TARGETS, PLAY),
                                     "-i", "localhost,", "-c", "local", "-e", "@%s" % vars_file]
    out, err = tmp_path / ("%s.out" % name), tmp_path / ("%s.err" % name)
    with open(str(out), "w") as stdout, open(str(err), "w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=ansible.env(env), cwd=str(tmp_path))
    return process, out, err


def until(condition, what, process=None, attempts=2400):
    for _attempt in range(attempts):
        if condition():
            return
        assert process is None or process.poll() is None, "the run ended before %s" % what
        time.sleep(0.05)
    raise AssertionError("timed out waiting until %s" % what)


def finished(process, out, err):
    try:
        rc = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    stdout, stderr = out.read_text(), err.read_text()
    leaked = [secret for secret in SECRETS if secret in stdout + stderr]
    assert not leaked, stdout + stderr
    return rc, stdout, stderr


def claim_files(tmp_path):
    state = tmp_path / "state"
    return sorted(p.name for p in state.iterdir() if p.name.startswith("claimed-")) if state.exists() else []


def alerts(sim):
    return sim.events()["events"]


def enqueued(sim):
    return [r for r in sim.requests("events") if r["path"] == "/v2/enqueue"]


def spool(tmp_path):
    path = tmp_path / "state" / "spool.json"
    return (json.loads(path.read_text())["events"], path.read_text()) if path.exists() else ([], "")


def history(tmp_path):
    path = tmp_path / "state" / "history.json"
    return json.loads(path.read_text())["runs"] if path.exists() else {}


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://127.0.0.1:%d" % port


def _warning_blocks(stderr):
    """The callback's warnings (Ansible may wrap one over several lines) and the rest of stderr."""
    found, rest, block = [], [], None
    for line in stderr.splitlines():
        if line.startswith("[WARNING]: %s:" % NOTIFY):
            block = [line[len("[WARNING]: "):]]
            found.append(block)
        elif block is not None and line and not line.startswith("["):
            block.append(line)
        else:
            block = None
            rest.append(line)
    return [" ".join(lines) for lines in found], rest


def warnings(run):
    return _warning_blocks(run.stderr)[0]


def other_stderr(run):
    return _warning_blocks(run.stderr)[1]


def normalised(text):
    return TIMING.sub('"\\1": "-"', text)


def failing_vars(**extra):
    variables = {"with_failure": True, "argument_marker": ARGUMENT_MARKER}
    variables.update(extra)
    return variables


# -- failure, grouping, resolution --------------------------------------------------------------
def test_failures_group_into_one_alert_and_success_resolves_it(ansible, sim, tmp_path):
    env = notify_env(tmp_path)
    first = ansible.playbook(PLAY, failing_vars(with_unreachable_host=True), env=env, expect_rc=None)
    assert first.rc in (2, 4), first
    assert warnings(first) == [], first

    event, = alerts(sim)
    payload = event["payload"]
    details = payload["custom_details"]
    key = event["dedup_key"]
    assert re.match(r"^ansible:play\.yml:[0-9a-f]{16}$", key)
    assert event["event_action"] == "trigger" and payload["severity"] == "error" and payload["class"] == "failure"
    # (the command module's message changed wording in ansible-core 2.19)
    command_failed = r"(The command exited with a|)\s?non-zero return code\.?; rc=1"
    assert re.match(r"^Ansible playbook play\.yml failed: 1 failed, 1 unreachable of 2 hosts \(ghost\.example\.invalid, "
                    r"localhost\) - task 'Break on purpose' on localhost: %s$" % command_failed, payload["summary"])
    assert payload["source"] == socket.gethostname()
    assert event["client"] == "Ansible"
    assert details["status"] == "failed"
    assert details["playbook"] == "play.yml" and details["plays"] == ["Add an unreachable host", "Do the work"]
    assert details["hosts"] == {"total": 2, "failed": ["localhost"], "unreachable": ["ghost.example.invalid"]}
    assert details["host_stats"]["localhost"]["failures"] == 1 and details["host_stats"]["localhost"]["ok"] >= 1
    assert details["host_stats"]["ghost.example.invalid"]["unreachable"] == 1
    failures = {(f["host"], f["task"]): f for f in details["failures"]}
    assert set(failures) == {("localhost", "Break on purpose"), ("ghost.example.invalid", "Say hello")}
    assert re.match("^%s$" % command_failed, failures[("localhost", "Break on purpose")]["message"])
    assert failures[("localhost", "Break on purpose")]["play"] == "Do the work"
    assert failures[("ghost.example.invalid", "Say hello")]["unreachable"] is True
    assert "connection refused" in failures[("ghost.example.invalid", "Say hello")]["message"]
    # the failing task's arguments are not sent, though they were printed by the play
    assert ARGUMENT_MARKER in first.stdout
    assert ARGUMENT_MARKER not in json.dumps(sim.events())
    incident, = sim.incidents(incident_key=key)
    assert incident["status"] == "triggered"

    ansible.playbook(PLAY, failing_vars(with_unreachable_host=True), env=env, expect_rc=first.rc)
    events = alerts(sim)
    assert [(e["event_action"], e["dedup_key"]) for e in events] == [("trigger", key), ("trigger", key)]
    incident, = sim.incidents(incident_key=key)
    assert incident["status"] == "triggered"

    # failures that are ignored or rescued do not make a run fail: it resolves the alert
    success = ansible.playbook(PLAY, {"with_handled_failures": True}, env=env)
    assert "ignored=1" in success.stdout and "rescued=1" in success.stdout
    events = alerts(sim)
    assert [(e["event_action"], e["dedup_key"]) for e in events] == [("trigger", key)] * 2 + [("resolve", key)]
    incident, = sim.incidents(incident_key=key)
    assert incident["status"] == "resolved"
    assert len(sim.incidents()) == 1


def test_failure_summary_names_the_failure_that_ended_the_host_not_a_rescued_one(ansible, sim, tmp_path):
    run = ansible.playbook(PLAY, failing_vars(with_handled_failures=True), env=notify_env(tmp_path), expect_rc=2)
    assert "rescued=1" in run.stdout and "failed=1" in run.stdout
    event, = alerts(sim)
    assert " - task 'Break on purpose' on localhost: " in event["payload"]["summary"]
    assert "Fail inside a block" not in json.dumps(event)
    failure, = event["payload"]["custom_details"]["failures"]
    assert (failure["host"], failure["task"]) == ("localhost", "Break on purpose")


def test_each_playbook_and_inventory_has_its_own_alert(ansible, sim, tmp_path):
    env = notify_env(tmp_path)
    ansible.playbook(PLAY, failing_vars(), env=env, expect_rc=2)
    ansible.playbook("callback_notify/other.yml", env=env, expect_rc=2)
    first, other = alerts(sim)
    assert first["dedup_key"] != other["dedup_key"] and other["dedup_key"].startswith("ansible:other.yml:")
    assert len(sim.incidents()) == 2


# -- the optional triggers ----------------------------------------------------------------------
def test_start_event_is_triggered_first_and_resolved_at_the_end(ansible, sim, tmp_path):
    ansible.playbook(PLAY, env=notify_env(tmp_path, on_start="true"))
    start, resolve_failure, resolve_start = alerts(sim)
    key = resolve_failure["dedup_key"]
    assert start["event_action"] == "trigger" and start["dedup_key"] == key + ":start"
    assert start["payload"]["severity"] == "info" and start["payload"]["class"] == "start"
    assert start["payload"]["summary"] == "Ansible playbook play.yml started on %s" % socket.gethostname()
    assert start["payload"]["custom_details"]["status"] == "started"
    assert (resolve_failure["event_action"], resolve_start["event_action"]) == ("resolve", "resolve")
    assert resolve_start["dedup_key"] == key + ":start"
    incident, = sim.incidents(incident_key=key + ":start")
    assert incident["status"] == "resolved"


def test_retry_of_an_until_task_triggers_once(ansible, sim, tmp_path):
    run = ansible.playbook(PLAY, {"with_retry": True}, env=notify_env(tmp_path, on_retry="true"))
    assert run.stdout.count("FAILED - RETRYING") == 2
    # the retries left, as Ansible itself counts them (the count differs between ansible-core versions)
    left = int(re.search(r"FAILED - RETRYING: \[localhost\]: Flaky step \((\d+) retries left\)", run.stdout).group(1))
    retry, resolve_failure, resolve_retry = alerts(sim)
    key = resolve_failure["dedup_key"]
    assert retry["dedup_key"] == key + ":retry" and retry["payload"]["severity"] == "warning"
    assert retry["payload"]["class"] == "retry"
    assert retry["payload"]["summary"] == ("Ansible playbook play.yml: task 'Flaky step' failed on localhost and is "
                                           "being retried (%d retries left): its until condition is not met yet" % left)
    details = retry["payload"]["custom_details"]
    assert (details["task"], details["host"], details["status"], details["retries_left"]) == \
        ("Flaky step", "localhost", "retrying", left)
    assert resolve_retry == dict(resolve_retry, event_action="resolve", dedup_key=key + ":retry")
    assert sim.incidents(incident_key=key + ":retry")[0]["status"] == "resolved"


def test_avg_duration_event_while_the_run_is_still_going(ansible, sim, tmp_path):
    env = notify_env(tmp_path, on_avg_duration="true", avg_duration_min_runs=2, avg_duration_factor=1,
                     avg_duration_min_seconds=0)
    # two short runs make the history; they cannot trigger (fewer than avg_duration_min_runs runs before them)
    ansible.playbook(PLAY, env=env)
    ansible.playbook(PLAY, env=env)
    runs, = history(tmp_path).values()
    assert len(runs["durations"]) == 2
    assert [e for e in alerts(sim) if e["event_action"] == "trigger"] == []

    # the long run waits, inside the play, until PagerDuty has the "running long" alert: it can only end
    # successfully if the alert arrived while the play was still running
    run = ansible.playbook(PLAY, {"wait_for_duration_event": True}, env=env)
    assert "Wait until PagerDuty has the running-long alert" in run.stdout
    events = alerts(sim)[4:]
    duration = events[0]
    key = events[1]["dedup_key"]
    assert duration["event_action"] == "trigger" and duration["dedup_key"] == key + ":duration"
    assert duration["payload"]["class"] == "avg_duration" and duration["payload"]["severity"] == "warning"
    assert " is still running after " in duration["payload"]["summary"]
    details = duration["payload"]["custom_details"]
    assert details["status"] == "running long" and details["previous_runs"] == 2
    assert details["average_seconds"] == round(sum(runs["durations"]) / 2, 1)
    assert details["elapsed_seconds"] >= details["average_seconds"]
    assert [(e["event_action"], e["dedup_key"]) for e in events[1:]] == [("resolve", key), ("resolve", key + ":duration")]
    assert sim.incidents(incident_key=key + ":duration")[0]["status"] == "resolved"
    assert len(history(tmp_path)[key]["durations"]) == 3

    # a factor of 0 would trigger at once; avg_duration_min_seconds holds it back for short runs
    ansible.playbook(PLAY, env=dict(env, PAGERDUTY_NOTIFY_AVG_DURATION_FACTOR="0",
                                    PAGERDUTY_NOTIFY_AVG_DURATION_MIN_SECONDS="3600"))
    assert [e["event_action"] for e in alerts(sim)[7:]] == ["resolve", "resolve"]


def test_check_runs_never_resolve_and_partial_runs_stay_out_of_the_history(ansible, sim, tmp_path):
    ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path), expect_rc=2)
    failure, = alerts(sim)
    key = failure["dedup_key"]

    # a successful --check run resolves only the start alert it opened itself; the failure stays open
    ansible.playbook(PLAY, check=True, env=notify_env(tmp_path, on_start="true"))
    assert [(e["event_action"], e["dedup_key"]) for e in alerts(sim)[1:]] == \
        [("trigger", key + ":start"), ("resolve", key + ":start")]
    assert sim.incidents(incident_key=key)[0]["status"] == "triggered"
    assert history(tmp_path) == {}

    # a run of part of the playbook resolves, but its duration is not the playbook's (the other options that make
    # a partial run: test_notify_callback.py)
    playbook_with(ansible, PLAY, ["--limit", "localhost"], env=notify_env(tmp_path))
    assert [(e["event_action"], e["dedup_key"]) for e in alerts(sim)[3:]] == [("resolve", key)]
    assert sim.incidents(incident_key=key)[0]["status"] == "resolved"
    assert history(tmp_path) == {}


ABORTED_PLAY = """\
- name: First play works
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: hello

- name: Second play cannot start
  hosts: "{{ undefined_host_pattern }}"
  tasks: []
"""


def test_run_stopped_by_an_error_triggers_the_failure_alert(ansible, sim, tmp_path):
    # (written here, not in targets/: ansible-lint's syntax check would refuse it)
    playbook = tmp_path / "aborted.yml"
    playbook.write_text(ABORTED_PLAY)
    plain = ansible.playbook(str(playbook), expect_rc=None)
    run = ansible.playbook(str(playbook), env=notify_env(tmp_path), expect_rc=plain.rc)
    assert plain.rc != 0 and "undefined_host_pattern" in run.stderr and "PLAY RECAP" not in run.stdout
    assert run.stdout == plain.stdout and run.stderr == plain.stderr
    event, = alerts(sim)
    assert event["event_action"] == "trigger"
    assert event["payload"]["summary"].startswith("Ansible playbook aborted.yml was aborted after ")
    assert event["payload"]["custom_details"]["status"] == "aborted"
    assert event["payload"]["custom_details"]["plays"] == ["First play works"]


def _stopped_run(ansible, tmp_path, signum, env):
    """ansible-playbook stopped with ``signum`` while it runs a task; returns (exit code, stdout, stderr)."""
    vars_file = tmp_path / "sleep-vars.json"
    marker = tmp_path / "sleeping"
    if marker.exists():
        marker.unlink()
    vars_file.write_text(json.dumps({"with_sleep": True, "sleep_marker": str(marker), "sim_url": ansible.sim.url}))
    command = WITH_DEFAULT_SIGINT + [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                                     os.path.join(TARGETS, PLAY),
                                     "-i", "localhost,", "-c", "local", "-e", "@%s" % vars_file]
    # files, not pipes: on ansible-core 2.16 the task's orphaned `sleep` keeps pipes open after the main process ends
    with open(str(tmp_path / "out"), "w+") as out, open(str(tmp_path / "err"), "w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=ansible.env(env), cwd=str(tmp_path))
        try:
            # the task's command has started: ansible-playbook is now waiting for it (a signal any earlier can
            # hit ansible-core 2.19+ while it starts the task, where it may swallow the KeyboardInterrupt)
            for attempt in range(1200):
                if marker.exists() or process.poll() is not None:
                    break
                time.sleep(0.05)
            process.send_signal(signum)
            rc = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
    stdout, stderr = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    leaked = [secret for secret in SECRETS if secret in stdout + stderr]
    assert not leaked, stdout + stderr
    return rc, stdout, stderr


@pytest.mark.parametrize("signum, words", [(signal.SIGINT, "was aborted after"),
                                           (signal.SIGTERM, "was terminated (SIGTERM) after")])
def test_run_stopped_by_a_signal_triggers_the_failure_alert(ansible, sim, tmp_path, signum, words):
    plain_rc = _stopped_run(ansible, tmp_path, signum, {"PAGERDUTY_NOTIFY_STATE_DIR": str(tmp_path)})[0]
    rc, stdout, stderr = _stopped_run(ansible, tmp_path, signum, notify_env(tmp_path))
    assert rc == plain_rc and rc in (99, -signal.SIGTERM)   # Ctrl-C: 99; SIGTERM: killed by the signal
    event, = alerts(sim)
    assert event["event_action"] == "trigger" and words in event["payload"]["summary"]
    assert event["payload"]["custom_details"]["status"] == "aborted"


# -- PagerDuty in trouble: the play does not notice, nothing is lost ---------------------------------
@pytest.mark.parametrize("trouble", ["unreachable", "error_500", "slow", "hanging", "not_found"])
def test_pagerduty_trouble_changes_neither_output_nor_exit_code(ansible, sim, tmp_path, trouble):
    plain = ansible.playbook(PLAY, failing_vars(), env={"PAGERDUTY_NOTIFY_STATE_DIR": str(tmp_path)}, expect_rc=2)

    env = notify_env(tmp_path, **DOWN)
    if trouble == "unreachable":
        env["PAGERDUTY_EVENTS_URL"] = closed_port_url()
    elif trouble == "error_500":
        sim.fault(path="^/v2/enqueue$", status=500, count=None)
    elif trouble == "slow":
        # PagerDuty takes the event at once but answers only after the client gave up waiting
        sim.fault(path="^/v2/enqueue$", latency=3, after=True, count=None)
    elif trouble == "hanging":
        # PagerDuty holds the request far longer than the end of the run may wait, and the client would wait
        # longer still: delivery_timeout alone bounds the run (the late answer is an error, so nothing lands later)
        env.update(PAGERDUTY_NOTIFY_TIMEOUT="300", PAGERDUTY_NOTIFY_DELIVERY_TIMEOUT="1")
        sim.fault(path="^/v2/enqueue$", latency=120, status=503, count=None)
    else:
        env["PAGERDUTY_EVENTS_URL"] = sim.url + "/not-the-events-api"
    troubled = ansible.playbook(PLAY, failing_vars(), env=env, expect_rc=plain.rc)
    assert normalised(troubled.stdout) == normalised(plain.stdout)
    warning, = warnings(troubled)
    assert "1 PagerDuty event(s) not delivered" in warning and "sent first at the next run" in warning
    assert other_stderr(troubled) == plain.stderr.splitlines()
    if trouble == "hanging":
        assert "PagerDuty did not answer within 1 s" in warning
        # the run ended while PagerDuty still held its request
        assert [r["status"] for r in enqueued(sim)] == [None]
    elif trouble == "not_found":
        # a wrong URL is no reason to drop the event, nor to try again and again within the run
        assert "Events API error 404" in warning and "check events_url" in warning
        assert [(r["path"], r["status"]) for r in sim.requests()] == [("/not-the-events-api/v2/enqueue", 404)]
    elif trouble == "slow":
        # (every late answer given before the next run starts: none may land in the middle of it)
        until(lambda: all(r["status"] is not None for r in enqueued(sim)), "PagerDuty answered")

    spooled, text = spool(tmp_path)
    entry, = spooled
    assert entry["event"]["event_action"] == "trigger" and entry["event"]["payload"]["class"] == "failure"
    assert entry["key"].startswith("sha256:") and ROUTING_KEY not in text and "routing_key" not in text
    if trouble != "slow":
        assert alerts(sim) == []
    else:
        # taken by PagerDuty (once per attempt), but the callback never heard so: spooled all the same
        assert {e["dedup_key"] for e in alerts(sim)} == {entry["event"]["dedup_key"]}
    sim.call("DELETE", "/_sim/faults")

    # the next run sends the spooled failure first, then its own resolve: the incident ends resolved
    sim.call("DELETE", "/_sim/requests")
    ansible.playbook(PLAY, env=notify_env(tmp_path))
    sent = enqueued(sim)
    assert [(r["body"]["event_action"], r["status"]) for r in sent] == [("trigger", 202), ("resolve", 202)]
    assert sent[0]["body"]["payload"]["timestamp"] == entry["event"]["payload"]["timestamp"]
    assert sent[0]["body"]["dedup_key"] == sent[1]["body"]["dedup_key"] == entry["event"]["dedup_key"]
    assert spool(tmp_path)[0] == []
    incident, = sim.incidents(incident_key=entry["event"]["dedup_key"])
    assert incident["status"] == "resolved"


def test_a_brief_pagerduty_error_is_tried_again_within_the_run(ansible, sim, tmp_path):
    # the start alert fails at the start, and again when the failure alert is queued; the end of the run
    # tries again and delivers everything, in order (without retries within one try: max_retry_wait=0)
    sim.fault(path="^/v2/enqueue$", status=500, count=2)
    run = ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path, on_start="true", max_retry_wait=0),
                           expect_rc=2)
    assert warnings(run) == [] and spool(tmp_path)[0] == []
    key = alerts(sim)[1]["dedup_key"]
    assert [(e["event_action"], e["dedup_key"]) for e in alerts(sim)] == \
        [("trigger", key + ":start"), ("trigger", key), ("resolve", key + ":start")]
    assert [(r["body"]["dedup_key"], r["status"]) for r in enqueued(sim)] == \
        [(key + ":start", 500), (key + ":start", 500), (key + ":start", 202), (key, 202), (key + ":start", 202)]


def test_ctrl_c_while_the_end_of_the_run_waits_spools_and_keeps_the_exit_code(ansible, sim, tmp_path):
    sim.fault(path="^/v2/enqueue$", latency=120, status=503, count=None)
    env = notify_env(tmp_path, timeout=300, delivery_timeout=300)
    process, out, err = started(ansible, tmp_path, "interrupted", failing_vars(), env)
    # the failure alert is sent only at the end of the run: once PagerDuty holds it, the run is waiting
    until(lambda: enqueued(sim), "the end of the run sent the failure alert", process)
    process.send_signal(signal.SIGINT)
    rc, stdout, stderr = finished(process, out, err)
    assert rc == 2 and "PLAY RECAP" in stdout and "Traceback" not in stderr, stdout + stderr
    warning, = _warning_blocks(stderr)[0]
    assert "1 PagerDuty event(s) not delivered (the wait for PagerDuty was interrupted)" in warning
    entry, = spool(tmp_path)[0]
    assert entry["event"]["event_action"] == "trigger" and entry["event"]["payload"]["class"] == "failure"


def test_runs_at_the_same_time_never_send_the_same_spooled_event(ansible, sim, tmp_path):
    sim.fault(path="^/v2/enqueue$", status=500, count=None)
    ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path, **DOWN), expect_rc=2)
    (spooled,), _text = spool(tmp_path)
    stamp = spooled["event"]["payload"]["timestamp"]
    sim.call("DELETE", "/_sim/requests")

    def sent_spooled():
        return [r["status"] for r in enqueued(sim) if (r["body"].get("payload") or {}).get("timestamp") == stamp]

    # a run takes the spooled alert (PagerDuty still fails it) and goes on, held by the test
    marker, release = tmp_path / "holding", tmp_path / "release"
    holding, out, err = started(ansible, tmp_path, "holding", {"hold_marker": str(marker), "hold_release": str(release)},
                                notify_env(tmp_path, max_retry_wait=0, **DOWN))
    try:
        until(marker.exists, "the run holds", holding)
        until(lambda: sent_spooled() == [500], "the holding run tried the spooled alert", holding)
        sim.call("DELETE", "/_sim/faults")
        # meanwhile another run, with PagerDuty fine again, leaves the alert to the run that took it
        ansible.playbook(PLAY, env=notify_env(tmp_path))
        assert sent_spooled() == [500] and len(claim_files(tmp_path)) == 1
        # the holding run is killed (SIGKILL: no chance to put its alert back); the next run sends it
        holding.kill()
        finished(holding, out, err)
    finally:
        release.write_text("")      # (the killed run's task ends too)
    ansible.playbook(PLAY, env=notify_env(tmp_path))
    assert sent_spooled() == [500, 202]
    assert spool(tmp_path)[0] == [] and claim_files(tmp_path) == []


def test_rate_limit_is_waited_out_within_the_run(ansible, sim, tmp_path):
    plain = ansible.playbook(PLAY, failing_vars(), env={"PAGERDUTY_NOTIFY_STATE_DIR": str(tmp_path)}, expect_rc=2)
    sim.fault(path="^/v2/enqueue$", status=429, headers={"ratelimit-reset": "1"}, count=1)
    run = ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path, max_retry_wait=5), expect_rc=2)
    assert normalised(run.stdout) == normalised(plain.stdout) and run.stderr == plain.stderr
    assert [r["status"] for r in enqueued(sim)] == [429, 202]
    assert len(alerts(sim)) == 1 and spool(tmp_path)[0] == []


def test_spooled_events_are_sent_in_order(ansible, sim, tmp_path):
    sim.fault(path="^/v2/enqueue$", status=503, count=None)
    ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path, on_start="true", **DOWN), expect_rc=2)
    ansible.playbook(PLAY, env=notify_env(tmp_path, **DOWN))
    spooled = [(e["event"]["event_action"], e["event"]["dedup_key"]) for e in spool(tmp_path)[0]]
    key = spooled[1][1]
    assert spooled == [("trigger", key + ":start"), ("trigger", key), ("resolve", key + ":start"), ("resolve", key)]
    sim.call("DELETE", "/_sim/faults")

    ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path), expect_rc=2)
    assert [(e["event_action"], e["dedup_key"]) for e in alerts(sim)] == spooled + [("trigger", key)]
    assert spool(tmp_path)[0] == []
    assert sim.incidents(incident_key=key + ":start")[0]["status"] == "resolved"
    assert [i["status"] for i in sim.incidents(incident_key=key)] == ["resolved", "triggered"]


def test_spool_holds_no_routing_key_and_is_sent_only_with_the_same_key(ansible, sim, tmp_path):
    sim.fault(path="^/v2/enqueue$", status=500, count=None)
    ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path, **DOWN), expect_rc=2)
    sim.call("DELETE", "/_sim/faults")
    spooled, text = spool(tmp_path)
    assert len(spooled) == 1 and ROUTING_KEY not in text

    # a run configured for another service leaves the checkout service's spooled event alone
    ansible.playbook(PLAY, env=notify_env(tmp_path, PAGERDUTY_ROUTING_KEY=PLATFORM_KEY))
    resolve, = alerts(sim)
    assert resolve["event_action"] == "resolve" and resolve["service_id"] == "PSVCPLT"
    assert spool(tmp_path)[0] == spooled

    ansible.playbook(PLAY, env=notify_env(tmp_path))
    assert [(e["event_action"], e["service_id"]) for e in alerts(sim)[1:]] == \
        [("trigger", "PSVCCHK"), ("resolve", "PSVCCHK")]
    assert spool(tmp_path)[0] == []


def test_refused_event_is_dropped_with_one_warning(ansible, sim, tmp_path):
    run = ansible.playbook(PLAY, failing_vars(), env=notify_env(tmp_path, PAGERDUTY_ROUTING_KEY="x" * 32),
                           expect_rc=2)
    warning, = warnings(run)
    assert "PagerDuty refused 1 event(s), which were dropped" in warning and "Invalid routing key" in warning
    assert spool(tmp_path)[0] == [] and alerts(sim) == []


# -- secrets ------------------------------------------------------------------------------------------
def test_no_log_result_and_routing_key_never_leave(ansible, sim, tmp_path):
    result_secret = tmp_path / "result-secret"
    result_secret.write_text(RESULT_SECRET)
    variables = {"with_secret_failure": True, "no_log_secret": SECRET, "result_secret_file": str(result_secret)}
    sim.fault(path="^/v2/enqueue$", status=500, count=None)
    first = ansible.playbook(PLAY, variables, env=notify_env(tmp_path, **DOWN), expect_rc=2, verbose=4)
    assert "Loading callback plugin %s" % NOTIFY in first.stdout, "the run was not at -vvvv"
    spooled, text = spool(tmp_path)
    assert len(spooled) == 1 and SECRET not in text and RESULT_SECRET not in text and ROUTING_KEY not in text
    sim.call("DELETE", "/_sim/faults")

    second = ansible.playbook(PLAY, variables, env=notify_env(tmp_path), expect_rc=2, verbose=4)
    assert "%s: PagerDuty took 2 event(s)" % NOTIFY in second.stdout
    for run in (first, second):
        # (the harness fails the test if the routing key is printed)
        assert SECRET not in run.output and RESULT_SECRET not in run.output
    events = alerts(sim)
    assert len(events) == 2
    failure, = events[1]["payload"]["custom_details"]["failures"]
    assert failure == {"host": "localhost", "task": "Fail with a secret", "message": CENSORED, "play": "Do the work"}
    text = json.dumps(sim.events()) + json.dumps(sim.requests())
    assert SECRET not in text and RESULT_SECRET not in text and ROUTING_KEY not in text


# -- context and configuration -----------------------------------------------------------------------
def test_rundeck_context_and_steps(ansible, sim, tmp_path):
    rundeck = {"RD_JOB_NAME": "Deploy checkout", "RD_JOB_GROUP": "ops", "RD_JOB_PROJECT": "shop", "RD_JOB_ID": "a1b2",
               "RD_JOB_EXECID": "42", "RD_JOB_USERNAME": "grace", "RD_JOB_SERVERURL": "https://rundeck.example.com/"}
    # two steps of one execution: the first fails, the second (another playbook) succeeds; Rundeck passes the
    # job's nodes with --limit
    playbook_with(ansible, "callback_notify/other.yml", ["--limit", "localhost"], env=notify_env(tmp_path, **rundeck),
                  expect_rc=2)
    playbook_with(ansible, PLAY, ["--limit", "localhost"], env=notify_env(tmp_path, **rundeck))
    event, resolve = alerts(sim)
    assert (event["event_action"], event["dedup_key"]) == ("trigger", "rundeck:shop:a1b2:other.yml")
    assert (resolve["event_action"], resolve["dedup_key"]) == ("resolve", "rundeck:shop:a1b2:play.yml")
    assert sim.incidents(incident_key=event["dedup_key"])[0]["status"] == "triggered"
    assert list(history(tmp_path)) == ["rundeck:shop:a1b2:play.yml"]
    url = "https://rundeck.example.com/project/shop/execution/show/42"
    assert event["payload"]["summary"].startswith("Rundeck job 'ops/Deploy checkout' #42 failed: 1 failed of 1 host")
    assert event["client"] == "Rundeck" and event["client_url"] == url
    assert event["links"] == [{"href": url, "text": "Rundeck execution #42"}]
    assert event["payload"]["custom_details"]["rundeck"] == {
        "job_name": "Deploy checkout", "job_group": "ops", "project": "shop", "job_id": "a1b2", "execution_id": "42",
        "user": "grace", "server_url": "https://rundeck.example.com/", "execution_url": url}


def test_options_from_ansible_cfg(ansible, sim, tmp_path):
    config = tmp_path / "ansible.cfg"
    config.write_text("\n".join([
        "[defaults]",
        "callbacks_enabled = %s" % NOTIFY,
        "[callback_pagerduty_notify]",
        "routing_key = %s" % ROUTING_KEY,
        "events_url = %s" % sim.url,
        "state_dir = %s" % (tmp_path / "state"),
        "failure_severity = critical",
        "summary = [shop] {message}",
        "source = {playbook} on {controller}",
        "component = checkout",
        "group = {failed_count} of {host_count}",
        "class = ansible {trigger}",
        "dedup_key = deploy-{playbook}",
        "images = https://grafana.example.com/render/a.png",
        "links = https://runbooks.example.com/checkout",
        'custom_details = {"environment": "production", "status": "overridden by the callback"}',
    ]) + "\n")
    # at -vvvv too, the routing key from ansible.cfg is printed nowhere (the harness checks every run's output)
    run = ansible.playbook(PLAY, failing_vars(), env={"ANSIBLE_CONFIG": str(config)}, expect_rc=2, verbose=4)
    assert "Loading callback plugin %s" % NOTIFY in run.stdout and ROUTING_KEY not in run.output
    event, = alerts(sim)
    payload = event["payload"]
    assert event["dedup_key"] == "deploy-play.yml"
    assert payload["severity"] == "critical" and payload["summary"].startswith("[shop] Ansible playbook play.yml failed")
    assert payload["source"] == "play.yml on %s" % socket.gethostname()
    assert (payload["component"], payload["group"], payload["class"]) == ("checkout", "1 of 1", "ansible failure")
    assert event["images"] == [{"src": "https://grafana.example.com/render/a.png"}]
    assert event["links"] == [{"href": "https://runbooks.example.com/checkout"}]
    assert payload["custom_details"]["environment"] == "production"
    assert payload["custom_details"]["status"] == "failed"


def test_missing_routing_key_warns_once_and_changes_nothing_else(ansible, sim, tmp_path):
    plain = ansible.playbook(PLAY, failing_vars(), env={"PAGERDUTY_NOTIFY_STATE_DIR": str(tmp_path)}, expect_rc=2)
    env = notify_env(tmp_path)
    del env["PAGERDUTY_ROUTING_KEY"]
    run = ansible.playbook(PLAY, failing_vars(), env=env, expect_rc=2)
    assert normalised(run.stdout) == normalised(plain.stdout)
    warning, = warnings(run)
    assert "no routing key" in warning and "notifications are off" in warning
    assert sim.requests() == []


def test_adhoc_command(ansible, sim, tmp_path):
    env = notify_env(tmp_path, ANSIBLE_LOAD_CALLBACK_PLUGINS="true")
    ansible.adhoc("ansible.builtin.command", "false", env=env, expect_rc=2)
    event, = alerts(sim)
    key = event["dedup_key"]
    assert key.startswith("ansible:adhoc-command:")
    assert event["payload"]["summary"].startswith("Ansible ad hoc ansible.builtin.command on localhost failed: 1 failed "
                                                  "of 1 host (localhost) - task ")
    assert event["payload"]["custom_details"]["module"] == "ansible.builtin.command"
    assert "playbook" not in event["payload"]["custom_details"]
    # the same module on the same hosts, now succeeding, resolves the alert
    ansible.adhoc("ansible.builtin.command", "true", env=env)
    assert (alerts(sim)[1]["event_action"], alerts(sim)[1]["dedup_key"]) == ("resolve", key)
    assert sim.incidents(incident_key=key)[0]["status"] == "resolved"
