"""Pictures a person checks: a page with its chunk boxes, and answer reports with highlights."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

import pymupdf

from mardoc.types import Answer, Chunk

COLOURS = {
    "page": (0.6, 0.6, 0.6),
    "block": (0.1, 0.4, 0.9),
    "figure": (0.9, 0.4, 0.0),
    "table": (0.1, 0.7, 0.2),
    "cited": (0.95, 0.1, 0.1),
}


def render_page_boxes(pdf: Path, page: int, chunks: Sequence[Chunk], dpi: int = 110) -> bytes:
    """PNG of ``page`` (1-based) with every chunk's boxes drawn and labelled by kind."""
    doc = pymupdf.open(pdf)
    try:
        pg = doc[page - 1]
        for c in chunks:
            if c.kind == "page":
                continue
            colour = COLOURS.get(c.kind, (0, 0, 0))
            for box in c.bboxes:
                r = pymupdf.Rect(box)
                pg.draw_rect(r, color=colour, width=1.2)
                label = f"{c.kind} #{c.ordinal}"
                pg.insert_text((r.x0 + 1, max(r.y0 - 1.5, 7)), label, fontsize=6.5, color=colour)
        return pg.get_pixmap(dpi=dpi).tobytes("png")
    finally:
        doc.close()


def page_picture(pdf: Path, page: int, max_pixels: int, clip: tuple[float, float, float, float] | None = None) -> bytes:
    """PNG of ``page`` (1-based), or of the ``clip`` box on it, scaled to at most
    ``max_pixels`` pixels (the whole page at the resolution the budget allows)."""
    doc = pymupdf.open(pdf)
    try:
        pg = doc[page - 1]
        rect = pymupdf.Rect(clip) & pg.rect if clip else pg.rect
        area = max(rect.width * rect.height, 1.0)
        zoom = min(4.0, (max_pixels / area) ** 0.5 * 0.995)  # the pixmap rounds its size up
        return pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=rect).tobytes("png")
    finally:
        doc.close()


def render_highlights(
    pdf: Path, page: int, boxes: Sequence[tuple[float, float, float, float]], dpi: int = 100
) -> bytes:
    """PNG of ``page`` with the given boxes highlighted."""
    doc = pymupdf.open(pdf)
    try:
        pg = doc[page - 1]
        for box in boxes:
            r = pymupdf.Rect(box)
            pg.draw_rect(r, color=COLOURS["cited"], fill=(1, 0.9, 0.2), fill_opacity=0.25, width=1.5)
        return pg.get_pixmap(dpi=dpi).tobytes("png")
    finally:
        doc.close()


def answer_html(answer: Answer, doc_paths: dict[str, Path]) -> str:
    """A self-contained HTML report: the answer, how the tables gave it (the lookup or the
    query, with its rows), and the cited regions (a table answer's cells) on page images."""
    esc = html.escape
    parts = [
        "<!doctype html><meta charset='utf-8'><title>mardoc answer</title>",
        "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}"
        "img{max-width:100%;border:1px solid #ccc}.q{color:#555}.cite{margin:1em 0}"
        "blockquote{background:#f6f6f6;padding:.5em 1em}</style>",
        f"<h1>Answer</h1><p class='q'>Q: {esc(answer.question)}</p>",
        f"<p><b>{esc(answer.short)}</b></p><p>{esc(answer.text)}</p>",
    ]
    parts.extend(_table_section(answer))
    by_page: dict[tuple[str, int], list] = {}
    for c in answer.citations:
        by_page.setdefault((c.doc_id, c.page), []).append(c)
    if by_page:
        parts.append("<h2>Evidence</h2>")
    for (doc_id, page), cites in by_page.items():
        path = doc_paths.get(doc_id)
        parts.append(f"<div class='cite'><h3>{esc(cites[0].doc_name)}, page {page}</h3>")
        for c in cites:
            if c.quote:
                parts.append(f"<blockquote>{esc(c.quote)}</blockquote>")
        if path and path.exists():
            png = render_highlights(path, page, [c.bbox for c in cites if c.bbox])
            parts.append(
                f"<img alt='page {page}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
            )
        parts.append("</div>")
    return "\n".join(parts)


def _table_section(answer: Answer) -> list[str]:
    """What the table step did for an answer it gave: its lookup or count, each query it ran
    with its error or rows (the cells are highlighted on the page images below)."""
    esc = html.escape
    event = next((e for e in answer.trace if e.get("agent") == "tables" and e.get("short") == answer.short), None)
    if event is None:
        return []
    out = ["<h2>From the tables</h2>"]
    if event.get("lookup"):
        out.append(f"<p>looked up: {esc(str(event.get('lookup')))}</p>")
    if event.get("count"):
        out.append(f"<p>counted: {esc(str(event.get('count')))}</p>")
    for q in event.get("queries") or []:
        out.append(f"<pre>{esc(str(q.get('sql', '')))}</pre>")
        if q.get("error"):
            out.append(f"<p class='q'>{esc(str(q['error']))}" + (f" (mended: {esc(str(q['mended']))})" if q.get("mended") else "") + "</p>")
        elif q.get("rows") is not None:
            head = "".join(f"<th>{esc(str(c))}</th>" for c in q.get("columns") or [])
            rows = "".join("<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in r) + "</tr>" for r in q["rows"])
            out.append(f"<table border='1' cellpadding='4'><tr>{head}</tr>{rows}</table>")
    return out


def locate_quote(pdf: Path, page: int, quote: str) -> tuple[float, float, float, float] | None:
    """The box of ``quote`` on a page's text layer (None when not found, e.g. OCR'd pages)."""
    words = quote.split()
    if not words:
        return None
    try:
        with pymupdf.open(pdf) as doc:
            pg = doc[page - 1]
            rects: list = []
            # PyMuPDF searches within lines best: try the whole quote, then its first words.
            for probe in (" ".join(words), " ".join(words[:8]), " ".join(words[:4])):
                rects = pg.search_for(probe)
                if rects:
                    break
    except Exception:
        return None
    if not rects:
        return None
    box = rects[0]
    for r in rects[1:]:
        if r.y0 - box.y1 < 30:  # consecutive lines of the same passage
            box |= r
    return (box.x0, box.y0, box.x1, box.y1)
