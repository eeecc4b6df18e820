#!/usr/bin/env bash
# `tests/run ee`: the decision environment beside this file, checked as the execution environment is (its build
# context rendered by `ansible-builder create`, the collection installed from it, the dependencies introspected),
# including its own dependencies: ansible-rulebook and the Java runtime of its rule engine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
definition="$here/decision-environment.yml"
if ! grep -q 'ansible-rulebook' "$definition" || ! grep -q 'java-17-openjdk-headless' "$definition"; then
  echo "the decision environment must install ansible-rulebook and java-17-openjdk-headless"
  exit 1
fi
exec "$here/../../../execution-environment/check.sh" "$definition"
