"""A table's cells from the alignment of its words: rows are text lines, columns the white
rivers that run down the body rows.

PyMuPDF's ``find_tables`` finds where tables are well (the layout model, or the rules), but
its cells follow the rules it sees: an unruled statistical or financial table comes out as a few
giant cells, or as one column per word gap. Here the cells are rebuilt from the words inside the
table's box, the way a reader lines them up:

1. words on one baseline form a line (a row); words closer than :data:`GAP_EM` of the text height
   form one phrase (a cell's text);
2. columns are the x-ranges that phrases of the rows cover, separated by rivers of white that
   almost every row leaves open (a header phrase spanning several columns may cross a river);
3. each phrase takes the columns it overlaps, a header phrase spanning several columns takes them
   all, and above the body an empty slot goes to the header phrase centred over it (``Total``
   over three columns of numbers);
4. a line holding only a label that starts in lower case continues the label above it (a wrapped
   row label);
5. the header lines a table finder leaves above the box (a financial statement's "Year Ended
   December 31," over "2020 2019 2018", found as a table from its first body row) are taken in when
   each of their phrases lies over the body's number columns or starts the stub column
   (:func:`header_above`), and the title lines right above them ("CONSOLIDATED BALANCE SHEETS (in
   thousands)") become the table's title, so the unit they print reaches the values.

Measured with ``bench/tables.py`` against the ICDAR 2013 ground truth (bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mardoc.ingest.cells import currency_columns, stacked_header, wrapped_cells, wrapped_labels
from mardoc.ingest.text import CAPTION
from mardoc.tables import CURRENCY, header_rows, is_year, parse_number
from mardoc.types import BBox, TableGrid

GAP_EM = 0.55  # a gap wider than this (times the text height) separates two phrases
RIVER_EM = 0.3  # a river narrower than this is no column gap


@dataclass
class _Phrase:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class _Line:
    phrases: list[_Phrase] = field(default_factory=list)


def _lines(words: Sequence[Any]) -> list[list[Any]]:
    """Words grouped by baseline, top to bottom, each line left to right."""
    if not words:
        return []
    height = float(np.median([w[3] - w[1] for w in words]))
    out: list[list[Any]] = []
    centre = float("-inf")
    for w in sorted(words, key=lambda w: ((w[1] + w[3]) / 2, w[0])):
        y = (w[1] + w[3]) / 2
        if out and abs(y - centre) <= 0.45 * height:
            out[-1].append(w)
            centre = float(np.mean([(v[1] + v[3]) / 2 for v in out[-1]]))
        else:
            out.append([w])
            centre = y
    return [sorted(line, key=lambda w: w[0]) for line in out]


def _phrases(line: list[Any], height: float) -> list[_Phrase]:
    out: list[_Phrase] = []
    for w in line:
        if out and w[0] - out[-1].x1 <= GAP_EM * height:
            p = out[-1]
            p.x1, p.y0, p.y1 = max(p.x1, w[2]), min(p.y0, w[1]), max(p.y1, w[3])
            p.text += " " + w[4]
        else:
            out.append(_Phrase(w[0], w[1], w[2], w[3], w[4]))
    return out


def _columns(lines: list[_Line], height: float) -> list[tuple[float, float]]:
    """Column x-ranges: where the rows' phrases lie, split at the rivers nearly all rows leave open."""
    x0 = min(p.x0 for ln in lines for p in ln.phrases)
    x1 = max(p.x1 for ln in lines for p in ln.phrases)
    width = int(np.ceil(x1 - x0)) + 1
    cover = np.zeros(width, dtype=int)
    for ln in lines:
        row = np.zeros(width, dtype=bool)
        for p in ln.phrases:
            row[int(p.x0 - x0) : int(np.ceil(p.x1 - x0)) + 1] = True
        cover += row
    allowed = max(1, len(lines) // 10) if len(lines) >= 6 else 0  # spanning header lines may cross
    open_ = cover <= allowed
    cols: list[tuple[float, float]] = []
    start = None
    gap = 0
    for i, is_open in enumerate(open_):
        if not is_open:
            if start is None:
                start = i
            elif gap and gap < RIVER_EM * height:
                pass  # too narrow a river: the same column
            elif gap:
                cols.append((x0 + start, x0 + i - gap))
                start = i
            gap = 0
        elif start is not None:
            gap += 1
    if start is not None:
        cols.append((x0 + start, x0 + width - 1 - gap))
    return cols


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _inside(words: Sequence[Any], bbox: BBox) -> list[Any]:
    x0, y0, x1, y1 = bbox
    return [w for w in words if x0 <= (w[0] + w[2]) / 2 <= x1 and y0 <= (w[1] + w[3]) / 2 <= y1 and str(w[4]).strip()]


HEAD_GAP_EM = 2.6  # a header line at most this far (times the text height) above the next line
TITLE_GAP_EM = 3.2  # a title line at most this far above the table
HEAD_LINES = 4
TITLE_LINES = 2


@dataclass(frozen=True)
class Above:
    """What :func:`header_above` found over a table's box."""

    bbox: BBox  # the box with the header lines taken in
    header_lines: int  # how many lines were taken in
    title: str  # the lines right above the header, joined ("" when none)


def header_above(words: Sequence[Any], bbox: BBox) -> Above:
    """The header lines right above ``bbox`` that belong to its table, and the title over them.

    Only a box whose first line has no titles over its number columns (it starts at a body
    row: "Revenues $ 36,397", or at a heading "Revenue:") is grown. A line belongs to the header when every phrase of it lies over the body's number columns
    (right of the stub column's start, within the table's width) or starts at the stub column's
    left edge and stops before the number columns, and at least one phrase is over the numbers;
    lines are taken bottom-up while each is close to the one below it. The title is the one or
    two lines right above that (a statement's name, its unit), whatever their alignment.
    """
    x0, y0, x1, y1 = bbox
    inside = _inside(words, bbox)
    none = Above(bbox, 0, "")
    if len(inside) < 4:
        return none
    height = float(np.median([w[3] - w[1] for w in inside]))
    rows = _lines(inside)
    cols = _columns([_Line(_phrases(ln, height)) for ln in rows], height)
    if len(cols) < 2:
        return none
    stub_x0, numbers_x0 = cols[0][0], cols[1][0]
    first = _phrases(rows[0], height)
    if any(p.x0 >= numbers_x0 - height and _title_text(p.text) for p in first):
        return Above(bbox, 0, _title(words, bbox, y0, height))  # the box has its titles
    above = [w for w in words if (w[1] + w[3]) / 2 < y0 and str(w[4]).strip() and w[3] > y0 - 12 * height]
    lines = _lines(above)
    top, taken = y0, 0
    gx0, gx1 = x0, x1
    while lines and taken < HEAD_LINES:
        line = lines[-1]
        if top - max(w[3] for w in line) > HEAD_GAP_EM * height:
            break
        phrases = _phrases(line, height)
        if CAPTION.match(phrases[0].text):
            break  # "Table 4: ...": the caption, not the header
        over_numbers = [p for p in phrases if p.x0 >= numbers_x0 - height and p.x1 <= x1 + height]
        in_stub = [p for p in phrases if abs(p.x0 - stub_x0) <= height and p.x1 < numbers_x0]
        if not over_numbers or len(over_numbers) + len(in_stub) < len(phrases):
            break
        top = min(w[1] for w in line)
        gx0, gx1 = min(gx0, min(w[0] for w in line)), max(gx1, max(w[2] for w in line))
        taken += 1
        lines.pop()
    grown = (gx0, top - 0.5, gx1, y1) if taken else bbox
    return Above(grown, taken, _title(words, grown, top, height))


def _title(words: Sequence[Any], bbox: BBox, top: float, height: float) -> str:
    """The one or two lines right above ``top`` over the table's width, joined."""
    x0, _, x1, _ = bbox
    lines = _lines([w for w in words if (w[1] + w[3]) / 2 < top and str(w[4]).strip() and w[3] > top - 8 * height])
    title: list[str] = []
    while lines and len(title) < TITLE_LINES:
        line = lines.pop()
        if top - max(w[3] for w in line) > TITLE_GAP_EM * height:
            break
        if max(w[2] for w in line) < x0 or min(w[0] for w in line) > x1:
            break  # beside the table, not over it
        title.insert(0, " ".join(str(w[4]) for w in line))
        top = min(w[1] for w in line)
    return " ".join(title)


def _title_text(text: str) -> bool:
    """A phrase that titles a column: words or a year, not a value ("36,397") or a sign."""
    t = text.strip()
    return bool(t) and t not in CURRENCY and (parse_number(t) is None or is_year(t))


def aligned_grid(words: Sequence[Any], bbox: BBox, caption: str = "", header_lines: int = 0) -> TableGrid | None:
    """The table in ``bbox`` as a grid of cells, from PyMuPDF ``words`` tuples (see the module
    docstring); None when the words do not make at least two rows of two columns.
    ``header_lines``: how many of its top lines are known to be the header (taken in by
    :func:`header_above`); below them a row is a header row too only when it holds titles
    over the number columns."""
    inside = _inside(words, bbox)
    if len(inside) < 4:
        return None
    height = float(np.median([w[3] - w[1] for w in inside]))
    lines = [_Line(_phrases(ln, height)) for ln in _lines(inside)]
    cols = _columns(lines, height)
    if len(cols) < 2 or len(lines) < 2:
        return None
    rows: list[list[tuple[str, BBox] | None]] = []
    for ln in lines:
        slots: list[list[_Phrase]] = [[] for _ in cols]
        spans: dict[int, int] = {}
        for p in ln.phrases:
            hit = [j for j, (c0, c1) in enumerate(cols) if _overlap(p.x0, p.x1, c0, c1) > 0]
            if not hit:
                hit = [min(range(len(cols)), key=lambda j: abs((cols[j][0] + cols[j][1]) / 2 - (p.x0 + p.x1) / 2))]
            slots[hit[0]].append(p)
            if len(hit) > 1:
                spans[hit[0]] = hit[-1]
        row: list[tuple[str, BBox] | None] = [None] * len(cols)
        for j, ps in enumerate(slots):
            if ps:
                box = (min(p.x0 for p in ps), min(p.y0 for p in ps), max(p.x1 for p in ps), max(p.y1 for p in ps))
                cell = (" ".join(p.text for p in ps), box)
                for k in range(j, spans.get(j, j) + 1):
                    if row[k] is None:
                        row[k] = cell
        rows.append(row)
    rows = _join_wrapped(rows)
    rows, cols = currency_columns(rows, cols)  # printed cells put back together (mardoc.ingest.cells)
    rows = wrapped_cells(wrapped_labels(rows))
    texts = [[c[0] if c else "" for c in r] for r in rows]
    if header_lines and header_lines < len(rows):
        rest = texts[header_lines:]
        more = header_rows(rest) if _titles(rest[0]) else 0
        head = min(header_lines + more, len(rows) - 1)
    else:
        head = header_rows(texts)
    rows, head = stacked_header(rows, head)
    for i in range(head):  # header rows: an empty slot belongs to the phrase centred over it
        rows[i] = _spread_header(rows[i], cols)
    cells = tuple(tuple(c[0] if c else "" for c in r) for r in rows)
    # an empty cell's box is its column's x-range on its row's band of the page
    bands = [(min(c[1][1] for c in r if c), max(c[1][3] for c in r if c)) for r in rows]
    boxes = tuple(tuple(c[1] if c else (cols[j][0], bands[i][0], cols[j][1], bands[i][1]) for j, c in enumerate(r))
                  for i, r in enumerate(rows))  # fmt: skip
    return TableGrid(cells=cells, boxes=boxes, header_rows=head, caption=caption)


def _titles(row: list[str]) -> bool:
    """Whether a row reads as column titles: words over the columns right of the stub, and no
    number among them (a body row's "$ 36,397" is no title)."""
    cells = [c.strip() for c in row[1:] if c.strip()]
    if any(parse_number(c) is not None and not is_year(c) for c in cells):
        return False
    return any(_title_text(c) for c in cells)


def _join_wrapped(rows: list[list[tuple[str, BBox] | None]]) -> list[list[tuple[str, BBox] | None]]:
    out: list[list[tuple[str, BBox] | None]] = []
    for row in rows:
        filled = [j for j, c in enumerate(row) if c]
        first = row[0]
        if out and filled == [0] and first is not None and first[0][:1].islower() and out[-1][0] is not None:
            prev = out[-1][0]
            (a0, b0, a1, b1), (c0, d0, c1, d1) = prev[1], first[1]
            out[-1][0] = (f"{prev[0]} {first[0]}", (min(a0, c0), min(b0, d0), max(a1, c1), max(b1, d1)))
            continue
        out.append(list(row))
    return out


def _spread_header(row: list[tuple[str, BBox] | None], cols: list[tuple[float, float]]) -> list[tuple[str, BBox] | None]:
    """A header row's empty slots, each given to the phrase of the row whose centre is nearest
    the slot's centre when that phrase spans over the slot's side of the row."""
    placed = [(j, c) for j, c in enumerate(row) if c and j > 0]  # the stub's own title spreads nowhere
    if len(placed) < 1:
        return row
    out = list(row)
    for j, c in enumerate(row):
        if c is not None:
            continue
        centre = (cols[j][0] + cols[j][1]) / 2
        left = next((p for p in reversed(placed) if p[0] < j), None)
        right = next((p for p in placed if p[0] > j), None)
        if j == 0:
            continue  # the stub column's empty header slot stays empty
        options = [p for p in (left, right) if p is not None]
        best = min(options, key=lambda p: abs((p[1][1][0] + p[1][1][2]) / 2 - centre))
        out[j] = best[1]
    return out
