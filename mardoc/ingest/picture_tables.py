"""Tables in pictures: a scanned page's OCR lines laid out as a grid become a table as data.

A slide deck or a scan shows its tables as pixels, so the table finder (which reads the text
layer) sees none. OCR gives each line of text its box; a table is where those boxes line up:
a run of rows, each with at least ``MIN_COLS`` lines and ``MIN_NUMBERS`` numbers, whose lines
fall into column bands that no row fills twice (a band a row fills twice, or a line that
bridges two bands, means the columns are not clear and no table is made: the page is still
read as text). The rows of words just above the run, each line within one band, are the
header (stacked title lines, "Parcels" over "Sorted", join into one column name).
"""

from __future__ import annotations

from statistics import median

from mardoc.ingest.document import Region
from mardoc.tables import parse_number, to_markdown
from mardoc.types import BBox, TableGrid

OcrLine = tuple[BBox, str, float]  # box in page points, text, confidence

MIN_COLS = 3  # lines in a row of the table's body
MIN_NUMBERS = 2  # numbers in a row of the table's body
MIN_ROWS = 2  # body rows
MAX_HEADER_ROWS = 3


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into rows by their vertical centres, top to bottom, each row left to right."""
    height = median(b[3] - b[1] for b, _, _ in lines)
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (ln[0][1] + ln[0][3]) / 2):
        cy = (line[0][1] + line[0][3]) / 2
        if rows:
            last = rows[-1]
            centre = sum((b[1] + b[3]) / 2 for b, _, _ in last) / len(last)
            if abs(cy - centre) <= 0.5 * height:
                last.append(line)
                continue
        rows.append([line])
    return [sorted(r, key=lambda ln: ln[0][0]) for r in rows]


def _is_body(row: list[OcrLine]) -> bool:
    return len(row) >= MIN_COLS and sum(parse_number(t) is not None for _, t, _ in row) >= MIN_NUMBERS


def _bands(rows: list[list[OcrLine]]) -> list[tuple[float, float]] | None:
    """The column bands of the body rows (their lines' x-extents merged where they overlap),
    or None when a row puts two lines in one band."""
    spans = sorted((b[0], b[2]) for row in rows for b, _, _ in row)
    bands: list[list[float]] = []
    for x0, x1 in spans:
        if bands and x0 <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    for row in rows:
        placed = [_band_of(b, bands) for b, _, _ in row]
        if len(set(placed)) < len(placed):
            return None
    return [(a, b) for a, b in bands]


def _band_of(box: BBox, bands: list[list[float]] | list[tuple[float, float]]) -> int:
    """The band holding a box's horizontal centre (-1: none)."""
    cx = (box[0] + box[2]) / 2
    return next((j for j, (a, b) in enumerate(bands) if a <= cx <= b), -1)


def _nearest(box: BBox, bands: list[tuple[float, float]]) -> int:
    """The band nearest a box's centre (a title spanning columns names the one it centres on)."""
    cx = (box[0] + box[2]) / 2
    return min(range(len(bands)), key=lambda j: min(abs(cx - bands[j][0]), abs(cx - bands[j][1])))


def _header(rows: list[list[OcrLine]], start: int, bands: list[tuple[float, float]], pitch: float) -> list[list[OcrLine]]:
    """The rows right above the body (within a row pitch each) that hold no number and put
    each line in one band, none twice: the header, top to bottom."""
    out: list[list[OcrLine]] = []
    top = min(b[1] for b, _, _ in rows[start])
    for row in reversed(rows[:start]):
        if len(out) == MAX_HEADER_ROWS or top - max(b[3] for b, _, _ in row) > pitch:
            break
        placed = [_band_of(b, bands) if _band_of(b, bands) >= 0 else _nearest(b, bands) for b, _, _ in row]
        wide_line = any(b[2] - b[0] > 0.5 * (bands[-1][1] - bands[0][0]) for b, _, _ in row)  # a title
        if len(set(placed)) < len(placed) or wide_line or any(parse_number(t) is not None for _, t, _ in row):
            break
        out.insert(0, row)
        top = min(b[1] for b, _, _ in row)
    return out


def _grid(rows: list[list[OcrLine]], bands: list[tuple[float, float]], header: int) -> TableGrid:
    cells: list[list[str]] = []
    boxes: list[list[BBox | None]] = []
    for row in rows:
        text = [""] * len(bands)
        box: list[BBox | None] = [None] * len(bands)
        for b, t, _ in row:
            j = _band_of(b, bands)
            j = j if j >= 0 else _nearest(b, bands)
            text[j], box[j] = t, b
        cells.append(text)
        boxes.append(box)
    return TableGrid(cells=tuple(tuple(r) for r in cells), boxes=tuple(tuple(r) for r in boxes), header_rows=header)


def picture_tables(lines: list[OcrLine]) -> list[Region]:
    """The tables laid out in a page's OCR lines, as table regions with their cells."""
    if not lines:
        return []
    rows = _rows(lines)
    out: list[Region] = []
    i = 0
    while i < len(rows):
        if not _is_body(rows[i]):
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and _is_body(rows[j + 1]):
            j += 1
        body = rows[i : j + 1]
        bands = _bands(body) if len(body) >= MIN_ROWS else None
        if bands is not None and len(bands) >= MIN_COLS:
            centres = [sum((b[1] + b[3]) / 2 for b, _, _ in r) / len(r) for r in body]
            pitch = max(c1 - c0 for c0, c1 in zip(centres, centres[1:], strict=False))
            head = _header(rows, i, bands, pitch)
            if head:
                grid = _grid(head + body, bands, len(head))
                every = [b for r in head + body for b, _, _ in r]
                bbox = (min(b[0] for b in every), min(b[1] for b in every), max(b[2] for b in every), max(b[3] for b in every))
                out.append(Region("table", bbox, text=to_markdown(grid), table=grid))
        i = j + 1
    return out


__all__ = ["OcrLine", "picture_tables"]
