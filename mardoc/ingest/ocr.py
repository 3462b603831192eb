"""OCR of pages without a usable text layer (RapidOCR: PP-OCR models bundled on PyPI)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np
import pymupdf

from mardoc.ingest.document import TextBlock

log = logging.getLogger(__name__)

_engine: Any = None
_lock = threading.Lock()


def _get_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def ocr_lines(pixels: np.ndarray, scale: float) -> list[tuple[tuple[float, float, float, float], str, float]]:
    """OCR an RGB image; return (bbox in PDF points, text, confidence) per detected line."""
    engine = _get_engine()
    with _lock:  # onnxruntime sessions are shared; keep OCR calls serial
        result, _ = engine(pixels)
    lines = []
    for box, text, score in result or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        bbox = (min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale)
        if text.strip():
            lines.append((bbox, text.strip(), float(score)))
    return lines


def group_lines(lines: list[tuple[tuple[float, float, float, float], str, float]]) -> list[TextBlock]:
    """Merge OCR lines into paragraph blocks: consecutive lines close below each other."""
    lines = sorted(lines, key=lambda x: (round(x[0][1] / 4), x[0][0]))
    blocks: list[TextBlock] = []
    cur: list[tuple[tuple[float, float, float, float], str, float]] = []

    def flush() -> None:
        if cur:
            x0 = min(b[0][0] for b in cur)
            y0 = min(b[0][1] for b in cur)
            x1 = max(b[0][2] for b in cur)
            y1 = max(b[0][3] for b in cur)
            height = float(np.median([b[0][3] - b[0][1] for b in cur]))
            blocks.append(
                TextBlock(" ".join(b[1] for b in cur), (x0, y0, x1, y1), font_size=height, ocr=True)
            )
            cur.clear()

    for line in lines:
        if cur:
            prev = cur[-1][0]
            h = prev[3] - prev[1]
            gap = line[0][1] - prev[3]
            overlap = min(prev[2], line[0][2]) - max(prev[0], line[0][0])
            if gap > 0.9 * h or gap < -0.5 * h or overlap <= 0:
                flush()
        cur.append(line)
    flush()
    return blocks


def ocr_page(
    pg: pymupdf.Page, dpi: int, max_pixels: int
) -> tuple[list[TextBlock], list[tuple[tuple[float, float, float, float], str, float]]]:
    """The page rendered at ``dpi`` (under the pixel cap) and OCR'd: its blocks and its lines
    (box, text, confidence), in page points."""
    from mardoc.ingest.crops import render

    pix = render(pg, dpi, max_pixels)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    scale = pix.width / pg.rect.width
    lines = ocr_lines(arr[:, :, :3].copy(), scale)
    x0, y0 = pg.rect.x0, pg.rect.y0
    shifted = [((b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0), t, s) for b, t, s in lines]
    return group_lines(shifted), shifted
