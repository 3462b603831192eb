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
from mardoc.retrieval.retriever import ScoredChunk
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


REFINED = json.dumps(
    {
        "facts": [{"statement": "Revenue in 2018 was 42", "quote": "Revenue 2018: 42", "source": "O1"}],
        "steps": [],
        "gaps": [],
    }
)


def test_refiner_sends_figure_crops_to_vision_model(tmp_path: Path) -> None:
    c = figure_chunk(tmp_path)
    with FakeOpenAIServer([("ok", REFINED)]) as srv:
        chat = OpenAICompatChatModel("vlm", base_url=srv.base_url, supports_images=True)
        out = refine(state([c]), Runtime(context=deps(chat)))
        content = srv.requests[0]["body"]["messages"][1]["content"]
    assert isinstance(content, list)
    images = [p for p in content if p["type"] == "image_url"]
    assert len(images) == 1 and images[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert out["memory"].active()[0].source.kind == "figure"


def test_refiner_uses_text_surrogates_for_text_models(tmp_path: Path) -> None:
    c = figure_chunk(tmp_path)
    chat = ScriptedChatModel([REFINED])
    out = refine(state([c]), Runtime(context=deps(chat)))
    content = chat.calls[0]["messages"][1]["content"]
    assert isinstance(content, str) and "Figure 2: Revenue by year" in content
    assert out["memory"].active()[0].statement == "Revenue in 2018 was 42"
    assert out["trace"][0]["images"] == 0


def test_refiner_rejects_quotes_not_in_the_source(tmp_path: Path) -> None:
    bad = json.dumps({"facts": [{"statement": "Revenue was 99", "quote": "Revenue 2018: 99", "source": "O1"},
                                {"statement": "Costs were 7", "quote": "Costs 2018: 7", "source": "O7"}],
                      "steps": [], "gaps": []})  # fmt: skip
    out = refine(state([figure_chunk(tmp_path)]), Runtime(context=deps(ScriptedChatModel([bad]))))
    assert out["memory"].active() == [] and out["trace"][0]["rejected"] == 2


def test_refiner_relocates_a_verbatim_quote_with_a_wrong_label(tmp_path: Path) -> None:
    wrong = json.dumps({"facts": [{"statement": "Revenue in 2018 was 42", "quote": "Revenue 2018: 42", "source": "O7"}],
                        "steps": [], "gaps": []})  # fmt: skip
    c = figure_chunk(tmp_path)
    out = refine(state([c]), Runtime(context=deps(ScriptedChatModel([wrong]))))
    (e,) = out["memory"].active()
    assert e.source.chunk_id == c.id  # attributed to where the quote actually is


def test_explorer_round_one_searches_the_question_without_llm(tmp_path: Path) -> None:
    retriever = MagicMock()
    retriever.search.return_value = [ScoredChunk(figure_chunk(tmp_path), 0.9)]
    chat = ScriptedChatModel(["{}"])
    s = {
        "question": "What was revenue in 2018?",
        "memory": EvidenceMemory(),
        "round": 0,
        "docs": None,
        "calls": 0,
        "tokens": 0,
    }
    out = explore(s, Runtime(context=deps(chat, retriever)))
    assert chat.calls == []
    assert retriever.search.call_args.args[0] == "What was revenue in 2018?"
    assert out["round"] == 1 and len(out["observations"]) == 1 and out["pages_ranked"] == [("d1", 3)]


def two_line_chunk() -> Chunk:
    text = "Annual report 2018, section Finance, revenue and costs of the group\nRevenue 2018: 42 million euros in total.\nCosts 2018: 17 million euros in total."
    return Chunk(id="00000000-0000-0000-0000-000000000002", doc_id="d1", doc_name="r.pdf", kind="block", page=5,
                 pages=(5,), bboxes=((0, 0, 200, 100),), text=text)  # fmt: skip


def refined(*facts: dict) -> str:
    return json.dumps({"facts": list(facts), "steps": [], "gaps": []})


def test_split_units_are_verbatim_runs_of_the_text() -> None:
    from mardoc.agents.refiner import split_units
    from mardoc.memory import quote_found

    text = "Title\nshort\n" + "A long sentence about revenue that goes on. " * 8 + "\n| a | b |\n| 1 | 2 |"
    units = split_units(text)
    assert units[0] == "Title short A long sentence about revenue that goes on."  # short lines joined
    assert units[-2:] == ["| a | b |", "| 1 | 2 |"]  # table rows stay apart
    assert all(len(u) <= 260 for u in units[1:-2])  # long lines are split into sentences
    assert all(quote_found(" ".join(units[i : i + 3]), text) for i in range(len(units) - 2))


def test_refiner_takes_the_quote_from_the_cited_line() -> None:
    c = two_line_chunk()
    chat = ScriptedChatModel(
        [refined({"statement": "Costs in 2018 were 17 million euros", "source": "O1.3"})]
    )
    out = refine(state([c]), Runtime(context=deps(chat)))
    assert "[O1.3] Costs 2018: 17 million euros in total." in chat.calls[0]["messages"][1]["content"]
    (e,) = out["memory"].active()
    assert e.quote == "Costs 2018: 17 million euros in total." and e.source.page == 5


def test_refiner_accepts_a_range_of_lines() -> None:
    chat = ScriptedChatModel([refined({"statement": "Revenue was 42 and costs 17", "source": "O1.2-O1.3"})])
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    (e,) = out["memory"].active()
    assert e.quote.startswith("Revenue 2018: 42") and e.quote.endswith("17 million euros in total.")


def test_refiner_rejects_numbers_the_cited_line_does_not_state() -> None:
    chat = ScriptedChatModel([refined({"statement": "Costs in 2018 were 99 million", "source": "O1.3"},
                                      {"statement": "Profit was 25", "source": "O1.9"})])  # fmt: skip
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    assert out["memory"].active() == []
    reasons = out["trace"][0]["rejections"]
    assert "numbers ['99']" in reasons[0] and "no such line" in reasons[1]


def test_refiner_links_steps_to_cited_lines() -> None:
    reply = json.dumps({"facts": [{"statement": "Revenue 2018 was 42 million", "source": "O1.2"},
                                  {"statement": "Costs 2018 were 17 million", "source": "O1.3"}],
                        "steps": [{"inference": "42 - 17", "uses": ["O1.2", "O1.3"], "conclusion": "Profit was 25 million"}],
                        "gaps": []})  # fmt: skip
    out = refine(state([two_line_chunk()]), Runtime(context=deps(ScriptedChatModel([reply]))))
    mem = out["memory"]
    (step,) = mem.steps
    assert set(step.depends_on) == {e.id for e in mem.active()} and len(step.depends_on) == 2


def test_refiner_moves_a_fact_to_the_line_that_states_its_numbers() -> None:
    chat = ScriptedChatModel([refined({"statement": "Revenue in 2018 was 42 million euros", "source": "O1.3"},
                                      {"statement": "Costs were 17 million", "source": "O1.9"})])  # fmt: skip
    out = refine(state([two_line_chunk()]), Runtime(context=deps(chat)))
    quotes = [e.quote for e in out["memory"].active()]
    assert quotes == ["Revenue 2018: 42 million euros in total.", "Costs 2018: 17 million euros in total."]


def test_the_answer_reads_evidence_pages_first_then_the_ranking() -> None:
    from mardoc.agents.answerer import facts_notes, pages_to_read
    from mardoc.memory import Source

    mem = EvidenceMemory()
    for page, text in ((7, "Revenue was 42 in 2018."), (7, "Costs were 17."), (2, "The firm has 3 plants.")):
        src = Source(doc_id="d1", doc_name="r.pdf", page=page, chunk_id=f"c{page}", kind="block")
        mem.add_evidence(text, text, src, 1, text)
    ranked = [("d1", 1), ("d1", 2), ("d1", 9), ("d1", 7)]
    # the page with the most verified facts, then the other evidence page, then the ranking
    assert pages_to_read(mem, ranked, 3) == [("d1", 7), ("d1", 2), ("d1", 1)]
    assert pages_to_read(EvidenceMemory(), ranked, 2) == [("d1", 1), ("d1", 2)]  # as rag reads
    notes = facts_notes(mem).splitlines()
    assert notes[0] == "- Revenue was 42 in 2018. (r.pdf p.7)" and len(notes) == 3
