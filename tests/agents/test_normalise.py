"""The short answer is put in its type's shape by code."""

from __future__ import annotations

import pytest

from mardoc.agents.normalise import normalise_short
from mardoc.eval.scoring import score_answer


@pytest.mark.parametrize(
    ("short", "fmt", "question", "expected"),
    [
        ("13 people", "Int", "", ("13", "Int")),
        ("1,234", "Int", "", ("1234", "Int")),
        ("twelve", "Int", "", ("12", "Int")),
        ("13.0", "Int", "", ("13", "Int")),
        ("18.3%", "Float", "", ("18.3%", "Float")),
        ("$1,204.5 million", "Float", "", ("1204.5", "Float")),
        ("HX3310, HX2104 and HX4471B", "List", "", ('["HX3310", "HX2104", "HX4471B"]', "List")),
        ('["a", "b"]', "List", "", ('["a", "b"]', "List")),
        ("[50, 100]", "List", "", ("[50, 100]", "List")),
        ("50 and 1.5", "List", "", ("[50, 1.5]", "List")),
        ("a; b", "List", "", ('["a", "b"]', "List")),
        ("There are 7 wheels", "Str", "How many wheels are shown?", ("7", "Int")),
        ('"Thomas Leonard".', "Str", "", ("Thomas Leonard", "Str")),
        ("none", "Str", "", ("Not answerable", "None")),
        ("", "Int", "", ("Not answerable", "None")),
        ("between 3 and 5", "Int", "", ("between 3 and 5", "Str")),  # two numbers: left as written
        ("4.1% and 3.8%", "Str", "What were the rates in Q1 and Q2 respectively?", ('["4.1%", "3.8%"]', "List")),
        ("Paris, Rome", "Str", "Which cities host a plant? Answer in list format.", ('["Paris", "Rome"]', "List")),
        ("Paris", "Str", "Which city hosts the plant? Answer in list format.", ("Paris", "Str")),  # one item
        ("SAMPLING, WEIGHTING", "Str", "According to the chart, what are the two activities?", ('["SAMPLING", "WEIGHTING"]', "List")),
        ("Paris; Rome", "Str", "Which cities were named?", ('["Paris", "Rome"]', "List")),
        ("Research and Development", "Str", "What are the costs called?", ("Research and Development", "Str")),  # no separator
        ("Andheri, Mumbai", "Str", "Where is the plant located?", ("Andheri, Mumbai", "Str")),  # asked in the singular
    ],
)
def test_normalise(short: str, fmt: str, question: str, expected: tuple[str, str]) -> None:
    assert normalise_short(short, fmt, question) == expected


def test_normalised_shapes_score_where_the_raw_ones_did_not() -> None:
    gold = "['HX2104', 'HX3310']"
    assert score_answer(gold, "HX3310, HX2104", "List") == 0.0
    assert score_answer(gold, normalise_short("HX3310, HX2104", "List")[0], "List") == 1.0
    assert score_answer("1204.5", "1,204.5", "Float") == 0.0
    assert score_answer("1204.5", normalise_short("1,204.5", "Float")[0], "Float") == 1.0
