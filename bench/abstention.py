"""How well the named-terms check separates unanswerable questions, on a benchmark's questions.

Usage: python bench/abstention.py [--bench mmlongbench|financebench] [--data DIR]
           [--library NAME | --text-layer] [--set all|decision] [--json OUT]

For every question, the terms it names (years, quoted phrases, proper names) are looked up in
the text of its document as the index holds it (`Retriever.doc_text`, what the agents check);
a question with an absent term is predicted "Not answerable" without reading. Prints the
flagged questions, what was tried for each missing term, and precision / recall of that
prediction against the gold answers. The rule is code in `mardoc/agents/terms.py`; nothing here
is tuned.

`--text-layer` reads each PDF's text layer and file name with PyMuPDF instead of an index (no
ingest needed). The index holds more text than that (OCR, figure labels, titles), so a question
this mode does not flag is not flagged by the agents either: its refusals are an upper bound.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.agents import absence_note, check_terms
from mardoc.eval import load, load_set
from mardoc.types import NOT_ANSWERABLE

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = {"mmlongbench": SHARED / "mmlongbench-dev", "financebench": SHARED / "financebench-dev"}


def text_layer(path: Path) -> str:
    import pymupdf

    with pymupdf.open(path) as doc:
        return "\n".join([path.name.replace("_", " "), *(page.get_text() for page in doc)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="mmlongbench", choices=sorted(DATA))
    ap.add_argument("--data", type=Path)
    ap.add_argument("--library", default="dev")
    ap.add_argument("--text-layer", action="store_true", help="the PDFs' text layer, no index")
    ap.add_argument("--set", default="all", choices=["all", "decision"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    samples, _ = load(args.bench, args.data or DATA[args.bench])
    if args.set == "decision":
        wanted = set(load_set("decision"))
        samples = [s for s in samples if s.qid in wanted]
    console = Console()
    texts: dict[str, str] = {}
    lib = None if args.text_layer else Library(settings=Settings(store={"library": args.library}))
    by_name = {d["name"]: d["doc_id"] for d in lib.documents()} if lib else {}
    rows, tp, fp, fn = [], 0, 0, 0
    for s in samples:
        name = Path(s.doc_path).name
        if name not in texts:
            if lib is None:
                texts[name] = text_layer(Path(s.doc_path))
            elif name in by_name:
                texts[name] = lib.retriever.doc_text(by_name[name])
            else:
                console.print(f"[yellow]not in the library: {name}")
                continue
        checks = check_terms(s.question, texts[name])
        missing = [c.term for c in checks if not c.found]
        na = s.answer == NOT_ANSWERABLE
        tp += bool(missing) and na
        fp += bool(missing) and not na
        fn += (not missing) and na
        if missing:
            rows.append({"qid": s.qid, "question": s.question, "absent": missing, "tried": absence_note(checks),
                         "gold": s.answer, "correct": na})  # fmt: skip
    if lib is not None:
        lib.close()
    source = "text layer" if args.text_layer else f"library {args.library}"
    table = Table(title=f"named-terms abstention, {args.bench}, {len(samples)} questions ({args.set}, {source})")
    for col in ("flagged", "of them unanswerable", "unanswerable in all", "precision", "recall"):
        table.add_column(col, justify="right")
    n_na = tp + fn
    table.add_row(str(tp + fp), str(tp), str(n_na), f"{tp / max(1, tp + fp):.2f}", f"{tp / max(1, n_na):.2f}")
    for r in rows:
        console.print(f"{'ok ' if r['correct'] else 'BAD'} {r['tried']} {r['question'][:100]!r} (gold {r['gold'][:40]!r})")
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps({"flagged": rows, "tp": tp, "fp": fp, "fn": fn}, indent=1))


if __name__ == "__main__":
    main()
