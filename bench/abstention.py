"""How well the named-terms check separates unanswerable questions, on a benchmark's questions.

Usage: python bench/abstention.py [--data DIR] [--library NAME] [--set all|decision] [--json OUT]

For every question, the terms it names (years, quoted phrases, proper names) are looked up in
the text of its document as the index holds it (`Retriever.doc_text`, what the agents check);
a question with an absent term is predicted "Not answerable" without reading. Prints the
flagged questions and precision / recall of that prediction against the gold answers. The
rule is code in `mardoc/agents/questions.py`; nothing here is tuned.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.agents import absent_terms
from mardoc.eval import load, load_set
from mardoc.types import NOT_ANSWERABLE

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "mmlongbench-dev"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--library", default="dev")
    ap.add_argument("--set", default="all", choices=["all", "decision"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    samples, _ = load("mmlongbench", args.data)
    if args.set == "decision":
        wanted = set(load_set("decision"))
        samples = [s for s in samples if s.qid in wanted]
    console = Console()
    lib = Library(settings=Settings(store={"library": args.library}))
    by_name = {d["name"]: d["doc_id"] for d in lib.documents()}
    rows, tp, fp, fn = [], 0, 0, 0
    for s in samples:
        doc_id = by_name.get(Path(s.doc_path).name)
        if doc_id is None:
            console.print(f"[yellow]not in the library: {Path(s.doc_path).name}")
            continue
        missing = absent_terms(s.question, lib.retriever.doc_text(doc_id))
        na = s.answer == NOT_ANSWERABLE
        tp += bool(missing) and na
        fp += bool(missing) and not na
        fn += (not missing) and na
        if missing:
            rows.append({"qid": s.qid, "question": s.question, "absent": missing, "gold": s.answer, "correct": na})
    lib.close()
    table = Table(title=f"named-terms abstention, {len(samples)} questions ({args.set})")
    for col in ("flagged", "of them unanswerable", "unanswerable in all", "precision", "recall"):
        table.add_column(col, justify="right")
    n_na = tp + fn
    table.add_row(str(tp + fp), str(tp), str(n_na), f"{tp / max(1, tp + fp):.2f}", f"{tp / max(1, n_na):.2f}")
    for r in rows:
        console.print(f"{'ok ' if r['correct'] else 'BAD'} {r['absent']} {r['question'][:100]!r} (gold {r['gold'][:40]!r})")
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps({"flagged": rows, "tp": tp, "fp": fp, "fn": fn}, indent=1))


if __name__ == "__main__":
    main()
