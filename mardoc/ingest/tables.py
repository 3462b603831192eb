"""Tables: a cheap gate, PyMuPDF's table finder, and each found table as data and markdown."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pymupdf

from mardoc.ingest.aligned import aligned_grid, header_above
from mardoc.ingest.document import Region
from mardoc.tables import header_rows, parse_number, to_markdown
from mardoc.types import BBox, TableGrid

log = logging.getLogger(__name__)

GRID_ROWS = 3  # grid-like text rows that send an unruled page to the table finder


def _cell_text(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def table_grid(table: Any, words: list[Any], caption: str = "") -> TableGrid | None:
    """A found table as data: each cell's text and box, merged cells repeating their text.

    PyMuPDF's ``Table.to_markdown`` extracts a text page for every cell (60% of all parsing
    time on a 10-K report); here the page's words, extracted once, are dealt to the cells
    by their centres. Merged cells (``None`` in PyMuPDF's grid) repeat the text to their
    left, or above, as ``to_markdown(fill_empty=True)`` does. Empty rows and columns are
    dropped; the header is one row, or two when the first spans columns.
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
                        grid[i][j].append(w)  # type: ignore[union-attr]
                        break
                break
    text: list[list[str | None]] = []
    boxes: list[list[BBox | None]] = []
    for i, found in enumerate(grid):
        places = [tuple(rows[i][j]) if j < len(rows[i]) and rows[i][j] is not None else None for j in range(ncols)]
        for sub_text, sub_boxes in _split_row(found, places):  # type: ignore[arg-type]
            text.append(sub_text)
            boxes.append(sub_boxes)
    for i, line in enumerate(text):  # merged cells: from the left, else from above
        for j, val in enumerate(line):
            if val is None:
                if j:
                    line[j], boxes[i][j] = line[j - 1], boxes[i][j - 1]
                else:
                    line[j], boxes[i][j] = (text[i - 1][j], boxes[i - 1][j]) if i else ("", None)
    keep_rows = [i for i, line in enumerate(text) if any(line)]
    keep = [j for j in range(ncols) if any(text[i][j] for i in keep_rows)]  # drop empty columns
    if not keep_rows or not keep:
        return None
    cells: list[list[str]] = [[text[i][j] or "" for j in keep] for i in keep_rows]
    return TableGrid(
        cells=tuple(tuple(r) for r in cells),
        boxes=tuple(tuple(boxes[i][j] for j in keep) for i in keep_rows),
        header_rows=header_rows(cells),
        caption=caption,
    )


def _lines(words: list[Any]) -> list[float]:
    """The centres of the text lines the words stand on, top to bottom."""
    if not words:
        return []
    height = float(np.median([w[3] - w[1] for w in words]))
    centres: list[float] = []
    for y in sorted((w[1] + w[3]) / 2 for w in words):
        if not centres or y - centres[-1] > 0.5 * height:
            centres.append(y)
    return centres


def _row_lines(filled: list[list[Any]]) -> list[float]:
    """The line centres that stand for a tall row's real rows (see :func:`_split_row`), or []."""
    first = _lines(filled[0])
    others = [_lines(c) for c in filled[1:]]
    if len(first) >= 2 and any(len(o) == len(first) for o in others):
        return first
    counts = [len(o) for o, c in zip(others, filled[1:], strict=True) if 2 <= len(o) < len(first) and _numbers(c, o)]
    agreed = [n for n in set(counts) if counts.count(n) >= 2]
    if not agreed:
        return []
    n = max(agreed)
    return next(o for o, c in zip(others, filled[1:], strict=True) if len(o) == n and _numbers(c, o))


def _numbers(words: list[Any], lines: list[float]) -> bool:
    """Whether each of a cell's lines (centres ``lines``) reads as one number (or a dash)."""
    height = float(np.median([w[3] - w[1] for w in words]))
    for centre in lines:
        text = " ".join(w[4] for w in words if abs((w[1] + w[3]) / 2 - centre) <= 0.5 * height)
        if parse_number(text) is None and text not in ("-", "–", "—"):  # a dash: an empty value
            return False
    return True


def _split_row(row: list[list[Any] | None], cells: list[BBox | None]) -> list[tuple[list[str | None], list[BBox | None]]]:
    """A table row as text, split into one row per real row when the table is drawn without
    rules between its rows (PyMuPDF then sees one tall row whose cells hold a line per real
    row). The real rows are the lines of the first column when another column has as many
    (two or more); else, when the first column has more lines (a label that wraps), the lines
    of the other columns when two of them agree on a number of two or more, each line a number. A line that wraps
    stays with the line above it; a header, whose first cell is one line, is never split."""
    whole = ([_cell_text(" ".join(w[4] for w in c)) if c is not None else None for c in row], list(cells))
    filled = [c for c in row if c]
    if len(filled) < 2:
        return [whole]
    anchors = _row_lines(filled)
    if len(anchors) < 2:
        return [whole]
    height = float(np.median([w[3] - w[1] for c in filled for w in c]))
    parts: list[list[list[Any]]] = [[[] for _ in row] for _ in anchors]
    for j, c in enumerate(row):
        for w in c or ():
            y = (w[1] + w[3]) / 2
            k = max([i for i, a in enumerate(anchors) if a <= y + 0.5 * height] or [0])
            parts[k][j].append(w)
    out = []
    for part in parts:
        sub_text = [None if c is None else _cell_text(" ".join(w[4] for w in part[j])) for j, c in enumerate(row)]
        sub_boxes = [
            (box[0], min(w[1] for w in part[j]), box[2], max(w[3] for w in part[j])) if box and part[j] else box
            for j, box in enumerate(cells)
        ]
        out.append((sub_text, sub_boxes))
    return out


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
            # the words' alignment gives the cells (ICDAR 2013 micro F1 0.854 against 0.693 for
            # PyMuPDF's own cells, bench/RESULTS.md); PyMuPDF's where it makes no grid
            # the header lines the finder left above the box taken in, the title over them kept
            above = header_above(words, tuple(t.bbox))  # type: ignore[arg-type]
            box = above.bbox
            grid = aligned_grid(words, box, above.title, above.header_lines)
            if grid is None:
                box, grid = tuple(t.bbox), table_grid(t, words, above.title)  # type: ignore[assignment]
        except Exception as exc:  # pragma: no cover - depends on odd PDFs
            log.debug("table cells failed on page %d: %s", page_number, exc)
            continue
        md = to_markdown(grid) if grid is not None else ""
        if len(md) < 20:
            continue
        regions.append(Region("table", box, text=md, table=grid, caption=above.title))  # type: ignore[arg-type]
    return regions
