"""Figures: raster images, vector-drawing clusters and ink on scanned pages; their captions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pymupdf

from mardoc.ingest.document import Page, Region, TextBlock
from mardoc.ingest.geometry import area, inside, inter, merge_rects
from mardoc.types import BBox

INK_DPI = 50  # resolution of the render that finds figures on scanned pages
INK_CONTRAST = 48  # grey levels from the background that count as ink
INK_JOIN_PT = 14  # strokes closer than this (points) belong to one figure
TILE_PAD = 2.0  # points: pictures this close are tiles of one picture (a grid's photos are further apart)
MIN_SHARE = 0.02  # a figure covers at least this share of its page
SLICE_SHARE = 0.001  # raster pieces from this share of the page up are merged before the 2% cut
MAX_PIECES = 400  # at most this many of a page's largest raster pieces (a page of many tiny tiles)
MIN_SIDE = 40.0  # points: a narrower picture is a rule, a banner or a bullet, not a figure
BACKGROUND = 0.9  # share of the page above which a picture is the page's background
REPEATED_PAGES = 3  # the same picture on this many pages ...
REPEATED_SHARE = 0.1  # ... and on this share of the document's pages is a logo or decoration
LABEL_GAP = 24.0  # points between a picture and the label under or over it


def find_figures(pg: pymupdf.Page, page: Page, words: list[Any], drawings: list[dict]) -> list[Region]:
    """Figure regions: raster images, clusters of vector drawings and, on scanned pages, ink.

    Touching candidates (tiles of one picture) are merged. Candidates that are not figures
    are recorded in ``page.skipped`` with the reason: the page's background (at least 90%
    of it), inside a table, a strip (under 40 pt on a side); candidates under 2% of the
    page (icons, bullets) are dropped unrecorded. Body text inside a figure becomes its
    text (role ``figure-text``). Logos and decorations repeated over many pages are found
    over the whole document afterwards (:func:`drop_repeated`).
    """
    page_area = page.width * page.height
    found: list[tuple[BBox, str, str]] = []  # box, source, key
    scanned = page.ocr
    for info in pg.get_image_info(hashes=True):
        r: BBox = tuple(info["bbox"])  # type: ignore[assignment]
        if area(r) >= BACKGROUND * page_area:
            scanned = True
            page.skipped.append((r, "background"))
        elif area(r) >= SLICE_SHARE * page_area:
            # kept before the 2% cut: a picture stored as thin slices or small tiles is
            # only a figure once its pieces are merged
            digest = info.get("digest")
            found.append((r, "raster", "img:" + digest.hex() if digest else ""))
    if len(found) > MAX_PIECES:
        found = sorted(found, key=lambda f: area(f[0]), reverse=True)[:MAX_PIECES]
    if scanned:  # one picture of the whole page: its figures are only pixels
        found.extend((r, "scan", "") for r in ink_regions(pg, page, words))
    # a single path as large as the page is its background or frame: it would join
    # everything on the page into one "figure"
    paths = [d for d in drawings if area(tuple(d["rect"])) < BACKGROUND * page_area]  # type: ignore[arg-type]
    try:
        clusters = pg.cluster_drawings(drawings=paths)
    except Exception:
        clusters = []
    for c in clusters:
        r = (c.x0, c.y0, c.x1, c.y1)
        if area(r) > MIN_SHARE * page_area and c.width > MIN_SIDE and c.height > MIN_SIDE:
            found.append(
                (r, "vector", f"vec:{round(c.x0 / 5)},{round(c.y0 / 5)},{round(c.x1 / 5)},{round(c.y1 / 5)}")
            )
    tables = [r.bbox for r in page.regions if r.kind == "table"]
    out = []
    for r in merge_rects([f[0] for f in found], pad=TILE_PAD):
        if area(r) < MIN_SHARE * page_area:
            continue
        if any(inter(r, t) > 0.5 * area(r) for t in tables):
            page.skipped.append((r, "inside a table"))
            continue
        if min(r[2] - r[0], r[3] - r[1]) < MIN_SIDE:
            page.skipped.append((r, "strip (a rule, banner or bar)"))
            continue
        parts = [f for f in found if inter(f[0], r) >= 0.9 * area(f[0])]
        sources = sorted({f[1] for f in parts})
        held = [b for b in page.blocks if inside(b.bbox, r)]
        for b in held:
            if b.role == "body":
                b.role = "figure-text"
        out.append(
            Region(
                "figure",
                (float(r[0]), float(r[1]), float(r[2]), float(r[3])),
                text=" ".join(b.text for b in held),  # reordered with the page (layout)
                source="+".join(sources),
                keys=tuple(sorted({f[2] for f in parts if f[2]})),
            )
        )
    return out


def drop_repeated(pages: list[Page]) -> int:
    """Move figures whose pictures recur on many pages (logos, slide decorations) to each
    page's ``skipped`` list; returns how many were moved.

    A picture recurs when its image (by content digest) or, for vector drawings, its
    place on the page is found on at least ``REPEATED_PAGES`` pages and ``REPEATED_SHARE``
    of the document's pages. A figure is dropped when every picture in it recurs and it
    holds no text of its own.
    """
    seen: dict[str, set[int]] = {}
    for page in pages:
        for r in page.regions:
            for k in r.keys:
                seen.setdefault(k, set()).add(page.number)
    need = max(REPEATED_PAGES, REPEATED_SHARE * len(pages))
    repeated = {k for k, on in seen.items() if len(on) >= need}
    moved = 0
    for page in pages:
        keep = []
        for r in page.regions:
            if r.kind == "figure" and r.keys and set(r.keys) <= repeated and not r.text and not r.caption:
                page.skipped.append(
                    (r.bbox, f"repeated on {min(len(seen[k]) for k in r.keys)} pages (logo or decoration)")
                )
                moved += 1
            else:
                keep.append(r)
        page.regions = keep
    return moved


def label_figures(page: Page) -> None:
    """Give each figure without a caption its label: the nearest body block directly under
    it (else over it), within ``LABEL_GAP`` points, centred within the figure's width and
    not wider than 1.5 times it. A block labels one figure at most (the nearer one)."""
    claims: dict[int, tuple[float, Region, str]] = {}
    for region in page.regions:
        if region.kind != "figure" or region.caption:
            continue
        x0, y0, x1, y1 = region.bbox
        best: tuple[float, TextBlock] | None = None
        for below in (True, False):
            for b in page.blocks:
                if b.role != "body" or len(b.text) > 300:
                    continue
                centre = (b.bbox[0] + b.bbox[2]) / 2
                if not x0 <= centre <= x1 or b.bbox[2] - b.bbox[0] > 1.5 * (x1 - x0):
                    continue
                gap = b.bbox[1] - y1 if below else y0 - b.bbox[3]
                if -2 <= gap <= LABEL_GAP and (best is None or gap < best[0]):
                    best = (gap, b)
            if best is not None:
                break
        if best is not None:
            gap, b = best
            if id(b) not in claims or gap < claims[id(b)][0]:
                claims[id(b)] = (gap, region, b.text)
    for _gap, region, text in claims.values():
        region.label = text


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
