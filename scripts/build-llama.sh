#!/usr/bin/env bash
# Build (once) and cache a llama-cpp-python wheel under $MARDOC_HOME/wheels/llama-cpp-VARIANT.
#   dispatch (default): every x86 CPU variant as a loadable backend; llama.cpp loads the best
#                       one for the running CPU (AVX-512/VNNI/BF16 where there, AVX2 elsewhere).
#   avx2:               the older portable AVX2-only build (kept for bench/llm.py's comparison).
# Usage: scripts/build-llama.sh [dispatch|avx2] PYTHON   (prints the wheel's path)
set -euo pipefail
VARIANT="${1:-dispatch}"
PY="${2:-python3}"
LLAMA_VERSION=0.3.36
MARDOC_HOME="${MARDOC_HOME:-$HOME/.mardoc}"
OUT="$MARDOC_HOME/wheels/llama-cpp-$VARIANT"
case "$VARIANT" in
  dispatch) ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" ;;
  avx2) ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" ;;
  *) echo "error: unknown llama.cpp build $VARIANT (dispatch or avx2)" >&2; exit 2 ;;
esac
if ! ls "$OUT"/llama_cpp_python-$LLAMA_VERSION-*.whl >/dev/null 2>&1; then
  echo "==> building llama-cpp-python $LLAMA_VERSION ($VARIANT; 10-25 minutes on 2 cores, once)" >&2
  mkdir -p "$OUT.tmp"
  CMAKE_ARGS="$ARGS" "$PY" -m pip --disable-pip-version-check -q wheel --no-deps --no-cache-dir \
    -w "$OUT.tmp" "llama-cpp-python==$LLAMA_VERSION" >&2
  rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"  # a killed build leaves no half wheel behind
fi
ls "$OUT"/llama_cpp_python-$LLAMA_VERSION-*.whl
