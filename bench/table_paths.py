"""Which path answered each question of a run: a count over the inventory, a cell lookup, a
total or difference by code, a model-written SELECT, or the reading call; and accuracy per
evidence source x answer format.

Usage: python bench/table_paths.py RUN_FOLDER [--only-tables] [--markdown]
"""

from __future__ import annotations

import argparse
import ast
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def trace_of(row: dict[str, Any]) -> list[dict[str, Any]]:
    tr = row.get("trace") or []
    if isinstance(tr, str):
        try:
            tr = ast.literal_eval(tr)
        except (ValueError, SyntaxError):
            return []
    return [e for e in tr if isinstance(e, dict)]


def path_of(row: dict[str, Any]) -> tuple[str, str]:
    """(path, what it ran) of one answered question."""
    step = next((e for e in trace_of(row) if e.get("agent") == "tables"), None)
    if step is None:
        return "reading", ""
    answered = "note" in step and str(step["note"]).startswith(("answered", "the table"))
    if "count" in step:
        c = step["count"]
        return "count", f"{c['value']} {c['what']} in {c['scope']}"
    if step.get("lookup"):
        kind = "sum/difference" if str(step["lookup"]).startswith(("sum", "difference")) else "lookup"
        return (kind if answered else f"{kind} -> reading"), str(step["lookup"])[:140]
    queries = step.get("queries") or []
    last = queries[-1] if queries else {}
    got = f"{last.get('sql', '')[:140]} -> {str(last.get('rows', last.get('error', '')))[:60]}"
    return ("sql" if answered else "sql -> reading"), got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("run", type=Path)
    ap.add_argument("--only-tables", action="store_true", help="only questions with a Table evidence source")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables (for RESULTS.md)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in (args.run / "predictions.jsonl").read_text().splitlines() if line.strip()]
    console = Console(width=220)
    per_path: dict[str, list[float]] = defaultdict(list)
    lines = []
    for r in rows:
        table_q = any("Table" in s for s in r.get("evidence_sources", []))
        path, what = path_of(r)
        per_path[path].append(float(r.get("score", 0)))
        if args.only_tables and not table_q:
            continue
        lines.append((r["question"][:70], r["answer_format"], str(r["gold"])[:25], str(r["short"])[:25], f"{r['score']:.2f}", path, what))
    cats: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r["gold"] == "Not answerable":
            cats[("(unanswerable)", "None")].append(float(r["score"]))
            continue
        for src in r.get("evidence_sources") or ["(none)"]:
            cats[(src.split(" (")[0], r["answer_format"])].append(float(r["score"]))
    if args.markdown:
        print("| question | format | gold | answer | score | path | what ran |\n|---|---|---|---|---|---|---|")
        for q in lines:
            print("| " + " | ".join(x.replace("|", "/") for x in q) + " |")
        print("\n| path | questions | right (score sum) |\n|---|---|---|")
        for p, s in sorted(per_path.items()):
            print(f"| {p} | {len(s)} | {sum(s):.2f} |")
        print("\n| evidence source | format | questions | right (score sum) |\n|---|---|---|---|")
        for (src, fmt), s in sorted(cats.items()):
            print(f"| {src} | {fmt} | {len(s)} | {sum(s):.2f} |")
        return
    t = Table(title=f"{args.run.name}: the path of each question")
    for col in ("question", "format", "gold", "answer", "score", "path", "what ran"):
        t.add_column(col, overflow="fold")
    for q in lines:
        t.add_row(*q)
    console.print(t)
    s = Table(title="by path")
    for col in ("path", "questions", "right"):
        s.add_column(col)
    for p, sc in sorted(per_path.items()):
        s.add_row(p, str(len(sc)), f"{sum(sc):.2f}")
    console.print(s)
    c = Table(title="by evidence source x answer format (a question with two sources counts in both)")
    for col in ("evidence source", "format", "questions", "right"):
        c.add_column(col)
    for (src, fmt), sc in sorted(cats.items()):
        c.add_row(src, fmt, str(len(sc)), f"{sum(sc):.2f}")
    console.print(c)


if __name__ == "__main__":
    main()
