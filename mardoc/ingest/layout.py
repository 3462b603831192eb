"""Page layout: whole text units and the page's reading order.

Two steps, both on geometry and font facts only (no model):

* :func:`join_split_blocks` joins the lines of one paragraph, caption or label that the
  PDF's text objects split into several blocks (a two-line label under a photo comes out
  of PyMuPDF as two blocks when its lines are centred differently).
* :func:`reading_order` orders a page's blocks as a person reads the page: a recursive
  XY-cut over the blocks and the figure and table regions. PyMuPDF's own orders were
  tried first: the default order is the content stream's (right for most papers,
  arbitrary for brochures and slides); ``sort=True`` is top-to-bottom, which interleaves
  the lines of two columns; its layout model's boxes come sorted by their top edge too.

The XY-cut rule, stated once: a region is split at the whitespace gaps that cross it
completely. A vertical gap (a gutter) splits it into columns, read left to right, unless
the two sides are rows of one grid (most blocks on one side have a partner on the other
at the same height: a form, a key/value list, a picture grid), in which case a horizontal
gap, if there is one, splits it into bands, read top to bottom. When both sides hold only
text, the content stream has the last word on such a grid: a PDF that writes one side
wholly before the other laid it out as two columns (a list of names set in two columns),
one that alternates between the sides wrote rows (a form's key, then its value). A figure or table is one
unit with the text inside it, so a label under a picture is read right after it and a
table's rows stay together. A title across two columns leaves no gutter crossing the
whole page; the bands it is cut into are regrouped where consecutive bands share a
gutter, so the columns under the title are still columns (:func:`_regroup`). Where no
gap crosses a region, its items are read top to bottom, then left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeVar

from mardoc.ingest.document import Page, Region, TextBlock
from mardoc.ingest.geometry import inside, inter, union
from mardoc.types import BBox

T = TypeVar("T")

SHRINK = 1.0  # points a box is shrunk by before gaps are found (touching boxes still split)
ROW_TOLERANCE = 3.0  # points: blocks whose tops or centres differ by less sit in one row
GRID_SHARE = 0.5  # share of row partners above which the two sides of a gutter are a grid
MAX_LINE_GAP = 0.45  # a paragraph's next line starts within this many font sizes below
LABEL_GAP = 24.0  # points between a picture and a label line that belongs to it


def _gaps(boxes: Sequence[BBox], lo: int, hi: int) -> list[float]:
    """Positions of the whitespace gaps crossing all ``boxes`` along one axis (0 = x, 1 = y)."""
    spans = sorted((b[lo] + SHRINK, b[hi] - SHRINK) for b in boxes)
    cuts: list[float] = []
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach:
            cuts.append((reach + start) / 2)
        reach = max(reach, end)
    return cuts


def _split(items: list[T], box: Callable[[T], BBox], cuts: list[float], lo: int) -> list[list[T]]:
    parts: list[list[T]] = [[] for _ in range(len(cuts) + 1)]
    for it in items:
        centre = (box(it)[lo] + box(it)[lo + 2]) / 2
        parts[sum(centre > c for c in cuts)].append(it)
    return [p for p in parts if p]


def _grid_rows(left: list[BBox], right: list[BBox]) -> bool:
    """True when the two sides of a gutter are rows of one grid, not two columns of text."""
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    if not small:
        return False
    if len(small) < 2:
        return any(_same_row(small[0], b) for b in large) and len(large) < 3
    partners = sum(any(_same_row(a, b) for b in large) for a in small)
    return partners / len(small) > GRID_SHARE


def _same_row(a: BBox, b: BBox) -> bool:
    return abs(a[1] - b[1]) < ROW_TOLERANCE or abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < ROW_TOLERANCE


def _stream_columns(a: list[T], b: list[T], stream: Callable[[T], int | None]) -> bool:
    """True when the content stream writes all of one side before the other (every item
    of both sides is text with a stream position, and the sides switch at most once)."""
    keys = [(stream(it), side) for side, items in enumerate((a, b)) for it in items]
    if any(k is None for k, _ in keys):
        return False
    sides = [side for _, side in sorted(keys)]  # type: ignore[type-var]
    return sum(x != y for x, y in pairwise(sides)) <= 1


def _regroup(bands: list[list[T]], box: Callable[[T], BBox]) -> list[list[T]]:
    """Join consecutive bands that share a gutter back into one region.

    A title across two columns stops the gutter from crossing the whole page, so the
    page is cut into bands first; where the lines or paragraphs of the two columns line
    up, every gap between them is such a cut, and the columns would be read band by
    band, left then right. A band with a vertical gap, and the bands after it whose boxes
    together with it still leave one open, are one region with columns (or a grid: the
    rule for gutters decides), cut again on its own.
    """
    groups: list[list[T]] = []
    open_gap = False  # the last group has a vertical gap of its own
    for band in bands:
        if groups and open_gap and _gaps([box(i) for i in groups[-1] + band], 0, 2):
            groups[-1] = groups[-1] + band  # (a band on one side only, e.g. a longer entry, too)
        else:
            groups.append(list(band))
            open_gap = bool(_gaps([box(i) for i in band], 0, 2))
    return groups


def xy_order(
    items: list[T],
    box: Callable[[T], BBox],
    cell: Callable[[T], bool] = lambda _: True,
    stream: Callable[[T], int | None] | None = None,
) -> list[T]:
    """``items`` in reading order by the recursive XY-cut described in the module doc.

    ``cell`` says which items can be cells of a grid (pictures, tables, short labels and
    fields); a paragraph of several lines never is, so two columns of text whose
    paragraphs happen to start at the same heights are still read column by column.
    ``stream`` gives a text item's position in the content stream (None for a figure or
    table); without it, a grid of text is always read row by row.
    """
    if len(items) <= 1:
        return list(items)
    boxes = [box(it) for it in items]
    vertical = _gaps(boxes, 0, 2)
    horizontal = _gaps(boxes, 1, 3)
    if vertical:
        columns = _split(items, box, vertical, 0)
        grid = len(columns) > 1 and all(
            _grid_rows([box(i) for i in a if cell(i)], [box(i) for i in b if cell(i)])
            and not (stream is not None and _stream_columns(a, b, stream))
            for a, b in pairwise(columns)
        )
        if not (grid and horizontal):
            return [it for col in columns for it in xy_order(col, box, cell, stream)]
    if horizontal:
        bands = _split(items, box, horizontal, 1)
        if not vertical:  # something spans the gutter (a title): regroup the bands it cut
            bands = _regroup(bands, box)
        return [it for band in bands for it in xy_order(band, box, cell, stream)]
    return sorted(items, key=lambda it: (round(box(it)[1]), box(it)[0]))


@dataclass
class _Unit:
    """One item of the XY-cut: a text block, or a figure/table with the blocks inside it."""

    bbox: BBox
    blocks: list[TextBlock] = field(default_factory=list)
    region: Region | None = None


def reading_order(page: Page) -> None:
    """Reorder ``page.blocks`` and ``page.regions`` into reading order (in place)."""
    units: list[_Unit] = [_Unit(r.bbox, region=r) for r in page.regions]
    position = {id(b): i for i, b in enumerate(page.blocks)}  # content-stream order
    for b in page.blocks:
        owner = max(
            (u for u in units if inside(b.bbox, u.bbox)),
            key=lambda u: inter(b.bbox, u.bbox),
            default=None,
        )
        if owner is None:
            units.append(_Unit(b.bbox, [b]))
        else:
            owner.blocks.append(b)
            owner.bbox = union(owner.bbox, b.bbox)

    def stream(u: _Unit) -> int | None:
        return None if u.region is not None else position[id(u.blocks[0])]

    ordered = xy_order(units, lambda u: u.bbox, _cell, stream)
    for u in ordered:
        if u.region is not None:
            u.blocks.sort(key=_top_left)
            if u.region.kind == "figure":  # its text in the order the page shows it
                u.region.text = " ".join(b.text for b in u.blocks if inside(b.bbox, u.region.bbox))
    page.blocks = [b for u in ordered for b in u.blocks]
    page.regions = [u.region for u in ordered if u.region is not None]


def _cell(u: _Unit) -> bool:
    """A figure or table, or a text block of at most two lines, can be a grid's cell."""
    if u.region is not None:
        return True
    b = u.blocks[0]
    return b.bbox[3] - b.bbox[1] <= 2.6 * max(b.font_size, 1.0)


