"""The agent graph: explore -> refine -> reflect -> (explore | answer), bounded.

Built by :func:`build_graph`; dependencies reach the nodes through LangGraph's runtime
context. A SQLite checkpointer keeps each chat thread's state, so a follow-up question
starts from the evidence memory of the previous turns.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.graph import END, START, StateGraph

from mardoc.agents.answerer import answer
from mardoc.agents.explorer import explore
from mardoc.agents.refiner import refine
from mardoc.agents.reflector import reflect
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.answer import Answer
from mardoc.memory import EvidenceMemory

if TYPE_CHECKING:
    from mardoc.library import Library


def route_after_reflect(state: AgentState) -> str:
    verdict = state.get("verdict", "")
    if verdict in ("sufficient", "unanswerable", "budget"):
        return "answer"
    if state.get("round", 0) >= state.get("max_rounds", 1):
        return "answer"
    return "explore"


def build_graph(checkpointer: Any = None) -> Any:
    g = StateGraph(AgentState, context_schema=AgentDeps)
    g.add_node("explore", explore)
    g.add_node("refine", refine)
    g.add_node("reflect", reflect)
    g.add_node("answer", answer)
    g.add_edge(START, "explore")
    g.add_edge("explore", "refine")
    g.add_edge("refine", "reflect")
    g.add_conditional_edges("reflect", route_after_reflect, {"explore": "explore", "answer": "answer"})
    g.add_edge("answer", END)
    return g.compile(checkpointer=checkpointer)


_savers: dict[str, Any] = {}
_savers_lock = threading.Lock()


def sqlite_checkpointer(path: Path) -> Any:
    """One SQLite checkpointer per file per process (thread-safe connection)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    key = str(path)
    with _savers_lock:
        if key not in _savers:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(key, check_same_thread=False)
            _savers[key] = SqliteSaver(conn)
        return _savers[key]


def fresh_turn(question: str, docs: Sequence[str] | None, max_rounds: int) -> dict[str, Any]:
    """Input of a new question; the memory is not reset, so a thread keeps its evidence."""
    return {
        "question": question, "docs": list(docs) if docs is not None else None, "round": 0,
        "max_rounds": max_rounds, "feedback": "", "queries": [], "open_pages": [], "observations": [],
        "verdict": "", "calls": 0, "tokens": 0, "answer": None, "pages_ranked": [],
    }  # fmt: skip


def run_agents(
    library: Library,
    question: str,
    docs: Sequence[str] | None,
    *,
    max_rounds: int | None = None,
    thread_id: str | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> Answer:
    settings = library.settings
    start = time.perf_counter()
    records = {r["doc_id"]: r for r in library.documents() if r.get("status") == "complete"}
    scope = list(docs) if docs is not None else list(records)
    deps = AgentDeps(
        retriever=library.retriever,
        chat=library.chat,
        settings=settings,
        doc_names={d: records[d]["name"] for d in scope if d in records},
        doc_paths={d: records[d].get("path", "") for d in scope if d in records},
        on_event=on_event,
    )
    rounds = max_rounds or settings.agents.max_rounds
    inp = fresh_turn(question, docs, rounds)
    if thread_id:
        graph = build_graph(sqlite_checkpointer(library.root / "threads.sqlite"))
        config: dict[str, Any] = {"configurable": {"thread_id": thread_id}}
        prior = graph.get_state(config).values
        if "memory" not in prior:
            inp["memory"] = EvidenceMemory()
        else:
            mem = prior["memory"].model_copy(deep=True)
            mem.close_gaps()  # gaps were about the previous question
            inp["memory"] = mem
    else:
        graph = build_graph()
        config = {"configurable": {"thread_id": uuid.uuid4().hex}}
        inp["memory"] = EvidenceMemory()
    config["recursion_limit"] = 4 * rounds + 8
    before = library.chat.usage.snapshot()
    final = graph.invoke(inp, config, context=deps)
    after = library.chat.usage.snapshot()
    ans = final.get("answer") or {}
    usage = {k: after[k] - before[k] for k in after}
    usage["seconds"] = round(time.perf_counter() - start, 3)
    usage["rounds"] = final.get("round", 0)
    memory: EvidenceMemory = final["memory"]
    return Answer(
        question=question,
        text=ans.get("text", ""),
        short=ans.get("short", "Not answerable"),
        format=ans.get("format", "None"),
        citations=ans.get("citations", []),
        mode="agents",
        memory=memory.model_dump(),
        trace=final.get("trace", [])[-(4 * rounds + 2) :],
        usage=usage,
        pages_retrieved=[tuple(x) for x in final.get("pages_ranked", [])],
        error=ans.get("error", ""),
    )
