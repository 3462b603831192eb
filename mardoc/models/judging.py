"""Yes/no judgements with a confidence: the narrowest slot a small model can fill.

``yes_probability(chat, messages)`` is P("yes") / (P("yes") + P("no")) for the reply's first
token. The messages ask for ``{"answer": "yes"}`` or ``{"answer": "no"}``. A backend that exposes
next-token probabilities (llama.cpp in-process) writes ``ANSWER_PREFIX`` as the start of the
reply and reads the probabilities of the next token from one prompt evaluation; any other chat
model replies under the schema and gives 1.0 or 0.0.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from mardoc.models.protocols import ChatModel, Message

ANSWER_PREFIX = '{"answer": "'


class YesNo(BaseModel):
    answer: Literal["yes", "no"]


def yes_probability(chat: ChatModel, messages: list[Message]) -> float:
    """How sure ``chat`` is that the answer to ``messages`` is "yes" (0..1)."""
    judge: Any = getattr(chat, "yes_probability", None)
    if callable(judge):
        return min(1.0, max(0.0, float(judge(messages))))
    reply = chat.complete(messages, schema=YesNo, max_tokens=8)
    return 1.0 if reply.answer == "yes" else 0.0


__all__ = ["ANSWER_PREFIX", "YesNo", "yes_probability"]
