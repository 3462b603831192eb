"""Questions as people and analysts write them: a preface and instructions around the asking
sentence, a metric the question defines itself, a statement line under its heading, the unit
printed in a title; each test fails if its rule is removed."""

from __future__ import annotations

import pytest

from mardoc.tables import CodeAnswer, parse_number, read_question, solve
from mardoc.tables.lookups import row_score
from mardoc.tables.question import question_sentence
from mardoc.tables.values import header_scale
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def cash_flows() -> list:
    """A cash-flow statement: headings ending in a colon carried by the lines under them,
    thousands in the title, "$" signs run into the first line's numbers."""
    grid = TableGrid(
        cells=(
            ("", "Year Ended December 31, 2020", "Year Ended December 31, 2019"),
            ("Cash flows from operating activities:", "", ""),
            ("Net income (loss)", "$ 213,105 $", "375,446"),
            ("Depreciation and amortization", "84,212", "75,598"),
            ("Net cash provided by operating activities", "381,603", "465,699"),
            ("Cash flows from financing activities:", "", ""),
            ("Other financing activities", "(7,359)", "(1,200)"),
        ),
        header_rows=1,
        caption="CONSOLIDATED STATEMENTS OF CASH FLOWS (In thousands)",
    )
    return page_tables(grid, page=90)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("By drawing conclusions from the income statement, what is the FY2019 net income (in USD millions)?",
         "By drawing conclusions from the income statement, what is the FY2019 net income (in USD millions)?"),
        ("We need to calculate a metric from the balance sheet. Please answer the following question: what is the "
         "year end FY2018 net property, plant, and equipment?", "what is the year end FY2018 net property, plant, and equipment?"),
        ("Using the cash flow statement, answer the following question to the best of your abilities: how much cash "
         "did the company generate from operations in FY2020? Answer in USD millions.",
         "how much cash did the company generate from operations in FY2020?"),
        ("How many patents have Dr. K. Olsen and Dr. P. Varga been granted in total?",
         "How many patents have Dr. K. Olsen and Dr. P. Varga been granted in total?"),  # initials end no sentence
    ],
)  # fmt: skip
def test_the_asking_sentence_without_preface_or_instructions(text: str, sentence: str) -> None:
    assert question_sentence(text) == sentence


@pytest.mark.parametrize(
    "text",
    [
        "Using the cash flow statement, answer the following question: how much did the company generate in cash flow "
        "from operating activities in FY2020? Answer in USD millions.",
        "According to the cash flow statement, what is the FY2020 net cash provided by operating activities (in USD millions)?",
        "Base your judgments on the cash flow statement. Please answer this question: what was the FY2020 cash flow from "
        "operating activities? Round to one decimal place and answer in USD millions.",
    ],
)
def test_a_statement_line_under_its_heading_in_the_unit_asked(text: str) -> None:
    q = read_question(text)
    assert q.op == "value" and q.unit == "millions"
    a = solve(q, cash_flows())
    # the heading's words count half: the line that names the operating cash flow itself wins
    # over "Net income" under "Cash flows from operating activities:" and over the financing lines
    assert isinstance(a, CodeAnswer) and a.short == "381.603", a


@pytest.mark.parametrize(
    "text",
    [
        "What is the FY2020 days payable outstanding (DPO)? DPO is defined as: 365 * (average accounts payable) / (COGS).",
        "What is the FY2016 working capital ratio? Define working capital ratio as total current assets divided by total "
        "current liabilities.",
        "What is the FY2019 cash conversion cycle? It is calculated as DIO + DSO - DPO.",
    ],
)
def test_a_metric_the_question_defines_is_no_cell_to_look_up(text: str) -> None:
    q = read_question(text)
    assert q.op == "" and q.answer == "number"
    assert solve(q, cash_flows()) is None


def test_a_word_of_the_value_columns_titles_names_no_row() -> None:
    q = read_question("What is the 2020 net income of Acme Robotics?")
    # "Acme" titles the columns ("Acme Robotics Year ended ..."): a row saying it is not named by it
    assert row_score(q, "Net income attributable to Acme Robotics", frozenset({"acme", "robotics", "year", "ended"})) < row_score(
        q, "Net income attributable to Acme Robotics"
    )


def test_a_currency_sign_run_in_from_the_next_column_and_a_unit_in_a_stub_title() -> None:
    assert parse_number("$ 213,105 $").value == 213105
    assert parse_number("(7,359) $").value == -7359
    assert parse_number("213 $ 5") is None
    assert header_scale("(MILLIONS, EXCEPT PER COMMON SHARE DATA)") == 1e6
    assert header_scale("(Dollars in millions)") == 1e6
    assert header_scale("CONSOLIDATED BALANCE SHEETS (in thousands, except share data)") == 1e3
