"""Document -> chunks at four granularities: page, block (passage), figure, table."""

from __future__ import annotations

import re

from mardoc.ingest.document import Document, Page, Region, TextBlock
from mardoc.types import BBox, Chunk, FigureRef, TableGrid, chunk_id

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_LABEL = re.compile(
    r"^\s*(figure|fig\.?|chart|graph|exhibit|diagram|table|tab\.)\s*([A-Za-z]?[\dIVX]+)", re.I
)
BODY_ROLES = ("body", "heading", "caption")


def _split_long(text: str, limit: int) -> list[str]:
    """Split text longer than ``limit`` on sentence boundaries (hard cut as a last resort)."""
    if len(text) <= limit:
        return [text]
    parts, cur = [], ""
    for sent in _SENTENCE.split(text):
        while len(sent) > limit:
            if cur:
                parts.append(cur)
                cur = ""
            parts.append(sent[:limit])
            sent = sent[limit:]
        if cur and len(cur) + 1 + len(sent) > limit:
            parts.append(cur)
            cur = sent
        else:
            cur = f"{cur} {sent}".strip()
    if cur:
        parts.append(cur)
    return parts


class Chunker:
    """Builds chunks; ids are deterministic in (doc, kind, page, ordinal)."""

    def __init__(self, block_max_chars: int = 1200) -> None:
        self.block_max_chars = block_max_chars

    def chunk(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        section: list[str] = []  # heading titles by level
        refs = _reference_sentences(doc)
        for page in doc.pages:
            chunks.extend(self._page_chunks(doc, page, section, refs))
        return chunks

    def _make(self, doc: Document, kind: str, page: Page, ordinal: int, text: str,
              bboxes: list[BBox], section: str, ocr: bool = False, image: str = "",
              figures: tuple[FigureRef, ...] = (), table: TableGrid | None = None) -> Chunk:  # fmt: skip
        return Chunk(
            id=chunk_id(doc.doc_id, kind, page.number, ordinal),
            doc_id=doc.doc_id,
            doc_name=doc.name,
            kind=kind,  # type: ignore[arg-type]
            page=page.number,
            pages=(page.number,),
            bboxes=tuple(bboxes),
            section=section,
            text=text,
            ordinal=ordinal,
            ocr=ocr,
            image_path=image,
            figures=figures,
            table=table,
        )

    def _page_chunks(
        self, doc: Document, page: Page, section: list[str], refs: dict[str, list[str]]
    ) -> list[Chunk]:
        out: list[Chunk] = []
        content = [b for b in page.blocks if b.role not in ("header", "footer")]
        page_text = "\n".join(b.text for b in content).strip()
        path_at_start = " > ".join(section)
        figures = [r for r in page.regions if r.kind == "figure"]
        refs_of_page = tuple(
            FigureRef(bbox=r.bbox, caption=r.caption, label=r.label, source=r.source) for r in figures
        )
        if page_text or figures:
            out.append(
                self._make(
                    doc,
                    "page",
                    page,
                    0,
                    page_text or figure_note(page, 0, len(figures), figures[0]),
                    [(0, 0, page.width, page.height)],
                    path_at_start,
                    ocr=page.ocr,
                    figures=refs_of_page,
                )  # fmt: skip
            )
        ordinal = 1
        cur: list[TextBlock] = []
        cur_section = path_at_start

        def flush() -> None:
            nonlocal ordinal, cur
            if not cur:
                return
            text = "\n".join(b.text for b in cur)
            bboxes = [b.bbox for b in cur]
            for piece in _split_long(text, self.block_max_chars):
                out.append(self._make(doc, "block", page, ordinal, piece, bboxes, cur_section, page.ocr))
                ordinal += 1
            cur = []

        for b in content:
            if b.role not in BODY_ROLES:
                continue  # figure-internal text lives in figure chunks and the page chunk
            if b.role == "heading":
                flush()
                level = max(1, b.level)
                del section[level - 1 :]
                section.append(b.text[:100])
                cur_section = " > ".join(section)
            size = sum(len(x.text) for x in cur)
            if cur and size + len(b.text) > self.block_max_chars:
                flush()
            cur.append(b)
        flush()
        for region in page.regions:
            label = _label(region.caption)
            if region.kind == "figure":
                # every figure is a chunk, with or without words: a note of what is known
                # (its place among the page's figures, position, size), then its caption
                # or label, the text inside it and the sentences that refer to it
                index = next(i for i, f in enumerate(figures) if f is region)
                parts = [
                    figure_note(page, index, len(figures), region),
                    region.caption,
                    region.label,
                    region.text,
                ]
                if label:
                    parts.extend(refs.get(label, [])[:3])
                text = "\n".join(p for p in parts if p).strip()
            else:
                text = f"{region.caption}\n{region.text}".strip()
            if not text:
                continue
            out.append(
                self._make(
                    doc,
                    region.kind,
                    page,
                    ordinal,
                    text,
                    [region.bbox],
                    cur_section,
                    page.ocr,
                    region.image_path,
                    table=region.table.model_copy(update={"caption": region.caption}) if region.table else None,
                )  # fmt: skip
            )
            ordinal += 1
        return out


def figure_note(page: Page, index: int, count: int, region: Region) -> str:
    """What is known of a figure without reading its pixels: "[figure 2 of 7 on page 5:
    top left, 12% of the page, raster image]"."""
    x0, y0, x1, y1 = region.bbox
    cx, cy = (x0 + x1) / 2 / max(page.width, 1), (y0 + y1) / 2 / max(page.height, 1)
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "centre"
    where = "centre" if (row, col) == ("middle", "centre") else row if col == "centre" else f"{row} {col}"
    share = round(100 * (x1 - x0) * (y1 - y0) / max(page.width * page.height, 1))
    kind = {"raster": "raster image", "vector": "vector drawing", "scan": "scanned picture"}.get(
        region.source, region.source.replace("+", " and ") or "picture"
    )
    return f"[figure {index + 1} of {count} on page {page.number}: {where}, {share}% of the page, {kind}]"


def _label(caption: str) -> str:
    m = _LABEL.match(caption or "")
    if not m:
        return ""
    word = m.group(1).lower()
    kind = "table" if word.startswith("tab") else "figure"
    return f"{kind} {m.group(2).lower()}"


def _reference_sentences(doc: Document) -> dict[str, list[str]]:
    """Sentences in body text that mention 'Figure N' / 'Table N', keyed by normalised label."""
    pattern = re.compile(r"\b(fig(?:ure)?\.?|table)\s*([A-Za-z]?\d+)", re.I)
    refs: dict[str, list[str]] = {}
    for page in doc.pages:
        for b in page.blocks:
            if b.role != "body":
                continue
            for sent in _SENTENCE.split(b.text):
                for m in pattern.finditer(sent):
                    kind = "table" if m.group(1).lower().startswith("tab") else "figure"
                    key = f"{kind} {m.group(2).lower()}"
                    bucket = refs.setdefault(key, [])
                    if sent not in bucket and len(sent) < 600:
                        bucket.append(sent)
    return refs
