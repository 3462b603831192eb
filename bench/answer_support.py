"""What the Reflector's check of a drafted answer would do to a run's answers, without a call.

Usage: python bench/answer_support.py RUN_DIR [--library NAME] [--json OUT]

For every answer of a ``rag`` run (its ``predictions.jsonl``), the pages that call read
(``agent_pages``) are read again from the library, cut and fenced as the call showed them,
and :func:`mardoc.agents.reflector.unsupported_items` asks whether each name or phrase of the
short answer is written in them. Prints, for the answers the check would turn into "Not
answerable", whether they were right, wrong, or answers to unanswerable questions (gained),
and the count of each. The rule is code in ``mardoc/agents/reflector.py``; nothing here is tuned.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.agents import fence_chunks, shown_text, unsupported_items
from mardoc.types import NOT_ANSWERABLE


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--library", default="dev")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = [json.loads(line) for line in (args.run / "predictions.jsonl").open()]
    console = Console()
    settings = Settings(store={"library": args.library})
    lib = Library(settings=settings)
    by_name = {d["name"]: d["doc_id"] for d in lib.documents()}
    counts: Counter[str] = Counter()
    flagged = []
    for r in rows:
        if r.get("error") or r["short"] == NOT_ANSWERABLE:
            continue
        kind = "unanswerable" if r["gold"] == NOT_ANSWERABLE else ("right" if (r["score"] or 0) >= 0.5 else "wrong")
        counts[f"answered, {kind}"] += 1
        doc_id = by_name.get(r["doc"])
        if doc_id is None:
            console.print(f"[yellow]not in the library: {r['doc']}")
            continue
        chunks = lib.retriever.read_pages([(doc_id, p) for p in r["agent_pages"]])
        _, shown = fence_chunks(chunks, "x", settings.agents.observation_chars)
        missing = unsupported_items(r["short"], r["format"], shown_text(chunks, shown))
        if missing:
            counts[f"flagged, {kind}"] += 1
            flagged.append({"qid": r["qid"], "kind": kind, "short": r["short"], "unsupported": missing, "gold": r["gold"]})
    lib.close()
    for f in flagged:
        mark = {"unanswerable": "gain", "right": "LOSS", "wrong": "same"}[f["kind"]]
        console.print(f"{mark:4} {f['unsupported']} (gold {f['gold'][:40]!r})")
    table = Table(title=f"the drafted-answer check on {args.run.name} ({len(rows)} questions)")
    for col in ("", "right", "wrong", "unanswerable"):
        table.add_column(col, justify="right")
    for what in ("answered", "flagged"):
        table.add_row(what, *(str(counts[f"{what}, {k}"]) for k in ("right", "wrong", "unanswerable")))
    console.print(table)
    console.print(f"accuracy change if flagged answers became '{NOT_ANSWERABLE}': "
                  f"+{counts['flagged, unanswerable']} gained, -{counts['flagged, right']} lost")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"counts": dict(counts), "flagged": flagged}, indent=1))


if __name__ == "__main__":
    main()
