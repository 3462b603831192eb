"""Figures: raster images, vector-drawing clusters and ink on scanned pages; their captions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pymupdf

from mardoc.ingest.document import Page, Region
from mardoc.ingest.geometry import area, inter, merge_rects
from mardoc.types import BBox

INK_DPI = 50  # resolution of the render that finds figures on scanned pages
INK_CONTRAST = 48  # grey levels from the background that count as ink
INK_JOIN_PT = 14  # strokes closer than this (points) belong to one figure


def find_figures(pg: pymupdf.Page, page: Page, words: list[Any], drawings: list[dict]) -> list[Region]:
    """Figure regions: raster images, clusters of vector drawings and, on scanned pages, ink.

    Overlapping candidates are merged; regions under 2% of the page or inside a table are
    dropped; body text inside a figure becomes its text (role ``figure-text``).
    """
    page_area = page.width * page.height
    rects: list[BBox] = []
    scanned = page.ocr
    for info in pg.get_image_info():
        r = tuple(info["bbox"])
        if 0.01 * page_area < area(r) < 0.9 * page_area:  # type: ignore[arg-type]
            rects.append(r)  # type: ignore[arg-type]
        scanned = scanned or area(r) >= 0.9 * page_area  # type: ignore[arg-type]
    if scanned:  # one picture of the whole page: its figures are only pixels
        rects.extend(ink_regions(pg, page, words))
    # a single path as large as the page is its background or frame: it would join
    # everything on the page into one "figure"
    paths = [d for d in drawings if area(tuple(d["rect"])) < 0.9 * page_area]  # type: ignore[arg-type]
    try:
        clusters = pg.cluster_drawings(drawings=paths)
    except Exception:
        clusters = []
    for c in clusters:
        r = (c.x0, c.y0, c.x1, c.y1)
        if area(r) > 0.02 * page_area and c.width > 40 and c.height > 40:
            rects.append(r)
    tables = [r.bbox for r in page.regions if r.kind == "table"]
    out = []
    for r in merge_rects(rects):
        if any(inter(r, t) > 0.5 * area(r) for t in tables):
            continue
        if area(r) < 0.02 * page_area:
            continue
        inside = [b for b in page.blocks if inter(b.bbox, r) > 0.6 * max(area(b.bbox), 1)]
        for b in inside:
            if b.role == "body":
                b.role = "figure-text"
        out.append(Region("figure", r, text=" ".join(b.text for b in inside)))
    return out

def ink_regions(pg: pymupdf.Page, page: Page, words: list[Any]) -> list[BBox]:
    """Figure candidates on a scanned page: large connected regions of ink that is not text.

    The page is rendered small in grey; pixels far from the dominant (background) grey
    are ink; all text (words of the text layer, OCR'd lines) is blanked; nearby strokes are joined
    by a morphological closing; connected regions of at least 2% of the page and 40 pt
    on each side, with ink inside them (not a bare frame), are kept.
    """
    import cv2

    zoom = INK_DPI / 72
    pix = pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    background = int(np.bincount(img.ravel(), minlength=256).argmax())
    ink = (np.abs(img.astype(np.int16) - background) > INK_CONTRAST).astype(np.uint8)
    x0, y0 = pg.rect.x0, pg.rect.y0
    sx, sy = pix.width / page.width, pix.height / page.height
    # blank the text: words of the text layer (tight boxes; a block can span a whole
    # figure), and the OCR'd lines
    text_boxes = [tuple(w[:4]) for w in words] + [b.bbox for b in page.blocks if b.ocr]
    for bx0, by0, bx1, by1 in text_boxes:
        ink[
            max(0, int((by0 - y0) * sy) - 1) : int((by1 - y0) * sy) + 2,
            max(0, int((bx0 - x0) * sx) - 1) : int((bx1 - x0) * sx) + 2,
        ] = 0
    join = max(3, round(INK_JOIN_PT * zoom))  # pixels
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    page_area = page.width * page.height
    out: list[BBox] = []
    for x, y, w, h, _pixels in stats[1:]:
        r = (x / sx + x0, y / sy + y0, (x + w) / sx + x0, (y + h) / sy + y0)
        if not (w / sx >= 40 and h / sy >= 40 and 0.02 * page_area <= area(r) <= 0.85 * page_area):
            continue
        # an empty frame (a box around nothing but text) has no ink inside it
        dx, dy = max(1, w * 15 // 100), max(1, h * 15 // 100)
        if ink[y + dy : y + h - dy, x + dx : x + w - dx].mean() >= 0.01:
            out.append(r)
    return out

def attach_captions(page: Page) -> None:
    """Give each region the nearest caption of its kind directly above or below it."""
    captions = [b for b in page.blocks if b.role == "caption"]
    for region in page.regions:
        best, best_d = None, 1e9
        want_table = region.kind == "table"
        for c in captions:
            is_table = c.text.lower().lstrip().startswith(("table", "tab."))
            if is_table != want_table:
                continue
            overlap = min(c.bbox[2], region.bbox[2]) - max(c.bbox[0], region.bbox[0])
            if overlap <= 0:
                continue
            d = min(abs(c.bbox[1] - region.bbox[3]), abs(region.bbox[1] - c.bbox[3]))
            if d < best_d and d < 80:
                best, best_d = c, d
        if best is not None:
            region.caption = best.text
