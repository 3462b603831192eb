"""Figure descriptions at ingest: written by a vision model, stored in the figure chunks,
found by search, never asked twice for the same crop."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mardoc import Library, Settings
from mardoc.errors import ConfigError
from mardoc.ingest import DESCRIPTION_MARK
from tests.fakes import ScriptedChatModel, tiny_embedder
from tests.vision.test_reading_with_images import chart_pdf

DESCRIPTION = "A bar chart of rainfall per year in millimetres: 2023 shows 4711."


def describer(messages: list, schema: Any) -> str:
    parts = messages[0]["content"]
    assert isinstance(parts, list) and parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    return DESCRIPTION


def library(root: Path, chat: ScriptedChatModel, block_max_chars: int = 1200) -> Library:
    s = Settings(home=root / "home", models={"embedder": "hash:256", "chat": "fake:"},
                 ingest={"ocr": False, "block_max_chars": block_max_chars})  # fmt: skip
    return Library(root / "lib", settings=s, embedder=tiny_embedder(), chat=chat)


def figures(lib: Library) -> list:
    doc = lib.documents()[0]["doc_id"]
    return [c for c in lib.retriever.read_pages([(doc, 1)]) if c.kind == "figure"]


def test_figures_are_described_stored_searched_and_not_described_twice(tmp_path: Path) -> None:
    pdf = chart_pdf(tmp_path / "report.pdf")
    chat = ScriptedChatModel([describer], supports_images=True)
    with library(tmp_path, chat) as lib:
        lib.ingest([pdf])
        assert all(DESCRIPTION_MARK not in c.text for c in figures(lib))
        counts = lib.describe_figures()
        assert counts == {"described": 1, "calls": 1, "cached": 0}
        (fig,) = figures(lib)
        assert f"{DESCRIPTION_MARK} {DESCRIPTION}" in fig.text
        hits = lib.retriever.search("rainfall millimetres chart", k=3)
        assert hits and hits[0].chunk.id == fig.id
        # described once: a second pass asks nothing
        assert lib.describe_figures() == {"described": 0, "calls": 0, "cached": 0}
    assert len(chat.calls) == 1
    # a new index of the same library (another chunking) re-ingests, and the description comes
    # from the cache of the crop: no call
    with library(tmp_path, chat, block_max_chars=900) as lib2:
        lib2.ingest([pdf])
        assert lib2.describe_figures() == {"described": 1, "calls": 0, "cached": 1}
        assert DESCRIPTION in figures(lib2)[0].text
    assert len(chat.calls) == 1


def test_a_model_that_reads_no_images_is_a_one_line_error(tmp_path: Path) -> None:
    with library(tmp_path, ScriptedChatModel(["{}"])) as lib:
        lib.ingest([chart_pdf(tmp_path / "report.pdf")])
        with pytest.raises(ConfigError, match=re.escape("MARDOC_MODELS__VISION=true")):
            lib.describe_figures()
