"""Single agent nodes alone, including the Refiner's image path for vision models."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import MagicMock

import pymupdf
from langgraph.runtime import Runtime

from mardoc.agents.explorer import explore
from mardoc.agents.refiner import refine
from mardoc.agents.state import AgentDeps
from mardoc.memory import EvidenceMemory
from mardoc.models.openai_compat import OpenAICompatChatModel
from mardoc.settings import Settings
from mardoc.types import Chunk
from tests.fake_server import FakeOpenAIServer
from tests.fakes import ScriptedChatModel


def figure_chunk(tmp_path: Path) -> Chunk:
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=100)
    page.insert_text((20, 50), "Revenue 2018: 42", fontsize=12)
    png = tmp_path / "fig.png"
    png.write_bytes(page.get_pixmap().tobytes("png"))
    return Chunk(id="00000000-0000-0000-0000-000000000001", doc_id="d1", doc_name="r.pdf", kind="figure", page=3,
                 pages=(3,), bboxes=((0, 0, 200, 100),), text="Figure 2: Revenue by year. Revenue 2018: 42",
                 image_path=str(png))  # fmt: skip


def deps(chat, retriever=None) -> AgentDeps:  # noqa: ANN001
    return AgentDeps(
        retriever=retriever or MagicMock(),
        chat=chat,
        settings=Settings(),
        doc_names={"d1": "r.pdf"},
        doc_paths={},
    )


def state(chunks: list[Chunk]) -> dict:
    return {"question": "What was revenue in 2018?", "memory": EvidenceMemory(), "round": 1,
            "observations": list(chunks), "calls": 0, "tokens": 0}  # fmt: skip


def picks(*lines: int) -> str:
    return json.dumps({"lines": list(lines)})


def test_refiner_sends_the_page_render_to_a_vision_model(tmp_path: Path) -> None:
    c = figure_chunk(tmp_path)
    pdf = tmp_path / "r.pdf"
    doc = pymupdf.open()
    for _ in range(3):
        doc.new_page().insert_text((72, 72), "Revenue 2018: 42")
    doc.save(pdf)
    with FakeOpenAIServer([("ok", picks(1))]) as srv:
        chat = OpenAICompatChatModel("vlm", base_url=srv.base_url, supports_images=True)
        d = deps(chat)
        d.doc_paths = {"d1": str(pdf)}
        out = refine(state([c]), Runtime(context=d))
        content = srv.requests[0]["body"]["messages"][1]["content"]
    assert isinstance(content, list)
    images = [p for p in content if p["type"] == "image_url"]
    assert len(images) == 1 and images[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert out["memory"].active()[0].source.kind == "figure"


def test_refiner_reads_a_figure_as_its_text_for_text_models(tmp_path: Path) -> None:
    c = figure_chunk(tmp_path)
    chat = ScriptedChatModel([picks(1)])
    out = refine(state([c]), Runtime(context=deps(chat)))
    content = chat.calls[0]["messages"][1]["content"]
    assert isinstance(content, str) and "[L1] Figure 2: Revenue by year. Revenue 2018: 42" in content
    assert "Page 3 of r.pdf" in content
    (e,) = out["memory"].active()
    assert e.quote == "Figure 2: Revenue by year. Revenue 2018: 42" and e.source.page == 3


def test_explorer_round_one_ranks_pages_and_reads_the_best_whole_without_llm(tmp_path: Path) -> None:
    from mardoc.retrieval.retriever import PageHit

    retriever = MagicMock()
    retriever.search_pages.return_value = [PageHit("d1", "r.pdf", 3, 0.9), PageHit("d1", "r.pdf", 8, 0.5)]
    retriever.read_pages.return_value = [figure_chunk(tmp_path)]
    retriever.doc_text.return_value = "Revenue 2018: 42"
    chat = ScriptedChatModel(["{}"])
    s = {"question": "What was revenue in 2018?", "memory": EvidenceMemory(), "round": 0, "docs": None,
         "calls": 0, "tokens": 0}  # fmt: skip
    out = explore(s, Runtime(context=deps(chat, retriever)))
    assert chat.calls == []
    assert retriever.search_pages.call_args.args[0] == "What was revenue in 2018?"
    assert retriever.read_pages.call_args.args[0] == [("d1", 3), ("d1", 8)]
    assert out["round"] == 1 and out["pages_ranked"] == [("d1", 3), ("d1", 8)] and out["absent"] == []
    assert out["pages_read"] == [("d1", 3), ("d1", 8)]


def two_line_chunk() -> Chunk:
    text = "Annual report 2018, section Finance, revenue and costs of the group\nRevenue 2018: 42 million euros in total.\nCosts 2018: 17 million euros in total."
    return Chunk(id="00000000-0000-0000-0000-000000000002", doc_id="d1", doc_name="r.pdf", kind="page", page=5,
                 pages=(5,), bboxes=((0, 0, 200, 100),), text=text)  # fmt: skip


def test_split_units_are_verbatim_runs_of_the_text() -> None:
    from mardoc.agents.refiner import split_units
    from mardoc.memory import quote_found

    text = "Title\nshort\n" + "A long sentence about revenue that goes on. " * 8 + "\n| a | b |\n| 1 | 2 |"
    units = split_units(text)
    assert units[0] == "Title short A long sentence about revenue that goes on."  # short lines joined
    assert units[-2:] == ["| a | b |", "| 1 | 2 |"]  # table rows stay apart
    assert all(len(u) <= 260 for u in units[1:-2])  # long lines are split into sentences
    assert all(quote_found(" ".join(units[i : i + 3]), text) for i in range(len(units) - 2))


def test_refiner_keeps_the_chosen_lines_verbatim_and_drops_numbers_naming_none() -> None:
    chat = ScriptedChatModel([json.dumps({"lines": ["L3", 9, 0]})])
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    assert "[L3] Costs 2018: 17 million euros in total." in chat.calls[0]["messages"][1]["content"]
    (e,) = out["memory"].active()
    assert e.quote == "Costs 2018: 17 million euros in total." and e.source.page == 5
    assert out["trace"][0]["pages"] == {"r.pdf p.5": [3]}


def test_refiner_reads_each_page_in_its_own_call() -> None:
    other = two_line_chunk().model_copy(update={"id": "00000000-0000-0000-0000-000000000003", "page": 6})
    chat = ScriptedChatModel([picks(2), picks()])
    out = refine(state([two_line_chunk(), other]), Runtime(context=deps(chat)))
    assert len(chat.calls) == 2 and out["calls"] == 2
    assert "Page 5 of" in chat.calls[0]["messages"][1]["content"] and "Page 6 of" in chat.calls[1]["messages"][1]["content"]
    (e,) = out["memory"].active()  # the page that helped leaves evidence, the other nothing
    assert e.source.page == 5 and e.quote.startswith("Revenue 2018: 42")


def test_a_malformed_reply_leaves_no_evidence_and_names_the_error() -> None:
    chat = ScriptedChatModel(["not json at all"])
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    assert out["memory"].active() == [] and "p.5" in out["trace"][0]["error"]


def test_focused_excerpts_show_lines_with_neighbours_and_table_headers() -> None:
    from mardoc.agents.answerer import focused_excerpts
    from mardoc.memory import Source

    table = Chunk(id="00000000-0000-0000-0000-000000000009", doc_id="d1", doc_name="r.pdf", kind="table", page=7,
                  pages=(7,), bboxes=(), text="| Year | Revenue |\n| --- | --- |\n| 2016 | 30 |\n| 2017 | 35 |\n| 2018 | 42 |")  # fmt: skip
    retriever = MagicMock()
    retriever.get_chunk.side_effect = lambda cid: table if cid == table.id else None
    mem = EvidenceMemory()
    src = Source(doc_id="d1", doc_name="r.pdf", page=7, chunk_id=table.id, kind="table")
    mem.add_evidence("| 2018 | 42 |", "| 2018 | 42 |", src, 1, table.text)
    (ex,), shown = focused_excerpts(mem.active(), retriever, [("d1", 7)])
    assert ex.text.splitlines() == ["| Year | Revenue |", "| --- | --- |", "...", "| 2017 | 35 |", "| 2018 | 42 |"]
    assert ex.page == 7 and [line for _, line in shown] == [ex.text.splitlines()[i] for i in (0, 1, 3, 4)]
