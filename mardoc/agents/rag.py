"""The ``rag`` baseline: retrieve top-k chunks, answer in one call (same models, same retriever)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from mardoc.agents.reading import answer_from_excerpts, line_citations
from mardoc.agents.terms import absence_note, check_terms
from mardoc.models import ChatModel
from mardoc.retrieval import Retriever
from mardoc.settings import Settings
from mardoc.types import NOT_ANSWERABLE, Answer

log = logging.getLogger(__name__)


def answer_rag(
    question: str,
    retriever: Retriever,
    chat: ChatModel,
    settings: Settings,
    docs: Sequence[str] | None = None,
    pages: Sequence[tuple[str, int]] | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    scope: Sequence[str] | None = None,
    doc_paths: dict[str, str] | None = None,
) -> Answer:
    """One retrieve-then-answer call. ``pages`` (oracle mode): read exactly these
    ``(doc_id, page)`` pages instead of retrieving. ``on_event`` is told each step live.

    ``scope``: the documents the question is about; when given, a question naming something
    (a year, a quoted phrase, a proper name) that none of them mentions is "Not answerable"
    with no call, the agents' check by code (:func:`mardoc.agents.terms.check_terms`).

    Citations are the lines of the excerpts shown that state the short answer (boxed on the
    page where ``doc_paths`` gives the PDF), else the excerpts the model cited.

    A reply that cannot be parsed degrades to "Not answerable" with the error recorded; a
    failing backend raises :class:`BackendError` (an error, never an answer).
    """
    tell = on_event or (lambda event: None)
    start = time.perf_counter()
    # a model that reads the pictures may find what the text never says: no text-only check
    checks = check_terms(question, "\n".join(retriever.doc_text(d) for d in scope)) if scope and not chat.supports_images else []
    absent = [c.term for c in checks if not c.found]
    if absent:
        named = absence_note(checks)
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
    got = answer_from_excerpts(question, chunks, chat, settings, tell, doc_paths=doc_paths)
    usage: dict[str, Any] = chat.usage.since(before)
    usage["seconds"] = round(time.perf_counter() - start, 3)
    return Answer(
        question=question,
        text=got.text,
        short=got.short,
        format=got.format,  # type: ignore[arg-type]
        citations=line_citations(got, chunks[: got.shown], question, doc_paths or {}),
        mode="rag",
        usage=usage,
        pages_retrieved=list(dict.fromkeys((c.doc_id, c.page) for c in chunks)),
        trace=[{"round": 1, "search": question, "chunks": [c.id for c in chunks],
                **({"pictures": got.pictures, "picture_note": got.picture_note} if got.pictures or got.picture_note else {})}],
        error=got.error,
    )
