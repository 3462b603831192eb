"""The answering call every reader shares: one call over fenced excerpts, checked and cited.

rag's one call and the agents' Answerer are this call; the Refiner's page judgements are its
prompt cut after each page's excerpts (:func:`answer_head`), so llama.cpp evaluates a page
once for the judgement and the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mardoc.agents.normalise import answer_items, normalise_short
from mardoc.agents.prompting import SHOWN_CHARS, fence_chunks, load_prompt, new_nonce, system_prompt
from mardoc.agents.questions import content_words, part_question, parts_text
from mardoc.agents.state import ExcerptAnswer, RagReply
from mardoc.errors import CallError
from mardoc.models import ChatModel, RequestRejected, image_part, with_images
from mardoc.render import locate_quote, page_picture
from mardoc.settings import Settings
from mardoc.types import NOT_ANSWERABLE, Chunk, Citation

log = logging.getLogger(__name__)
MIN_UNIT = 40  # shorter lines are joined to the next one (fewer labels for slide/OCR text)
MAX_UNIT = 260  # longer lines are split into sentences
_SENT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(\[])")


def split_units(text: str) -> list[str]:
    """An observation's lines as the Refiner sees them: short lines joined, long ones split.

    Table rows (markdown ``|`` lines) stay one unit each. Units are contiguous pieces of
    ``text`` (up to whitespace), so any run of them is a verbatim quote of the chunk.
    """
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line) > MAX_UNIT and not line.startswith("|"):
            pieces.extend(p.strip() for p in _SENT.split(line) if p.strip())
        else:
            pieces.append(line)
    units: list[str] = []
    for p in pieces:
        if units and len(units[-1]) < MIN_UNIT and not units[-1].startswith("|") and not p.startswith("|"):
            units[-1] = f"{units[-1]} {p}"
        else:
            units.append(p)
    return units



_MARK = "\x00excerpts\x00"
# the pictures' scales a call tries in turn when a server refuses them: full, a quarter, none
PICTURE_SCALES = (1.0, 0.25, 0.0)


def answer_messages(question: str, excerpts: str, nonce: str, prompt: str = "rag_answer",
                    fields: dict[str, str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The answering call's messages: the shared system prompt, then the prompt file with the
    question and the fenced excerpts."""
    values = {"question": question, "excerpts": excerpts, "sentinel": NOT_ANSWERABLE, "parts": parts_text(question)}
    if prompt == "rag_answer":
        values["notes"] = ""
    values.update(fields or {})
    content = load_prompt(prompt).render(**values)
    return [{"role": "system", "content": system_prompt(nonce)}, {"role": "user", "content": content}]


def answer_head(question: str, nonce: str) -> list[dict[str, Any]]:
    """The answering call's messages cut where the excerpts begin: a call that continues them
    with the first excerpts shares its prompt prefix (and llama.cpp's evaluated prefix) with
    the answering call over the same excerpts."""
    messages = answer_messages(question, _MARK, nonce)
    content = messages[1]["content"]
    return [messages[0], {"role": "user", "content": content[: content.index(_MARK)]}]


_VISUAL = re.compile(r"\b(?:figures?|fig\.|charts?|graphs?|plots?|diagrams?|images?|pictures?|photos?|maps?|tables?|colou?rs?|icons?|logos?|slides?|drawn|shown|shows?|illustrat\w*)\b", re.I)


def page_pictures(chunks: list[Chunk], question: str, settings: Settings, doc_paths: dict[str, str],
                  scale: float = 1.0) -> tuple[list[dict[str, Any]], list[str], str]:  # fmt: skip
    """The pictures a reading call sends a vision model: each page of ``chunks`` once, within
    ``models.vision_page_pixels``, then (for a question about a figure, chart or table) the
    crops of the figures and tables shown, within ``models.vision_crop_pixels``; at most
    ``models.vision_max_tokens`` of pictures. Returns the content parts, what they show, and a
    note naming what went as text only."""
    m = settings.models
    room = m.vision_max_tokens // m.vision_tokens_per_image
    wanted: list[tuple[str, Chunk, tuple[float, float, float, float] | None, int]] = []
    for c in chunks:
        if c.kind == "page":
            wanted.append((f"page {c.page}", c, None, int(m.vision_page_pixels * scale)))
    if _VISUAL.search(question):
        for c in chunks:
            if c.kind in ("figure", "table") and c.bboxes:
                wanted.append((f"{c.kind} p.{c.page}", c, c.bboxes[0], int(m.vision_crop_pixels * scale)))
    parts: list[dict[str, Any]] = []
    names: list[str] = []
    left: list[str] = []
    for name, c, clip, pixels in wanted:
        path = doc_paths.get(c.doc_id)
        if len(parts) >= room or not path or not Path(path).is_file():
            left.append(name)
            continue
        parts.append(image_part(page_picture(Path(path), c.page, pixels, clip)))
        names.append(name)
    note = f"as text only (picture budget {m.vision_max_tokens} tokens): {', '.join(left)}" if left else ""
    return parts, names, note


