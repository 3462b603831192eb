"""Text and layout of a page: blocks with font facts, captions, running headers, headings."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pymupdf

from mardoc.ingest.document import Document, Heading, TextBlock

CAPTION = re.compile(
    r"^\s*(figure|fig\.?|chart|graph|exhibit|diagram|table|tab\.)\s*[A-Za-z]?[\dIVX]+[.:)]?",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\W*$", re.IGNORECASE)
MARGIN = 0.08  # top/bottom share of a page where running headers and footers live


def text_blocks(page: pymupdf.Page) -> list[TextBlock]:
    data = page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)
    blocks = []
    for b in data["blocks"]:
        if b.get("type") != 0:
            continue
        lines = []
        sizes: Counter[float] = Counter()
        bold_chars = total_chars = 0
        for line in b["lines"]:
            parts = []
            for span in line["spans"]:
                t = span["text"]
                if not t.strip():
                    parts.append(t)
                    continue
                n = len(t.strip())
                sizes[round(span["size"], 1)] += n
                total_chars += n
                if span["flags"] & 16 or "bold" in span["font"].lower():
                    bold_chars += n
                parts.append(t)
            text = "".join(parts).strip()
            if text:
                lines.append(text)
        if not lines:
            continue
        text = join_lines(lines)
        blocks.append(
            TextBlock(
                text=text,
                bbox=tuple(b["bbox"]),  # type: ignore[arg-type]
                font_size=sizes.most_common(1)[0][0] if sizes else 0.0,
                bold=total_chars > 0 and bold_chars / total_chars > 0.8,
            )
        )
    return blocks


def join_lines(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line  # undo end-of-line hyphenation
        else:
            out += " " + line
    return out


def mark_captions(blocks: list[TextBlock]) -> None:
    """Blocks that open like a figure or table caption ("Figure 3:", "Table 2.") become captions."""
    for b in blocks:
        if CAPTION.match(b.text) and len(b.text) < 400:
            b.role = "caption"


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()[:80]


def mark_margins(doc: Document) -> None:
    """Mark running headers/footers: margin blocks whose digit-free text repeats across pages."""
    seen: Counter[str] = Counter()
    for page in doc.pages:
        keys = set()
        for b in page.blocks:
            if b.bbox[3] < page.height * MARGIN or b.bbox[1] > page.height * (1 - MARGIN):
                keys.add(_norm(b.text))
        seen.update(keys)
    threshold = max(3, int(0.3 * len(doc.pages)))
    for page in doc.pages:
        for b in page.blocks:
            top = b.bbox[3] < page.height * MARGIN
            bottom = b.bbox[1] > page.height * (1 - MARGIN)
            if not (top or bottom):
                continue
            if seen[_norm(b.text)] >= threshold or (PAGE_NUMBER.match(b.text) and len(b.text) < 16):
                b.role = "header" if top else "footer"


def mark_headings(doc: Document, toc: list[Any]) -> list[Heading]:
    """Headings from the PDF outline when it has one, else from font size and weight."""
    body = [b for p in doc.pages for b in p.blocks if b.role == "body" and not b.ocr]
    sizes: Counter[float] = Counter()
    for b in body:
        sizes[b.font_size] += len(b.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    headings: list[Heading] = []
    if toc:
        by_page: dict[int, list[tuple[int, str]]] = {}
        for level, title, pno in toc:
            if 1 <= pno <= len(doc.pages):
                by_page.setdefault(pno, []).append((level, title.strip()))
        for pno, entries in sorted(by_page.items()):
            page = doc.pages[pno - 1]
            for level, title in entries:
                key = _norm(title)[:30]
                match = next(
                    (b for b in page.blocks if b.role == "body" and _norm(b.text).startswith(key)),
                    None,
                )
                if match is not None:
                    match.role, match.level = "heading", level
                headings.append(Heading(title, level, pno))
        return headings
    if not body_size:
        return headings
    candidates = [
        b
        for b in body
        if len(b.text) < 120
        and not b.text.rstrip().endswith((".", ",", ";"))
        and (b.font_size >= body_size * 1.15 or (b.bold and b.font_size >= body_size * 0.95))
        and any(c.isalpha() for c in b.text)
    ]
    cand_ids = {id(b) for b in candidates}
    levels = sorted({round(b.font_size) for b in candidates}, reverse=True)[:4]
    for page in doc.pages:
        for b in page.blocks:
            if id(b) in cand_ids:
                lvl = levels.index(round(b.font_size)) + 1 if round(b.font_size) in levels else 4
                b.role, b.level = "heading", lvl
                headings.append(Heading(b.text, lvl, page.number))
    return headings
