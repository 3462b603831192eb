"""The ``rag`` baseline: retrieve top-k chunks, answer in one call (same models, same retriever)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mardoc.agents.normalise import normalise_short
from mardoc.agents.prompting import fence_chunks, load_prompt, new_nonce, system_prompt
from mardoc.agents.questions import absent_terms, parts_text
from mardoc.agents.state import RagReply
from mardoc.errors import BackendError, MardocError
from mardoc.models import ChatModel
from mardoc.retrieval import Retriever
from mardoc.settings import Settings
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk, Citation

log = logging.getLogger(__name__)


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


def answer_rag(
    question: str,
    retriever: Retriever,
    chat: ChatModel,
    settings: Settings,
    docs: Sequence[str] | None = None,
    pages: Sequence[tuple[str, int]] | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    scope: Sequence[str] | None = None,
) -> Answer:
    """One retrieve-then-answer call. ``pages`` (oracle mode): read exactly these
    ``(doc_id, page)`` pages instead of retrieving. ``on_event`` is told each step live.

    ``scope``: the documents the question is about; when given, a question naming something
    (a year, a quoted phrase, a proper name) that none of them mentions is "Not answerable"
    with no call, the agents' check by code (:func:`mardoc.agents.questions.absent_terms`).

    A reply that cannot be parsed degrades to "Not answerable" with the error recorded; a
    failing backend raises :class:`BackendError` (an error, never an answer).
    """
    tell = on_event or (lambda event: None)
    start = time.perf_counter()
    absent = absent_terms(question, "\n".join(retriever.doc_text(d) for d in scope)) if scope else []
    if absent:
        named = ", ".join(repr(t) for t in absent)
        return Answer(question=question, text=f"The documents do not contain the answer: they never mention {named}.",
                      short=NOT_ANSWERABLE, format="None", mode="rag", usage={"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "seconds": round(time.perf_counter() - start, 3)},
                      trace=[{"round": 1, "absent": absent}])  # fmt: skip
    before = chat.usage.snapshot()
    tell(
        {"agent": "rag", "phase": "work", "what": "searching" if pages is None else "reading the given pages"}
    )
    if pages is not None:
        chunks = retriever.read_pages(pages)
    elif settings.agents.rag_context == "pages":
        # page-first: the best-ranked pages read whole (page text, then its tables and
        # figures), as with gold pages, not scattered passages of many pages
        ranked = retriever.search_pages(question, docs=docs, k=settings.agents.read_pages)
        chunks = retriever.read_pages([(p.doc_id, p.page) for p in ranked])
    else:
        chunks = [h.chunk for h in retriever.search(question, docs=docs, k=settings.retrieval.top_k)]
    got = answer_from_excerpts(question, chunks, chat, settings, tell)
    after = chat.usage.snapshot()
    usage = {k: after[k] - before[k] for k in after}
    usage["seconds"] = round(time.perf_counter() - start, 3)
    return Answer(
        question=question,
        text=got.text,
        short=got.short,
        format=got.format,  # type: ignore[arg-type]
        citations=got.citations,
        mode="rag",
        usage=usage,
        pages_retrieved=list(dict.fromkeys((c.doc_id, c.page) for c in chunks)),
        trace=[{"round": 1, "search": question, "chunks": [c.id for c in chunks]}],
        error=got.error,
    )
