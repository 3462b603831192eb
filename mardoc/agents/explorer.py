"""The Explorer: decides what to retrieve (queries, granularity, pages) and runs the tools."""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, call, emit, memory_text, turn_nonce
from mardoc.agents.prompting import SHOWN_CHARS, load_prompt
from mardoc.agents.state import Action, AgentDeps, AgentState, ExplorerPlan
from mardoc.agents.tools import run_action
from mardoc.types import Chunk

log = logging.getLogger(__name__)
# Actions run in one round: round 1's search, the Reflector's two queries and two pages, and
# the plan's MAX_PLAN_ACTIONS can add up to more; the rest are named in the trace, not dropped
# silently.
MAX_ACTIONS = 4
PAGES_RANKED = 10  # pages of the question's page ranking kept for the answer and the trace


def _first_round_actions(question: str) -> list[Action]:
    # Round 1 needs no plan: the question itself is the best first query, over every
    # granularity. This saves one LLM call per question (~20 s on the local model).
    return [Action(tool="search", query=question)]


def explore(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    rnd = state.get("round", 0) + 1
    question = state["question"]
    memory = state["memory"]
    docs = state.get("docs")
    actions: list[Action] = []
    spent = {"calls": 0, "tokens": 0}
    cost: dict[str, int] = {}
    notes: list[str] = []
    given = state.get("given_pages")
    found: list[Chunk] = []
    if rnd == 1 and given is not None:
        # oracle mode: round 1 reads exactly the given pages, nothing is searched
        found = deps.retriever.read_pages(given)
        notes.append(f"given pages {[p for _, p in given]} -> {len(found)}")
    elif rnd == 1:
        actions = _first_round_actions(question)
    # The Reflector's concrete suggestions are executed as they are.
    actions += [Action(tool="search", query=q) for q in state.get("queries", [])[:2] if q.strip()]
    for p in state.get("open_pages", [])[:2]:
        actions.append(Action(tool="open_page", doc=p.doc, page=p.page))
    if rnd > 1 and budget_left(state, deps):
        docs_text = "\n".join(f"- {deps.doc_names[d]}" for d in (docs or deps.doc_names)) or "(all)"
        nonce = turn_nonce(question)
        prompt = load_prompt("explorer").render(
            question=question,
            memory=memory_text(memory, question, deps, nonce),
            feedback=state.get("feedback") or "(none)",
            documents=docs_text,
            round=rnd,
        )
        res = call(deps, prompt, ExplorerPlan, nonce, max_tokens=200, agent="explorer",
                   what=f"planning round {rnd}")  # fmt: skip
        spent = res.spent()
        cost = res.cost()
        if res.value is not None:
            actions += res.value.actions
        else:
            notes.append(f"explorer plan failed: {res.error}")
    if not actions and not found:  # nothing planned: fall back to the question and the open gaps
        actions = [Action(tool="search", query=question)] + [
            Action(tool="search", query=g.text) for g in memory.open_gaps()[:2]
        ]
    seen = set(state.get("seen", []))
    observations: list[Chunk] = []
    ranked = list(state.get("pages_ranked", []))
    if rnd == 1 and given is None:
        # the page ranking the answer reads from: the retriever's pages for the question,
        # the same ranking rag reads (the chunk hits below add their pages after these)
        for ph in deps.retriever.search_pages(question, docs=docs, k=PAGES_RANKED):
            if (ph.doc_id, ph.page) not in ranked:
                ranked.append((ph.doc_id, ph.page))
    budget = deps.settings.agents.observation_chars
    used = 0
    k = deps.settings.retrieval.top_k
    if len(actions) > MAX_ACTIONS:
        notes.append(
            f"{len(actions) - MAX_ACTIONS} action(s) over the round's limit of {MAX_ACTIONS} not run"
        )
    for action in actions[:MAX_ACTIONS]:
        chunks, line = run_action(action, deps.retriever, docs, deps.doc_names, k)
        notes.append(line)
        found.extend(chunks)
    shown_pages = {(c.doc_id, c.page): c.text[:SHOWN_CHARS] for c in found if c.kind == "page"}
    for c in found:
        key = (c.doc_id, c.page)
        if key not in ranked:
            ranked.append(key)
        if c.id in seen or used >= budget or any(o.id == c.id for o in observations):
            continue
        if c.kind == "block" and c.text in shown_pages.get(key, ""):
            continue  # the Refiner already reads this passage inside its page
        used += min(len(c.text), SHOWN_CHARS)
        observations.append(c)
    event = {"agent": "explorer", "round": rnd, "actions": [a.model_dump(exclude_defaults=True) for a in actions[:MAX_ACTIONS]],
             "notes": notes, "observations": len(observations)}  # fmt: skip
    if cost:
        event["cost"] = cost
    emit(event)
    return {
        "round": rnd,
        "observations": observations,
        "seen": [*state.get("seen", []), *(c.id for c in observations)],
        "pages_ranked": ranked,
        "queries": [],
        "open_pages": [],
        **spent,
        "trace": [event],
    }


__all__ = ["explore"]
