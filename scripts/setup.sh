#!/usr/bin/env bash
# One-shot, idempotent set-up: virtualenv, dependencies, llama.cpp build, offline models.
# Heavy artefacts are cached under $MARDOC_HOME (default ~/.mardoc) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

MARDOC_HOME="${MARDOC_HOME:-$HOME/.mardoc}"
VENV="${MARDOC_VENV:-.venv}"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "error: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
# the dependencies take minutes to download and install: pip shows what it is doing (what is
# already there aside); a failing install still fails the set-up (pipefail)
pip_shown() {
  "$VENV/bin/python" -m pip --disable-pip-version-check "$@" | { grep --line-buffered -v '^Requirement already satisfied' || true; }
}

# llama-cpp-python is compiled from source, once, and cached (see build-llama.sh): with the x86
# CPU variants as loadable backends, so the one wheel runs the fastest kernels this CPU has and
# still loads on another CPU (a -march=native build once crashed on a machine with AMX).
# The build runs in the background while the dependencies and the models download.
LOGS="$MARDOC_HOME/logs"; mkdir -p "$LOGS"
bash scripts/build-llama.sh dispatch "$VENV/bin/python" >"$LOGS/llama-wheel.path" 2>"$LOGS/llama-build.log" &
BUILD=$!
trap 'kill $BUILD 2>/dev/null || true' EXIT

STAMP="$VENV/.mardoc-installed"
WANT="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "==> installing mardoc's dependencies (torch==2.13.0, CPU)"
  pip_shown install "torch==2.13.0"
  # everything but llama-cpp-python, which is still building
  "$VENV/bin/python" - > "$LOGS/requirements.txt" <<'PYEOF'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
    if not req.startswith("llama-cpp-python"):
        print(req)
PYEOF
  pip_shown install -r "$LOGS/requirements.txt"
  "${PIP[@]}" install --no-deps -e .
fi

echo "==> provisioning offline models into $MARDOC_HOME/models"
MARDOC_HOME="$MARDOC_HOME" "$VENV/bin/mardoc" models install


if kill -0 $BUILD 2>/dev/null; then
  echo "==> waiting for the llama-cpp-python build (log: $LOGS/llama-build.log)"
  waited=0
  while kill -0 $BUILD 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    if [ $((waited % 15)) -eq 0 ]; then
      echo "    still compiling llama.cpp's CPU variants (${waited} s so far; about 5 minutes on 2 idle cores)"
    fi
  done
fi
if ! wait $BUILD; then
  tail -20 "$LOGS/llama-build.log" >&2
  echo "error: the llama-cpp-python build failed (log: $LOGS/llama-build.log)" >&2
  exit 1
fi
trap - EXIT
WHEEL="$(tail -1 "$LOGS/llama-wheel.path")"
WHEELS="$(dirname "$WHEEL")"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  "${PIP[@]}" install --find-links "$WHEELS" -e ".[dev]"
  echo "$WANT" > "$STAMP"
fi
# a venv made with an earlier llama.cpp build gets this one (pip sees the same version)
LLAMA_STAMP="$VENV/.mardoc-llama"
if [ "$(cat "$LLAMA_STAMP" 2>/dev/null)" != "$(basename "$WHEELS")" ]; then
  "${PIP[@]}" install --force-reinstall --no-deps "$WHEEL"
  basename "$WHEELS" > "$LLAMA_STAMP"
fi
