#!/usr/bin/env bash
# `make demo`: set up .venv, start the PagerDuty simulator, run playbooks/demo.yml against it, show a summary.
# scripts/devenv.py puts the collection on Ansible's path, starts the simulator and points PAGERDUTY_* at it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/venv.sh .venv 3.12 requirements-test.txt
export PATH="$repo/.venv/bin:$PATH"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# The notify callback reports the run itself: a start event, then the resolves of a successful run.
export ANSIBLE_CALLBACKS_ENABLED=oncall.pagerduty.notify PAGERDUTY_NOTIFY_ON_START=true
export PAGERDUTY_NOTIFY_STATE_DIR="$repo/.cache/notify-state"
exec python scripts/devenv.py run --simulator -- bash -c 'set -e
  ansible-playbook playbooks/demo.yml "$@"
  python - <<PY
import json, os, urllib.request
log = json.load(urllib.request.urlopen(os.environ["PAGERDUTY_API_URL"] + "/_sim/requests"))["requests"]
print("\nThe simulator received %d requests (every one checked against PagerDuty\x27s OpenAPI documents):" % len(log))
for r in log:
    print("  %-6s %-32s %s" % (r["method"], r["path"], r["status"]))
PY
' demo "$@"
