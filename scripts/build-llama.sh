#!/usr/bin/env bash
# Build (once) and cache a llama-cpp-python wheel under $MARDOC_HOME/wheels/llama-cpp-VARIANT.
#   dispatch (default): loadable CPU backends for the x86 families people run, and llama.cpp
#                       loads the best one for the running CPU at start-up:
#                         x64          baseline (any x86-64)
#                         haswell      AVX2 FMA F16C BMI2 (most x86 machines since 2013)
#                         cascadelake  + AVX-512 VNNI (Cascade Lake, Ice Lake servers)
#                         zen4         + AVX-512 VBMI BF16 (Zen 4/5, Sapphire Rapids and newer)
#                       llama.cpp's own GGML_CPU_ALL_VARIANTS builds 14 variants (most of a
#                       fresh set-up's time); the others add little over the nearest one here,
#                       and its AMX one (sapphirerapids) died with SIGILL in a KVM guest whose
#                       CPU flags show AMX (bench/RESULTS.md).
#   avx2:               the older portable AVX2-only build (kept for bench/llm.py's comparison).
# Usage: scripts/build-llama.sh [dispatch|avx2] PYTHON   (prints the wheel's path)
set -euo pipefail
VARIANT="${1:-dispatch}"
PY="${2:-python3}"
LLAMA_VERSION=0.3.36
CPU_VARIANTS="x64 haswell cascadelake zen4"
MARDOC_HOME="${MARDOC_HOME:-$HOME/.mardoc}"
OUT="$MARDOC_HOME/wheels/llama-cpp-$VARIANT"
# LLAVA_BUILD=OFF: the multimodal helper library is for local vision models, which mardoc reaches
# through the OpenAI-compatible backend instead.
COMMON="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"
case "$VARIANT" in
  dispatch) ARGS="$COMMON -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" ;;
  avx2) ARGS="$COMMON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" ;;
  *) echo "error: unknown llama.cpp build $VARIANT (dispatch or avx2)" >&2; exit 2 ;;
esac
if ! ls "$OUT"/llama_cpp_python-$LLAMA_VERSION-*.whl >/dev/null 2>&1; then
  echo "==> building llama-cpp-python $LLAMA_VERSION ($VARIANT; about 5 minutes on 2 cores, once)" >&2
  rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp/src"
  "$PY" -m pip --disable-pip-version-check -q download --no-deps --no-binary :all: \
    -d "$OUT.tmp/src" "llama-cpp-python==$LLAMA_VERSION" >&2
  tar -xzf "$OUT.tmp/src/llama_cpp_python-$LLAMA_VERSION.tar.gz" -C "$OUT.tmp/src"
  SRC="$OUT.tmp/src/llama_cpp_python-$LLAMA_VERSION"
  if [ "$VARIANT" = dispatch ]; then
    "$PY" "$(dirname "$0")/llama_variants.py" "$SRC/vendor/llama.cpp/ggml/src/CMakeLists.txt" $CPU_VARIANTS >&2
  fi
  CMAKE_ARGS="$ARGS" "$PY" -m pip --disable-pip-version-check -q wheel --no-deps --no-cache-dir \
    -w "$OUT.tmp" "$SRC" >&2
  mkdir -p "$OUT.new" && mv "$OUT.tmp"/llama_cpp_python-*.whl "$OUT.new"/
  rm -rf "$OUT" "$OUT.tmp" && mv "$OUT.new" "$OUT"  # a killed build leaves no half wheel behind
fi
ls "$OUT"/llama_cpp_python-$LLAMA_VERSION-*.whl
