"""The Explorer: chooses the pages to read, page first, and reads them whole.

Round 1 ranks the pages for the question (the retriever's ``search_pages``) and reads the
best ``read_pages`` of them whole (the pages rag reads; the Refiner judges each): the page's text, then its tables and figures with their
captions and labels, page numbers written in. It also checks by code whether the question
names something (a year, a quoted phrase, a proper name) that the documents in scope never
mention: such a question cannot be answered from them, and nothing is read.

Later rounds (``max_rounds`` above 1) follow the Reflector: the pages found by searching for
the part of the question that has no evidence yet, else the next pages of the ranking,
skipping pages already read in this turn. The control flow is code: a small model plans badly (free-form
tool calls, long plans), so the model's work is the narrow reading slot of the Refiner.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import emit
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.agents.terms import absence_note, check_terms
from mardoc.types import Chunk

log = logging.getLogger(__name__)
PAGES_RANKED = 10  # pages of the question's page ranking kept for later rounds and the trace
NEXT_PAGES = 3  # pages a later round reads (the next of the ranking, or the best for a missing part)
MAX_GIVEN = 6  # oracle mode: gold pages read in round 1 (one Refiner call each)


def _pages_for_round(state: AgentState, deps: AgentDeps, ranked: list[tuple[str, int]],
                     read: set[tuple[str, int]], notes: list[str]) -> list[tuple[str, int]]:  # fmt: skip
    """A later round's pages: for a part without evidence, the best pages for that part (read
    again if read before); otherwise the ranking's next pages, none
    already read."""
    docs = state.get("docs")
    if state.get("focus"):
        # a part of the question has no evidence: its best pages, read before or not, are read
        # again for that part alone (the Refiner is asked about it, not the whole question)
        query = f"{state.get('queries', [''])[0]} {state['question']}".strip()
        hits = deps.retriever.search_pages(query, docs=docs, k=NEXT_PAGES)
        found = [(h.doc_id, h.page) for h in hits]
        notes.append(f"search_pages {query!r} -> {[p for _, p in found]} for the part {state['focus'].split('?')[0]!r}")
        return found
    fresh = [p for p in dict.fromkeys(ranked) if p not in read][:NEXT_PAGES]
    notes.append(f"the next-ranked pages not read yet -> {[p for _, p in fresh]}")
    return fresh


def explore(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    rnd = state.get("round", 0) + 1
    question = state["question"]
    docs = state.get("docs")
    given = state.get("given_pages")
    ranked: list[tuple[str, int]] = [(str(d), int(p)) for d, p in state.get("pages_ranked", [])]
    read = {(str(d), int(p)) for d, p in state.get("pages_read", [])}
    notes: list[str] = []
    absent: list[str] = list(state.get("absent", []))
    to_read: list[tuple[str, int]]
    if rnd == 1:
        scope = list(deps.doc_names)  # the documents in scope (Library.scope)
        # a model that reads the pictures may find what the text never says: no text-only check
        checks = [] if deps.chat.supports_images else check_terms(question, "\n".join(deps.retriever.doc_text(d) for d in scope))
        absent = [c.term for c in checks if not c.found]
        notes += [f"{c.term!r} found {c.how}" for c in checks if c.found and c.how != "as written"]
        if given is not None:
            to_read = [(str(d), int(p)) for d, p in given][:MAX_GIVEN]
            notes.append(f"given pages {[p for _, p in to_read]}")
        else:
            hits = deps.retriever.search_pages(question, docs=docs, k=PAGES_RANKED)
            ranked = [(h.doc_id, h.page) for h in hits]
            to_read = ranked[: deps.settings.agents.read_pages]
            notes.append(f"search_pages -> {[p for _, p in ranked]}")
        if absent:
            notes.append(f"the documents never mention {absence_note(checks)}: nothing read")
            to_read = []
        if given is not None:
            ranked = to_read  # oracle mode: the given pages are the ranking
    else:
        to_read = _pages_for_round(state, deps, ranked, read, notes)
    observations: list[Chunk] = deps.retriever.read_pages(to_read) if to_read else []
    event = {"agent": "explorer", "round": rnd, "pages": [[deps.doc_names.get(d, d), p] for d, p in to_read],
             "notes": notes, "observations": len(observations)}  # fmt: skip
    if absent:
        event["absent"] = absent
    emit(event)
    return {
        "round": rnd,
        "observations": observations,
        "pages_read": [*state.get("pages_read", []), *to_read],
        "pages_ranked": ranked,
        "absent": absent,
        "queries": [],
        "focus": state.get("focus", "") if rnd > 1 else "",
        "judged": state.get("judged", []) if rnd > 1 else [],
        "trace": [event],
    }


__all__ = ["explore"]
