"""The agent graph: explore -> refine -> tables -> reflect -> (explore | answer ->
complete_parts -> verify_draft), bounded.

The Explorer reads pages whole (page first), the Refiner judges whether each page states
what the question asks (one yes/no probability a page) and keeps the best lines of those
that do as evidence; on the pages that carry tables, its slot is the table step, which answers
from the tables and the document's inventory where it can (by code, or one model-written
SELECT run read-only), holds the result to account by code and keeps the cells it came from
as evidence. The Reflector checks by code whether every part of the question has evidence and
sends the Explorer back for what is missing (or abstains when no page was judged to answer).
The Answerer takes the table step's answer, or drafts from the pages; each part of a
multi-part question is asked alone when the draft answers fewer, and the Reflector checks the
draft against the pages read.

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
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.types import Overwrite

from mardoc.agents.answerer import answer, complete_parts
from mardoc.agents.explorer import explore
from mardoc.agents.refiner import refine
from mardoc.agents.reflector import reflect, verify_draft
from mardoc.agents.rewriter import rewrite, route_start
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.agents.tables import query_tables
from mardoc.memory import EvidenceMemory
from mardoc.types import NOT_ANSWERABLE, Answer


def route_after_reflect(state: AgentState) -> str:
    verdict = state.get("verdict", "")
    if verdict in ("sufficient", "unanswerable", "exhausted"):
        return "answer"
    if state.get("round", 0) >= state.get("max_rounds", 1):
        return "answer"
    return "explore"


def build_graph(checkpointer: Any = None) -> Any:
    g = StateGraph(AgentState, context_schema=AgentDeps)
    g.add_node("explore", explore)
    g.add_node("refine", refine)
    g.add_node("reflect", reflect)
    g.add_node("tables", query_tables)
    g.add_node("answer", answer)
    g.add_node("complete_parts", complete_parts)
    g.add_node("verify_draft", verify_draft)
    g.add_node("rewrite", rewrite)
    g.add_conditional_edges(START, route_start, {"rewrite": "rewrite", "explore": "explore"})
    g.add_edge("rewrite", "explore")
    g.add_edge("explore", "refine")
    g.add_edge("refine", "tables")
    g.add_edge("tables", "reflect")
    g.add_conditional_edges("reflect", route_after_reflect, {"explore": "explore", "answer": "answer"})
    g.add_edge("answer", "complete_parts")
    g.add_edge("complete_parts", "verify_draft")
    g.add_edge("verify_draft", END)
    return g.compile(checkpointer=checkpointer)


# The domain types a thread's checkpoint holds; the serializer revives exactly these.
CHECKPOINT_TYPES = [
    ("mardoc.memory.memory", name) for name in ("EvidenceMemory", "Evidence", "Source")
] + [
    ("mardoc.types", name) for name in ("Chunk", "Answer", "Citation")
] + [("mardoc.agents.state", "ExcerptAnswer"), ("mardoc.agents.reading", "ExcerptAnswer")]  # the second: threads checkpointed before it moved

_savers: dict[str, Any] = {}
_savers_lock = threading.Lock()


def sqlite_checkpointer(path: Path) -> Any:
    """One SQLite checkpointer per file per process (thread-safe connection)."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.checkpoint.sqlite import SqliteSaver

    key = str(path)
    with _savers_lock:
        if key not in _savers:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(key, check_same_thread=False)
            serde = JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_TYPES)
            _savers[key] = SqliteSaver(conn, serde=serde)
        return _savers[key]


def fresh_turn(
    question: str,
    docs: Sequence[str] | None,
    max_rounds: int,
    pages: Sequence[tuple[str, int]] | None = None,
    history: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Input of a new question; the memory is not reset, so a thread keeps its evidence.

    The counters and the trace have adding reducers: a new turn overwrites them.
    """
    return {
        "question": question, "asked": question, "history": list(history), "docs": list(docs) if docs is not None else None, "round": 0,
        "max_rounds": max_rounds, "feedback": "", "queries": [], "observations": [],
        "verdict": "", "pages_read": [], "absent": [], "evidence_from": 0, "focus": "", "table_question": {}, "table_cells": [], "judged": [], "calls": Overwrite(0), "tokens": Overwrite(0), "trace": Overwrite([]),
        "answer": None, "table_draft": None, "draft": None, "draft_pages": [], "pages_ranked": [], "given_pages": list(pages) if pages is not None else None,
    }  # fmt: skip


def run_agents(
    deps: AgentDeps,
    question: str,
    docs: Sequence[str] | None,
    *,
    max_rounds: int | None = None,
    thread_id: str | None = None,
    threads_db: Path | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    pages: Sequence[tuple[str, int]] | None = None,
) -> Answer:
    """Answer ``question`` with the Explorer / Refiner / Reflector loop.

    ``thread_id`` (with ``threads_db``, the SQLite file of the threads) continues a chat
    thread: the new turn starts from the evidence memory of the previous ones. ``on_event``
    receives each agent step live (the graph's custom stream). ``pages`` (oracle mode):
    the first round reads exactly these ``(doc_id, page)`` pages instead of searching.
    """
    start = time.perf_counter()
    rounds = max_rounds or deps.settings.agents.max_rounds
    inp = fresh_turn(question, docs, rounds, pages)
    if thread_id:
        if threads_db is None:
            raise ValueError("a chat thread needs threads_db, the file that keeps its turns")
        graph = build_graph(sqlite_checkpointer(threads_db))
        config: dict[str, Any] = {"configurable": {"thread_id": thread_id}}
        prior = graph.get_state(config).values
        if "memory" not in prior:
            inp["memory"] = EvidenceMemory()
        else:
            mem = prior["memory"].model_copy(deep=True)
            inp["memory"] = mem
            last: Answer | None = prior.get("answer")
            turn = (prior.get("asked") or prior.get("question", ""), last.text if last is not None else "")
            inp["history"] = [*prior.get("history", []), turn]
            inp["evidence_from"] = len(mem.evidence)
    else:
        graph = build_graph()
        config = {"configurable": {"thread_id": uuid.uuid4().hex}}
        inp["memory"] = EvidenceMemory()
    config["recursion_limit"] = 4 * rounds + 12
    before = deps.chat.usage.snapshot()
    final: dict[str, Any] = {}
    for mode, chunk in graph.stream(inp, config, context=deps, stream_mode=["custom", "values"]):
        if mode == "custom":
            if on_event is not None:
                on_event(chunk)
        else:
            final = chunk
    usage: dict[str, Any] = deps.chat.usage.since(before)
    usage["seconds"] = round(time.perf_counter() - start, 3)
    usage["rounds"] = final.get("round", 0)
    memory: EvidenceMemory = final["memory"]
    drafted: Answer | None = final.get("answer")
    if drafted is None:  # the graph always ends in the answer node; be explicit anyway
        drafted = Answer(question=question, text="", short=NOT_ANSWERABLE, format="None")
    return drafted.model_copy(
        update={
            "question": question,
            "mode": "agents",
            "memory": memory.model_dump(),
            "trace": final.get("trace", [])[-(4 * rounds + 6) :],
            "usage": usage,
            "pages_retrieved": [tuple(x) for x in final.get("pages_ranked", [])],
        }
    )
