"""The named-terms check: a term counts as mentioned in any form a reader would accept, and what
the documents hold in no form is still refused."""

from __future__ import annotations

import pytest

from mardoc.agents.terms import absence_note, absent_terms, check_terms, named_terms, ordinary

DOC = """Annual Report 2018 of Harrow Valley Mills Limited. Bankers: Northern Trust Bank.
Mills at Keswick (Cumbria) and Alnwick. Adams and Lincoln are named in the survey.
The "Best walks" section. R E N E W A B L E energy. Revenue grew 12% in FY2018.
Quarterly results for fiscal 2023 were filed with the Securities and Exchange Commission.
Segment revenue of the Brightwater Instruments division rose; the BWI unit sold 12,031 pumps.
Spending on R&D and on PP&E rose."""


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("Where are the two mills of Harrow Valley located?", []),
        ("Where are the two mills of Zorbatron Inc. located?", ["Zorbatron"]),
        ("What was the revenue growth in 2018?", []),
        ("What was the revenue growth in 2024?", ["2024"]),
        ("What was the revenue in FY2018?", []),  # the year inside FY2018 is found on its own
        ('How many days does the "Best walks" section recommend?', []),
        ('How many days does the "Best hotels" section recommend?', ["Best hotels"]),
        ("Which bank serves Zorbatron Limited?", ["Zorbatron"]),
        ("Is Renewable energy listed?", []),  # letter-spaced text still matches
        ("Which years does the chart show? Give the years as a list, e.g. ['1999', '2031'].", []),
        ("What is the date? Format it as YYYY-MM-DD.", []),
        ("WHAT IS THE LOGO COLOR OF HARROW VALLEY MILLS?", []),
        ("Who appears in Figure 3 on Page 2 of Chapter 1?", []),
        ("When did Lincoln speak? And Brennan?", ["Brennan"]),
    ],
)
def test_what_the_documents_hold_and_what_they_do_not(question: str, absent: list[str]) -> None:
    assert absent_terms(question, DOC) == absent


@pytest.mark.parametrize(
    "question",
    [
        "Where are the mills of Harow Valley located?",  # one letter dropped
        "Where are the mills of Harow Vallley located?",  # two words, each one letter off
        "Which bank did Harrow Valey Milles choose?",
        "What did Brightwatre Instruments sell?",  # two letters swapped in a long word
    ],
)
def test_a_misspelt_name_is_the_name(question: str) -> None:
    assert absent_terms(question, DOC) == []
    assert any(c.found and "near" in c.how for c in check_terms(question, DOC))


def test_a_misspelt_name_is_near_a_name_not_near_an_ordinary_word() -> None:
    doc = "Apply for the grant before March. The Harrow mills."
    assert absent_terms("What did Apple Inc. report?", doc) == ["Apple"]  # 'apply' is no name
    assert absent_terms("What did the Harow mills report?", doc) == []


def test_a_name_two_edits_from_every_word_of_a_short_name_is_still_absent() -> None:
    # five to seven letters: one edit allowed, not two
    assert absent_terms("What did Kesqicz report?", DOC) == ["Kesqicz"]
    assert absent_terms("Who is Zorbatron?", DOC) == ["Zorbatron"]
    assert absent_terms("Did the company grow its MNAX budget?", DOC) == ["MNAX"]


@pytest.mark.parametrize(
    "question",
    [
        "How many pumps did BWI's unit sell?",  # an abbreviation the document uses, with a possessive
        "What did HVML report in 2018?",  # the initials of a name the document spells out
        "What did H.V.M.L. report in 2018?",
        "What did Brightwater Instruments Inc report?",  # the document's own word for it
        "Which filings went to the SEC in fiscal 2023?",
        "Did the company grow its PPNE and its RND budget?",  # "&" said as "n"
    ],
)
def test_abbreviations_and_initials_count(question: str) -> None:
    assert absent_terms(question, DOC) == []


def test_the_other_way_round_a_spelt_out_name_the_document_abbreviates() -> None:
    doc = "The IRB approved the protocol. Enrolment closed in 2019."
    assert absent_terms("When did the Institutional Review Board approve the Zorbatron protocol?", doc) == ["Zorbatron"]
    assert absent_terms("When did the Institutional Review Board approve it?", doc) == []


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("What was the revenue in FY23?", []),  # fiscal 2023 in the text
        ("What was the revenue in FY'23?", []),
        ("What was revenue in Q4'23?", []),
        ("What was the revenue in FY26?", ["2026"]),  # a year the documents do not hold
        ("What was revenue in fiscal 2031?", ["2031"]),  # 2031 only inside the number 12,031
    ],
)
def test_fiscal_year_forms(question: str, absent: list[str]) -> None:
    assert absent_terms(question, DOC) == absent


@pytest.mark.parametrize(
    "question",
    [
        "What was the Net change in Revenue between the two years?",
        "Which is the Largest Segment by revenue?",
        "What were total sales? Give the answer in millions.",
        "What were total sales (Answer in millions)?",
        "What were total sales in 2018? Round your Answer to two decimal places.",
        "What is the Quick Ratio of the Company?",
    ],
)
def test_capitalised_ordinary_words_and_instructions_are_no_names(question: str) -> None:
    assert named_terms(question) == [] or named_terms(question) == ["2018"]
    assert absent_terms(question, DOC) == []


def test_an_ordinary_word_is_a_name_beside_a_company_suffix_or_a_rare_name() -> None:
    assert ordinary("Apple") and ordinary("Revenue") and not ordinary("Zorbatron")
    assert named_terms("Where are the plants of Apple Inc. located?") == ["Apple"]
    assert absent_terms("Where are the plants of Apple Inc. located?", DOC) == ["Apple"]
    assert "Apple" not in named_terms("Which Apple varieties does the survey name?")


def test_the_trace_says_what_was_tried() -> None:
    checks = check_terms("Which bank serves Zorbatron Limited in 2031?", DOC)
    note = absence_note(checks)
    assert "'Zorbatron'" in note and "no word within 2 edits" in note
    assert "'2031'" in note and "FY31" in note


def test_the_first_word_and_sentence_starts_are_no_names() -> None:
    assert named_terms("Which Youtube video does Slide 4 show? Describe it.") == ["Youtube"]


def test_no_text_decides_nothing() -> None:
    assert absent_terms("What did Zorbatron earn in 2024?", "") == []
