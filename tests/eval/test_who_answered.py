"""Who said "Not answerable" and who answered, read back from the rows' traces."""

from __future__ import annotations

from mardoc.eval.metrics import abstention, by_solver, who_abstained

NA = "Not answerable"


def row(qid: str, gold: str, short: str, score: float, trace: list) -> dict:
    return {"qid": qid, "gold": gold, "short": short, "prediction": short, "score": score, "trace": trace}


ROWS = [
    # code before reading: a name the documents never mention (right, and wrong)
    row("a", NA, NA, 1.0, [{"agent": "explorer", "absent": ["Zorbatron"], "notes": ["the documents never mention 'Zorbatron'"]}]),
    row("b", "42", NA, 0.0, [{"agent": "explorer", "absent": ["Harow"], "notes": ["the documents never mention 'Harow'"]}]),
    # the draft check turned a draft into "Not answerable"
    row("c", "Paris", NA, 0.0, [{"agent": "reflector", "step": "draft", "unsupported": ["Lyon"], "note": "draft 'Lyon' is on none"}]),
    # nothing to read
    row("d", NA, NA, 1.0, [{"agent": "answerer", "note": "nothing found to read"}]),
    # the reading call said it
    row("e", "12", NA, 0.0, [{"agent": "answerer", "note": "read pages [3] whole"}]),
    # answers: by table solvers and by the model
    row("f", "3.5", "3.5", 1.0, [{"agent": "tables", "solver": "ratio", "how": "operating margin = ..."}]),
    row("g", "17", "18", 0.0, [{"agent": "tables", "solver": "lookup"}]),
    row("h", "x", "x", 1.0, [{"agent": "tables", "candidates": "t1 row ..."}, {"agent": "answerer"}]),
]


def test_who_said_not_answerable_is_read_from_the_trace() -> None:
    assert [who_abstained(r)[0] for r in ROWS[:5]] == ["code before reading", "code before reading", "draft check", "nothing to read", "reading call"]
    assert "Harow" in who_abstained(ROWS[1])[1]


def test_precision_and_recall_by_who_said_it_and_the_answerable_refused() -> None:
    na = abstention(ROWS)
    assert na["predicted"] == 5 and na["gold"] == 2 and na["precision"] == 2 / 5 and na["recall"] == 1.0
    assert na["by"]["code before reading"] == {"said": 2, "right": 1, "precision": 0.5, "recall": 0.5}
    assert na["by"]["reading call"]["right"] == 0
    assert sorted(x["qid"] for x in na["refused_answerable"]) == ["b", "c", "e"]


def test_which_solver_answered_right_or_wrong() -> None:
    got = by_solver(ROWS)
    assert got["ratio"] == {"n": 1, "right": 1} and got["lookup"] == {"n": 1, "right": 0}
    assert got["read by the model (candidate cells given)"] == {"n": 1, "right": 1}
    assert got["read by the model"]["n"] == 5
