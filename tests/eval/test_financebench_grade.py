"""FinanceBench's answers graded by value: units, %, scale words, 1% tolerance; yes/no by the
opening word; sentences left to a judge or a person (a proxy score, named as such)."""

from __future__ import annotations

import pytest

from mardoc.eval.scoring import financebench_grade, numeric_grade


@pytest.mark.parametrize(
    ("gold", "pred", "right"),
    [
        ("$1577.00", "1577", True),
        ("$1577.00", "$1,577 million", True),  # the scale word of the unit asked
        ("$1577.00", "1.577 billion", True),
        ("$1577.00", "1590", True),  # within 1%
        ("$1577.00", "1610", False),
        ("$1577.00", "-1577", False),  # the sign is part of the value
        ("2.8%", "2.8", True),
        ("2.8%", "0.028", True),  # a fraction for a percentage
        ("2.8%", "3.1%", False),
        ("1.73", "1.73x", True),
        ("-3.7", "-3.70 days", True),
        ("0.54", "0.536", True),  # equal at the gold's rounding
        ("0.54", "0.56", False),
        ("$5409.00", "Not answerable", False),
    ],
)
def test_a_numeric_gold_is_graded_by_value(gold: str, pred: str, right: bool) -> None:
    assert numeric_grade(gold, pred) == float(right)


def test_graders_by_kind_of_gold() -> None:
    assert numeric_grade("Trillium, Array, and Therachon", "Trillium") is None  # not a number
    assert financebench_grade("$382.00", "", "Capital expenditure was $382 million in FY2018.") == (1.0, "numeric")
    assert financebench_grade("Yes, change in PPNE was positive", "Yes", "") == (1.0, "yes/no")
    assert financebench_grade("No the margins declined", "Yes, they improved", "")[0] == 0.0
    score, grader = financebench_grade("Trillium, Array, and Therachon", "Trillium, Array and Therachon", "")
    assert grader.startswith("text") and score > 0.8
