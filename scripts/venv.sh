#!/usr/bin/env bash
# Create, or reuse while its inputs are unchanged, a virtual environment.
# Usage: scripts/venv.sh DIR PYTHON_VERSION REQUIREMENTS_FILE [extra pip requirement ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$1 want=$2 requirements=$3
shift 3

find_python() {
  local candidate
  for candidate in "python$1" $(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/python"$1" | sort -V -r); do
    if "$candidate" -c 'import sys' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

python=$(find_python "$want") || {
  echo "scripts/venv.sh: Python $want not found, using $(command -v python3)" >&2
  python=$(command -v python3)
}
inputs="$("$python" --version 2>&1) | $* | $(cat "$repo/requirements.txt" "$requirements" | sha256sum)"
if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.inputs" 2>/dev/null)" = "$inputs" ]; then
  exit 0
fi
rm -rf "$dir"
"$python" -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --upgrade pip
"$dir/bin/python" -m pip install --quiet -r "$requirements" "$@"
echo "$inputs" > "$dir/.inputs"
