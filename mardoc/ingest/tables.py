"""Tables: a cheap gate, PyMuPDF's table finder, and each found table as markdown."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pymupdf

from mardoc.ingest.document import Region

log = logging.getLogger(__name__)

GRID_ROWS = 3  # grid-like text rows that send an unruled page to the table finder


def _cell_text(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def table_markdown(table: Any, words: list[Any]) -> str:
    """A found table as GitHub markdown, its first row as the header.

    PyMuPDF's ``Table.to_markdown`` extracts a text page for every cell (60% of all parsing
    time on a 10-K report); here the page's words, extracted once, are dealt to the cells
    by their centres. Merged cells (``None`` in PyMuPDF's grid) repeat the text to their
    left, or above, as ``to_markdown(fill_empty=True)`` does.
    """
    rows = [list(r.cells) for r in table.rows]
    ncols = max((len(r) for r in rows), default=0)
    grid: list[list[list[str] | None]] = [
        [[] if j < len(r) and r[j] is not None else None for j in range(ncols)] for r in rows
    ]
    spans = [(min(c[1] for c in r if c), max(c[3] for c in r if c)) if any(r) else (0.0, -1.0) for r in rows]
    x0, y0, x1, y1 = table.bbox
    for w in words:
        cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
        if not (x0 <= cx <= x1 and y0 <= cy <= y1):
            continue
        for i, (top, bottom) in enumerate(spans):
            if top <= cy <= bottom:
                for j, cell in enumerate(rows[i]):
                    if cell is not None and cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]:
                        grid[i][j].append(w[4])  # type: ignore[union-attr]
                        break
                break
    text = [[_cell_text(" ".join(c)) if c is not None else None for c in row] for row in grid]
    for i, row in enumerate(text):  # merged cells: from the left, else from above
        for j, val in enumerate(row):
            if val is None:
                row[j] = row[j - 1] if j else (text[i - 1][j] if i else "")
    lines = [row for row in text if any(row)]
    keep = [j for j in range(ncols) if any(row[j] for row in lines)]  # drop empty columns
    lines = [[row[j] for j in keep] for row in lines]
    if not lines or not keep:
        return ""
    out = ["| " + " | ".join(v or f"Col{j + 1}" for j, v in enumerate(lines[0])) + " |"]
    out.append("|" + "---|" * len(keep))
    out += ["| " + " | ".join(v or "" for v in row) + " |" for row in lines[1:]]
    return "\n".join(out)


def _ruled(drawings: list[dict]) -> bool:
    """Whether a page has a few straight segments (rules, cell borders): where tables can be."""
    segments = 0
    for d in drawings:
        for item in d["items"]:
            if item[0] == "re":
                segments += 2
            elif item[0] == "l":
                a, b = item[1], item[2]
                segments += abs(a.x - b.x) < 1 or abs(a.y - b.y) < 1
            if segments >= 6:
                return True
    return False


def grid_rows(words: list[Any]) -> int:
    """Text rows split into at least three cells by gaps wider than the text height: the
    shape of an unruled table (financial statements, data sheets); prose and two-column
    layouts give two at most."""
    if not words:
        return 0
    height = float(np.median([w[3] - w[1] for w in words]))
    ordered = sorted(words, key=lambda w: ((w[1] + w[3]) / 2, w[0]))
    rows: list[list[Any]] = []
    row_y = float("-inf")
    for w in ordered:
        y = (w[1] + w[3]) / 2
        if rows and abs(y - row_y) <= 0.4 * height:
            rows[-1].append(w)
        else:
            rows.append([w])
            row_y = y
    count = 0
    for row in rows:
        row.sort(key=lambda w: w[0])
        gaps = sum(b[0] - a[2] > height for a, b in zip(row, row[1:], strict=False))
        count += gaps >= 2
    return count


def table_candidate(words: list[Any], drawings: list[dict]) -> bool:
    """Cheap gate before the table finder (its layout model costs ~0.3 s a page): ruled
    pages, and unruled ones with at least three grid-like text rows."""
    return _ruled(drawings) or grid_rows(words) >= GRID_ROWS


def find_tables(pg: pymupdf.Page, page_number: int, words: list[Any], use_layout: bool) -> list[Region]:
    """The page's tables (at least 2 x 2 cells and some text) as markdown regions."""
    try:
        found = pg.find_tables(use_layout=use_layout)
    except Exception as exc:  # pragma: no cover - depends on odd PDFs
        log.debug("table finder failed on page %d: %s", page_number, exc)
        return []
    regions = []
    for t in found.tables:
        if t.row_count < 2 or t.col_count < 2:
            continue
        try:
            md = table_markdown(t, words)
        except Exception as exc:  # pragma: no cover - depends on odd PDFs
            log.debug("table to markdown failed on page %d: %s", page_number, exc)
            continue
        if len(md) < 20:
            continue
        regions.append(Region("table", tuple(t.bbox), text=md))  # type: ignore[arg-type]
    return regions
