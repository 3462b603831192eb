"""Reading with a model that reads images: the pages read go as pictures beside their text.

No vision model exists offline, so the fake one "sees" by running the bundled OCR on the
pictures it is sent: it can answer only what is in the pixels (or in the text)."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
import pytest

from mardoc import Library, Settings
from mardoc.models.openai_compat import OpenAICompatChatModel
from tests.conftest import copy_library
from tests.fake_server import FakeOpenAIServer
from tests.fakes import ScriptedChatModel, tiny_embedder

Q = "What were the sales in 2023 according to the chart?"
NA = json.dumps({"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []})


def chart_pdf(path: Path) -> Path:
    """A page whose answer is only in a picture: the chart's text is pixels, no text layer."""
    art = pymupdf.open()
    pg = art.new_page(width=300, height=160)
    pg.draw_rect(pymupdf.Rect(20, 60, 80, 140), fill=(0.2, 0.4, 0.8))
    pg.insert_text((20, 40), "SALES 2023: 4711", fontsize=20)
    pix = pg.get_pixmap(dpi=150)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Quarterly report", fontsize=18)
    page.insert_text((60, 120), "The sales of the year are shown in the chart below.", fontsize=11)
    page.insert_image(pymupdf.Rect(60, 150, 360, 310), pixmap=pix)
    doc.save(path)
    return path


def seen_text(messages: list[dict[str, Any]]) -> str:
    """What a vision model sees: the text parts, and the OCR of every picture sent."""
    from mardoc.ingest.ocr import ocr_lines

    out = []
    for m in messages:
        content = m["content"]
        parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
        for part in parts:
            if part["type"] == "text":
                out.append(part["text"])
            else:
                png = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
                img = pymupdf.Pixmap(png)
                pixels = np.frombuffer(img.samples, dtype=np.uint8).reshape(img.height, img.width, img.n)[:, :, :3]
                out.extend(text for _, text, _ in ocr_lines(np.ascontiguousarray(pixels), 1.0))
    return "\n".join(out)


def ocr_reader(messages: list, schema: Any) -> str:
    name = getattr(schema, "__name__", schema)
    if name == "yes_probability":
        return "0.9"
    m = re.search(r"SALES\s*2023\W*(\d+)", seen_text(messages))
    if not m:
        return NA
    return json.dumps({"answer": f"Sales were {m.group(1)}.", "short_answer": m.group(1), "format": "Int", "cited": [1]})


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vision")
    pdf = chart_pdf(root / "report.pdf")
    s = Settings(home=root / "home", models={"embedder": "hash:256", "chat": "fake:"}, ingest={"ocr": False})
    with Library(root / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(["{}"])) as lib:
        lib.ingest([pdf])
        (chunk,) = [c for c in lib.retriever.read_pages([(lib.documents()[0]["doc_id"], 1)]) if c.kind == "page"]
        assert "4711" not in chunk.text  # the answer is in the pixels only
    return root


def library(indexed: Path, tmp_path: Path, chat: Any, **models: Any) -> Library:
    copy_library(indexed / "lib", tmp_path / "lib")
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:", **models}, ingest={"ocr": False},
                 agents={"judge_pages": "always"})  # these tests look at the page judgements' pictures  # fmt: skip
    return Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=chat)


@pytest.mark.slow  # OCR of the pictures
@pytest.mark.parametrize("mode", ["rag", "agents"])
def test_an_answer_only_in_a_picture_is_read_with_vision_and_not_without(indexed: Path, tmp_path: Path, mode: str) -> None:
    seeing = library(indexed, tmp_path / "on", ScriptedChatModel([ocr_reader], supports_images=True))
    blind = library(indexed, tmp_path / "off", ScriptedChatModel([ocr_reader], supports_images=False))
    assert seeing.ask(Q, mode=mode).short == "4711"
    assert blind.ask(Q, mode=mode).short == "Not answerable"


def test_text_only_models_get_the_same_messages_byte_for_byte(indexed: Path, tmp_path: Path) -> None:
    seeing = library(indexed, tmp_path / "on", ScriptedChatModel([NA], supports_images=True))
    blind = library(indexed, tmp_path / "off", ScriptedChatModel([NA], supports_images=False))
    q = "What does the chart of the quarterly report show?"  # named in the text: the blind model is asked too
    seeing.ask(q, mode="rag")
    blind.ask(q, mode="rag")
    (sent,) = seeing.chat.calls  # type: ignore[attr-defined]
    (plain,) = blind.chat.calls  # type: ignore[attr-defined]
    assert isinstance(plain["messages"][1]["content"], str)
    assert sent["messages"][1]["content"][0] == {"type": "text", "text": plain["messages"][1]["content"]}
    assert sent["messages"][0] == plain["messages"][0]


