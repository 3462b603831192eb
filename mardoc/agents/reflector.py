"""The Reflector: is the evidence sufficient? If not, targeted feedback for the Explorer."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, call, emit, memory_text, turn_nonce
from mardoc.agents.prompting import load_prompt
from mardoc.agents.questions import uncovered_parts
from mardoc.agents.state import AgentDeps, AgentState, PageRef, Reflection
from mardoc.types import NOT_ANSWERABLE


def reflect(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    rnd = state.get("round", 1)
    max_rounds = state.get("max_rounds", deps.settings.agents.max_rounds)
    memory = state["memory"]
    event: dict[str, Any] = {"agent": "reflector", "round": rnd}
    if not budget_left(state, deps):
        event.update(verdict="budget", note="LLM call or token budget exhausted")
        emit(event)
        return {"verdict": "budget", "trace": [event]}
    nonce = turn_nonce(state["question"])
    prompt = load_prompt("reflector").render(
        question=state["question"],
        memory=memory_text(memory, state["question"], deps, nonce),
        round=rnd,
        max_rounds=max_rounds,
        sentinel=NOT_ANSWERABLE,
    )
    res = call(deps, prompt, Reflection, nonce, max_tokens=250, agent="reflector",
               what=f"checking {len(memory.active())} evidence item(s) against the question")  # fmt: skip
    update: dict[str, Any] = res.spent()
    event["cost"] = res.cost()
    pages: list[PageRef]
    if res.value is None:
        # A broken reflection must not end the search early: treat it as insufficient.
        verdict, feedback, queries, pages = "insufficient", "", [], []
        event["error"] = res.error
    else:
        r: Reflection = res.value
        verdict, feedback = r.verdict, r.feedback
        queries = [q for q in r.queries if q.strip()][:2]
        pages = [p for p in r.pages if p.page > 0][:2]
    if verdict == "sufficient" and not memory.active():
        verdict = "insufficient"  # nothing verified yet: "sufficient" cannot be true
        feedback = feedback or "no verified evidence yet"
    missing = uncovered_parts(state["question"], memory) if verdict == "sufficient" else []
    if missing and rnd < max_rounds:
        # held to account: a part of the question without any evidence is not answered yet
        verdict = "insufficient"
        feedback = "no evidence yet for: " + "; ".join(missing)
        queries = (missing + queries)[:2]
        event["overruled"] = "sufficient"
    event.update(verdict=verdict, feedback=feedback, queries=queries, pages=[p.model_dump() for p in pages])
    emit(event)
    update.update(verdict=verdict, feedback=feedback, queries=queries, open_pages=pages, trace=[event])
    return update
