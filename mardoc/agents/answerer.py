"""The Answerer: memory -> Answer, with every citation checked against the memory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import call, emit, memory_text, turn_nonce
from mardoc.agents.normalise import normalise_short
from mardoc.agents.prompting import load_prompt
from mardoc.agents.questions import parts_text
from mardoc.agents.rag import answer_from_excerpts
from mardoc.agents.state import AgentDeps, AgentState, FinalAnswer
from mardoc.render import locate_quote
from mardoc.types import NOT_ANSWERABLE, Answer, Citation

log = logging.getLogger(__name__)


FALLBACK_PAGES = 2


def _from_top_pages(
    state: AgentState, deps: AgentDeps, pages: list[tuple[str, int]], event: dict[str, Any]
) -> dict[str, Any]:
    """No fact was verified, yet nothing says the documents are silent: read the best-ranked
    pages whole and answer from them in one call, as the one-call baseline would. A small
    Refiner often records nothing from a page that holds the answer; abstaining then throws
    away what retrieval found (the agents said "Not answerable" on 11 of 12 answerable
    held-out questions). The answer cites the pages it read, not verified quotes."""
    question = state["question"]
    before = deps.chat.usage.snapshot()
    got = answer_from_excerpts(question, deps.retriever.read_pages(pages), deps.chat, deps.settings, emit,
                               agent="answerer")  # fmt: skip
    after = deps.chat.usage.snapshot()
    event.update(note=f"no verified evidence: answered from the top pages {[p for _, p in pages]}", short=got.short,
                 citations=len(got.citations))  # fmt: skip
    event["cost"] = {"calls": int(after["calls"] - before["calls"]),
                     "prompt_tokens": int(after["prompt_tokens"] - before["prompt_tokens"]),
                     "completion_tokens": int(after["completion_tokens"] - before["completion_tokens"])}  # fmt: skip
    if got.error:
        event["error"] = got.error
    emit(event)
    reply = Answer(question=question, text=got.text, short=got.short, format=got.format,  # type: ignore[arg-type]
                   citations=got.citations, error=got.error)  # fmt: skip
    spent = {
        "calls": int(after["calls"] - before["calls"]),
        "tokens": int(after["prompt_tokens"] + after["completion_tokens"] - before["prompt_tokens"] - before["completion_tokens"]),
    }
    return {"answer": reply, **spent, "trace": [event]}


def answer(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    memory = state["memory"]
    verdict = state.get("verdict", "")
    event: dict[str, Any] = {"agent": "answerer", "round": state.get("round", 0)}
    spent = {"calls": 0, "tokens": 0}
    error = ""
    ranked = state.get("pages_ranked") or []
    if verdict != "unanswerable" and not memory.active() and ranked:
        return _from_top_pages(state, deps, ranked[:FALLBACK_PAGES], event)
    if verdict == "unanswerable" or not memory.active():
        # The Reflector found the documents silent, or nothing was read at all: no call needed.
        final = FinalAnswer(
            answer="The documents do not contain the answer.", short_answer=NOT_ANSWERABLE, format="None"
        )
        event["note"] = "unanswerable" if verdict == "unanswerable" else "no verified evidence"
    else:
        nonce = turn_nonce(state["question"])
        prompt = load_prompt("answerer").render(
            question=state["question"],
            memory=memory_text(memory, state["question"], deps, nonce),
            sentinel=NOT_ANSWERABLE,
            parts=parts_text(state["question"]),
        )
        # The answer call is allowed even when the budget is spent: the work so far
        # must end in an answer, and this is the only call left.
        n = len(memory.active())
        res = call(deps, prompt, FinalAnswer, nonce, max_tokens=300, agent="answerer",
                   what=f"writing the answer from {n} evidence item{'s' if n != 1 else ''}")  # fmt: skip
        spent = res.spent()
        event["cost"] = res.cost()
        if res.value is None:
            error = f"answer generation failed: {res.error}"
            final = FinalAnswer(short_answer=NOT_ANSWERABLE, format="None")
        else:
            final = res.value
    short, fmt = normalise_short(final.short_answer, final.format, state["question"])
    citations: list[Citation] = []
    dropped: list[str] = []
    if short != NOT_ANSWERABLE:
        ids = final.evidence or [e.id for e in memory.active()][:3]
        for eid in ids:
            e = memory.get(eid.strip().strip("[]"))
            if e is None:
                dropped.append(eid)
                continue
            s = e.source
            bbox = s.bbox
            path = deps.doc_paths.get(s.doc_id)
            if path and (bbox is None or s.kind == "block"):
                bbox = locate_quote(Path(path), s.page, e.quote) or bbox  # the exact lines quoted
            citations.append(
                Citation(
                    doc_id=s.doc_id,
                    doc_name=s.doc_name,
                    page=s.page,
                    bbox=bbox,
                    quote=e.quote,
                    chunk_id=s.chunk_id,
                    evidence_id=e.id,
                )  # fmt: skip
            )
        if dropped:
            log.info("dropped citations of unknown evidence: %s", dropped)
    event.update(short=short, citations=len(citations), dropped=dropped)
    if error:
        event["error"] = error
    emit(event)
    reply = Answer(
        question=state["question"],
        text=final.answer or short,
        short=short,
        format=fmt,  # type: ignore[arg-type]
        citations=citations,
        error=error,
    )
    return {"answer": reply, **spent, "trace": [event]}
