#!/usr/bin/env bash
# Each role's Molecule scenario, against the simulator that `tests/run molecule` started (through
# scripts/devenv.py, which exports ANSIBLE_COLLECTIONS_PATH and PAGERDUTY_* for it). Molecule's output (every task
# of every playbook it ran) must hold no token or routing key.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
for role in "$repo"/roles/*/; do
  [ -d "$role/molecule" ] || continue
  echo "--- molecule test: ${role#"$repo"/}"
  out=$(mktemp)
  status=0
  (cd "$role" && PATH="$repo/.venv-molecule/bin:$PATH" molecule test) 2>&1 | tee "$out" || status=1
  "$repo/.venv/bin/python" "$repo/tests/integration/pd_harness.py" "$out" || status=1
  rm -f "$out"
  [ "$status" -eq 0 ] || exit 1
done
