"""The whole graph with a scripted model: page-first reading, the Refiner's yes/no judgement
per page, the Reflector's checks by code, abstention, follow-ups, fencing, and rag."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from mardoc.agents.graph import build_graph, route_after_reflect
from tests.agents.conftest import (
    answer_citing_first,
    calls_of,
    judged_page,
    make_library,
    model,
    pages_saying,
)

Q = "What is the default weight of a glob?"
WEIGHT = pages_saying("default weight value is 50")
NOTHING = pages_saying("\x00never")
NA = json.dumps({"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []})


def step(answer, agent: str, name: str = "") -> dict:  # noqa: ANN001
    """The trace event of one node: ``agent`` and, for the nodes after the draft, its ``step``."""
    return next(e for e in answer.trace if e.get("agent") == agent and e.get("step", "") == name)


def page_of(prompt: str) -> int:
    return judged_page(prompt)[0]


def test_round_one_judges_the_best_ranked_pages_one_call_a_page(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))], read_pages=3)
    a = lib.ask(Q, mode="agents")
    ranked = [p.page for p in lib.retriever.search_pages(Q, k=3)]
    judged = calls_of(lib, "yes_probability")
    # one judgement per page, in ranking order, each page read whole with its number written in
    assert [page_of(p) for p in judged] == ranked
    assert all(p.rstrip().endswith('{"answer": "yes"} or {"answer": "no"}') for p in judged)
    assert a.short == "50" and a.format == "Int" and a.usage["rounds"] == 1
    assert [t["agent"] for t in a.trace] == ["explorer", "refiner", "reflector", "answerer", "reflector"]
    refiner = a.trace[1]
    assert refiner["pages"]["shared-mime-info-spec.pdf p.4"]["p"] == 0.9
    # the page judged to answer leaves the line closest to the question as evidence
    assert {e["source"]["page"] for e in a.memory["evidence"]} == {4}
    assert a.citations[0].page == 4 and "The default weight value is 50" in a.citations[0].quote
    assert a.citations[0].bbox is not None  # the line, located on the page


def test_the_answer_is_rags_call_and_every_judgement_is_a_prefix_of_it(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [model(WEIGHT, reply)], read_pages=3)
    lib.ask(Q, mode="agents")
    rag = make_library(indexed, tmp_path / "rag", [reply], read_pages=3)
    rag.ask(Q, mode="rag")
    (answer,) = [c["messages"] for c in lib.chat.calls if getattr(c["schema"], "__name__", "") == "RagReply"]  # type: ignore[attr-defined]
    assert answer == rag.chat.calls[0]["messages"]  # type: ignore[attr-defined]
    # each judgement is the answering prompt cut after its page's excerpts, then its question:
    # llama.cpp evaluates each page once for the judgements and the answer
    for c in lib.chat.calls[:3]:  # type: ignore[attr-defined]
        system, user = c["messages"][0]["content"], c["messages"][1]["content"]
        head = user[: user.rindex("\n\nDo the excerpts of page")]
        assert system == answer[0]["content"] and answer[1]["content"].startswith(head) and len(head) > 200


def test_a_later_page_judged_to_answer_better_is_read_first(indexed: Path, tmp_path: Path) -> None:
    ranked = [p.page for p in lib_pages(indexed, tmp_path)]

    def judge(messages: list, schema: object) -> str:  # round 1 finds nothing; the 4th-ranked page answers
        return "0.8" if page_of(messages[1]["content"]) == ranked[3] else "0.1"

    lib = make_library(indexed, tmp_path / "b", [model(judge, answer_citing_first("50"))], read_pages=3, max_rounds=2)
    lib.ask(Q, mode="agents")
    answer = calls_of(lib, "RagReply")[-1]
    order = list(dict.fromkeys(int(p) for p in re.findall(r"\[E\d+\] \S+ page (\d+) \(page\)", answer)))
    assert order == [ranked[3], ranked[0], ranked[1]]


def lib_pages(indexed: Path, tmp_path: Path) -> list:
    lib = make_library(indexed, tmp_path / "ranking", ["{}"])
    return lib.retriever.search_pages(Q, k=10)


def test_nothing_judged_to_answer_reads_the_next_ranked_pages(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [model(NOTHING, reply)], max_rounds=2, read_pages=2)
    a = lib.ask(Q, mode="agents")
    explorers = [t for t in a.trace if t["agent"] == "explorer"]
    assert len(explorers) == 2
    first, second = ([p for _, p in t["pages"]] for t in explorers)
    ranked = [p.page for p in lib.retriever.search_pages(Q, k=10)]
    assert first == ranked[:2] and second == ranked[2:5]  # never the same page twice
    assert explorers[1]["notes"] == [f"the next-ranked pages not read yet -> {ranked[2:5]}"]
    reflectors = [t for t in a.trace if t["agent"] == "reflector"]
    assert reflectors[0]["verdict"] == "insufficient" and "next-ranked" in reflectors[0]["feedback"]
    assert reflectors[1]["verdict"] == "exhausted"  # abstain_below is 0: the best pages are read anyway
    # no page was judged to answer: the only evidence is the answer's cited line
    assert a.short == "50" and [e["statement"][:4] for e in a.memory["evidence"]] == ["50: "]
    # round 2 judges its pages after round 1's, so the answer over round 1's pages finds its
    # prompt prefix (the question, round 1's excerpts) still evaluated
    (answer,) = calls_of(lib, "RagReply")
    excerpts = answer[: answer.index("\nAnswer the question using only these excerpts.")]
    later = calls_of(lib, "yes_probability")[2:]
    assert len(later) == 3 and all(j.startswith(excerpts) for j in later) and "[E1]" in excerpts
    assert [page_of(j) for j in later] == ranked[2:5]


def test_no_page_judged_well_enough_is_not_answerable_without_an_answer_call(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(NOTHING, answer_citing_first("50"))], max_rounds=2, abstain_below=0.2)
    a = lib.ask(Q, mode="agents")
    assert a.short == "Not answerable" and a.citations == []
    assert calls_of(lib, "RagReply") == [] and len(calls_of(lib, "yes_probability")) == a.usage["calls"] > 0
    assert "judged to answer (best 0.05) < 0.20" in a.text


def test_a_not_answerable_over_a_page_judged_to_answer_is_asked_again(indexed: Path, tmp_path: Path) -> None:
    answers = iter([NA, json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})])
    lib = make_library(indexed, tmp_path, [model(WEIGHT, lambda m, s: next(answers))], insist_above=0.8)
    a = lib.ask(Q, mode="agents")
    first, again = calls_of(lib, "RagReply")
    assert "A reader judged these excerpts to state the answer" in again and first != again
    assert a.short == "50" and step(a, "answerer")["first_short"] == "Not answerable"
    # by default (insist_above 1.0) the model's "Not answerable" stands
    lib2 = make_library(indexed, tmp_path / "b", [model(WEIGHT, NA)])
    assert lib2.ask(Q, mode="agents").short == "Not answerable" and len(calls_of(lib2, "RagReply")) == 1


def test_a_not_answerable_over_several_pages_is_asked_again_over_the_page_holding_the_question(
    indexed: Path, tmp_path: Path
) -> None:
    answers = iter([NA, json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})])
    lib = make_library(indexed, tmp_path, [model(WEIGHT, lambda m, s: next(answers))], read_pages=3,
                       judge_pages="auto", narrow_ask=True, narrow_cover=0.6)  # fmt: skip
    a = lib.ask(Q, mode="agents")
    first, again = calls_of(lib, "RagReply")
    # the second call reads one page alone: the page of the three that holds the question's words
    assert first.count("[E") > again.count("[E") >= 1 and "default weight" in again.lower()
    answerer = step(a, "answerer")
    assert a.short == "50" and answerer["first_short"] == "Not answerable"
    assert answerer["narrowed"]["page"] == a.citations[0].page and answerer["narrowed"]["cover"] >= 0.6
    # off, or no page holding enough of the question's words: the first answer stands
    for n, agents in enumerate([{"narrow_ask": False}, {"narrow_ask": True, "narrow_cover": 1.0}]):
        q = "What is the default weight of a glob in a zebra?" if agents["narrow_ask"] else Q
        other = make_library(indexed, tmp_path / f"off{n}", [model(WEIGHT, NA)], read_pages=3, judge_pages="auto", **agents)
        assert other.ask(q, mode="agents").short == "Not answerable" and len(calls_of(other, "RagReply")) == 1


def test_question_cover_counts_the_question_words_a_page_holds() -> None:
    from mardoc.agents.answerer import narrow_page, question_cover
    from mardoc.types import Chunk

    share, lacks = question_cover("What is the net revenue on page 5 in 2021?", "Net revenues were $5 billion in 2021.")
    assert lacks == [] and share == 1.0  # 'page' names where to look; plurals match
    share, lacks = question_cover("What is the gross margin of the Americas segment?", "Gross profit by segment")
    assert lacks == ["america", "margin"] and share == 0.5
    # the asking sentence counts, not its instructions; a fiscal year counts as its year
    share, lacks = question_cover("What was FY2021 net revenue? Answer in USD millions, rounded.", "Net revenues 2021")
    assert share == 1.0 and lacks == []

    def page(n: int, text: str) -> Chunk:
        return Chunk(id=f"c{n}", doc_id="d", doc_name="d.pdf", page=n, pages=(n,), bboxes=(), kind="page", text=text)

    q = "What was the operating income of the Americas segment?"
    pages = [page(1, "Overview of results"), page(2, "Americas segment operating income 120"), page(3, "Americas")]
    best, share, _ = narrow_page(q, pages, 0.6)
    assert [c.page for c in best] == [2] and share == 1.0
    assert narrow_page(q, pages[:1] + pages[2:], 0.6) is None  # no page holds enough of the words
    assert narrow_page(q, pages[1:2], 0.0) is None  # one short page read: asking it alone asks the same
    # a long page is shown cut around the question's words, not its first 1,500 characters
    filler = [f"Item {i}: other matters of the year, discussed at length in the notes." for i in range(60)]
    long = page(7, "\n".join([*filler[:40], "Americas segment operating income 120", *filler[40:]]))
    (first, second), share, _ = narrow_page(q, [long], 0.6)  # a page over twice that: two runs of lines
    assert len(long.text) > 3000 and "Americas segment operating income 120" in first.text and share == 1.0
    assert max(len(first.text), len(second.text)) <= 1500 and "Americas" not in second.text


def test_question_window_is_the_run_of_lines_holding_the_question_words() -> None:
    from mardoc.agents.answerer import question_window

    text = "\n".join(["Revenue 10", *(["padding line"] * 50), "Gross margin 41%", "Operating margin 12%", *(["tail"] * 50)])
    got, (i, j) = question_window("What was the gross margin and the operating margin?", text, chars=60)
    assert "Gross margin 41%\nOperating margin 12%" in got and "Revenue" not in got and j - i <= 5
    second, _ = question_window("What was the revenue?", text, chars=60, skip=(0, 1))
    assert "Revenue 10" not in second  # the lines of the first window are not shown twice
    assert question_window("x", "a" * 100, chars=10)[0] == "a" * 10  # no line fits: the head


def test_a_draft_answering_one_of_two_parts_is_completed_part_by_part(indexed: Path, tmp_path: Path) -> None:
    q = "What is the default weight of a glob pattern, and what is the maximum?"
    replies = iter([answer_citing_first("50")([], None), answer_citing_first("50")([], None), answer_citing_first("100")([], None)])
    lib = make_library(indexed, tmp_path, [model(WEIGHT, lambda m, s: next(replies))])
    a = lib.ask(q, mode="agents")
    draft, first, second = calls_of(lib, "RagReply")
    # each part's call is the draft's up to its last lines (its excerpts are evaluated once)
    excerpts = draft[: draft.index("\nAnswer the question using only these excerpts.")]
    assert first.startswith(excerpts) and second.startswith(excerpts) and "[E1]" in excerpts
    assert len({c["messages"][0]["content"] for c in lib.chat.calls}) == 1  # one fence nonce
    assert "Answer only this part of the question: What is the default weight of a glob pattern?" in first
    assert "Answer only this part of the question: what is the maximum?" in second
    assert json.loads(a.short) == [50, 100] and a.format == "List"
    assert a.text == "What is the default weight of a glob pattern: 50; what is the maximum: 100"
    assert step(a, "answerer", "parts")["parts"] == {"What is the default weight of a glob pattern": "50", "what is the maximum": "100"}
    # a part the pages do not answer is named as missing, and the draft stands when nothing is added
    replies2 = iter([answer_citing_first("50")([], None), answer_citing_first("50")([], None), NA])
    lib2 = make_library(indexed, tmp_path / "b", [model(WEIGHT, lambda m, s: next(replies2))])
    b = lib2.ask(q, mode="agents")
    assert b.short == "50" and step(b, "answerer", "parts")["parts"]["what is the maximum"] == "Not answerable"
    assert b.text == "It is 50. Not stated on the pages read: what is the maximum."
    # a one-part question is never asked again
    lib3 = make_library(indexed, tmp_path / "c", [model(WEIGHT, answer_citing_first("50"))])
    lib3.ask(Q, mode="agents")
    assert len(calls_of(lib3, "RagReply")) == 1


def test_a_drafted_name_on_none_of_the_pages_read_is_not_answerable(indexed: Path, tmp_path: Path) -> None:
    made_up = answer_citing_first("Eric Kelleher", "Str")
    lib = make_library(indexed, tmp_path, [model(WEIGHT, made_up)])
    a = lib.ask("Who wrote the default weight rule?", mode="agents")
    assert a.short == "Not answerable" and a.citations == [] and "'Eric Kelleher'" in a.text
    last = a.trace[-1]
    assert last["draft"] == "Eric Kelleher" and last["unsupported"] == ["Eric Kelleher"]
    # rag's one call keeps the same draft; the agents' check is off with verify_answer=False
    assert make_library(indexed, tmp_path / "rag", [made_up]).ask("Who wrote the default weight rule?", mode="rag").short == "Eric Kelleher"
    off = make_library(indexed, tmp_path / "off", [model(WEIGHT, made_up)], verify_answer=False)
    assert off.ask("Who wrote the default weight rule?", mode="agents").short == "Eric Kelleher"
    # a phrase written on a page read stands
    lib2 = make_library(indexed, tmp_path / "b", [model(WEIGHT, answer_citing_first("default weight value", "Str"))])
    assert lib2.ask("Which value is 50?", mode="agents").short == "default weight value"


def test_a_part_without_evidence_is_searched_and_judged_alone(indexed: Path, tmp_path: Path) -> None:
    q = "What is the default weight of a glob, and which icon names a comment?"
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("[50, 50]", "List"))], max_rounds=2)
    a = lib.ask(q, mode="agents")
    first = next(t for t in a.trace if t["agent"] == "reflector")
    # a page answers the weight, but no line of it shares the icon part's words: insufficient
    assert first["verdict"] == "insufficient" and "which icon names a comment" in first["feedback"]
    second = [t for t in a.trace if t["agent"] == "explorer"][1]
    assert any("which icon names a comment" in n for n in second["notes"])
    # round 2 asks the Refiner about the missing part alone, in the words of the whole question
    last = calls_of(lib, "yes_probability")[-1]
    assert "which icon names a comment?" in last.rsplit("<</DOCUMENT-DATA", 1)[1]  # named after the pages
    assert "The question has 2 parts" in calls_of(lib, "RagReply")[-1]


def test_every_part_with_evidence_is_sufficient(indexed: Path, tmp_path: Path) -> None:
    q = "What is the default weight of a glob pattern, and what is the maximum?"
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("[50, 100]", "List"))], max_rounds=2)
    doc = lib.documents()[0]["doc_id"]
    a = lib.ask(q, mode="agents", pages=[(doc, 3), (doc, 4)])  # the page stating both values is read
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


def test_rag_makes_the_same_named_terms_check_without_a_call(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [1]})
    lib = make_library(indexed, tmp_path, [reply])
    a = lib.ask("What is the default weight of a glob in the Zorbatron 2031 edition?", mode="rag")
    assert a.short == "Not answerable" and lib.chat.calls == [] and a.usage["calls"] == 0  # type: ignore[attr-defined]
    assert "'Zorbatron'" in a.text and a.trace[0]["absent"] == ["2031", "Zorbatron"]
    assert lib.ask(Q, mode="rag").short == "50"  # a question naming nothing absent is answered


def test_route_rules() -> None:
    assert route_after_reflect({"verdict": "sufficient", "round": 1, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "insufficient", "round": 1, "max_rounds": 3}) == "explore"
    assert route_after_reflect({"verdict": "insufficient", "round": 3, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "exhausted", "round": 1, "max_rounds": 3}) == "answer"
    assert route_after_reflect({"verdict": "unanswerable", "round": 1, "max_rounds": 3}) == "answer"



def test_the_graph_says_what_happens() -> None:
    g = build_graph().get_graph()
    edges = {(e.source, e.target) for e in g.edges}
    assert edges == {
        ("__start__", "rewrite"), ("__start__", "explore"), ("rewrite", "explore"),  # a follow-up is rewritten
        ("explore", "refine"), ("refine", "tables"), ("tables", "reflect"), ("reflect", "explore"),  # the loop
        ("reflect", "answer"),  # the loop ends in the answer
        ("answer", "complete_parts"), ("complete_parts", "verify_draft"), ("verify_draft", "__end__"),
    }  # fmt: skip


def test_llm_call_budget_is_enforced(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(NOTHING, NA)], max_rounds=5, max_llm_calls=4)
    a = lib.ask(Q, mode="agents")
    judged = [t for t in a.trace if t["agent"] == "refiner"]
    # 4 page judgements (the 5th page of round 2 is not judged), then the answer; no round 3
    assert len(calls_of(lib, "yes_probability")) == 4 and a.usage["calls"] == 5
    assert [len(t["pages"]) for t in judged] == [3, 1] and judged[-1]["note"] == "budget exhausted"
    assert a.usage["rounds"] == 2


def test_prompts_fence_every_page(indexed: Path, tmp_path: Path) -> None:
    from tests.reliability.test_prompt_injection import outside_fences

    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    lib.ask(Q, mode="agents")
    calls = lib.chat.calls  # type: ignore[attr-defined]
    judged = [c for c in calls if c["schema"] == "yes_probability"]
    assert len({c["messages"][0]["content"] for c in judged}) == 1  # one system prompt for the judgements
    for c in calls:
        system, prompt = c["messages"][0]["content"], c["messages"][1]["content"]
        nonce = system.split("<<DOCUMENT-DATA ")[1].split(" ")[0]
        assert prompt.count(f"<<DOCUMENT-DATA {nonce} ") == prompt.count(f"<</DOCUMENT-DATA {nonce}>>") >= 1
        assert "glob" not in outside_fences(prompt).replace(Q, "")


def test_follow_up_is_rewritten_from_the_thread_before_it_is_searched(indexed: Path, tmp_path: Path) -> None:
    first_turn = model(WEIGHT, answer_citing_first("50"))
    second_turn = model(pages_saying("maximum is 100"), answer_citing_first("100"), rewrite="What is the maximum weight of a glob?")
    lib = make_library(indexed, tmp_path, [first_turn] * 4 + [second_turn])  # 3 judgements and the answer, then turn 2
    lib.ask(Q, mode="agents", thread_id="f1")
    second = lib.ask("And what is the maximum it can take?", mode="agents", thread_id="f1")
    (rewrite_prompt,) = calls_of(lib, "Standalone")
    assert Q in rewrite_prompt and "It is 50." in rewrite_prompt
    assert [t["agent"] for t in second.trace][:2] == ["rewriter", "explorer"]
    assert "Question: What is the maximum weight of a glob?" in calls_of(lib, "yes_probability")[-1]
    assert second.question == "And what is the maximum it can take?"  # the words the person typed
    assert second.short == "100"


def test_rag_rewrites_a_follow_up_shows_the_rewrite_and_cites_the_stating_line(indexed: Path, tmp_path: Path) -> None:
    def reply(messages: list, schema: object) -> str:
        if getattr(schema, "__name__", "") == "Standalone":
            return json.dumps({"question": "What is the maximum weight of a glob?"})
        asked = messages[1]["content"].split("Question: ", 1)[1].split("\n", 1)[0]
        return answer_citing_first("100" if "maximum" in asked else "50")(messages, schema)

    lib = make_library(indexed, tmp_path, [reply], retrieval={"sparse_weight": 1.0})
    first = lib.ask(Q, mode="rag", thread_id="r1")
    events: list[dict] = []
    second = lib.ask("And what is the maximum it can take?", mode="rag", thread_id="r1", on_event=events.append)
    assert first.short == "50" and second.short == "100"
    assert {"agent": "rewriter", "question": "What is the maximum weight of a glob?"}.items() <= next(
        e for e in events if e.get("agent") == "rewriter"
    ).items()
    (rewrite_prompt,) = calls_of(lib, "Standalone")
    assert Q in rewrite_prompt and "It is 50." in rewrite_prompt
    assert second.question == "And what is the maximum it can take?"
    # the citation is the line that states the answer, not the head of the excerpt
    assert any("the maximum is 100" in c.quote for c in second.citations)
    # without a thread, no rewrite
    lib.ask("And what is the maximum it can take?", mode="rag")
    assert len(calls_of(lib, "Standalone")) == 1


def test_a_follow_up_reads_the_pages_of_the_previous_turns_evidence(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))] * 4
                       + [model(NOTHING, answer_citing_first("50"), rewrite="What is the default weight of a glob again?")])  # fmt: skip
    lib.ask(Q, mode="agents", thread_id="t1")
    second = lib.ask("And the default weight again?", mode="agents", thread_id="t1")
    # nothing new was judged to answer, but the remembered line's page is read first
    answer = calls_of(lib, "RagReply")[-1]
    assert re.search(r"\[E1\] \S+ page 4 ", answer) and "The default weight value is 50" in answer
    assert second.short == "50" and second.citations and second.citations[0].page == 4
    other = lib.ask(Q, mode="agents", thread_id="t2")
    # a new thread starts empty (the script now finds nothing): t1's evidence is not there, only
    # this turn's cited line
    assert all(e["round"] == 1 and e["statement"].startswith("50: ") for e in other.memory["evidence"])
    assert len(other.memory["evidence"]) == 1


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
    assert [t["agent"] for t in a.trace] == ["explorer", "refiner", "reflector", "answerer", "reflector"]


def test_the_line_stating_the_answer_is_cited_whichever_excerpt_is_named(indexed: Path, tmp_path: Path) -> None:
    def cites_last(messages: list, schema: object) -> str:
        last = len(re.findall(r"\[E\d+\]", messages[1]["content"]))
        return json.dumps({"answer": "It is 50.", "short_answer": "50", "format": "Int", "cited": [last + 3]})

    lib = make_library(indexed, tmp_path, [model(pages_saying("default weight value is 50", "glob"), cites_last)])
    a = lib.ask(Q, mode="agents")
    assert a.citations[0].page == 4 and "The default weight value is 50" in a.citations[0].quote


def test_oracle_pages_are_read_instead_of_searching(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))])
    doc_id = next(iter(lib.catalog.complete_ids()))
    a = lib.ask(Q, mode="agents", pages=[(doc_id, 4)])
    judged = calls_of(lib, "yes_probability")
    assert len(judged) == 1 and page_of(judged[0]) == 4 and a.short == "50"


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


def test_with_the_defaults_no_page_is_judged_and_the_cited_line_is_the_evidence(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(WEIGHT, answer_citing_first("50"))], judge_pages="auto")
    a = lib.ask(Q, mode="agents")
    assert calls_of(lib, "yes_probability") == []  # the judgements would decide nothing: not made
    refiner = next(t for t in a.trace if t["agent"] == "refiner")
    assert "decide nothing" in refiner["note"]
    rag = make_library(indexed, tmp_path / "rag", [answer_citing_first("50")])
    r = rag.ask(Q, mode="rag")
    # the Answerer's one call is rag's call, over rag's pages
    assert calls_of(lib, "RagReply") == calls_of(rag, "RagReply") and a.short == r.short == "50"
    assert [e["statement"][:4] for e in a.memory["evidence"]] == ["50: "] and a.citations[0].page == 4


def test_a_setting_that_decides_by_the_judgements_turns_them_on(indexed: Path, tmp_path: Path) -> None:
    for n, agents in enumerate([{"max_rounds": 2}, {"abstain_below": 0.3}, {"insist_above": 0.8}, {"judge_pages": "always"}]):
        lib = make_library(indexed, tmp_path / str(n), [model(WEIGHT, answer_citing_first("50"))], **{"judge_pages": "auto", **agents})
        lib.ask(Q, mode="agents")
        assert len(calls_of(lib, "yes_probability")) >= 1, agents


def test_with_the_defaults_a_follow_up_reads_the_page_of_the_previous_answer(indexed: Path, tmp_path: Path) -> None:
    lib = make_library(indexed, tmp_path, [model(NOTHING, answer_citing_first("50"))] * 2
                       + [model(NOTHING, answer_citing_first("50"), rewrite="What is the default weight of a glob again?")],
                       judge_pages="auto")  # fmt: skip
    lib.ask(Q, mode="agents", thread_id="t1")
    second = lib.ask("And the default weight again?", mode="agents", thread_id="t1")
    answer = calls_of(lib, "RagReply")[-1]
    assert "The default weight value is 50" in answer and second.citations and second.citations[0].page == 4
