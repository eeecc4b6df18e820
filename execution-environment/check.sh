#!/usr/bin/env bash
# `tests/run ee`: checks the execution environment definition beside this file (or the definition given, such as the
# decision environment extensions/eda/decision-environment/decision-environment.yml) without a container engine.
#
# 1. Builds the collection tarball and renders the build context with `ansible-builder create`.
# 2. Replays the context's galaxy stage (its ansible-galaxy command, on its own requirements.yml and tarball) into a
#    scratch directory, and its builder stage's dependency introspection (the context's own introspect.py).
# 3. Checks that the installed collection declares its dependencies as collection metadata
#    (meta/execution-environment.yml) and that the introspection picked up every line of requirements.txt and
#    bindep.txt, which the image's pip and bindep steps install.
#
#    A definition's own dependencies (dependencies.python and .system, such as a decision environment's
#    ansible-rulebook and Java) must be picked up too.
#
# Usage: execution-environment/check.sh [DEFINITION]  (with ansible-builder's venv, .venv-ee, made by tests/run)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
builder_python=${EE_PYTHON:-$repo/.venv-ee/bin/python}
galaxy=$(command -v ansible-galaxy || echo "$repo/.venv/bin/ansible-galaxy")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

definition=${1:-$repo/execution-environment/execution-environment.yml}
mkdir -p "$work/ee" "$work/home"
cp "$definition" "$(dirname "$definition")/requirements.yml" "$work/ee/"
(cd "$repo" && "$galaxy" collection build --output-path "$work/ee" >/dev/null)
"$builder_python" -m ansible_builder create -f "$work/ee/$(basename "$definition")" --context "$work/context" \
  --output-filename Containerfile -v 2 >"$work/create.log" 2>&1 || { cat "$work/create.log"; exit 1; }
if grep -qiE 'warning|error' "$work/create.log"; then
  cat "$work/create.log"
  exit 1
fi

# The galaxy stage: `COPY _build /build`, `WORKDIR /build`, then this command (nothing else installed beforehand).
galaxy_step=$(grep -E '^RUN .*ansible-galaxy collection install' "$work/context/Containerfile")
[[ $galaxy_step == *"-r requirements.yml"* ]] || { echo "unexpected galaxy step: $galaxy_step"; exit 1; }
collections="$work/root/usr/share/ansible/collections"
(cd "$work/context/_build" && HOME="$work/home" ANSIBLE_COLLECTIONS_PATH="$collections" \
  ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 "$galaxy" collection install -r requirements.yml \
  --collections-path "$collections" >"$work/install.log" 2>&1) || { cat "$work/install.log"; exit 1; }

# The builder stage's introspection, as the Containerfile runs it (with the definition's own dependencies, if any).
user=()
for kind in pip bindep; do
  file=$([ $kind = pip ] && echo requirements.txt || echo bindep.txt)
  if [ -f "$work/context/_build/$file" ]; then
    grep -q -- "--user-$kind=$file" "$work/context/Containerfile" || { echo "the Containerfile ignores _build/$file"; exit 1; }
    user+=("--user-$kind=$work/context/_build/$file")
  fi
done
"$builder_python" "$work/context/_build/scripts/introspect.py" introspect "$collections" "${user[@]}" \
  --write-pip="$work/out/requirements.txt" --write-bindep="$work/out/bindep.txt" >"$work/introspect.log" 2>&1 \
  || { cat "$work/introspect.log"; exit 1; }

DEFINITION=$definition "$builder_python" - "$collections/ansible_collections/oncall/pagerduty" "$work/out" \
  "$work/context/_build" <<'PY'
import os
import sys

import yaml

installed, out, build = sys.argv[1], sys.argv[2], sys.argv[3]


def lines(path, suffix=""):
    with open(path) as handle:
        return [line.strip() + suffix for line in handle
                if line.strip() and not line.lstrip().startswith("#")]


with open(os.path.join(installed, "meta", "execution-environment.yml")) as handle:
    meta = yaml.safe_load(handle)
assert meta == {"version": 1, "dependencies": {"python": "requirements.txt", "system": "bindep.txt"}}, \
    "meta/execution-environment.yml must be collection metadata, not a build definition: %r" % meta

origin = "  # from collection oncall.pagerduty"
for name in ("requirements.txt", "bindep.txt"):
    declared = lines(os.path.join(installed, name), origin)
    own = lines(os.path.join(build, name), "  # from collection user") if os.path.exists(os.path.join(build, name)) \
        else []
    found = lines(os.path.join(out, name)) if os.path.exists(os.path.join(out, name)) else []
    assert declared and sorted(found) == sorted(declared + own), (
        "%s: the image would install %r; the collection declares %r, the definition %r" % (name, found, declared, own))
print("%s: the build context installs oncall.pagerduty from its tarball; ansible-builder picks up "
      "requirements.txt (%d) and bindep.txt (%d)" % (os.path.basename(os.environ.get("DEFINITION", "ee")),
                                                      len(lines(os.path.join(out, "requirements.txt"))),
                                                      len(lines(os.path.join(out, "bindep.txt")))))
PY
