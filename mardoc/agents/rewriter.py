"""Follow-ups in a chat thread: the question rewritten into a standalone one before it is searched.

"And what is the maximum value it can take?" cannot be searched as written; with the thread's
earlier turns it becomes "What is the maximum value the priority of magic rules can take?".
The rewritten question drives the turn (search, every prompt); the Answer keeps the words the
person typed. The thread's evidence memory carries over anyway, so a follow-up whose answer was
read in an earlier turn is answered from it. One short LLM call, only when there are earlier turns.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from mardoc.agents.llm import CallResult, call_chat, emit, turn_nonce
from mardoc.agents.prompting import fence, load_prompt
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.models import ChatModel

MAX_TURNS = 3  # earlier turns shown
MAX_QUESTION = 400  # characters: a longer "rewrite" is not a question


class Standalone(BaseModel):
    question: str = Field("", json_schema_extra={"maxLength": MAX_QUESTION})


def history_text(history: list[tuple[str, str]], nonce: str) -> str:
    lines = []
    for i, (q, a) in enumerate(history[-MAX_TURNS:], start=1):
        lines.append(f"Turn {i} question: {q}")
        lines.append(fence(f"turn {i} answer", a or "(no answer)", nonce))
    return "\n".join(lines)


def rewrite_question(chat: ChatModel, history: list[tuple[str, str]], asked: str) -> tuple[str, dict[str, Any], CallResult]:
    """The follow-up ``asked`` as a standalone question (``asked`` itself when the rewrite is
    empty, too long or the same), the trace event that shows it, and what the call cost."""
    event: dict[str, Any] = {"agent": "rewriter", "round": 0, "asked": asked}
    nonce = turn_nonce(asked)
    prompt = load_prompt("rewriter").render(history=history_text(history, nonce), question=asked)
    res = call_chat(chat, prompt, Standalone, nonce, max_tokens=100, agent="rewriter",
                    what="reading the conversation to understand the follow-up")  # fmt: skip
    event["cost"] = res.cost()
    standalone = res.value.question.strip() if res.value is not None else ""
    if standalone and len(standalone) <= MAX_QUESTION and standalone.lower() != asked.lower():
        event["question"] = standalone
    else:
        standalone = asked
        event["note"] = res.error or "kept as asked"
    emit(event)
    return standalone, event, res


def rewrite(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    asked = state["question"]
    question, event, res = rewrite_question(runtime.context.chat, state.get("history") or [], asked)
    return {**res.spent(), "asked": asked, "question": question, "trace": [event]}


def route_start(state: AgentState) -> str:
    """A turn with earlier turns in its thread starts by rewriting its question."""
    return "rewrite" if state.get("history") else "explore"
