"""What a question names, and what an answer names, checked by code against the documents' text (abstention)."""

from __future__ import annotations

import pytest

from mardoc.agents.questions import absent_terms, named_terms, question_parts
from mardoc.agents.reflector import unsupported_items

DOC = """Annual Report 2018 of Harrow Valley Mills Limited. Bankers: Northern Trust Bank.
Mills at Keswick (Cumbria) and Alnwick. Adams and Lincoln are named in the survey.
The "Best walks" section. R E N E W A B L E energy. Revenue grew 12% in FY2018."""


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("Where are the two mills of Harrow Valley located?", []),
        ("Where are the two mills of Apple Inc. located?", ["Apple"]),
        ("What was the revenue growth in 2018?", []),
        ("What was the revenue growth in 2024?", ["2024"]),
        ("What was the revenue in FY2018?", []),  # the year inside FY2018 is found on its own
        ('How many days does the "Best walks" section recommend?', []),
        ('How many days does the "Best hotels" section recommend?', ["Best hotels"]),
        ("Which bank serves Zorbatron Limited?", ["Zorbatron"]),
        ("Is Renewable energy listed?", []),  # letter-spaced text still matches
        # instructions on the answer's form name nothing the question asks about
        ("Which years does the chart show? Give the years as a list, e.g. ['1999', '2031'].", []),
        ("What is the date? Format it as YYYY-MM-DD.", []),
        # a question written in capitals: its capitalised words are not names
        ("WHAT IS THE LOGO COLOR OF HARROW VALLEY MILLS?", []),
        ("Who appears in Figure 3 on Page 2 of Chapter 1?", []),  # parts of a document are no names
        ("When did Lincoln speak? And Grant?", ["Grant"]),
    ],
)
def test_absent_terms(question: str, absent: list[str]) -> None:
    assert absent_terms(question, DOC) == absent


def test_named_terms_skip_the_first_word_and_sentence_starts() -> None:
    assert named_terms("Which Youtube video does Slide 4 show? Describe it.") == ["Youtube"]


def test_no_text_means_nothing_can_be_called_absent() -> None:
    assert absent_terms("What did Apple earn in 2024?", "") == []


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
