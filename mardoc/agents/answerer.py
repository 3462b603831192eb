"""The Answerer: the pages the loop chose, read whole with the memory's verified facts -> Answer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import emit, turn_nonce
from mardoc.agents.rag import answer_from_excerpts
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.memory import Evidence, EvidenceMemory
from mardoc.render import locate_quote
from mardoc.types import NOT_ANSWERABLE, Answer, Citation


def pages_to_read(memory: EvidenceMemory, ranked: list[tuple[str, int]], n: int) -> list[tuple[str, int]]:
    """The pages the answer reads whole: those holding the most verified evidence first
    (the Refiner found something there), then the best-ranked pages, ``n`` in all."""
    held = Counter((e.source.doc_id, e.source.page) for e in memory.active())
    first = [page for page, _ in held.most_common()]
    return list(dict.fromkeys([*first, *ranked]))[:n]


def facts_notes(memory: EvidenceMemory, limit: int = 12) -> str:
    """The verified facts and reasoning of the memory, one short line each, with pages."""
    lines = [f"- {e.statement} ({e.source.doc_name} p.{e.source.page})" for e in memory.active()[:limit]]
    lines += [f"- {st.inference} => {st.conclusion}" for st in memory.steps[:4]]
    return "\n".join(lines)


def _read_and_answer(
    state: AgentState, deps: AgentDeps, pages: list[tuple[str, int]], event: dict[str, Any]
) -> dict[str, Any]:
    """Read ``pages`` whole and answer in one call, with the memory's verified facts as
    notes. A small model answers best over whole pages (given the gold pages, the one-call
    prompt answered twice as many decision-set questions as the loop's memory-only
    answer did); the loop's work is to choose those pages (where evidence was verified,
    then the ranking) and to hand over what it verified. Citations are the verified quotes
    on the cited pages, else the cited pages themselves."""
    question = state["question"]
    memory = state["memory"]
    before = deps.chat.usage.snapshot()
    notes = facts_notes(memory)
    got = answer_from_excerpts(question, deps.retriever.read_pages(pages), deps.chat, deps.settings, emit,
                               agent="answerer", notes=notes, nonce=turn_nonce(question))  # fmt: skip
    after = deps.chat.usage.snapshot()
    citations: list[Citation] = []
    if got.short != NOT_ANSWERABLE:
        # verified lines that state the answer are its best citations, whichever excerpt
        # the model named (a small model often names the wrong one)
        for e in _stating(memory, got.short)[:2]:
            citations.append(_evidence_citation(e, deps))
    for c in got.citations:
        on_page = [e for e in memory.active() if (e.source.doc_id, e.source.page) == (c.doc_id, c.page)]
        if not on_page:
            citations.append(c)
        for e in on_page[:2]:
            citations.append(_evidence_citation(e, deps))
    citations = list({(c.doc_id, c.page, c.quote): c for c in citations}.values())
    read = [p for _, p in pages]
    event.update(note=f"read pages {read} whole" + (f" with {len(memory.active())} verified fact(s)" if notes else
                 " (no verified evidence)"), short=got.short, citations=len(citations), dropped=got.dropped)  # fmt: skip
    cost = {k: int(after[k] - before[k]) for k in ("calls", "prompt_tokens", "completion_tokens")}
    event["cost"] = cost
    if got.error:
        event["error"] = got.error
    emit(event)
    reply = Answer(question=question, text=got.text, short=got.short, format=got.format,  # type: ignore[arg-type]
                   citations=citations, error=got.error)  # fmt: skip
    spent = {"calls": cost["calls"], "tokens": cost["prompt_tokens"] + cost["completion_tokens"]}
    return {"answer": reply, **spent, "trace": [event]}


def _stating(memory: EvidenceMemory, short: str) -> list[Evidence]:
    """Verified evidence whose quoted line holds every item of the short answer."""
    items = [i.strip(" \"'[]").lower() for i in short.strip("[]").split(",")]
    items = [i for i in items if i]
    if not items:
        return []
    return [e for e in memory.active() if all(i in e.quote.lower() for i in items)]


def _evidence_citation(e: Evidence, deps: AgentDeps) -> Citation:
    s = e.source
    bbox = s.bbox
    path = deps.doc_paths.get(s.doc_id)
    if path and (bbox is None or s.kind == "block"):
        bbox = locate_quote(Path(path), s.page, e.quote) or bbox  # the exact lines quoted
    return Citation(doc_id=s.doc_id, doc_name=s.doc_name, page=s.page, bbox=bbox, quote=e.quote,
                    chunk_id=s.chunk_id, evidence_id=e.id)  # fmt: skip


def answer(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    """The answer: the pages the loop chose, read whole, with its verified facts; no call
    when nothing was found to read (or the documents were found silent with nothing verified)."""
    deps = runtime.context
    memory = state["memory"]
    verdict = state.get("verdict", "")
    event: dict[str, Any] = {"agent": "answerer", "round": state.get("round", 0)}
    ranked = [tuple(p) for p in state.get("pages_ranked") or []]
    pages = pages_to_read(memory, ranked, deps.settings.agents.read_pages)  # type: ignore[arg-type]
    if pages and (verdict != "unanswerable" or memory.active()):
        # a Reflector's "unanswerable" over verified evidence is checked by reading: a
        # small model's word alone over-abstains (the agents said "Not answerable" on 11
        # of 12 answerable held-out questions)
        return _read_and_answer(state, deps, pages, event)
    event["note"] = "unanswerable" if verdict == "unanswerable" else "nothing found to read"
    event.update(short=NOT_ANSWERABLE, citations=0)
    emit(event)
    reply = Answer(question=state["question"], text="The documents do not contain the answer.",
                   short=NOT_ANSWERABLE, format="None")  # fmt: skip
    return {"answer": reply, "calls": 0, "tokens": 0, "trace": [event]}
