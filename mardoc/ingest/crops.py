"""Rendering: pages and regions to pixels under a pixel cap, and figure/table crops on disk."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from mardoc.ingest.document import Page
from mardoc.types import BBox

CROP_DPI = 110


def render(pg: pymupdf.Page, dpi: int, max_pixels: int, clip: BBox | None = None) -> pymupdf.Pixmap:
    """The page (or ``clip``) at ``dpi``, or at the resolution ``max_pixels`` allows."""
    rect = pymupdf.Rect(clip) if clip else pg.rect
    zoom = dpi / 72
    pixels = rect.width * rect.height * zoom * zoom
    if pixels > max_pixels:  # huge pages: render at what the cap allows
        zoom *= (max_pixels / pixels) ** 0.5
    return pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=rect, alpha=False)


def save_crops(pg: pymupdf.Page, page: Page, doc_id: str, crops_dir: Path, max_pixels: int) -> None:
    """Write a PNG of each region once (atomically) and record its path on the region."""
    folder = crops_dir / doc_id[:16]
    for i, region in enumerate(page.regions):
        out = folder / f"p{page.number}-{region.kind}{i}.png"
        if not out.exists():
            folder.mkdir(parents=True, exist_ok=True)
            pix = render(pg, CROP_DPI, max_pixels, region.bbox)
            tmp = out.with_suffix(".tmp")
            tmp.write_bytes(pix.tobytes("png"))
            tmp.rename(out)
        region.image_path = str(out)
