"""LLM judge for benchmarks whose official protocol grades answers with a model.

DocBench and FinanceBench grade free-text answers with an LLM judge. :class:`LlmJudge`
works with any configured chat backend (the local model, or a stronger one over an
OpenAI-compatible server). The answer being graded is model output that may carry document
text, so it is fenced as untrusted data like every excerpt. Reports always say which scorer
produced a number: the rule-based MMLongBench-Doc scorer is the cheap proxy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

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


SANITY_MIN = 0.8  # share of the sanity pairs a judge must grade right to be used


def sanity_check(judge: LlmJudge, items: Sequence[tuple[str, str]], k: int = 10, seed: int = 0) -> dict[str, Any]:
    """Grade the run's own gold answers before trusting the judge with predictions.

    ``items`` are ``(question, gold)``. For up to ``k`` of them the judge grades the gold
    answer against itself (must be correct) and another question's, different, gold against
    it (must be wrong). A judge below :data:`SANITY_MIN` on either is not used.
    """
    rng = random.Random(seed)
    pool = [(q, g) for q, g in items if g.strip()]
    rng.shuffle(pool)
    pool = pool[:k]
    same = wrong = 0
    shuffled_n = 0
    for i, (q, gold) in enumerate(pool):
        same += (judge(q, gold, gold)[0] or 0) >= 1
        other = next((g for _, g in pool[i + 1 :] + pool[:i] if g.strip().lower() != gold.strip().lower()), None)
        if other is not None:
            shuffled_n += 1
            score = judge(q, gold, other)[0]
            wrong += score is not None and score < 1
    out: dict[str, Any] = {
        "n": len(pool),
        "gold_vs_gold": same / len(pool) if pool else None,
        "shuffled_vs_gold": wrong / shuffled_n if shuffled_n else None,
    }
    out["passed"] = bool(pool) and all(v is None or v >= SANITY_MIN for v in (out["gold_vs_gold"], out["shuffled_vs_gold"]))
    return out


__all__ = ["Judgement", "LlmJudge", "sanity_check"]
