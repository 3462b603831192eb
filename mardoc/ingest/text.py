"""Text and layout of a page: blocks with font facts, captions, running headers, headings."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Any

import pymupdf

from mardoc.ingest.document import Document, Heading, TextBlock
from mardoc.types import BBox

CAPTION = re.compile(
    r"^\s*(figure|fig\.?|chart|graph|exhibit|diagram|table|tab\.)\s*[A-Za-z]?[\dIVX]+[.:)]?",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\W*$", re.IGNORECASE)
MARGIN = 0.08  # top/bottom share of a page where running headers and footers live


# Normalised text. What a block stores is what the page says, with only the artefacts of
# typesetting undone: ligature glyphs spelt out, soft hyphens and zero-width characters
# dropped, odd spaces made plain spaces, letter-spaced words ("C A M R Y") closed up by
# their glyphs' positions, and a word hyphenated at a line end joined. No word, number or
# punctuation mark is changed, so a quote the reader copies from this text is verified
# against this same text (``mardoc.memory.quote_found`` compares case- and space-blind).
_GLYPHS = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
     "\ufb06": "st", "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": ""}
)  # fmt: skip
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_RUNS = re.compile(r" {2,}")
FLAGS = pymupdf.TEXTFLAGS_TEXT
LETTER_SPACED_SHARE = 0.7  # share of one-letter tokens that marks a line as letter-spaced
WORD_GAP = 0.15  # font sizes a word gap exceeds the letter gap by, in a letter-spaced line


def clean_text(text: str) -> str:
    """Ligatures spelt out, invisible characters dropped, every space a single plain space."""
    return _RUNS.sub(" ", _SPACES.sub(" ", text.translate(_GLYPHS))).strip()


def letter_spaced(text: str) -> bool:
    """A line set with wide letter spacing: at least 4 tokens, most of them single letters."""
    tokens = text.split()
    singles = [t for t in tokens if len(t) == 1 and t.isalnum()]
    return (
        len(tokens) >= 4
        and len(singles) >= LETTER_SPACED_SHARE * len(tokens)
        and sum(t.isalpha() for t in singles) >= LETTER_SPACED_SHARE * len(singles)
    )


def close_up(chars: list[dict], size: float) -> str | None:
    """A letter-spaced line's words from its glyphs' positions: a gap wider than the
    usual letter gap by ``WORD_GAP`` font sizes is a word break. ``None`` when the gaps
    are not those of spaced letters (a letter gap above one font size: a row of cells)."""
    glyphs = [c for c in chars if c["c"].strip()]
    if len(glyphs) < 4:
        return None
    gaps = [b["bbox"][0] - a["bbox"][2] for a, b in pairwise(glyphs)]
    letter = sorted(gaps)[len(gaps) // 2]
    if letter > size:
        return None
    out = glyphs[0]["c"]
    for gap, g in zip(gaps, glyphs[1:], strict=True):
        out += (" " if gap > letter + WORD_GAP * size else "") + g["c"]
    return out


def text_blocks(page: pymupdf.Page) -> list[TextBlock]:
    """The page's text as blocks with their font facts, in content-stream order.

    A PyMuPDF block whose lines stand side by side, well apart, on one row (a table's row,
    or the labels of a row of photos written on one baseline) keeps those texts as its
    ``parts``: the layout step splits the block into them when they are pictures' labels.
    """
    data = page.get_text("dict", flags=FLAGS)
    raw: list[dict] | None = None  # glyph positions, read only for letter-spaced lines
    blocks = []
    for bi, b in enumerate(data["blocks"]):
        if b.get("type") != 0:
            continue
        runs: list[list[tuple[str, BBox, Counter[float], int, int]]] = []
        for li, line in enumerate(b["lines"]):
            parts = []
            sizes: Counter[float] = Counter()
            bold_chars = total_chars = 0
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
            text = clean_text("".join(parts))
            if text and letter_spaced(text):
                if raw is None:
                    raw = page.get_text("rawdict", flags=FLAGS)["blocks"]
                chars = [c for s in raw[bi]["lines"][li]["spans"] for c in s["chars"]]
                text = close_up(chars, max(sizes)) or text
            if not text:
                continue
            box: BBox = tuple(line["bbox"])  # type: ignore[assignment]
            prev = runs[-1][-1][1] if runs else None
            size = max(sizes) if sizes else 0.0
            if prev is None or _beside(prev, box, size):
                runs.append([])  # the first line, or one well apart beside the previous: a new block
            runs[-1].append((text, box, sizes, bold_chars, total_chars))
        if not runs:
            continue
        lines = [r for run in runs for r in run]
        sizes = sum((r[2] for r in lines), Counter())
        bold_chars, total_chars = sum(r[3] for r in lines), sum(r[4] for r in lines)
        blocks.append(
            TextBlock(
                text=join_lines([r[0] for r in lines]),
                bbox=tuple(b["bbox"]),  # type: ignore[arg-type]
                font_size=sizes.most_common(1)[0][0] if sizes else 0.0,
                bold=total_chars > 0 and bold_chars / total_chars > 0.8,
                parts=[(join_lines([r[0] for r in run]), _box(run)) for run in runs] if len(runs) > 1 else [],
            )
        )
    return blocks


def _box(run: list) -> BBox:
    x0, y0, x1, y1 = run[0][1]
    for r in run[1:]:
        x0, y0, x1, y1 = min(x0, r[1][0]), min(y0, r[1][1]), max(x1, r[1][2]), max(y1, r[1][3])
    return (x0, y0, x1, y1)


SIDE_GAP = 1.5  # font sizes between two lines on one row that make them separate texts


def _beside(prev: BBox, box: BBox, size: float) -> bool:
    """``box`` stands on the row of ``prev``, right or left of it, more than a wide word
    space away (the next label of a row, not the next word of a line PyMuPDF cut in two)."""
    if min(prev[3], box[3]) - max(prev[1], box[1]) <= 0:
        return False  # on another row: the next line of the paragraph
    gap = max(box[0] - prev[2], prev[0] - box[2])
    return gap > SIDE_GAP * max(size, 1.0)


_HYPHENATED = re.compile(r"[^\W\d_]-$")


def join_lines(lines: list[str]) -> str:
    """Lines of one block as one string; a word hyphenated at a line end (a letter, a
    hyphen, and a lower-case letter opening the next line) is joined."""
    out = lines[0]
    for line in lines[1:]:
        if _HYPHENATED.search(out) and line[:1].islower():
            out = out[:-1] + line  # undo end-of-line hyphenation
        else:
            out += " " + line
    return out


def mark_captions(blocks: list[TextBlock]) -> None:
    """Blocks that open like a figure or table caption become captions: up to 1,500
    characters when the label is closed by a colon or full stop ("Figure 3:", "Table 2."),
    the form of a whole caption; up to 400 otherwise (a sentence such as "Figure 3 shows
    ..." opens a paragraph as often as a caption)."""
    for b in blocks:
        m = CAPTION.match(b.text)
        if m and len(b.text) < (1500 if m.group(0).rstrip().endswith((":", ".")) else 400):
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
