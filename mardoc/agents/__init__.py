"""agents: the Explorer / Refiner / Reflector graph over the evidence memory, and the one-call rag baseline."""

from mardoc.agents.answerer import question_window
from mardoc.agents.graph import build_graph, run_agents
from mardoc.agents.prompting import (
    SHOWN_CHARS,
    fence,
    fence_chunks,
    load_prompt,
    new_nonce,
    shown_text,
    system_prompt,
)
from mardoc.agents.rag import answer_rag
from mardoc.agents.reflector import unsupported_items
from mardoc.agents.rewriter import rewrite_question
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.agents.terms import absence_note, absent_terms, check_terms

__all__ = [
    "SHOWN_CHARS",
    "AgentDeps",
    "AgentState",
    "absence_note",
    "absent_terms",
    "check_terms",
    "answer_rag",
    "build_graph",
    "fence",
    "fence_chunks",
    "load_prompt",
    "new_nonce",
    "question_window",
    "rewrite_question",
    "run_agents",
    "shown_text",
    "system_prompt",
    "unsupported_items",
]
