"""LLM judge for benchmarks whose official protocol grades answers with a model.

DocBench and FinanceBench grade free-text answers with an LLM judge. :class:`LlmJudge`
works with any configured chat backend (the local model, or a stronger one over an
OpenAI-compatible server). The answer being graded is model output that may carry document
text, so it is fenced as untrusted data like every excerpt. Reports always say which scorer
produced a number: the rule-based MMLongBench-Doc scorer is the cheap proxy.
"""

from __future__ import annotations

from pydantic import BaseModel

from mardoc.agents import fence, load_prompt, new_nonce, system_prompt
from mardoc.errors import MardocError
from mardoc.models import ChatModel


class Judgement(BaseModel):
    correct: bool
    reason: str = ""


class LlmJudge:
    """Grades a prediction against the gold answer: 1.0 correct, 0.0 wrong."""

    def __init__(self, chat: ChatModel, name: str = "") -> None:
        self.chat = chat
        self.name = name or getattr(chat, "name", "llm")

    def __call__(self, question: str, gold: str, prediction: str) -> tuple[float | None, str]:
        """``(score, reason)``; the score is None when the judge itself failed."""
        nonce = new_nonce("judge", question, prediction)
        prompt = load_prompt("judge").render(
            question=question, gold=gold, prediction=fence("answer", prediction or "(empty)", nonce)
        )
        messages = [{"role": "system", "content": system_prompt(nonce)}, {"role": "user", "content": prompt}]
        try:
            verdict = self.chat.complete(messages, schema=Judgement, max_tokens=120)
        except MardocError as exc:
            return None, f"judge failed: {exc}"
        return float(verdict.correct), verdict.reason


__all__ = ["Judgement", "LlmJudge"]
