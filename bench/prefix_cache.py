"""Does the local model reuse an already evaluated prompt prefix? (llama.cpp KV cache)

Usage: python bench/prefix_cache.py
Sends the same ~780-token prompt twice and prints both times; the second call should skip
prompt evaluation. This is why every agent prompt of a question starts with one shared block.
"""

from __future__ import annotations

import time

from mardoc.models import build_chat_model


def main() -> None:
    model = build_chat_model("local:qwen2.5-coder-1.5b-instruct")
    model.complete([{"role": "user", "content": "warm-up"}], max_tokens=1)  # load the weights
    prompt = [
        {"role": "user", "content": "x " + "The default weight value is 50, and the maximum is 100. " * 40}
    ]
    for label in ("first call (full prompt evaluated)", "same prompt again (prefix cached)"):
        before, start = model.usage.snapshot(), time.perf_counter()
        model.complete(prompt, max_tokens=1)
        tokens = model.usage.snapshot()["prompt_tokens"] - before["prompt_tokens"]
        print(f"{label}: {tokens:.0f} prompt tokens, {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
