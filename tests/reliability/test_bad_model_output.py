"""Scripted models that misbehave: the graph repairs or retries within bounds and ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mardoc.errors import BackendError
from tests.agents.conftest import answer_citing_first, calls_of, make_library, model, pages_saying

WEIGHT = pages_saying("default weight value is 50")
Q = "What is the default weight of a glob?"


@pytest.mark.parametrize(
    "garbage",
    ["{not json", json.dumps({"unexpected": "shape"}), "", "x" * 100_000],
    ids=["invalid-json", "wrong-shape", "empty", "100k-chars"],
)
def test_garbage_everywhere_ends_with_a_recorded_failure(indexed: Path, tmp_path: Path, garbage: str) -> None:
    lib = make_library(indexed, tmp_path, [garbage], max_rounds=2, max_llm_calls=30)
    a = lib.ask(Q, mode="agents")
    assert a.short == "Not answerable" and a.citations == []
    errors = [t["error"] for t in a.trace if t.get("error")]
    assert errors and all("model output" in e for e in errors)
    # bounded: 2 rounds of page judgements (4 + 3 pages, one call each, no repair: a judgement
    # that cannot be read counts as "no"), then one answer (one try + two repairs)
    assert lib.chat.usage.calls <= 4 + 3 + 3  # type: ignore[attr-defined]


def test_garbage_then_valid_is_repaired(indexed: Path, tmp_path: Path) -> None:
    answers = iter(["not json at all", answer_citing_first("50")(None, None)])  # type: ignore[arg-type]
    lib = make_library(indexed, tmp_path, [model(WEIGHT, lambda m, s: next(answers))])
    a = lib.ask(Q, mode="agents")
    assert a.short == "50" and a.citations and a.citations[0].page == 4
    assert len(calls_of(lib, "RagReply")) == 2  # the garbage answer, then the repaired one


def test_citations_of_unknown_evidence_and_pages_are_dropped(indexed: Path, tmp_path: Path) -> None:
    def invented(messages: list, schema: object) -> str:  # excerpts that were never shown
        return json.dumps({"answer": "50", "short_answer": "50", "format": "Int", "cited": [0, 57]})

    lib = make_library(indexed, tmp_path, [model(WEIGHT, invented)])
    a = lib.ask(Q, mode="agents")
    assert next(e for e in a.trace if e.get("agent") == "answerer")["dropped"] == [0, 57]
    # nothing the model named is cited; only the lines shown that state the answer
    assert a.short == "50" and a.citations and all(c.page == 4 and "50" in c.quote for c in a.citations)


def test_rag_drops_citations_of_excerpts_that_were_not_shown(indexed: Path, tmp_path: Path) -> None:
    reply = json.dumps({"answer": "50", "short_answer": "50", "format": "Int", "cited": [0, 57, -1]})
    lib = make_library(indexed, tmp_path, [reply])
    a = lib.ask(Q, mode="rag")
    # the excerpts 0, 57 and -1 were never shown: no citation of them; what is cited is the
    # line of a shown excerpt that states the answer, found by code
    assert a.citations and all("default weight value is 50" in c.quote for c in a.citations)


def test_a_dead_backend_is_an_error_never_an_answer(indexed: Path, tmp_path: Path) -> None:
    # Formerly recorded as "Not answerable" with a warning; a dead backend shown as an
    # answer misleads the user and scores as a wrong answer in evaluation.
    dead = BackendError("model server http://127.0.0.1:9/v1 failed after 4 attempts: timed out")
    lib = make_library(indexed, tmp_path, [dead], max_rounds=2)
    with pytest.raises(BackendError, match="timed out"):
        lib.ask(Q, mode="agents")
    with pytest.raises(BackendError, match="timed out"):
        make_library(indexed, tmp_path / "rag", [dead]).ask(Q, mode="rag")
