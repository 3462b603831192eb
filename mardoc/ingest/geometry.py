"""Rectangle arithmetic on ``(x0, y0, x1, y1)`` boxes in PDF points."""

from __future__ import annotations

from mardoc.types import BBox


def union(a: BBox, b: BBox) -> BBox:
    """The smallest box holding both."""
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def area(b: BBox) -> float:
    """Area (0 for an empty or inverted box)."""
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def inter(a: BBox, b: BBox) -> float:
    """Area of the overlap of two boxes."""
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def inside(b: BBox, r: BBox, share: float = 0.6) -> bool:
    """``b`` lies (mostly) inside ``r``: more than ``share`` of its area overlaps ``r``
    (a text block inside a figure or table; a point-sized box counts as 1 pt²)."""
    return inter(b, r) > share * max(area(b), 1.0)


def merge_rects(rects: list[BBox], pad: float = 6.0) -> list[BBox]:
    """Merge rectangles that overlap or nearly touch, until stable."""
    out = list(rects)
    changed = True
    while changed:
        changed = False
        merged: list[BBox] = []
        for r in out:
            grown = (r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad)
            for i, m in enumerate(merged):
                if inter(grown, m) > 0:
                    merged[i] = union(m, r)
                    changed = True
                    break
            else:
                merged.append(r)
        out = merged
    return out
