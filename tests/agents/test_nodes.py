"""Single agent nodes alone, including the Refiner's image path for vision models."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import MagicMock

import pymupdf
from langgraph.runtime import Runtime

from mardoc.agents.explorer import explore
from mardoc.agents.refiner import refine
from mardoc.agents.state import AgentDeps, Judged
from mardoc.memory import EvidenceMemory
from mardoc.settings import Settings
from mardoc.types import Chunk
from tests.fakes import ScriptedChatModel, judged_page


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
        settings=Settings(agents={"judge_pages": "always"}),
        doc_names={"d1": "r.pdf"},
        doc_paths={},
    )


def state(chunks: list[Chunk]) -> dict:
    return {"question": "What was revenue in 2018?", "memory": EvidenceMemory(), "round": 1,
            "observations": list(chunks), "calls": 0, "tokens": 0}  # fmt: skip


def test_refiner_judges_a_figure_by_its_text_and_keeps_its_line(tmp_path: Path) -> None:
    c = figure_chunk(tmp_path)
    chat = ScriptedChatModel(["0.8"])
    out = refine(state([c]), Runtime(context=deps(chat)))
    content = chat.calls[0]["messages"][1]["content"]
    assert isinstance(content, str) and "Figure 2: Revenue by year. Revenue 2018: 42" in content
    assert judged_page(content)[0] == 3 and chat.calls[0]["schema"] == "yes_probability"
    (e,) = out["memory"].active()
    assert e.quote == "Figure 2: Revenue by year. Revenue 2018: 42" and e.source.page == 3
    assert out["judged"] == [Judged("d1", 3, 0.8, 1)] and out["trace"][0]["pages"]["r.pdf p.3"]["p"] == 0.8


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


def test_a_page_judged_to_answer_leaves_its_line_closest_to_the_question() -> None:
    chat = ScriptedChatModel(["0.9"])
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    (e,) = out["memory"].active()
    assert e.quote == "Revenue 2018: 42 million euros in total." and e.source.page == 5
    assert out["answer_pages"] == [("d1", 5)] and out["best_judged"] == 0.9  # kept for the table step and the Answerer


def test_a_page_judged_not_to_answer_leaves_only_its_judgement() -> None:
    chat = ScriptedChatModel(["0.3"])  # below agents.found (0.5)
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    assert out["memory"].active() == [] and out["judged"] == [Judged("d1", 5, 0.3, 1)]


def test_a_multi_part_question_keeps_a_line_for_each_part() -> None:
    from mardoc.agents.refiner import best_lines, pages_of

    (page,) = pages_of([two_line_chunk()])
    got = [u for _, u in best_lines(page, "What was revenue in 2018, and what were the costs?")]
    assert got == ["Revenue 2018: 42 million euros in total.", "Costs 2018: 17 million euros in total."]


def test_refiner_judges_each_page_in_its_own_call() -> None:
    other = two_line_chunk().model_copy(update={"id": "00000000-0000-0000-0000-000000000003", "page": 6})
    chat = ScriptedChatModel(["0.9", "0.1"])
    out = refine(state([two_line_chunk(), other]), Runtime(context=deps(chat)))
    assert len(chat.calls) == 2 and out["calls"] == 2
    assert [judged_page(c["messages"][1]["content"])[0] for c in chat.calls] == [5, 6]
    (e,) = out["memory"].active()  # the page that answers leaves evidence, the other nothing
    assert e.source.page == 5 and out["judged"] == [Judged("d1", 5, 0.9, 1), Judged("d1", 6, 0.1, 1)]


def test_a_malformed_judgement_counts_as_no_and_names_the_error() -> None:
    chat = ScriptedChatModel(["not a number"])
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    assert out["memory"].active() == [] and out["judged"] == [Judged("d1", 5, 0.0, 1)]
    assert "p.5" in out["trace"][0]["error"] and "yes/no judgement" in out["trace"][0]["error"]
