"""The runner resumes after a crash and yields the metrics of an uninterrupted run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mardoc import Library, Settings
from mardoc.eval.benchmarks import Sample
from mardoc.eval.runner import Runner, read_predictions
from tests.conftest import DEMO_PDF
from tests.fakes import ScriptedChatModel, tiny_embedder

QUESTIONS = [
    ("What is the default weight of a glob?", "50", "Int", [4]),
    ("What is the maximum glob weight?", "100", "Int", [4]),
    ("Who wrote the spec?", "Thomas Leonard", "Str", [1]),
    ("What is the capital of Peru?", "Not answerable", "None", []),
]


def samples() -> list[Sample]:
    return [
        Sample(
            qid=f"q{i}",
            question=q,
            doc_path=str(DEMO_PDF),
            answer=a,
            answer_format=f,
            evidence_pages=p,
            doc_type="spec",
            evidence_sources=["Pure-text (Plain-text)"] if p else [],
        )  # fmt: skip
        for i, (q, a, f, p) in enumerate(QUESTIONS)
    ]


def reply_for(crash_on: str | None):  # noqa: ANN201
    answers = {q: a for q, a, _, _ in QUESTIONS}

    def reply(messages: list, schema: object) -> str:
        text = messages[-1]["content"]
        question = text.split("Question: ", 1)[1].split("\n", 1)[0]
        if question == crash_on:
            raise RuntimeError("injected crash")
        short = answers[question] if question != "Who wrote the spec?" else "T. Leonard"
        fmt = "None" if short == "Not answerable" else "Str"
        return json.dumps({"answer": short, "short_answer": short, "format": fmt, "cited": [1]})

    return reply


def make(tmp_path: Path, crash_on: str | None) -> Library:
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"})
    return Library(
        tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel([reply_for(crash_on)])
    )


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_crash_is_recorded_then_resumed_to_identical_metrics(tmp_path: Path) -> None:
    clean = Runner(make(tmp_path / "a", None), tmp_path / "run-clean", mode="rag").run(samples(), {})
    lib = make(tmp_path / "b", "What is the maximum glob weight?")
    crashed = Runner(lib, tmp_path / "run", mode="rag").run(samples(), {})
    assert crashed["errors"] == 1 and crashed["overall"]["n"] == 3
    rows = read_predictions(tmp_path / "run")
    assert "injected crash" in rows["q1"]["error"] and rows["q1"]["score"] is None
    # re-run: finished questions are skipped, the failed one is retried
    lib.chat.replies = [reply_for(None)]  # type: ignore[attr-defined]
    calls_before = len(lib.chat.calls)  # type: ignore[attr-defined]
    resumed = Runner(lib, tmp_path / "run", mode="rag").run(samples(), {})
    assert len(lib.chat.calls) - calls_before == 1  # type: ignore[attr-defined]
    for key in ("overall", "by_answer_format", "retrieval", "errors"):
        assert resumed[key] == clean[key]
    assert resumed["overall"]["accuracy"] == pytest.approx((1 + 1 + score_tl() + 1) / 4)
    assert (tmp_path / "run" / "metrics.json").exists() and (tmp_path / "run" / "settings.json").exists()


def score_tl() -> float:
    from mardoc.eval.scoring import score_answer

    return score_answer("Thomas Leonard", "T. Leonard", "Str")


def test_truncated_last_line_is_ignored(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "predictions.jsonl").write_text('{"qid": "q0", "score": 1.0}\n{"qid": "q1", "sco')
    assert list(read_predictions(out)) == ["q0"]
