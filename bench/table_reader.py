"""The table step's code alone on the gold pages: what each solver answers, and how often right.

    python bench/table_reader.py --bench mmlongbench --data ../shared/data/mmlongbench-dev \
        (--library dev | --parse) [--set bench/sets/table-or-int.json] [--json OUT]

For every question of the set whose document is in the library, the tables of its gold
pages are read as the table step reads them (``sql_tables``); with ``--parse`` the gold pages
are parsed and chunked from the PDF by the current ingest code instead (no index, no
embedding: a change to the table finder is measured before any re-index). The question is read once into
its record (``read_question``) and handed to the dispatcher (``solve``): no model call. The
table counts, per operation, the questions, the code answers, how many of them are right
(the benchmark's scorer; FinanceBench by value), how many the checks refuse, and how many end
as candidate cells for the reading call. It measures the code paths on real grids, not the
agents' accuracy (that is `mardoc eval run`).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.eval import financebench_grade, load, load_set, score_answer
from mardoc.ingest import Chunker, Document, PdfParser, open_pdf
from mardoc.tables import Candidates, CodeAnswer, check, read_question, solve, sql_tables


def question_args(ap: argparse.ArgumentParser) -> None:
    """The options naming a benchmark's questions and the library holding their documents."""
    ap.add_argument("--bench", default="mmlongbench")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--library", default="dev")
    ap.add_argument("--set", default="all", help="all, decision, or a JSON list of question ids")
    ap.add_argument("--json", type=Path)


def questions(args: argparse.Namespace) -> list:
    """The questions of ``--bench`` at ``--data``, those of ``--set`` only."""
    samples, _ = load(args.bench, args.data)
    if args.set != "all":
        keep = set(load_set(args.set))
        samples = [s for s in samples if s.qid in keep]
    return samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    question_args(ap)
    ap.add_argument("--parse", action="store_true", help="parse the gold pages from the PDFs (no library)")
    args = ap.parse_args()
    samples = questions(args)
    console = Console()
    settings = Settings(store={"library": args.library})
    lib = None if args.parse else Library(settings=settings)
    by_name = {d["name"]: d["doc_id"] for d in lib.documents()} if lib else {}
    parser = PdfParser(settings.ingest) if args.parse else None
    chunker = Chunker(settings.ingest.block_max_chars)

    def gold_chunks(path: str, doc: str, pages: list[int]) -> list:
        if lib is not None:
            return lib.retriever.read_pages([(doc, p) for p in pages])
        with open_pdf(Path(path), settings.ingest) as pdf:
            parsed = [parser.parse_page(pdf[p - 1], doc) for p in pages if 0 < p <= pdf.page_count]
        return chunker.chunk(Document(doc_id=doc, path=path, name=Path(path).name, title="", pages=parsed))

    counts: dict[str, Counter] = defaultdict(Counter)
    rows = []
    for s in samples:
        doc = Path(s.doc_path).name if args.parse else by_name.get(Path(s.doc_path).name)
        if doc is None or not s.evidence_pages:
            continue
        q = read_question(s.question)
        tables = sql_tables(gold_chunks(s.doc_path, doc, s.evidence_pages))
        got = solve(q, tables)
        c = counts[q.op or "none"]
        c["questions"] += 1
        c["with tables"] += bool(tables)
        row = {"qid": s.qid, "doc": Path(s.doc_path).name, "question": s.question, "op": q.op, "gold": s.answer, "tables": len(tables)}
        if isinstance(got, Candidates):
            c["candidates"] += 1
            row["candidates"] = got.describe()[:300]
        elif isinstance(got, CodeAnswer):
            why = check(q, got)
            if why:
                c["refused by a check"] += 1
                row["refused"] = why
            else:
                if s.benchmark == "financebench":
                    score, _ = financebench_grade(s.answer, got.short, "")
                else:
                    score = score_answer(s.answer, got.short, s.answer_format)
                c["answered"] += 1
                c["right"] += score >= 0.5
                row.update(short=got.short, solver=got.solver, how=got.how[:300], score=score)
        rows.append(row)
    if lib is not None:
        lib.close()
    if parser is not None:
        parser.close()
    table = Table(title=f"the table step's code on the gold pages ({'parsed now' if args.parse else 'library ' + args.library}): {args.bench}, {len(rows)} questions ({args.set})")
    cols = ("questions", "with tables", "answered", "right", "refused by a check", "candidates")
    table.add_column("operation")
    for col in cols:
        table.add_column(col, justify="right")
    total: Counter = Counter()
    for op, c in sorted(counts.items(), key=lambda kv: -kv[1]["questions"]):
        table.add_row(op, *(str(c[k]) for k in cols))
        total.update(c)
    table.add_row("all", *(str(total[k]) for k in cols))
    for r in rows:
        if "short" in r:
            console.print(f"{'ok ' if r['score'] >= 0.5 else 'BAD'} [{r['solver']}] {r['short']!r} (gold {str(r['gold'])[:40]!r}) {r['question'][:90]!r}")
    console.print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"counts": {k: dict(v) for k, v in counts.items()}, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
