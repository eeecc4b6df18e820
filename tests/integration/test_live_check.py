"""The live check (tests/live) run against the simulator, as it runs against a real account: so that the check
PagerDuty users run by hand is known to work, and to stay in step with the modules."""

import os
import subprocess
import sys

from pd_harness import ADMIN_EMAIL, ADMIN_TOKEN, REPO, ROUTING_KEY, leaked_secrets


def test_the_live_check_passes_against_the_simulator(sim, tmp_path):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PAGERDUTY_")))
    env.update(PAGERDUTY_LIVE_API_TOKEN=ADMIN_TOKEN, PAGERDUTY_LIVE_FROM_EMAIL=ADMIN_EMAIL,
               PAGERDUTY_LIVE_ROUTING_KEY=ROUTING_KEY, PAGERDUTY_LIVE_API_URL=sim.url,
               PAGERDUTY_LIVE_EVENTS_URL=sim.url)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                          "--basetemp", str(tmp_path / "live"), os.path.join(REPO, "tests", "live")],
                         env=env, capture_output=True, text=True, timeout=600, check=False, cwd=REPO)
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout and "skipped" not in run.stdout, run.stdout[-2000:]
    assert not leaked_secrets(run.stdout + run.stderr)
    kinds = set((r["method"], r["path"].split("/")[1]) for r in sim.requests())
    assert {("POST", "users"), ("DELETE", "users"), ("PUT", "incidents"), ("POST", "maintenance_windows"),
            ("POST", "webhook_subscriptions"), ("DELETE", "webhook_subscriptions"), ("GET", "oncalls")} <= kinds
    users = sim.rest("GET", "/users?query=oncall-pagerduty-live")["users"]
    assert users == [], "the check removed what it created"