def _top_left(b: TextBlock) -> tuple[float, float]:
    return (round(b.bbox[1]), b.bbox[0])


# -- whole units -------------------------------------------------------------------------


def _overlap_x(a: BBox, b: BBox) -> float:
    return min(a[2], b[2]) - max(a[0], b[0])


def _aligned(a: BBox, b: BBox, tol: float) -> bool:
    """Left edges, centres or right edges within ``tol`` (a left-aligned, centred or
    right-aligned run of lines)."""
    return abs(a[0] - b[0]) <= tol or abs((a[0] + a[2]) - (b[0] + b[2])) / 2 <= tol or abs(a[2] - b[2]) <= tol


def _below(blocks: list[TextBlock], a: TextBlock) -> TextBlock | None:
    """The nearest block under ``a`` that shares part of its width."""
    under = [
        b for b in blocks if b is not a and b.bbox[1] >= a.bbox[3] - 2 and _overlap_x(a.bbox, b.bbox) > 0
    ]
    return min(under, key=lambda b: b.bbox[1], default=None)


def _above(blocks: list[TextBlock], b: TextBlock) -> TextBlock | None:
    over = [a for a in blocks if a is not b and a.bbox[3] <= b.bbox[1] + 2 and _overlap_x(a.bbox, b.bbox) > 0]
    return max(over, key=lambda a: a.bbox[3], default=None)


def _in_row(blocks: list[TextBlock], x: TextBlock) -> bool:
    """``x`` has a neighbour beside it on the same line (a table cell, a form field, a grid label)."""
    return any(o is not x and _overlap_x(o.bbox, x.bbox) <= 0 and _same_row(o.bbox, x.bbox) for o in blocks)


