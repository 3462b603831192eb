"""The hand-checked tables of the development PDFs: cut their pages, draft their cells.

Usage:
    python bench/tables_dev.py cut --list bench/tables-dev/pages.txt --out bench/tables-dev
    python bench/tables_dev.py draft --out bench/tables-dev NAME [NAME ...]
    python bench/tables_dev.py build --out bench/tables-dev

``pages.txt`` names one page per line: ``KIND SOURCE_PDF PAGE`` (KIND: statement, paper, report,
slide, manual, picture; SOURCE_PDF a file of ``../shared/data/mmlongbench-dev/documents`` or
``../shared/data/financebench-dev/pdfs``). ``cut`` writes each page as a one-page PDF
``pdfs/KIND-<source>-p<PAGE>.pdf`` (a few kilobytes: the set needs no dev data beside it) and its
picture ``png/``. ``draft`` writes the cells of each table that ingest's extractor finds on the
page as an editable grid (``draft/NAME_t<k>.txt``: rows of cells split by `` | ``) and prints
it: a person checks every cell against the page's picture, corrects the draft (cells, spans,
tables missed or not tables) and writes it to ``gt/``; ``build`` turns ``gt/*.txt`` into the
ground truth's JSON. Drafting from the extractor under test leans the truth
toward it; ``gt/README.md`` counts what the check changed, table by table. The set is
scored like ICDAR 2013: ``python bench/tables.py --data bench/tables-dev --score
../shared/data/tables-icdar2013/score.py --out DIR``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pymupdf

ROOTS = (Path("../shared/data/mmlongbench-dev/documents"), Path("../shared/data/financebench-dev/pdfs"))


def cut(listing: Path, out: Path) -> None:
    (out / "pdfs").mkdir(parents=True, exist_ok=True)
    (out / "png").mkdir(parents=True, exist_ok=True)
    for line in listing.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, source, page = line.split()
        src = next((r / source for r in ROOTS if (r / source).exists()), None)
        if src is None:
            sys.exit(f"not found: {source}")
        stem = re.sub(r"[^a-z0-9]+", "", Path(source).stem.lower())[:24]
        name = f"{kind}-{stem}-p{page}"
        with pymupdf.open(src) as doc, pymupdf.open() as one:
            one.insert_pdf(doc, from_page=int(page) - 1, to_page=int(page) - 1)
            one.save(out / "pdfs" / f"{name}.pdf", garbage=4, deflate=True)
            one[0].get_pixmap(dpi=110).save(out / "png" / f"{name}.png")
        print(name)


_SPAN = re.compile(r"\s*<(\d+)>\s*$")
_ALONE = {"$", "€", "£", "¥"}


def grid_text(cells: list[dict]) -> list[list[str]]:
    """Cells as rows of text, a spanning cell written once with ``<n>`` (its width)."""
    rows = max(c["end_row"] for c in cells) + 1
    cols = max(c["end_col"] for c in cells) + 1
    grid = [["" for _ in range(cols)] for _ in range(rows)]
    for c in cells:
        grid[c["row"]][c["col"]] = c["text"] + ("" if c["end_col"] == c["col"] else f" <{c['end_col'] - c['col'] + 1}>")
    for r in grid:  # a currency sign printed apart: read with its number (a person's reading)
        for j in range(len(r) - 1):
            if r[j].strip() in _ALONE and r[j + 1].strip():
                r[j], r[j + 1] = "", r[j] + r[j + 1]
    # a column left empty (the signs' own) dropped, a span over it one narrower
    keep = [j for j in range(cols) if any(r[j] for r in grid)]
    out = []
    for r in grid:
        row = []
        for j in keep:
            t = r[j]
            if (m := _SPAN.search(t)) is not None:
                n = sum(1 for k in keep if j <= k < j + int(m.group(1)))
                t = _SPAN.sub("", t) + (f" <{n}>" if n > 1 else "")
            row.append(t)
        out.append(row)
    return out


def draft(out: Path, names: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from tables import EXTRACTORS  # the extractor ingest uses: its cells as the draft

    (out / "draft").mkdir(exist_ok=True)
    for name in names:
        pdf = out / "pdfs" / f"{name}.pdf"
        for k, (page, cells) in enumerate(EXTRACTORS["mardoc"](pdf), 1):
            text = "\n".join(" | ".join(r) for r in grid_text(cells))
            (out / "draft" / f"{name}_t{k}.txt").write_text(f"# {pdf.name} {page}\n{text}\n")
            print(f"== {name}_t{k}\n{text}")


def parse_grid(text: str) -> dict:
    """A checked grid (``gt/NAME_t<k>.txt``: ``# PDF PAGE``, then one row a line, cells split
    by `` | ``, ``<n>`` after a cell spanning n columns, ``^`` for a slot the cell above spans
    down into) as the ground truth's JSON."""
    lines = text.splitlines()
    pdf, page = lines[0].lstrip("# ").split()
    cells = []
    for i, line in enumerate(lines[1:]):
        j = 0
        for part in line.split(" | "):
            m = _SPAN.search(part)
            width = int(m.group(1)) if m else 1
            t = _SPAN.sub("", part).strip()
            if t == "^":  # the cell above spans this row too
                above = next((c for c in cells if c["col"] <= j <= c["end_col"] and c["end_row"] == i - 1), None)
                if above is None:
                    raise ValueError(f"row {i + 1}, column {j + 1}: '^' under no cell")
                above["end_row"] = i
            elif t:
                cells.append({"row": i, "col": j, "end_row": i, "end_col": j + width - 1, "text": t})
            j += width
    return {"pdf": pdf, "page": int(page), "n_rows": len(lines) - 1, "cells": cells}


def build(out: Path) -> None:
    for f in sorted((out / "gt").glob("*.txt")):
        if f.name == "README.txt":
            continue
        got = parse_grid(f.read_text())
        got["table_index"] = int(f.stem.rsplit("_t", 1)[1])
        f.with_suffix(".json").write_text(json.dumps(got, indent=0, ensure_ascii=False))
        print(f.stem, len(got["cells"]), "cells")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cut")
    c.add_argument("--list", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("draft")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("names", nargs="+")
    b = sub.add_parser("build")
    b.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if args.cmd == "cut":
        cut(args.list, args.out)
    elif args.cmd == "draft":
        draft(args.out, args.names)
    else:
        build(args.out)


if __name__ == "__main__":
    main()
