"""Shared set-up for agent tests: a library on the example PDF with a tiny embedder."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mardoc import Library, Settings
from tests.conftest import DEMO_PDF
from tests.fakes import ScriptedChatModel, tiny_embedder

FENCE_OBS = re.compile(r"<<DOCUMENT-DATA \w+ (O\d+):")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Edge index of the example PDF, built once per module and copied per test."""
    root = tmp_path_factory.mktemp("idx")
    s = Settings(home=root / "home", models={"embedder": "hash:256", "chat": "fake:"})
    lib = Library(root / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(["{}"]))
    lib.ingest([DEMO_PDF])
    lib.close()
    return root


def make_library(indexed: Path, tmp_path: Path, replies: list[Any], **agents: Any) -> Library:
    import shutil

    shutil.copytree(indexed / "lib", tmp_path / "lib")
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents=agents)
    return Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(replies))


def refine_with(needle: str, statement: str, quote: str) -> Callable[[list, Any], str]:
    """A Refiner reply that cites the observation containing ``needle`` (if shown)."""

    def reply(messages: list, schema: Any) -> str:
        text = messages[1]["content"]  # the task prompt (a repair turn may follow it)
        parts = FENCE_OBS.split(text)
        for i in range(1, len(parts), 2):
            if needle in parts[i + 1]:
                return json.dumps(
                    {
                        "facts": [{"statement": statement, "quote": quote, "source": parts[i]}],
                        "steps": [],
                        "gaps": [],
                    }
                )
        return json.dumps({"facts": [], "steps": [], "gaps": [f"still looking for {needle}"]})

    return reply


def answer_citing_first(
    short: str, fmt: str = "Int", extra: list[int] | None = None
) -> Callable[[list, Any], str]:
    """An answering reply (the Answerer reads pages as numbered excerpts) citing excerpt E1,
    the first page read, plus ``extra`` excerpt numbers."""

    def reply(messages: list, schema: Any) -> str:
        return json.dumps(
            {"answer": f"It is {short}.", "short_answer": short, "format": fmt, "cited": [1] + (extra or [])}
        )

    return reply


def verdict(v: str, **kw: Any) -> str:
    return json.dumps({"verdict": v, **kw})
