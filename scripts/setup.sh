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

# llama-cpp-python is compiled from source, once, and cached: with every x86 CPU variant as a
# loadable backend, so the one wheel runs the fastest kernels this CPU has and still loads on
# another CPU (a -march=native build once crashed on a machine with AMX). See build-llama.sh.
WHEEL="$(bash scripts/build-llama.sh dispatch "$VENV/bin/python")"
WHEELS="$(dirname "$WHEEL")"

STAMP="$VENV/.mardoc-installed"
WANT="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "==> installing mardoc and its dependencies"
  "${PIP[@]}" install "torch==2.13.0"
  "${PIP[@]}" install --find-links "$WHEELS" -e ".[dev]"
  echo "$WANT" > "$STAMP"
fi
# a venv made with an earlier llama.cpp build gets this one (pip sees the same version)
LLAMA_STAMP="$VENV/.mardoc-llama"
if [ "$(cat "$LLAMA_STAMP" 2>/dev/null)" != "$(basename "$WHEELS")" ]; then
  "${PIP[@]}" install --force-reinstall --no-deps "$WHEEL"
  basename "$WHEELS" > "$LLAMA_STAMP"
fi

echo "==> provisioning offline models into $MARDOC_HOME/models"
MARDOC_HOME="$MARDOC_HOME" "$VENV/bin/mardoc" models install
