"""Shared set-up for agent tests: a library on the example PDF with a tiny embedder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mardoc import Library, Settings
from tests.conftest import copy_library
from tests.fakes import ScriptedChatModel, judged_page, tiny_embedder


@pytest.fixture
def indexed(demo_index: Path) -> Path:
    """The folder holding the example PDF's library (``lib``), built once per test process;
    `make_library` copies it per test."""
    return demo_index.parent


def make_library(
    indexed: Path, tmp_path: Path, replies: list[Any], retrieval: dict[str, Any] | None = None, **agents: Any
) -> Library:
    copy_library(indexed / "lib", tmp_path / "lib")
    agents.setdefault("judge_pages", "always")  # these tests drive the page judgements; "auto" has its own
    agents.setdefault("narrow_ask", False)  # they count the calls of other steps; the narrow ask has its own
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents=agents,
                 retrieval=retrieval or {})  # fmt: skip
    return Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(replies))


def pages_saying(*needles: str, yes: float = 0.9, no: float = 0.05) -> Callable[[list, Any], str]:
    """A Refiner judgement: ``yes`` for a judged page that contains any of ``needles``."""

    def reply(messages: list, schema: Any) -> str:
        _, text = judged_page(messages[1]["content"])
        return str(yes if any(w in text for w in needles) else no)

    return reply


def model(judge: Callable[[list, Any], str], answer: Any, rewrite: str = "") -> Callable[[list, Any], str]:
    """One scripted model for a whole turn, replying by what is asked: the Refiner's per-page
    judgement, the answer, the follow-up rewrite."""

    def reply(messages: list, schema: Any) -> str:
        name = getattr(schema, "__name__", schema)
        if name == "yes_probability":
            return judge(messages, schema)
        if name == "Standalone":
            return json.dumps({"question": rewrite})
        return answer(messages, schema) if callable(answer) else answer

    return reply


def calls_of(lib: Any, kind: str) -> list[str]:
    """The user prompts of the scripted calls of one kind ("yes_probability", "RagReply", ...)."""
    return [c["messages"][1]["content"] for c in lib.chat.calls if getattr(c["schema"], "__name__", c["schema"]) == kind]


def answer_citing_first(
    short: str, fmt: str = "Int", extra: list[int] | None = None
) -> Callable[[list, Any], str]:
    """An answering reply citing excerpt E1 plus ``extra`` excerpt numbers."""

    def reply(messages: list, schema: Any) -> str:
        return json.dumps(
            {"answer": f"It is {short}.", "short_answer": short, "format": fmt, "cited": [1] + (extra or [])}
        )

    return reply
