"""The answering call every reader shares: one call over fenced excerpts, checked and cited.

rag's one call and the agents' Answerer are this call; the Refiner's page judgements are its
prompt cut after each page's excerpts (:func:`answer_head`), so llama.cpp evaluates a page
once for the judgement and the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mardoc.agents.normalise import normalise_short
from mardoc.agents.prompting import SHOWN_CHARS, fence_chunks, load_prompt, new_nonce, system_prompt
from mardoc.agents.questions import content_words, parts_text
from mardoc.agents.state import RagReply
from mardoc.errors import BackendError, MardocError
from mardoc.models import ChatModel
from mardoc.render import locate_quote
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



@dataclass
class ExcerptAnswer:
    """One answering call over fenced excerpts, checked: citations only of excerpts shown."""

    text: str
    short: str
    format: str
    citations: list[Citation]
    error: str
    shown: int
    dropped: list[int]  # cited excerpt numbers that were not shown


_MARK = "\x00excerpts\x00"


def answer_messages(question: str, excerpts: str, nonce: str, prompt: str = "rag_answer",
                    fields: dict[str, str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The answering call's messages: the shared system prompt, then the prompt file with the
    question and the fenced excerpts."""
    values = {"notes": ""} if prompt == "rag_answer" else {}
    values.update(fields or {})
    content = load_prompt(prompt).render(question=question, excerpts=excerpts, sentinel=NOT_ANSWERABLE,
                                         parts=parts_text(question), **values)  # fmt: skip
    return [{"role": "system", "content": system_prompt(nonce)}, {"role": "user", "content": content}]


def answer_head(question: str, nonce: str) -> list[dict[str, Any]]:
    """The answering call's messages cut where the excerpts begin: a call that continues them
    with the first excerpts shares its prompt prefix (and llama.cpp's evaluated prefix) with
    the answering call over the same excerpts."""
    messages = answer_messages(question, _MARK, nonce)
    content = messages[1]["content"]
    return [messages[0], {"role": "user", "content": content[: content.index(_MARK)]}]


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
) -> ExcerptAnswer:
    """Answer ``question`` from ``chunks`` in one call, normalised and cited.

    ``prompt``: the prompt file (``rag_answer``: whole pages or passages; the agents'
    ``answer``: the lines their Refiner selected), with its further ``fields``. ``nonce``:
    the fence nonce; by default rag's for this question, so the agents' fallback to rag's
    reading is the same call, byte for byte (and the same LLM-call cache entry).
    """
    nonce = nonce or new_nonce("rag", question)
    excerpts, shown = fence_chunks(list(chunks), nonce, settings.agents.observation_chars)
    messages = answer_messages(question, excerpts or "(no excerpts found)", nonce, prompt, fields)
    error = ""
    tell(
        {
            "agent": agent,
            "phase": "call",
            "what": f"answering from {shown} excerpt{'s' if shown != 1 else ''}",
        }
    )
    try:
        reply = chat.complete(messages, schema=RagReply, max_tokens=300)
    except BackendError:
        raise
    except MardocError as exc:
        log.warning("%s answer failed: %s", agent, exc)
        reply, error = RagReply(short_answer=NOT_ANSWERABLE, format="None"), str(exc)
    short, fmt = normalise_short(reply.short_answer, reply.format, question)
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
    return ExcerptAnswer(reply.answer or short, short, fmt, citations, error, shown, dropped)


def _items(short: str) -> list[str]:
    """The items of a short answer ("[a, b]" -> a, b), lower-cased."""
    items = [i.strip(" \"'[]").lower() for i in short.strip("[]").split(",")]
    return [i for i in items if i]


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
    items = _items(got.short)
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
