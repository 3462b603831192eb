"""Paired statistics on hand-made rows with a known difference."""

from __future__ import annotations

from mardoc.eval.paired import bootstrap_interval, compare, compare_by, paired_rows


def row(qid: str, score: float, fmt: str = "Str", error: str = "") -> dict:
    return {"qid": qid, "score": score, "answer_format": fmt, "error": error, "question": f"q {qid}"}


def test_only_questions_both_runs_answered_are_paired() -> None:
    a = {"1": row("1", 1), "2": row("2", 0), "3": row("3", 0, error="boom"), "4": row("4", 1)}
    b = {"1": row("1", 1), "2": row("2", 1), "3": row("3", 1), "5": row("5", 1)}
    pairs = paired_rows(a, b)
    assert [p[0]["qid"] for p in pairs] == ["1", "2"]


def test_known_difference_and_its_interval() -> None:
    # B wins 30 of 100 questions and loses 10: +0.20, clearly above zero
    a, b = {}, {}
    for i in range(100):
        qa, qb = (0, 1) if i < 30 else ((1, 0) if i < 40 else (1, 1) if i < 70 else (0, 0))
        a[str(i)], b[str(i)] = row(str(i), qa), row(str(i), qb)
    c = compare(paired_rows(a, b))
    assert c["n"] == 100 and abs(c["difference"] - 0.20) < 1e-9
    lo, hi = c["ci95"]
    assert 0.05 < lo < 0.20 < hi < 0.35
    assert len(c["won"]) == 30 and len(c["lost"]) == 10


def test_no_difference_gives_an_interval_around_zero() -> None:
    diffs = [1.0, -1.0] * 50
    lo, hi = bootstrap_interval(diffs)
    assert lo < 0 < hi
    assert bootstrap_interval([0.0] * 20) == (0.0, 0.0)


def test_per_category_rows() -> None:
    a = {"1": row("1", 0, "Int"), "2": row("2", 1, "Str"), "3": row("3", 0, "Int")}
    b = {"1": row("1", 1, "Int"), "2": row("2", 1, "Str"), "3": row("3", 1, "Int")}
    by = compare_by(paired_rows(a, b), "answer_format")
    assert by["Int"]["difference"] == 1.0 and by["Int"]["n"] == 2
    assert by["Str"]["difference"] == 0.0
