"""The whole graph with a scripted model: page-first reading, the Refiner's line slot, the
Reflector's checks by code, abstention, follow-ups, fencing, and rag."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from mardoc.agents.graph import build_graph, route_after_reflect
from tests.agents.conftest import answer_citing_first, lines_with, make_library, model

Q = "What is the default weight of a glob?"
WEIGHT = lines_with("default weight value is 50")
NOTHING = lines_with("\x00never")
NA = json.dumps({"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []})


def prompts_of(lib, schema: str) -> list[str]:  # noqa: ANN001
    return [c["messages"][1]["content"] for c in lib.chat.calls if c["schema"].__name__ == schema]


def test_round_one_reads_the_best_ranked_pages_whole_one_call_a_page(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))], read_pages=3)
    a = lib.ask(Q, mode="agents")
    ranked = [p.page for p in lib.retriever.search_pages(Q, k=3)]
    reads = prompts_of(lib, "PageLines")
    # one narrow call per page, in ranking order, the page number written in, lines labelled
    assert [int(re.search(r"^Page (\d+) of shared-mime-info-spec.pdf", p, re.M).group(1)) for p in reads] == ranked
    assert all("[L1] " in p for p in reads)
    assert a.short == "50" and a.format == "Int" and a.usage["rounds"] == 1
    assert [t["agent"] for t in a.trace] == ["explorer", "refiner", "reflector", "answerer"]
    (e,) = [e for e in a.memory["evidence"] if "50" in e["quote"]]
    assert e["source"]["page"] == 4 and "The default weight value is 50" in e["quote"]
    assert a.citations[0].page == 4 and a.citations[0].bbox is not None  # the line, located on the page


def test_the_answer_reads_the_verified_lines_with_their_neighbours(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    lib.ask(Q, mode="agents")
    (answer,) = prompts_of(lib, "RagReply")
    assert "Lines selected from the documents" in answer
    assert "[E1] shared-mime-info-spec.pdf page 4" in answer and "The default weight value is 50" in answer
    assert len(answer) < 3000  # the lines, not whole pages


def test_line_numbers_that_name_no_line_are_dropped(indexed: Path, tmp_path: Path) -> None:
    wild = json.dumps({"lines": [0, 999, "L-"]})
    lib = make_library(indexed, tmp_path, [model(lambda m, s: wild, NA)], max_rounds=1)
    a = lib.ask(Q, mode="agents")
    assert a.memory["evidence"] == []
    # nothing verified: the pages are read whole, the same call as rag's
    assert "[E1]" in prompts_of(lib, "RagReply")[0] and "Lines selected" not in prompts_of(lib, "RagReply")[0]


def test_nothing_found_reads_the_next_ranked_pages_then_answers_as_rag(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [model(NOTHING, reply)], max_rounds=2, read_pages=2)
    a = lib.ask(Q, mode="agents")
    explorers = [t for t in a.trace if t["agent"] == "explorer"]
    assert len(explorers) == 2
    first, second = ([p for _, p in t["pages"]] for t in explorers)
    ranked = [p.page for p in lib.retriever.search_pages(Q, k=10)]
    assert first == ranked[:2] and second == ranked[2:4]  # never the same page twice
    reflector = next(t for t in a.trace if t["agent"] == "reflector")
    assert reflector["verdict"] == "insufficient" and "next-ranked" in reflector["feedback"]
    # the fallback reading is rag's call, byte for byte
    rag = make_library(indexed, tmp_path / "rag", [reply], read_pages=2)
    rag.ask(Q, mode="rag")
    assert lib.chat.calls[-1]["messages"] == rag.chat.calls[0]["messages"]  # type: ignore[attr-defined]
    assert a.short == "50" and a.memory["evidence"] == []


def test_a_part_without_evidence_is_searched_and_the_answer_keeps_both_parts(indexed: Path, tmp_path: Path) -> None:
    q = "What is the default weight of a glob, and what is the default priority of magic rules?"
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("[50, 50]", "List"))], max_rounds=2)
    a = lib.ask(q, mode="agents")
    first = next(t for t in a.trace if t["agent"] == "reflector")
    # evidence only for the weight: not sufficient, the missing part is the next search
    assert first["verdict"] == "insufficient" and "priority of magic rules" in first["feedback"]
    assert any("priority of magic rules" in q for q in first["queries"])
    second = [t for t in a.trace if t["agent"] == "explorer"][1]
    assert any("priority of magic rules" in n for n in second["notes"])
    # round 2 asks the Refiner about the missing part alone, in the words of the whole question
    last_read = prompts_of(lib, "PageLines")[-1]
    assert "Question: what is the default priority of magic rules? (a part of the question: What is" in last_read
    answer = prompts_of(lib, "RagReply")[-1]
    assert "The question has 2 parts" in answer


def test_every_part_with_evidence_is_sufficient(indexed: Path, tmp_path: Path) -> None:
    q = "What is the default weight of a glob pattern, and what is the maximum?"
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("[50, 100]", "List"))], max_rounds=2)
    a = lib.ask(q, mode="agents")
    reflector = next(t for t in a.trace if t["agent"] == "reflector")
    assert reflector["verdict"] == "sufficient" and a.usage["rounds"] == 1
    assert json.loads(a.short) == [50, 100]


def test_a_question_naming_what_the_documents_never_mention_is_not_answerable_without_a_call(
    indexed: Path, tmp_path: Path
) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    a = lib.ask("What is the default weight of a glob in the Zorbatron 2031 edition?", mode="agents")
    assert a.short == "Not answerable" and a.format == "None" and a.citations == []
    assert a.usage["calls"] == 0 and lib.chat.calls == []  # type: ignore[attr-defined]
    explorer = a.trace[0]
    assert explorer["absent"] == ["2031", "Zorbatron"] and explorer["pages"] == []
    assert "Zorbatron" in a.text


def test_route_rules() -> None:
    assert route_after_reflect({"verdict": "sufficient", "round": 1, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "insufficient", "round": 1, "max_rounds": 3}) == "explore"
    assert route_after_reflect({"verdict": "insufficient", "round": 3, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "exhausted", "round": 1, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "unanswerable", "round": 1, "max_rounds": 3}) == "answer"
    assert build_graph() is not build_graph()  # built per call, never at import time


def test_llm_call_budget_is_enforced(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(NOTHING, NA)], max_rounds=5, max_llm_calls=4)
    a = lib.ask(Q, mode="agents")
    assert a.usage["calls"] <= 5  # 4 page reads, then the answer
    assert any(t.get("note") == "budget exhausted" or t.get("verdict") == "exhausted" for t in a.trace)


def test_prompts_fence_every_page(indexed: Path, tmp_path: Path) -> None:
    from tests.reliability.test_prompt_injection import outside_fences

    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    lib.ask(Q, mode="agents")
    calls = lib.chat.calls  # type: ignore[attr-defined]
    assert len({c["messages"][0]["content"] for c in calls}) == 1  # one system prompt a turn
    for c in calls:
        system, prompt = c["messages"][0]["content"], c["messages"][1]["content"]
        nonce = system.split("<<DOCUMENT-DATA ")[1].split(" ")[0]
        assert prompt.count(f"<<DOCUMENT-DATA {nonce} ") == prompt.count(f"<</DOCUMENT-DATA {nonce}>>") >= 1
        outside = outside_fences(prompt)
        assert "glob" not in outside.replace(Q, "") and "[L1]" not in outside


def test_follow_up_is_rewritten_from_the_thread_before_it_is_searched(indexed: Path, tmp_path: Path) -> None:
    first_turn = model(WEIGHT, answer_citing_first("50"))
    second_turn = model(lines_with("maximum is 100"), answer_citing_first("100"), rewrite="What is the maximum weight of a glob?")
    lib = make_library(indexed, tmp_path, [first_turn, first_turn, first_turn, first_turn, second_turn])
    lib.ask(Q, mode="agents", thread_id="f1")
    second = lib.ask("And what is the maximum it can take?", mode="agents", thread_id="f1")
    rewrite_prompt = next(p for p in lib.chat.prompts if "Follow-up question" in p)  # type: ignore[attr-defined]
    assert Q in rewrite_prompt and "It is 50." in rewrite_prompt
    assert [t["agent"] for t in second.trace][:2] == ["rewriter", "explorer"]
    reads = [c["messages"][1]["content"] for c in lib.chat.calls if c["schema"].__name__ == "PageLines"]  # type: ignore[attr-defined]
    assert "Question: What is the maximum weight of a glob?" in reads[-1]  # searched and read as rewritten
    assert second.question == "And what is the maximum it can take?"  # the words the person typed
    assert second.short == "100"


def test_a_follow_up_answers_from_the_previous_turns_evidence(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))] * 4
                       + [model(NOTHING, answer_citing_first("50"), rewrite="What is the default weight of a glob again?")])  # fmt: skip
    lib.ask(Q, mode="agents", thread_id="t1")
    second = lib.ask("And the default weight again?", mode="agents", thread_id="t1")
    # nothing new was found, but the remembered line answers: it is what the answer reads
    answer = [c["messages"][1]["content"] for c in lib.chat.calls if c["schema"].__name__ == "RagReply"][-1]  # type: ignore[attr-defined]
    assert "Lines selected" in answer and "The default weight value is 50" in answer
    assert second.short == "50" and second.citations and second.citations[0].page == 4
    other = lib.ask(Q, mode="agents", thread_id="t2")
    # a new thread starts empty (the script now finds nothing): t1's line is not read there
    assert other.memory["evidence"] == [] and "whole" in other.trace[-1]["note"]


def test_thread_checkpoints_revive_domain_types_without_warnings(
    indexed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"), rewrite="")])
    with caplog.at_level(logging.WARNING):
        first = lib.ask(Q, mode="agents", thread_id="t9")
        second = lib.ask("And the default weight again?", mode="agents", thread_id="t9")
    assert not [r for r in caplog.records if "unregistered" in r.getMessage().lower()]
    # counters and trace are per turn (reset by the new turn, not added to the last one)
    assert first.usage["calls"] == second.usage["calls"] - 1  # the rewrite is the one more call
    assert [t["agent"] for t in second.trace][0] == "rewriter"


def test_a_first_turn_is_not_rewritten(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    a = lib.ask(Q, mode="agents", thread_id="f2")
    assert [t["agent"] for t in a.trace] == ["explorer", "refiner", "reflector", "answerer"]


def test_the_verified_line_stating_the_answer_is_cited_whichever_excerpt_is_named(
    indexed: Path, tmp_path: Path
) -> None:
    def cites_last(messages: list, schema: object) -> str:
        last = len(re.findall(r"\[E\d+\]", messages[1]["content"]))
        return json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [last + 3]})

    lib = make_library(indexed, tmp_path, [model(lines_with("default weight value is 50", "glob"), cites_last)])
    a = lib.ask(Q, mode="agents")
    assert a.citations[0].page == 4 and "The default weight value is 50" in a.citations[0].quote


def test_oracle_pages_are_read_instead_of_searching(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    doc_id = next(iter(lib.catalog.complete_ids()))
    a = lib.ask(Q, mode="agents", pages=[(doc_id, 4)])
    reads = prompts_of(lib, "PageLines")
    assert len(reads) == 1 and "Page 4 of" in reads[0] and a.short == "50"


def test_rag_reads_the_best_ranked_pages_whole_by_default(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [reply], read_pages=2)
    a = lib.ask(Q, mode="rag")
    (call,) = lib.chat.calls  # type: ignore[attr-defined]
    prompt = call["messages"][1]["content"]
    ranked = lib.retriever.search_pages(Q, k=2)
    labels = re.findall(r"\[E\d+\] \S+ page (\d+) \((\w+)\)", prompt)
    # the two best-ranked pages, each whole (its page chunk first), page numbers written in
    assert [int(p) for p, kind in labels if kind == "page"] == [p.page for p in ranked]
    assert all(kind in ("page", "figure", "table") for _, kind in labels)
    assert a.short == "50" and a.pages_retrieved[: len(ranked)] == [(p.doc_id, p.page) for p in ranked]


def test_rag_chunks_context_reads_top_k_passages(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [reply], rag_context="chunks")
    lib.ask(Q, mode="rag")
    prompt = lib.chat.calls[0]["messages"][1]["content"]  # type: ignore[attr-defined]
    assert "(block)" in prompt  # passages, not only whole pages
