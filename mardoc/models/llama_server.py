"""llama-cpp-python's OpenAI-compatible server, with mardoc's llama.cpp build.

mardoc's wheel keeps its CPU kernels in loadable backends (see :mod:`mardoc.models.llama_runtime`),
which ``python -m llama_cpp.server`` does not load ("no backends are loaded"). Run it as

    python -m mardoc.models.llama_server --model MODEL.gguf --model_alias qwen-local --port 8011

(the same arguments as ``llama_cpp.server``): the best CPU backend is loaded first.
"""

from __future__ import annotations

import runpy

from mardoc.models.llama_runtime import load_cpu_backend

if __name__ == "__main__":
    load_cpu_backend()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
