"""The Answerer: memory -> Answer, with every citation checked against the memory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import call, emit, memory_text, turn_nonce
from mardoc.agents.normalise import normalise_short
from mardoc.agents.prompting import load_prompt
from mardoc.agents.state import AgentDeps, AgentState, FinalAnswer
from mardoc.render import locate_quote
from mardoc.types import NOT_ANSWERABLE, Answer, Citation

log = logging.getLogger(__name__)


def answer(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    memory = state["memory"]
    verdict = state.get("verdict", "")
    event: dict[str, Any] = {"agent": "answerer", "round": state.get("round", 0)}
    spent = {"calls": 0, "tokens": 0}
    error = ""
    if verdict == "unanswerable" or not memory.active():
        # No verified evidence (or the Reflector found the documents silent): no call needed.
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
        )
        # The answer call is allowed even when the budget is spent: the work so far
        # must end in an answer, and this is the only call left.
        n = len(memory.active())
        res = call(deps, prompt, FinalAnswer, nonce, max_tokens=300, agent="answerer",
                   what=f"writing the answer from {n} evidence item{'s' if n != 1 else ''}")  # fmt: skip
        spent = res.spent()
        if res.value is None:
            error = f"answer generation failed: {res.error}"
            final = FinalAnswer(short_answer=NOT_ANSWERABLE, format="None")
        else:
            final = res.value
    short, fmt = normalise_short(final.short_answer, final.format)
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
