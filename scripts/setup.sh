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

# llama-cpp-python is compiled from source. The default -march=native build can enable
# AMX/AVX-512 instructions that crash on other CPUs, so build a portable AVX2 wheel once
# and cache it.
LLAMA_VERSION=0.3.36
WHEELS="$MARDOC_HOME/wheels/llama-cpp-avx2"
if ! ls "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl >/dev/null 2>&1; then
  echo "==> building llama-cpp-python $LLAMA_VERSION (portable AVX2; 5-10 minutes, once)"
  mkdir -p "$WHEELS"
  "${PIP[@]}" install "scikit-build-core>=0.10" "cmake>=3.21" ninja
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" \
    "${PIP[@]}" wheel --no-deps --no-cache-dir -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
fi

STAMP="$VENV/.mardoc-installed"
WANT="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "==> installing mardoc and its dependencies"
  "${PIP[@]}" install "torch==2.13.0"
  "${PIP[@]}" install --find-links "$WHEELS" -e ".[dev]"
  echo "$WANT" > "$STAMP"
fi

echo "==> provisioning offline models into $MARDOC_HOME/models"
MARDOC_HOME="$MARDOC_HOME" "$VENV/bin/mardoc" models install
