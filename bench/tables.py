"""Table structure against ground truth: which extractor finds the tables and their cells.

Usage:
    python bench/tables.py --data ../shared/data/tables-icdar2013 --out DIR [--extractors a,b,...]
        [--json results.json] [--norm ws|alnum]
    python bench/tables.py --data bench/tables-dev --score ../shared/data/tables-icdar2013/score.py --out DIR

The second: the hand-checked tables of the development PDFs (``bench/tables-dev``, see
``bench/tables_dev.py``), one-page PDFs named by their kind of table (statement, paper, report,
slide, manual), scored by the same competition scorer.

Each extractor reads every PDF of ``DATA/pdfs`` and writes its tables as ``DIR/<extractor>/<pdf>.json``
in the ground truth's format (a list of ``{"pdf", "page", "cells": [{row, col, end_row, end_col,
text}]}``), so ``python DATA/score.py DIR/<extractor> --alt DATA/gt_alt`` scores it; this script runs
that scorer (the ICDAR 2013 competition's cell-adjacency relations) on each, overall and per kind of
document, and prints one table. The extractors:

* ``mardoc``: what ingest stores (mardoc's parser with the default settings: the table gate, PyMuPDF's
  ``find_tables`` with the layout model for where tables are, their cells rebuilt from the words'
  alignment, ``mardoc/ingest/aligned.py``);
* ``pymupdf-lines`` / ``pymupdf-text`` / ``pymupdf-layout``: PyMuPDF's ``find_tables`` alone with
  ``strategy="lines"``, ``strategy="text"``, or the layout model (``use_layout=True``);
* ``pdfplumber-lines`` / ``pdfplumber-text``: pdfplumber's ``extract_tables`` with those strategies
  (when pdfplumber is installed).

Merged cells (PyMuPDF's and pdfplumber's ``None``, mardoc's repeated cell) become one spanning cell.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

Cells = list[dict[str, Any]]


def spans_from_slots(slots: list[list[Any]], same: Callable[[Any, Any], bool]) -> Cells:
    """Cells with spans from a grid of slots, a slot that is ``same`` as the one to its left (or
    else above) belonging to that cell; a ``None`` slot is covered by its left or upper neighbour."""
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for i, row in enumerate(slots):
        for j, slot in enumerate(row):
            left = owner.get((i, j - 1)) if j else None
            up = owner.get((i - 1, j)) if i else None
            if left is not None and (slot is None or same(slot, slots[left[0]][left[1]])):
                owner[(i, j)] = left
            elif up is not None and (slot is None or same(slot, slots[up[0]][up[1]])):
                owner[(i, j)] = up
            elif slot is not None:
                owner[(i, j)] = (i, j)
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for (i, j), (oi, oj) in owner.items():
        cell = cells.setdefault((oi, oj), {"row": i, "col": j, "end_row": i, "end_col": j, "text": _text(slots[oi][oj])})
        cell["row"], cell["col"] = min(cell["row"], i), min(cell["col"], j)
        cell["end_row"], cell["end_col"] = max(cell["end_row"], i), max(cell["end_col"], j)
    return [c for c in cells.values() if c["text"]]


def _text(slot: Any) -> str:
    text = slot[0] if isinstance(slot, tuple) else slot
    return " ".join(str(text or "").split())


def _mardoc_regions(pdf: Path) -> Iterator[tuple[int, Any]]:
    from mardoc.ingest import PdfParser
    from mardoc.settings import Settings

    parser = PdfParser(Settings().ingest)
    try:
        doc = parser.parse(pdf)
    finally:
        parser.close()
    for page in doc.pages:
        for region in page.regions:
            if region.kind == "table" and region.table is not None:
                yield page.number, region


def _grid_cells(grid: Any) -> Cells:
    slots = [[(grid.cells[i][j], grid.box(i, j)) for j in range(len(grid.cells[i]))] for i in range(len(grid.cells))]
    return spans_from_slots(slots, lambda a, b: a[1] is not None and a == b)


def _mardoc(pdf: Path) -> Iterator[tuple[int, Cells]]:
    for page, region in _mardoc_regions(pdf):
        yield page, _grid_cells(region.table)


def _pymupdf(**kwargs: Any) -> Callable[[Path], Iterator[tuple[int, Cells]]]:
    def extract(pdf: Path) -> Iterator[tuple[int, Cells]]:
        import pymupdf

        with pymupdf.open(pdf) as doc:
            for pg in doc:
                try:
                    found = pg.find_tables(**kwargs)
                except Exception:  # noqa: BLE001 - an odd page: no tables from it
                    continue
                for t in found.tables:
                    yield pg.number + 1, spans_from_slots(t.extract(), lambda a, b: False)

    return extract


def _pdfplumber(strategy: str) -> Callable[[Path], Iterator[tuple[int, Cells]]]:
    def extract(pdf: Path) -> Iterator[tuple[int, Cells]]:
        import pdfplumber

        settings = {"vertical_strategy": strategy, "horizontal_strategy": strategy}
        with pdfplumber.open(pdf) as doc:
            for pg in doc.pages:
                for rows in pg.extract_tables(settings):
                    yield pg.page_number, spans_from_slots(rows, lambda a, b: False)

    return extract


EXTRACTORS: dict[str, Callable[[Path], Iterator[tuple[int, Cells]]]] = {
    "mardoc": _mardoc,
    "pymupdf-lines": _pymupdf(strategy="lines"),
    "pymupdf-text": _pymupdf(strategy="text"),
    "pymupdf-layout": _pymupdf(use_layout=True),
    "pdfplumber-lines": _pdfplumber("lines"),
    "pdfplumber-text": _pdfplumber("text"),
}


def kind_of(pdf_name: str) -> str:
    """The ICDAR 2013 set's two sources: EU and US government documents."""
    return pdf_name.split("-")[0]