def _under_picture(regions: list[Region], a: TextBlock) -> bool:
    return any(
        r.kind == "figure"
        and 0 <= a.bbox[1] - r.bbox[3] <= LABEL_GAP
        and _overlap_x(r.bbox, a.bbox) > 0.5 * (a.bbox[2] - a.bbox[0])
        for r in regions
    )


def _continues(a: TextBlock, b: TextBlock) -> bool:
    """``b`` is the next line(s) of ``a``'s paragraph, caption or label."""
    size = max(a.font_size, b.font_size, 1.0)
    return (
        a.role == b.role == "body"
        and a.ocr == b.ocr
        and abs(a.font_size - b.font_size) <= 0.6
        and a.bold == b.bold
        and -0.3 * size <= b.bbox[1] - a.bbox[3] <= MAX_LINE_GAP * size
        and _aligned(a.bbox, b.bbox, 0.6 * size)
    )


def _labels_of(regions: list[Region], labels: list[tuple[BBox, Region]], box: BBox) -> Region | None:
    """The figure that ``box`` is (a line of) the label of: right under or over it within
    its width, or right under or over a line already found to label it."""
    centre = (box[0] + box[2]) / 2
    for r in regions:
        if r.kind != "figure" or not r.bbox[0] <= centre <= r.bbox[2]:
            continue
        if -2 <= box[1] - r.bbox[3] <= LABEL_GAP or -2 <= r.bbox[1] - box[3] <= LABEL_GAP:
            return r
    for line, r in labels:
        gap = max(box[1] - line[3], line[1] - box[3])
        if line[0] <= centre <= line[2] and -2 <= gap <= MAX_LINE_GAP * max(line[3] - line[1], 1.0):
            return r
    return None


def split_label_rows(page: Page) -> int:
    """Split blocks that are a row of pictures' labels (PyMuPDF joins texts on one
    baseline into one block) into one block per label; returns how many were split.

    A block is split when its ``parts`` (texts well apart on one row) all stand on the
    same row and each labels a different figure (the line right under or over it, or the
    next line of such a label). A table's row, with no pictures, stays one block: its
    cells read as one line.
    """
    out: list[TextBlock] = []
    labels: list[tuple[BBox, Region]] = []
    split = 0
    for b in sorted(page.blocks, key=lambda b: b.bbox[1]):
        parts = b.parts or [(b.text, b.bbox)]
        owners = [_labels_of(page.regions, labels, box) for _, box in parts]
        one_row = all(min(p[1][3], q[1][3]) - max(p[1][1], q[1][1]) > 0 for p, q in pairwise(parts))
        if all(owners) and len({id(o) for o in owners}) == len(parts) and one_row:
            labels.extend((box, o) for (_, box), o in zip(parts, owners, strict=True) if o is not None)
            if len(parts) > 1:
                out.extend(
                    TextBlock(text=t, bbox=box, font_size=b.font_size, bold=b.bold, ocr=b.ocr, role=b.role)
                    for t, box in parts
                )
                split += 1
                continue
        out.append(b)
    order = {id(b): i for i, b in enumerate(page.blocks)}
    page.blocks = sorted(out, key=lambda b: order.get(id(b), len(order)))  # stream order kept
    return split


def join_split_blocks(page: Page, is_caption: Callable[[str], bool]) -> int:
    """Join blocks that are the next lines of the block above them (in place); returns
    how many joins were made.

    ``b`` joins ``a`` when each is the other's nearest neighbour (below / above), both are
    body text of one font size and weight, ``b`` starts within ``MAX_LINE_GAP`` font
    sizes under ``a``, their left edges, centres or right edges line up, and ``b`` does not
    open a caption of its own. Blocks that sit in a row with other blocks (table cells,
    form fields) are joined only under a picture (its label's lines): elsewhere a column
    of cells would become one block. Text inside a figure or table is left as it is.
    """
    from mardoc.ingest.text import join_lines

    blocks = page.blocks
    held = {id(b) for b in blocks for r in page.regions if inside(b.bbox, r.bbox)}
    free = sorted((b for b in blocks if id(b) not in held), key=lambda b: b.bbox[1])
    nxt: dict[int, TextBlock] = {}
    label_lines: set[int] = set()  # blocks of a label that starts under a picture
    for a in free:
        if _under_picture(page.regions, a):
            label_lines.add(id(a))
        b = _below(free, a)
        if b is None or _above(free, b) is not a or not _continues(a, b) or is_caption(b.text):
            continue
        if (_in_row(free, a) or _in_row(free, b)) and id(a) not in label_lines:
            continue
        nxt[id(a)] = b
        if id(a) in label_lines:
            label_lines.add(id(b))
    continued = {id(b) for b in nxt.values()}
    gone: set[int] = set()
    for a in free:
        if id(a) in continued:
            continue  # a chain is joined from its first block
        cur = a
        while id(cur) in nxt:
            cur = nxt[id(cur)]
            a.text = join_lines([a.text, cur.text])
            a.bbox = union(a.bbox, cur.bbox)
            gone.add(id(cur))
    page.blocks = [b for b in blocks if id(b) not in gone]
    return len(gone)
