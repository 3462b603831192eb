"""What a person sees while an answer is worked out: the live status line of ``mardoc ask``."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from mardoc.cli.answers import LiveStatus
from tests.agents.conftest import answer_citing_first, make_library, model
from tests.agents.test_graph import WEIGHT


def slow(reply: Any, seconds: float = 0.7) -> Callable[[list, Any], str]:
    def answer(messages: list, schema: Any) -> str:
        time.sleep(seconds)  # a model at work
        return reply(messages, schema) if callable(reply) else reply

    return answer


def test_a_slow_model_shows_which_agent_works_on_what(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [slow(model(WEIGHT, answer_citing_first("50")), 0.4)])
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    with LiveStatus(console) as status:
        answer = lib.ask("What is the default weight of a glob?", mode="agents", on_event=status)
    screen = out.getvalue()
    assert answer.short == "50"
    assert "refiner judging shared-mime-info-spec.pdf p." in screen and "answerer answering from" in screen
    assert "0:00:00" in screen  # the elapsed clock of the step at work
    assert "· refine  r1: +1 evidence" in screen and "reflect r1: sufficient" in screen  # finished steps stay


def test_rag_shows_its_steps_too(indexed: Path, tmp_path: Path) -> None:
    reply = '{"answer": "50", "short_answer": "50", "format": "Int", "cited": [1]}'
    lib = make_library(indexed, tmp_path, [slow(reply)])
    out = io.StringIO()
    with LiveStatus(Console(file=out, force_terminal=True, width=120, color_system=None)) as status:
        lib.ask("What is the default weight of a glob?", mode="rag", on_event=status)
    assert "rag answering from" in out.getvalue()