def _png_sizes(body: dict) -> list[tuple[int, int]]:
    sizes = []
    for part in body["messages"][1]["content"]:
        if isinstance(part, dict) and part.get("type") == "image_url":
            url = part["image_url"]["url"]
            assert url.startswith("data:image/png;base64,")
            pix = pymupdf.Pixmap(io.BytesIO(base64.b64decode(url.split(",", 1)[1])).read())
            sizes.append((pix.width, pix.height))
    return sizes


def test_the_request_carries_the_pages_as_data_urls_within_the_pixel_budget(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "4711", "short_answer": "4711", "format": "Int", "cited": [1]})
    with FakeOpenAIServer([("ok", reply)]) as srv:
        chat = OpenAICompatChatModel("vlm", base_url=srv.base_url, api_key="k", supports_images=True, backoff_s=0.01)
        lib = library(indexed, tmp_path, chat, vision_page_pixels=200_000, vision_crop_pixels=300_000)
        a = lib.ask(Q, mode="rag")
        sizes = _png_sizes(srv.requests[0]["body"])
    # the one page read, then the chart's crop (the question is about a chart)
    assert len(sizes) == 2 and a.short == "4711"
    assert sizes[0][0] * sizes[0][1] <= 200_000 and sizes[0][0] * sizes[0][1] > 150_000
    assert sizes[1][0] * sizes[1][1] <= 300_000
    assert a.trace[0]["pictures"] == ["page 1", "figure p.1"]


def test_a_model_refusing_the_pictures_gets_them_smaller_then_text_only(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []})
    too_large = ("status_body", 400, "image too large")
    with FakeOpenAIServer([too_large, too_large, ("ok", reply)]) as srv:
        chat = OpenAICompatChatModel("vlm", base_url=srv.base_url, api_key="k", supports_images=True, backoff_s=0.01)
        a = library(indexed, tmp_path, chat).ask(Q, mode="rag")
        first, second, third = (_png_sizes(r["body"]) if isinstance(r["body"]["messages"][1]["content"], list) else []
                                for r in srv.requests)  # fmt: skip
    assert first and second and third == []
    assert all(s[0] * s[1] < f[0] * f[1] for s, f in zip(second, first, strict=True))
    assert "refused the pictures" in a.trace[0]["picture_note"] and "text only" in a.trace[0]["picture_note"]


def test_pictures_beyond_the_budget_go_as_text_only_and_are_said(indexed: Path, tmp_path: Path) -> None:
    chat = ScriptedChatModel([NA], supports_images=True)
    lib = library(indexed, tmp_path, chat, vision_max_tokens=1200, vision_tokens_per_image=1200)
    a = lib.ask(Q, mode="rag")
    assert a.trace[0]["pictures"] == ["page 1"]
    assert "figure p.1" in a.trace[0]["picture_note"] and "text only" in a.trace[0]["picture_note"]


def _pictures(messages: list[dict[str, Any]]) -> int:
    content = messages[1]["content"]
    return sum(1 for p in content if p.get("type") == "image_url") if isinstance(content, list) else 0


def test_each_page_judgement_carries_the_judged_pages_picture(indexed: Path, tmp_path: Path) -> None:
    seeing = library(indexed, tmp_path / "on", ScriptedChatModel([NA], supports_images=True), vision_page_pixels=100_000)
    blind = library(indexed, tmp_path / "off", ScriptedChatModel([NA], supports_images=False))
    q = "What does the chart of the quarterly report show?"
    seeing.ask(q, mode="agents")
    blind.ask(q, mode="agents")
    judged = [c["messages"] for c in seeing.chat.calls if c["schema"] == "yes_probability"]  # type: ignore[attr-defined]
    plain = [c["messages"] for c in blind.chat.calls if c["schema"] == "yes_probability"]  # type: ignore[attr-defined]
    assert judged and [_pictures(m) for m in judged] == [1] * len(judged)
    # the text beside the picture is the text-only judgement, byte for byte
    assert [m[1]["content"][0]["text"] for m in judged] == [m[1]["content"] for m in plain]
    assert all(isinstance(m[1]["content"], str) for m in plain)


@pytest.mark.slow  # OCR of the pictures
def test_a_page_whose_answer_is_only_in_its_picture_is_judged_to_answer_with_vision(indexed: Path, tmp_path: Path) -> None:
    def judge(messages: list, schema: Any) -> str:
        if schema == "yes_probability":
            return "0.9" if re.search(r"SALES\s*2023", seen_text(messages)) else "0.1"
        return ocr_reader(messages, schema)

    q = "What were the sales of the year according to the chart of the quarterly report?"  # in the text: both read
    for reads_images, p in ((True, 0.9), (False, 0.1)):
        lib = library(indexed, tmp_path / str(reads_images), ScriptedChatModel([judge], supports_images=reads_images))
        a = lib.ask(q, mode="agents")
        refiner = next(t for t in a.trace if t["agent"] == "refiner")
        assert refiner["pages"]["report.pdf p.1"]["p"] == p
