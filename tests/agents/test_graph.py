"""The whole graph with a scripted model: routing, bounds, memory across turns, fencing."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from mardoc.agents.graph import build_graph, route_after_reflect
from mardoc.memory import EvidenceMemory
from mardoc.settings import Settings
from tests.agents.conftest import answer_citing_first, make_library, refine_with, verdict

WEIGHT = refine_with(
    "default weight value", "The default glob weight is 50", "The default weight value is 50"
)
SAME_QUESTION = json.dumps({"question": ""})  # the rewriter keeps a follow-up as asked
NOTHING = json.dumps({"facts": [], "steps": [], "gaps": ["the number"]})
PLAN = json.dumps({"actions": [{"tool": "search", "query": "glob weight maximum", "kinds": ["block"]},
                               {"tool": "open_page", "doc": "shared-mime-info-spec.pdf", "page": 4}]})  # fmt: skip


def test_sufficient_after_one_round(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(
        indexed, tmp_path, [WEIGHT, verdict("sufficient"), answer_citing_first("50", extra=[99])]
    )
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert a.short == "50" and a.format == "Int"
    assert [c.page for c in a.citations] == [4]  # the invented excerpt E99 was dropped
    assert a.citations[0].quote == "The default weight value is 50"
    assert a.citations[0].bbox is not None  # the quoted lines, located on the page
    assert a.usage["calls"] == 3 and a.usage["rounds"] == 1
    agents = [t["agent"] for t in a.trace]
    assert agents == ["explorer", "refiner", "reflector", "answerer"]
    assert a.memory["evidence"][0]["source"]["page"] == 4


def first_line_fact(messages: list, schema: object) -> str:
    """A Refiner that records the first line of the first observation: new evidence each round."""
    m = re.search(r"\[(O1\.1)\] (.+)", messages[1]["content"])
    assert m is not None
    return json.dumps(
        {"facts": [{"statement": m.group(2)[:200], "source": m.group(1)}], "steps": [], "gaps": []}
    )


def test_insufficient_until_the_round_bound(indexed: Path, tmp_path: Path) -> None:
    # the refiner records something each round; the reflector keeps asking; the explorer plans
    replies = [
        first_line_fact,
        verdict("insufficient", feedback="look for the weight", queries=["glob weight"]),
    ]
    replies += [PLAN, first_line_fact, verdict("insufficient", feedback="still missing")] * 2
    replies += [answer_citing_first("50")]
    lib = make_library(indexed, tmp_path, replies, max_rounds=3)
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert a.usage["rounds"] == 3 and a.short == "50"
    explorers = [t for t in a.trace if t["agent"] == "explorer"]
    assert len(explorers) == 3
    # round 2 executed the reflector's query and the explorer's planned actions
    notes = " ".join(explorers[1]["notes"])
    assert "glob weight" in notes and "open_page shared-mime-info-spec.pdf p.4" in notes


def test_an_unanswerable_verdict_over_evidence_is_checked_by_reading(indexed: Path, tmp_path: Path) -> None:
    # the Reflector's "unanswerable" ends the search, but with verified evidence in hand the
    # pages are still read: abstention is the reading call's decision, not one model's word
    na = json.dumps(
        {"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []}
    )
    lib = make_library(indexed, tmp_path, [WEIGHT, verdict("unanswerable"), na])
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert a.short == "Not answerable" and a.format == "None" and a.citations == []
    assert a.usage["calls"] == 3 and [t["agent"] for t in a.trace][-2:] == ["reflector", "answerer"]
    answered = make_library(
        indexed, tmp_path / "b", [WEIGHT, verdict("unanswerable"), answer_citing_first("50")]
    )
    assert answered.ask("What is the default weight of a glob?", mode="agents").short == "50"


def lib_settings() -> Settings:
    return Settings()


def test_nothing_found_is_not_answerable_without_a_call(indexed: Path, tmp_path: Path) -> None:
    from mardoc.agents.answerer import answer

    class Ctx:
        context = SimpleNamespace(settings=lib_settings())

    out = answer({"question": "q", "memory": EvidenceMemory(), "verdict": "", "pages_ranked": []}, Ctx())  # type: ignore[arg-type]
    assert out["answer"].short == "Not answerable" and out["calls"] == 0


def test_a_round_that_reads_nothing_new_ends_the_search(indexed: Path, tmp_path: Path) -> None:
    read = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [NOTHING, read, verdict("insufficient")], max_rounds=3)
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert [t["agent"] for t in a.trace] == ["explorer", "refiner", "answerer"]  # no reflector, no round 2
    assert a.usage["calls"] == 2 and a.short == "50"


def test_llm_call_budget_is_enforced(indexed: Path, tmp_path: Path) -> None:
    replies = [first_line_fact, verdict("insufficient"), PLAN] * 10
    lib = make_library(indexed, tmp_path, replies, max_rounds=10, max_llm_calls=4)
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert a.usage["calls"] <= 5  # 4 in the loop, then the loop stops
    assert any(t.get("verdict") == "budget" or t.get("note") == "budget exhausted" for t in a.trace)


def test_follow_up_reuses_memory_through_checkpointer(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [
        WEIGHT, verdict("sufficient"), answer_citing_first("50"),
        SAME_QUESTION, NOTHING, answer_citing_first("50"),
    ])  # fmt: skip
    first = lib.ask("What is the default weight of a glob?", mode="agents", thread_id="t1")
    assert first.short == "50"
    second = lib.ask("And what weight do globs have by default again?", mode="agents", thread_id="t1")
    # the second turn found nothing new but still answers from the remembered evidence
    assert second.short == "50" and second.citations and second.citations[0].page == 4
    other = lib.ask("What is the default weight of a glob?", mode="agents", thread_id="t2")
    # a new thread starts empty (script: nothing found), so nothing of t1's memory is cited:
    # with no verified evidence the answer comes from reading the top pages instead
    assert other.memory["evidence"] == []
    assert "(no verified evidence)" in other.trace[-1]["note"]


def test_prompts_fence_every_observation(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [WEIGHT, verdict("sufficient"), answer_citing_first("50")])
    lib.ask("What is the default weight of a glob?", mode="agents")
    refiner_prompt = lib.chat.calls[0]["messages"][1]["content"]  # type: ignore[attr-defined]
    system = lib.chat.calls[0]["messages"][0]["content"]  # type: ignore[attr-defined]
    nonce = system.split("<<DOCUMENT-DATA ")[1].split(" ")[0]
    observations = refiner_prompt.count(f"<<DOCUMENT-DATA {nonce} O")
    opened = refiner_prompt.count(f"<<DOCUMENT-DATA {nonce} ")
    closed = refiner_prompt.count(f"<</DOCUMENT-DATA {nonce}>>")
    assert opened == closed == observations + 1 and observations >= 3  # + the memory's fence
    assert f"<<DOCUMENT-DATA {nonce} evidence memory>>" in refiner_prompt
    # outside the fences there is only the prompt template's own text
    outside = refiner_prompt
    while f"<<DOCUMENT-DATA {nonce}" in outside:
        a = outside.index(f"<<DOCUMENT-DATA {nonce}")
        b = outside.index(f"<</DOCUMENT-DATA {nonce}>>") + len(f"<</DOCUMENT-DATA {nonce}>>")
        outside = outside[:a] + outside[b:]
    assert "glob" not in outside.replace("What is the default weight of a glob?", "")


def test_route_rules() -> None:
    assert route_after_reflect({"verdict": "sufficient", "round": 1, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "insufficient", "round": 1, "max_rounds": 3}) == "explore"
    assert route_after_reflect({"verdict": "insufficient", "round": 3, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "budget", "round": 1, "max_rounds": 3}) == "answer"
    assert build_graph() is not build_graph()  # built per call, never at import time


def test_every_call_of_a_turn_shares_the_system_prompt_and_memory_prefix(
    indexed: Path, tmp_path: Path
) -> None:
    lib = make_library(indexed, tmp_path, [WEIGHT, verdict("sufficient"), answer_citing_first("50")])
    lib.ask("What is the default weight of a glob?", mode="agents")
    calls = lib.chat.calls  # type: ignore[attr-defined]
    assert len(calls) == 3 and len({c["messages"][0]["content"] for c in calls}) == 1
    refine, reflect, answer = (c["messages"][1]["content"] for c in calls)
    head = "Question: What is the default weight of a glob?\n\n"
    assert all(p.startswith(head) for p in (refine, reflect, answer))  # llama.cpp reuses this prefix
    assert "evidence memory>>" in reflect.split("You are the Reflector")[0]
    # the Answerer reads the pages whole (E1 = the evidence's page) with the verified fact as a note
    assert "[E1] shared-mime-info-spec.pdf page 4 (page)" in answer and "verified facts>>" in answer


def test_memory_quotes_are_fenced_in_later_prompts(indexed: Path, tmp_path: Path) -> None:
    from tests.reliability.test_prompt_injection import outside_fences

    lib = make_library(indexed, tmp_path, [WEIGHT, verdict("sufficient"), answer_citing_first("50")])
    lib.ask("What is the default weight of a glob?", mode="agents")
    for call in lib.chat.calls[1:]:  # type: ignore[attr-defined]
        prompt = call["messages"][1]["content"]
        assert "weight" in prompt and "The default weight" not in outside_fences(prompt)


def test_thread_checkpoints_revive_domain_types_without_warnings(
    indexed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lib = make_library(indexed, tmp_path, [
        WEIGHT, verdict("sufficient"), answer_citing_first("50"),
        SAME_QUESTION, NOTHING, answer_citing_first("50"),
    ])  # fmt: skip
    with caplog.at_level(logging.WARNING):
        first = lib.ask("What is the default weight of a glob?", mode="agents", thread_id="t9")
        second = lib.ask("And the default weight again?", mode="agents", thread_id="t9")
    assert not [r for r in caplog.records if "unregistered" in r.getMessage().lower()]
    # counters and trace are per turn (reset by the new turn, not added to the last one)
    assert first.usage["calls"] == 3 and second.usage["calls"] == 3  # rewrite, refine (nothing new), answer
    assert [t["agent"] for t in second.trace] == ["rewriter", "explorer", "refiner", "answerer"]


def test_follow_up_is_rewritten_from_the_thread_before_it_is_searched(indexed: Path, tmp_path: Path) -> None:
    standalone = json.dumps({"question": "What is the maximum weight of a glob?"})
    lib = make_library(indexed, tmp_path, [
        WEIGHT, verdict("sufficient"), answer_citing_first("50"),
        standalone, NOTHING, answer_citing_first("100"),
    ])  # fmt: skip
    lib.ask("What is the default weight of a glob?", mode="agents", thread_id="f1")
    second = lib.ask("And what is the maximum it can take?", mode="agents", thread_id="f1")
    rewrite_prompt = lib.chat.prompts[3]  # type: ignore[attr-defined]
    assert "What is the default weight of a glob?" in rewrite_prompt and "It is 50." in rewrite_prompt
    explorer = next(t for t in second.trace if t["agent"] == "explorer")
    assert "What is the maximum weight of a glob?" in explorer["notes"][0]  # searched as rewritten
    assert second.question == "And what is the maximum it can take?"  # the words the person typed
    assert second.short == "100"


def test_a_first_turn_is_not_rewritten(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [WEIGHT, verdict("sufficient"), answer_citing_first("50")])
    a = lib.ask("What is the default weight of a glob?", mode="agents", thread_id="f2")
    assert [t["agent"] for t in a.trace] == ["explorer", "refiner", "reflector", "answerer"]


def test_sufficient_without_evidence_for_a_part_is_overruled(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [
        WEIGHT, verdict("sufficient"),  # evidence only for the weight, none for "the magic priority"
        PLAN, NOTHING, verdict("sufficient"), answer_citing_first("50"),
    ], max_rounds=2)  # fmt: skip
    a = lib.ask("What is the default weight of a glob, and what is the default priority of magic rules?",
                mode="agents")  # fmt: skip
    first = next(t for t in a.trace if t["agent"] == "reflector")
    assert first["verdict"] == "insufficient" and first.get("overruled") == "sufficient"
    assert "priority of magic rules" in first["feedback"] and first["queries"]
    answerer_prompt = lib.chat.prompts[-1]  # type: ignore[attr-defined]
    assert "The question has 2 parts" in answerer_prompt


def test_no_verified_evidence_answers_from_the_top_pages_not_abstains(indexed: Path, tmp_path: Path) -> None:
    read = json.dumps(
        {"answer": "The default weight is 50.", "short_answer": "50", "format": "Int", "cited": [1]}
    )
    lib = make_library(indexed, tmp_path, [NOTHING, read], max_rounds=3)
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert a.short == "50" and a.citations and a.memory["evidence"] == []
    prompt = lib.chat.prompts[-1]  # type: ignore[attr-defined]
    assert "[E1]" in prompt and "page" in prompt  # the best pages, fenced, with their numbers


def test_rag_reads_the_best_ranked_pages_whole_by_default(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [reply], read_pages=2)
    a = lib.ask("What is the default weight of a glob?", mode="rag")
    (call,) = lib.chat.calls  # type: ignore[attr-defined]
    prompt = call["messages"][1]["content"]
    ranked = lib.retriever.search_pages("What is the default weight of a glob?", k=2)
    labels = re.findall(r"\[E\d+\] \S+ page (\d+) \((\w+)\)", prompt)
    # the two best-ranked pages, each whole (its page chunk first), page numbers written in
    assert [int(p) for p, kind in labels if kind == "page"] == [p.page for p in ranked]
    assert all(kind in ("page", "figure", "table") for _, kind in labels)
    assert a.short == "50" and a.pages_retrieved[: len(ranked)] == [(p.doc_id, p.page) for p in ranked]


def test_rag_chunks_context_reads_top_k_passages(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [reply], rag_context="chunks")
    lib.ask("What is the default weight of a glob?", mode="rag")
    prompt = lib.chat.calls[0]["messages"][1]["content"]  # type: ignore[attr-defined]
    assert "(block)" in prompt  # passages, not only whole pages


def test_the_verified_line_stating_the_answer_is_cited_whichever_excerpt_is_named(
    indexed: Path, tmp_path: Path
) -> None:
    # the model names the last excerpt shown, not the evidence's page: the verified quote
    # that states the answer ("50") is still the first citation
    def cites_last(messages: list, schema: object) -> str:
        last = len(re.findall(r"\[E\d+\]", messages[1]["content"]))
        return json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [last]})

    lib = make_library(indexed, tmp_path, [WEIGHT, verdict("sufficient"), cites_last])
    a = lib.ask("What is the default weight of a glob?", mode="agents")
    assert a.citations[0].page == 4 and a.citations[0].quote == "The default weight value is 50"
