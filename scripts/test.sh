#!/usr/bin/env bash
# Runs the whole test suite (unit, integration with the real models, reliability).
# pytest's exit code 5 ("no tests ran") is a failure here.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${MARDOC_VENV:-.venv}"
"$VENV/bin/python" -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "error: no tests ran" >&2
  exit 1
fi
exit "$rc"
