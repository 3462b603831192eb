"""Printed cells put back together after the words' alignment made the grid's slots.

The alignment (:mod:`mardoc.ingest.aligned`) gives every run of words lined up in a column a
slot of its own; a reader sees fewer, larger cells:

* a currency sign printed in a column of its own ("$" left of "16,388", the dollar column of a
  financial statement) belongs to its number: the column goes, the sign joins the number; a
  sign left at the end of a number ("$ 5,363 $") belongs to the next number;
* a label wrapped over lines, the first without values ("Common stock, $0.10 par value: … and"
  over "282,988,000 shares, respectively  27  28"), is one row: joined when the next line
  starts in lower case or the first ends mid-phrase (a comma, a semicolon, "and", "of", …);
* a cell whose text wraps inside a row of text cells ("Non-Executive" over "& Independent", a
  header "No. of Board" over "Meetings"): a line with an empty first slot whose every text
  lies under a one-column cell of the line above continues those cells;
* a header cell printed on two lines over one column ("December 2," over "2022"): two header
  lines that fill the same columns, one cell each, the upper with no stub, are one line (a
  group title centred over three columns fills one of them: it stays a line of its own).

Measured on the hand-checked dev tables and ICDAR 2013 (bench/RESULTS.md); each rule also has a
made-up table of its own in tests/ingest/test_cells.py.
"""

from __future__ import annotations

import re

from mardoc.tables import CURRENCY, is_year, parse_number
from mardoc.types import BBox

Slot = tuple[str, BBox] | None
Rows = list[list[Slot]]

# a line that ends mid-phrase: the label goes on
_OPEN_END = re.compile(r"(?:[,;]|\b(?:and|or|of|the|to|in|at|for|by|with|on|from|including|less|net of))\s*$", re.I)


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _join(a: Slot, b: Slot) -> Slot:
    """``a`` then ``b`` as one cell (either may be empty)."""
    if a is None:
        return b
    if b is None:
        return a
    return (f"{a[0]} {b[0]}", _union(a[1], b[1]))


def _is_sign(slot: Slot) -> bool:
    return slot is not None and slot[0].strip() in CURRENCY


def currency_columns(rows: Rows, cols: list[tuple[float, float]]) -> tuple[Rows, list[tuple[float, float]]]:
    """The currency signs joined to their numbers and their own columns dropped (see the
    module docstring); ``cols`` (each slot's x-range) kept in step."""
    rows = [list(r) for r in rows]
    for r in rows:  # "$ 5,363 $": the trailing sign is the next number's
        for j in range(len(r) - 1):
            c = r[j]
            if c is not None and r[j + 1] is not None and c is not r[j + 1]:
                text = c[0].rstrip()
                if text[-1:] in CURRENCY and len(text) > 1 and parse_number(text[:-1]) is not None:
                    r[j] = (text[:-1].rstrip(), c[1])
                    r[j + 1] = (f"{text[-1]} {r[j + 1][0]}", r[j + 1][1])  # type: ignore[index]
    width = max((len(r) for r in rows), default=0)
    drop: list[int] = []
    for j in range(1, width - 1):
        slots = [r[j] if j < len(r) else None for r in rows]
        signs = [s for s in slots if _is_sign(s)]
        # every slot: empty, a sign, or one cell spanning over the column from a neighbour (a header)
        if signs and all(s is None or _is_sign(s) or s is r[j + 1] or s is r[j - 1] for s, r in zip(slots, rows, strict=True)):
            drop.append(j)
    for j in reversed(drop):
        for r in rows:
            if j < len(r):
                if _is_sign(r[j]) and j + 1 < len(r):
                    r[j + 1] = _join(r[j], r[j + 1]) if r[j + 1] is not None else r[j]
                elif r[j] is not None and r[j] is r[j - 1] and r[j + 1] is None:
                    r[j + 1] = r[j]  # a title spanning over a sign's column spans its number's too
                del r[j]
        # the dropped column's x-range goes to the number column it belongs to
        cols = [*cols[:j], (cols[j][0], cols[j + 1][1]), *cols[j + 2 :]]
    return rows, cols


def _label_only(r: list[Slot]) -> bool:
    return r[0] is not None and all(c is None for c in r[1:])


def wrapped_labels(rows: Rows) -> Rows:
    """A label-only line joined to the next line when the label goes on there."""
    out: Rows = []
    for r in rows:
        prev = out[-1] if out else None
        first = r[0]
        if prev is not None and first is not None and _label_only(prev) and prev[0] is not None:
            goes_on = first[0][:1].islower() or bool(_OPEN_END.search(prev[0][0]))
            if goes_on and not prev[0][0].rstrip().endswith(":"):
                out[-1] = [_join(prev[0], first), *r[1:]]
                continue
        out.append(list(r))
    return out


def _alone(r: list[Slot], j: int) -> bool:
    """Whether slot ``j`` holds a cell of its own (not one spanning from or into a neighbour)."""
    c = r[j]
    return c is not None and (j == 0 or r[j - 1] is not c) and (j + 1 >= len(r) or r[j + 1] is not c)


def wrapped_cells(rows: Rows) -> Rows:
    """A line of text cells with an empty first slot, each under a one-column cell of the line
    above, joined into that line."""
    out: Rows = []
    for r in rows:
        filled = [j for j, c in enumerate(r) if c is not None]
        prev = out[-1] if out else None
        if prev is not None and r[0] is None and filled and all(
            j < len(prev) and _alone(prev, j) and _alone(r, j) and any(ch.isalpha() for ch in r[j][0])  # type: ignore[index]
            and parse_number(r[j][0]) is None for j in filled  # type: ignore[index]
        ):
            out[-1] = [_join(p, r[j]) if j in filled else p for j, p in enumerate(prev)]
            continue
        out.append(list(r))
    return out


def _title_line(r: list[Slot]) -> bool:
    """A line of column titles: no stub, no number but years."""
    texts = [c[0].strip() for c in r[1:] if c is not None]
    return r[0] is None and bool(texts) and all(parse_number(t) is None or is_year(t) for t in texts)


def stacked_header(rows: Rows, head: int) -> tuple[Rows, int]:
    """Header lines printed as one: an upper line with no stub whose cells each stand over a
    cell of the same columns on the line below, joined into it (among the ``head`` header rows
    and the title lines on top); the header row count after."""
    rows = [list(r) for r in rows]
    top = next((k for k, r in enumerate(rows) if not _title_line(r)), len(rows))
    limit, joined, i = max(head, top), 0, 0
    while i + 1 < limit:
        upper, lower = rows[i], rows[i + 1]
        filled = [j for j, c in enumerate(upper) if c is not None and j > 0]
        below = [j for j, c in enumerate(lower) if c is not None and j > 0]
        # the same columns filled on both lines (a title over a group of columns fills fewer)
        same = bool(filled) and upper[0] is None and filled == below and all(
            _alone(upper, j) and _alone(lower, j) for j in filled
        )  # fmt: skip
        if same:
            rows[i + 1] = [_join(upper[j], c) if j in filled else c for j, c in enumerate(lower)]
            del rows[i]
            limit -= 1
            joined += 1
            continue
        i += 1
    return rows, max(1, head - joined) if joined else head
