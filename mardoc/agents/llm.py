"""What every agent node shares: one guarded LLM call (budgets, errors into the trace) and live
events through LangGraph's stream writer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from langgraph.config import get_stream_writer
from pydantic import BaseModel

from mardoc.agents.prompting import new_nonce, system_prompt
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.errors import CallError
from mardoc.models import ChatModel, with_images

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)


@dataclass
class CallResult:
    value: Any
    error: str
    calls: int
    tokens: int
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def cost(self) -> dict[str, int]:
        """What the call cost, for the node's trace event (prompt economy per agent)."""
        return {"calls": self.calls, "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}

    def spent(self) -> dict[str, int]:
        """The state update that accounts for this call (the counters' reducers add it)."""
        return {"calls": self.calls, "tokens": self.tokens}


def emit(event: dict[str, Any]) -> None:
    """Send a live event to whoever streams the graph (``stream_mode="custom"``).

    A node run on its own, outside a graph (as in unit tests), has no stream: nothing to do.
    """
    try:
        writer = get_stream_writer()
    except RuntimeError:
        return
    writer(event)


def turn_nonce(question: str) -> str:
    """One fence nonce for every call of a question's turn.

    With the same nonce the system prompt is identical across calls, and every agent prompt
    starts with the same question-and-memory block, so llama.cpp reuses the evaluated
    prefix of the previous call (its KV cache) instead of evaluating it again: the Answerer
    after the Reflector, the Refiner after the Explorer, read the same memory.
    """
    return new_nonce("turn", question)


def budget_left(state: AgentState, deps: AgentDeps) -> bool:
    a = deps.settings.agents
    return state.get("calls", 0) < a.max_llm_calls and state.get("tokens", 0) < a.max_tokens


def call(
    deps: AgentDeps,
    user: str,
    schema: type[T],
    nonce: str,
    max_tokens: int,
    images: list | None = None,
    *,
    agent: str = "",
    what: str = "",
) -> CallResult:
    """Call the agents' chat model with the shared system prompt (see :func:`call_chat`)."""
    return call_chat(deps.chat, user, schema, nonce, max_tokens, images, agent=agent, what=what)


def call_chat(
    chat: ChatModel,
    user: str,
    schema: type[T],
    nonce: str,
    max_tokens: int,
    images: list | None = None,
    *,
    agent: str = "",
    what: str = "",
) -> CallResult:
    """Call ``chat`` with the shared system prompt.

    A reply that cannot be parsed, or a prompt too long for the model, is returned as an
    error for the caller to degrade on; a backend that fails (unreachable, refusing every
    request) raises :class:`BackendError`: a dead backend must end the question as an
    error, never be shown as an answer. ``agent`` and ``what`` are announced live first.
    """
    emit({"agent": agent, "phase": "call", "what": what})
    before = chat.usage.snapshot()
    messages = [{"role": "system", "content": system_prompt(nonce)}, {"role": "user", "content": user}]
    messages = with_images(messages, list(images or []) if chat.supports_images else [])
    value, error = None, ""
    try:
        value = chat.complete(messages, schema=schema, max_tokens=max_tokens)
    except CallError as exc:
        error = str(exc)
        log.warning("%s call failed: %s", schema.__name__, exc)
    used = chat.usage.since(before)
    prompt, completion = int(used["prompt_tokens"]), int(used["completion_tokens"])
    return CallResult(value, error, int(used["calls"]), prompt + completion, prompt, completion)


__all__ = ["CallResult", "budget_left", "call", "call_chat", "emit", "new_nonce", "turn_nonce"]


def spent_since(chat: ChatModel, before: dict[str, float]) -> dict[str, Any]:
    """A node's spending since ``before`` (a usage snapshot): its ``cost`` for the trace event,
    and the ``calls`` and ``tokens`` the graph state adds up."""
    used = chat.usage.since(before)
    cost = {k: int(used[k]) for k in ("calls", "prompt_tokens", "completion_tokens")}
    return {"cost": cost, "calls": cost["calls"], "tokens": cost["prompt_tokens"] + cost["completion_tokens"]}