def answer_from_excerpts(
    question: str,
    chunks: Sequence[Chunk],
    chat: ChatModel,
    settings: Settings,
    tell: Callable[[dict[str, Any]], None],
    agent: str = "rag",
    nonce: str = "",
    prompt: str = "rag_answer",
    fields: dict[str, str] | None = None,
    doc_paths: dict[str, str] | None = None,
    part: str = "",
) -> ExcerptAnswer:
    """Answer ``question`` from ``chunks`` in one call, normalised and cited.

    With a chat model that reads images and ``doc_paths`` (the PDFs), each page shown goes as
    a picture beside its text, and the figure or table crops too when the question is about
    one (:func:`page_pictures`); a server that refuses them gets them smaller, then none. A
    model that reads no images gets the same messages, byte for byte, as without this.

    ``prompt``: the prompt file (``rag_answer``: whole pages or passages; the agents'
    ``answer``: the lines their Refiner selected), with its further ``fields``. ``nonce``:
    the fence nonce; by default rag's for this question, so the agents' fallback to rag's
    reading is the same call, byte for byte (and the same LLM-call cache entry). ``part``: one
    part of ``question`` to answer alone; the prompt is the whole question's up to its last
    lines, which ask for that part only, so llama.cpp reuses the evaluated excerpts.
    """
    nonce = nonce or new_nonce("rag", question)
    excerpts, shown = fence_chunks(list(chunks), nonce, settings.agents.observation_chars)
    if part:
        fields = {**(fields or {}), "parts": f"Answer only this part of the question: {part}?\n"}
    messages = answer_messages(question, excerpts or "(no excerpts found)", nonce, prompt, fields)
    error = ""
    pictures: list[str] = []
    note = refused = ""
    reply = RagReply(short_answer=NOT_ANSWERABLE, format="None")
    # with a model that reads images: the pictures, then smaller ones, then none (text only)
    for scale in PICTURE_SCALES if chat.supports_images and doc_paths else (0.0,):
        parts: list[dict[str, Any]] = []
        pictures, note = [], ""
        if scale:
            parts, pictures, note = page_pictures(list(chunks[:shown]), question, settings, doc_paths or {}, scale)
        sent = with_images(messages, parts)
        seen = f" and {len(pictures)} picture{'s' if len(pictures) != 1 else ''}" if pictures else ""
        tell({"agent": agent, "phase": "call", "what": f"answering from {shown} excerpt{'s' if shown != 1 else ''}{seen}"})
        try:
            reply = chat.complete(sent, schema=RagReply, max_tokens=300)
            break
        except RequestRejected as exc:
            if not parts:
                raise
            refused = f"the model refused the pictures ({str(exc)[:120]})"
            log.warning("%s: %s", agent, refused)
        except CallError as exc:
            log.warning("%s answer failed: %s", agent, exc)
            reply, error = RagReply(short_answer=NOT_ANSWERABLE, format="None"), str(exc)
            break
    if refused:
        note = f"{refused}: " + ("sent smaller" if pictures else "read as text only") + (f"; {note}" if note else "")
    short, fmt = normalise_short(reply.short_answer, reply.format, part_question(part, question) if part else question)
    citations = []
    dropped: list[int] = []
    for n in reply.cited:
        if 1 <= n <= shown:
            c = chunks[n - 1]
            citations.append(
                Citation(
                    doc_id=c.doc_id,
                    doc_name=c.doc_name,
                    page=c.page,
                    bbox=c.bboxes[0] if c.bboxes else None,
                    quote=c.text[:200],
                    chunk_id=c.id,
                )  # fmt: skip
            )
        else:
            dropped.append(n)
            log.info("dropped citation of unknown excerpt E%s", n)
    if short == NOT_ANSWERABLE:
        citations = []
    return ExcerptAnswer(reply.answer or short, short, fmt, citations, error, shown, dropped, pictures, note)


def _line_citation(c: Chunk, line: str, doc_paths: dict[str, str]) -> Citation:
    """A citation of one line of a chunk, boxed on the page where it can be found."""
    path = doc_paths.get(c.doc_id)
    bbox = c.bboxes[0] if c.bboxes and c.kind != "page" else None
    if path and (bbox is None or c.kind == "block"):
        bbox = locate_quote(Path(path), c.page, line) or bbox
    return Citation(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, bbox=bbox, quote=line, chunk_id=c.id)


def line_citations(got: ExcerptAnswer, shown: Sequence[Chunk], question: str, doc_paths: dict[str, str],
                   verified: set[str] | None = None) -> list[Citation]:  # fmt: skip
    """The lines shown that hold every item of the short answer: those kept as evidence or next
    to one (at most two), else the one closest to the question (two lines may both say "50":
    the one about the weight answers a weight question); else the excerpts the model cited."""
    if got.short == NOT_ANSWERABLE:
        return []
    items = [i.strip().lower() for i in answer_items(got.short, got.format) if i.strip()]
    words = content_words(question)
    verified = verified or set()
    ranked: list[tuple[bool, int, Chunk, str]] = []
    for c in shown:
        units = split_units(c.text[:SHOWN_CHARS])
        kept = [i for i, u in enumerate(units) if u in verified]
        for i, u in enumerate(units):
            if items and all(it in u.lower() for it in items):
                near = any(abs(i - j) <= 1 for j in kept)
                ranked.append((not near, -len(words & content_words(u)), c, u))
    ranked.sort(key=lambda r: r[:2])
    close = [r for r in ranked if not r[0]]
    out = [_line_citation(c, u, doc_paths) for _, _, c, u in (close[:2] or ranked[:1])] or list(got.citations)
    return list({(c.doc_id, c.page, c.quote): c for c in out}.values())