def write_predictions(name: str, pdfs: list[Path], out: Path, console: Console) -> float:
    """Runs one extractor over ``pdfs`` into ``out``; its seconds."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n, pdf in enumerate(pdfs, 1):
        try:
            tables = [{"pdf": pdf.name, "page": page, "cells": cells} for page, cells in EXTRACTORS[name](pdf) if cells]
        except ImportError as exc:
            raise SystemExit(f"{name}: {exc} (pip install it, or leave {name} out of --extractors)") from exc
        (out / f"{pdf.stem}.json").write_text(json.dumps(tables))
        if n % 10 == 0:
            console.print(f"{name}: {n}/{len(pdfs)} PDFs, {time.perf_counter() - started:.0f} s", highlight=False)
    return time.perf_counter() - started


_MICRO = re.compile(r"micro: correct=(\d+) pred=(\d+) gt=(\d+)\s+P=([\d.]+) R=([\d.]+) F1=([\d.]+)")
_MACRO = re.compile(r"macro .*F1=([\d.]+)")
_COUNTS = re.compile(r"GT tables: (\d+)\s+predicted tables: (\d+)\s+unmatched GT: (\d+)\s+FP tables: (\d+)")


def score(scorer: Path, data: Path, pred: Path, gt: Path, norm: str = "ws") -> dict[str, float]:
    """The competition scorer's summary for one extractor's predictions against ``gt``."""
    cmd = [sys.executable, str(scorer), str(pred), "--gt", str(gt), "--quiet", "--norm", norm]
    if (data / "gt_alt").is_dir():
        cmd += ["--alt", str(data / "gt_alt")]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    micro, macro, counts = _MICRO.search(text), _MACRO.search(text), _COUNTS.search(text)
    if not (micro and macro and counts):
        raise SystemExit(f"score.py printed no summary:\n{text}")
    return {
        "gt_tables": int(counts[1]), "predicted_tables": int(counts[2]), "unmatched_gt": int(counts[3]),
        "fp_tables": int(counts[4]), "precision": float(micro[4]), "recall": float(micro[5]),
        "micro_f1": float(micro[6]), "macro_f1": float(macro[1]),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True, help="a folder with pdfs/, gt/ and score.py")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--extractors", default=",".join(EXTRACTORS))
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--score", type=Path, help="the scorer (default DATA/score.py)")
    ap.add_argument("--norm", choices=["ws", "alnum"], default="ws",
                    help="cell text compared without whitespace (ws, the competition's default) or also without punctuation (alnum)")
    args = ap.parse_args()
    scorer = args.score or args.data / "score.py"
    console = Console()
    names = [n.strip() for n in args.extractors.split(",") if n.strip()]
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        raise SystemExit(f"unknown extractor(s) {unknown}; choose from {sorted(EXTRACTORS)}")
    pdfs = sorted((args.data / "pdfs").glob("*.pdf"))
    kinds = sorted({kind_of(p.name) for p in pdfs})
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        gts = {"all": args.data / "gt"}
        for kind in kinds:  # the ground truth of one kind of document, for its own score
            gts[kind] = Path(tmp) / kind
            gts[kind].mkdir()
            for f in (args.data / "gt").glob(f"{kind}-*.json"):
                (gts[kind] / f.name).symlink_to(f.resolve())
        for name in names:
            seconds = write_predictions(name, pdfs, args.out / name, console)
            preds = {"all": args.out / name}
            for kind in kinds:  # the predictions on that kind's documents only
                preds[kind] = Path(tmp) / f"{name}-{kind}"
                preds[kind].mkdir()
                for f in (args.out / name).glob(f"{kind}-*.json"):
                    (preds[kind] / f.name).symlink_to(f.resolve())
            results[name] = {"seconds": round(seconds, 1), **{k: score(scorer, args.data, preds[k], g, args.norm) for k, g in gts.items()}}
    table = Table(title=f"table structure, {args.data.name} ({len(pdfs)} PDFs): ICDAR 2013 cell-adjacency relations")
    for col in ("extractor", "kind", "GT tables", "unmatched", "FP tables", "P", "R", "micro F1", "macro F1", "seconds"):
        table.add_column(col, justify="left" if col in ("extractor", "kind") else "right")
    for name, r in results.items():
        for kind in ["all", *kinds]:
            s = r[kind]
            table.add_row(name, kind, str(s["gt_tables"]), str(s["unmatched_gt"]), str(s["fp_tables"]),
                          f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['micro_f1']:.3f}", f"{s['macro_f1']:.3f}",
                          f"{r['seconds']:.0f}" if kind == "all" else "")  # fmt: skip
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
