"""The evaluation loop that decides between two designs: oracle pages, the cache in the
runner, backend failures as error rows, the judge's sanity check, the decision set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mardoc import Library, Settings
from mardoc.errors import BackendError
from mardoc.eval.benchmarks import decision_set, load, load_set
from mardoc.eval.judge import LlmJudge, sanity_check
from mardoc.eval.metrics import show, summarise
from mardoc.eval.runner import Runner, read_predictions
from mardoc.models.cache import CachedChatModel, CallStore
from tests.conftest import demo_library_at, dev_data
from tests.eval.test_runner import reply_for, samples
from tests.fakes import ScriptedChatModel, judged_page, tiny_embedder

EXCERPT = re.compile(r"\[E\d+\] (\S+) page (\d+) \((\w+)\)")


def library(tmp_path: Path, chat: object, demo_index: Path | None = None) -> Library:
    """A library in ``tmp_path``: empty, or a copy of the ingested example PDF."""
    if demo_index is not None:
        demo_library_at(demo_index, tmp_path / "lib")
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents={"judge_pages": "always"})
    return Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=chat)  # type: ignore[arg-type]


def test_oracle_rag_reads_exactly_the_gold_pages(tmp_path: Path, demo_index: Path) -> None:
    chat = ScriptedChatModel([reply_for(None)])
    Runner(library(tmp_path, chat, demo_index), tmp_path / "run", mode="rag", oracle_pages=True).run(samples(), {})
    shown = [{int(p) for _, p, _ in EXCERPT.findall(c["messages"][1]["content"])} for c in chat.calls]
    # the gold pages of each question; the unanswerable one names Peru, which the spec never
    # mentions: "Not answerable" by the named-terms check, with no call
    assert shown == [{4}, {4}, {1}]
    rows = read_predictions(tmp_path / "run")
    assert all(r["oracle_pages"] for r in rows.values())
    assert rows["q3"]["short"] == "Not answerable" and rows["q3"]["usage"]["calls"] == 0


def test_oracle_agents_first_round_observes_the_gold_pages(tmp_path: Path, demo_index: Path) -> None:
    na = json.dumps({"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []})
    lib = library(tmp_path, ScriptedChatModel(["0.1", "0.1", na]), demo_index)  # two page judgements, the answer
    doc = lib.documents()[0]["doc_id"]
    answer = lib.ask("What is the default weight of a glob?", mode="agents", pages=[(doc, 4), (doc, 5)], max_rounds=1)
    explorer = answer.trace[0]
    assert explorer["agent"] == "explorer" and [p for _, p in explorer["pages"]] == [4, 5]
    assert "given pages [4, 5]" in explorer["notes"][0]
    reads = [c["messages"][1]["content"] for c in lib.chat.calls[:2]]  # type: ignore[attr-defined]
    assert [judged_page(r)[0] for r in reads] == [4, 5]
    # the answer reads the given pages whole, as rag's oracle row does
    answer_prompt = lib.chat.calls[2]["messages"][1]["content"]  # type: ignore[attr-defined]
    assert {int(p) for p in re.findall(r"page (\d+) \(", answer_prompt)} == {4, 5}


def test_a_dead_backend_is_an_error_row_not_a_wrong_answer(tmp_path: Path, demo_index: Path) -> None:
    chat = ScriptedChatModel([BackendError("model server http://127.0.0.1:9/v1 unreachable")])
    metrics = Runner(library(tmp_path, chat, demo_index), tmp_path / "run", mode="rag").run(samples()[:2], {})
    rows = read_predictions(tmp_path / "run")
    assert metrics["errors"] == 2 and all(r["score"] is None and "unreachable" in r["error"] for r in rows.values())


def test_the_runner_counts_what_the_cache_saved(tmp_path: Path, demo_index: Path) -> None:
    store = CallStore(tmp_path / "cache.sqlite")
    lib = library(tmp_path, CachedChatModel(ScriptedChatModel([reply_for(None)]), store, "fake"), demo_index)
    Runner(lib, tmp_path / "run1", mode="rag").run(samples(), {})
    # a re-run on the same index, in a new process: every call is answered from the file
    again = CachedChatModel(ScriptedChatModel([reply_for("What is the maximum glob weight?")]), store, "fake")
    lib._chat = again
    m = Runner(lib, tmp_path / "run2", mode="rag").run(samples(), {})
    # 3 calls: the fourth question names what the spec never mentions and is answered by code
    assert m["cache"]["hits"] == 3 and m["cache"]["misses"] == 0 and m["errors"] == 0
    assert again.inner.calls == []  # type: ignore[attr-defined]


def judge_replying(correct: bool | None) -> LlmJudge:
    def reply(messages: list, schema: object) -> str:
        text = messages[1]["content"]
        gold = text.split("Reference answer (correct): ", 1)[1].split("\n", 1)[0]
        graded = text.split("between the markers):", 1)[1]
        agree = gold in graded if correct is None else correct
        return json.dumps({"correct": agree, "reason": "x"})

    return LlmJudge(ScriptedChatModel([reply]), "scripted")


def test_a_judge_that_grades_everything_correct_fails_its_sanity_check() -> None:
    items = [(f"q{i}", a) for i, a in enumerate(["fifty", "Paris", "Thomas Leonard", "1954", "GS-X"])]
    assert sanity_check(judge_replying(True), items)["passed"] is False
    assert sanity_check(judge_replying(False), items)["passed"] is False
    good = sanity_check(judge_replying(None), items)
    assert good["passed"] and good["gold_vs_gold"] == 1.0 and good["shuffled_vs_gold"] == 1.0


def test_metrics_without_their_data_are_na_not_zero() -> None:
    rows = [{"qid": "a", "gold": "x", "short": "x", "score": 1.0, "evidence_pages": [], "seconds": 2.0}]
    m = summarise(rows)
    assert m["retrieval"] is None and show(None) == "n/a"
    assert m["not_answerable"]["precision"] is None and m["seconds_median"] == 2.0


def test_the_committed_decision_set_is_the_seeded_rule_applied_to_the_dev_set() -> None:
    samples_, _ = load("mmlongbench", dev_data())
    committed = load_set("decision")
    assert committed == decision_set(samples_, 100) and len(committed) == 100
    assert decision_set(samples_, 100) == decision_set(list(reversed(samples_)), 100)  # order-free
    by_type = {s.doc_type for s in samples_ if s.qid in set(committed)}
    assert by_type == {s.doc_type for s in samples_}  # every document type is in it


def test_unknown_set_is_a_clear_error() -> None:
    from mardoc.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown question set"):
        load_set("no-such-set")
