"""Where one question's time goes: every LLM call of the agents (or rag) with its cost.

Usage: python bench/agents_profile.py --doc PDF --question "..." [--library PATH] [--mode agents|rag]

The models are loaded first (the chat model, and the embedder by one search), outside the
time; the LLM-call cache is off. Prints one row per LLM call (a page judgement or which
output it produced, prompt and completion tokens, seconds), the retrieval time, and the
question's time after the models are loaded, so the largest waste is visible.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.models import build_chat_model

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shared-mime-info-spec.pdf"
DEMO_Q = "What is the default weight of a glob pattern, and what is the maximum?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc", type=Path, default=EXAMPLE)
    ap.add_argument("--question", default=DEMO_Q)
    ap.add_argument("--library", type=Path, default=Path(tempfile.gettempdir()) / "mardoc-profile-lib")
    ap.add_argument("--mode", choices=["agents", "rag"], default="agents")
    args = ap.parse_args()
    settings = Settings()
    chat = build_chat_model(settings.models.chat, settings, cache=False)
    lib = Library(args.library, settings=settings, chat=chat)
    (res,) = lib.ingest([args.doc])
    start = time.perf_counter()
    if hasattr(chat, "count_tokens"):
        chat.count_tokens("load the model")
    lib.retriever.search_pages("load the embedder", docs=[res.doc_id], k=1)
    load = time.perf_counter() - start
    calls: list[dict[str, Any]] = []
    inner, judge_inner = chat.complete, getattr(chat, "yes_probability", None)

    def timed(messages: list, **kw: Any) -> Any:
        before, start = chat.usage.snapshot(), time.perf_counter()
        try:
            return inner(messages, **kw)
        finally:
            after = chat.usage.snapshot()
            schema = kw.get("schema")
            calls.append({
                "output": getattr(schema, "__name__", "text"),
                "prompt_chars": sum(len(m["content"]) if isinstance(m["content"], str) else 0 for m in messages),
                "prompt_tokens": after["prompt_tokens"] - before["prompt_tokens"],
                "completion_tokens": after["completion_tokens"] - before["completion_tokens"],
                "seconds": time.perf_counter() - start,
            })  # fmt: skip

    def timed_judge(messages: list) -> float:
        before, start = chat.usage.snapshot(), time.perf_counter()
        try:
            return judge_inner(messages)  # type: ignore[misc]
        finally:
            used = chat.usage.since(before)
            calls.append({"output": "page judgement", "prompt_chars": len(str(messages[-1]["content"])),
                          "prompt_tokens": used["prompt_tokens"], "completion_tokens": used["completion_tokens"],
                          "seconds": time.perf_counter() - start})  # fmt: skip

    chat.complete = timed  # type: ignore[method-assign]
    if judge_inner is not None:
        chat.yes_probability = timed_judge  # type: ignore[attr-defined]
    retr = lib.retriever
    search_inner, search_time = retr.search, [0.0, 0]

    def timed_search(*a: Any, **kw: Any) -> Any:
        start = time.perf_counter()
        try:
            return search_inner(*a, **kw)
        finally:
            search_time[0] += time.perf_counter() - start
            search_time[1] += 1

    retr.search = timed_search  # type: ignore[method-assign]
    start = time.perf_counter()
    ans = lib.ask(args.question, docs=[res.doc_id], mode=args.mode)
    total = time.perf_counter() - start
    t = Table(title=f"{args.mode}: one question on {os.cpu_count()} cores: {total:.1f} s after the models loaded ({load:.1f} s)")
    for col in ("#", "output", "prompt chars", "prompt tok", "completion tok", "seconds", "share"):
        t.add_column(col, justify="right")
    for i, c in enumerate(calls, 1):
        t.add_row(str(i), c["output"], str(c["prompt_chars"]), str(c["prompt_tokens"]),
                  str(c["completion_tokens"]), f"{c['seconds']:.1f}", f"{c['seconds'] / total:.0%}")  # fmt: skip
    t.add_row("", f"retrieval ({search_time[1]} searches)", "", "", "", f"{search_time[0]:.1f}",
              f"{search_time[0] / total:.0%}")  # fmt: skip
    console = Console()
    console.print(t)
    console.print(f"answer: {ans.short!r}  pages cited: {sorted({c.page for c in ans.citations})}")
    lib.close()


if __name__ == "__main__":
    main()
