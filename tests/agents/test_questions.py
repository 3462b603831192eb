"""What a question names, and what an answer names, checked by code against the documents' text (abstention)."""

from __future__ import annotations

import pytest

from mardoc.agents.questions import question_parts
from mardoc.agents.reflector import unsupported_items


def test_question_parts() -> None:
    assert question_parts("What is the default weight of a glob pattern, and what is the maximum?") == [
        "What is the default weight of a glob pattern",
        "what is the maximum",
    ]
    assert question_parts("What is the weight and the maximum?") == ["What is the weight and the maximum?"]
    # a leading clause that asks nothing is not a part of its own
    q = "According to this survey, which team scored more in 2018? Hawks or Owls"
    assert question_parts(q) == [q]
    assert question_parts("According to the manual, what is the default weight, and what is the maximum?") == [
        "According to the manual, what is the default weight",
        "what is the maximum",
    ]


SHOWN = "Magic rules\nThe default weight value is 50, and the maximum is 100.\nCALIBRATION  RENEWABLEENERGY\nGlob patterns match file names."


@pytest.mark.parametrize(
    ("short", "fmt", "unsupported"),
    [
        ("Glob patterns", "Str", []),  # written as is
        ("glob pattern", "Str", []),  # plural "s" and case ignored
        ("Renewable energy", "Str", []),  # PDF text lost the space
        ("the maximum weight value", "Str", []),  # every word is on the page
        ("Treemagic elements", "Str", ["Treemagic elements"]),  # half its words are not
        ("YouTube", "Str", ["YouTube"]),
        ('["Magic rules", "Eric Kelleher"]', "List", ["Eric Kelleher"]),  # each item alone
        ("1923.78", "Float", []),  # numbers are not checked: counts and sums are not written
        ('[50, 100]', "List", []),
        ("Yes", "Str", []),
        ("Not answerable", "None", []),
    ],
)
def test_unsupported_items(short: str, fmt: str, unsupported: list[str]) -> None:
    assert unsupported_items(short, fmt, SHOWN) == unsupported
