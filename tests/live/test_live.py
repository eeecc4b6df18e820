"""The live check: the core scenarios against a real PagerDuty account, to catch where the simulator and PagerDuty
differ.  Opt in: it runs only when these are set, and is skipped with one line otherwise:

    PAGERDUTY_LIVE_API_TOKEN      a REST API key of a test account (full access)
    PAGERDUTY_LIVE_FROM_EMAIL     the email of a user of that account, who acts
    PAGERDUTY_LIVE_ROUTING_KEY    the Events API v2 integration key of a test service of that account
    PAGERDUTY_LIVE_REGION         us (default) or eu
    PAGERDUTY_LIVE_API_URL, PAGERDUTY_LIVE_EVENTS_URL   instead of the region: another endpoint (the integration
                                  tests run this check against the simulator this way, so that it is known to work)

    tests/run live               (or: .venv/bin/python -m pytest tests/live)

It works only in objects it creates and removes itself: a user (created, updated, read, deleted, then checked
gone), an incident opened by an alert event on the test service (acknowledged, annotated, resolved in bulk), who is
on call for that service (module and lookup), a maintenance window of that service (opened, read, ended), an
inactive webhook subscription of that service (created, deleted), a change event, and the notify callback's trigger
and resolve of its own run, read back from PagerDuty.  A failure leaves nothing open: the playbook cleans up in
``always``.
"""

import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NEEDED = ("PAGERDUTY_LIVE_API_TOKEN", "PAGERDUTY_LIVE_FROM_EMAIL", "PAGERDUTY_LIVE_ROUTING_KEY")
MISSING = [name for name in NEEDED if not os.environ.get(name)]

if MISSING:
    pytest.skip("live check against a real PagerDuty account: set %s to run it" % ", ".join(NEEDED),
                allow_module_level=True)

sys.path.insert(0, os.path.join(REPO, "scripts"))
import devenv  # noqa: E402


def live_env(tmp_path, **extra):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PAGERDUTY_")) or
               k.startswith("PAGERDUTY_LIVE_"))
    env.update(ANSIBLE_COLLECTIONS_PATH=devenv.link_collection(), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible"),
               PAGERDUTY_API_TOKEN=os.environ["PAGERDUTY_LIVE_API_TOKEN"],
               PAGERDUTY_FROM_EMAIL=os.environ["PAGERDUTY_LIVE_FROM_EMAIL"],
               PAGERDUTY_ROUTING_KEY=os.environ["PAGERDUTY_LIVE_ROUTING_KEY"],
               PAGERDUTY_REGION=os.environ.get("PAGERDUTY_LIVE_REGION", "us"))
    for name in ("API_URL", "EVENTS_URL"):
        if os.environ.get("PAGERDUTY_LIVE_" + name):
            env["PAGERDUTY_" + name] = os.environ["PAGERDUTY_LIVE_" + name]
    env.update(extra)
    return env


def playbook(tmp_path, name, extra_vars, env):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(HERE, name),
               "-i", "localhost,", "-c", "local", "-e", json.dumps(extra_vars)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    secrets = [os.environ[name] for name in ("PAGERDUTY_LIVE_API_TOKEN", "PAGERDUTY_LIVE_ROUTING_KEY")]
    assert not any(secret in run.stdout + run.stderr for secret in secrets), "a secret was printed"
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    return run


def test_the_modules_changed_then_unchanged_in_objects_of_their_own(tmp_path):
    stamp = "%d" % time.time()
    playbook(tmp_path, "modules.yml", {"stamp": stamp}, live_env(tmp_path))


def test_the_callback_triggers_and_resolves_its_own_alert(tmp_path):
    key = "oncall-pagerduty-live-callback-%d" % time.time()
    env = live_env(tmp_path, ANSIBLE_CALLBACKS_ENABLED="oncall.pagerduty.notify",
                   PAGERDUTY_NOTIFY_STATE_DIR=str(tmp_path / "state"), PAGERDUTY_NOTIFY_DEDUP_KEY=key)
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(HERE, "fails.yml"),
               "-i", "localhost,", "-c", "local"]
    failed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert failed.returncode == 2 and "[WARNING]: oncall.pagerduty.notify" not in failed.stderr, failed.stderr
    plain = live_env(tmp_path)      # (the checks themselves without the callback)
    playbook(tmp_path, "incident_of_key.yml", {"key": key, "status": "triggered"}, plain)
    playbook(tmp_path, "fails.yml", {"fail_now": False}, env)       # the same playbook succeeds: resolved
    playbook(tmp_path, "incident_of_key.yml", {"key": key, "status": "resolved"}, plain)
