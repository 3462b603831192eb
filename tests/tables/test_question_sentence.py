"""Questions as people and analysts write them: a preface and instructions around the asking
sentence, a metric the question defines itself (computed by its definition), an average over a
run of years, the bottom line, a yes-or-no question, a statement line under its heading, the
unit printed in a title; each test fails if its rule is removed."""

from __future__ import annotations

from dataclasses import replace

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


def balance_and_income() -> list:
    """A balance sheet and an income statement of two fiscal years, as two tables."""
    balance = TableGrid(
        cells=(
            ("(In millions)", "May 26, 2019", "May 27, 2018"),
            ("Receivables", "1,679.7", "1,684.2"),
            ("Inventories", "1,559.3", "1,642.2"),
            ("Total current assets", "4,186.9", "4,123.7"),
            ("Accounts payable", "2,854.1", "2,746.2"),
            ("Total current liabilities", "7,487.6", "7,341.9"),
        ),
        header_rows=1,
    )
    income = TableGrid(
        cells=(
            ("In Millions", "Fiscal Year 2019", "Fiscal Year 2018"),
            ("Net sales", "16,865.2", "15,740.4"),
            ("Cost of sales", "11,108.4", "10,304.8"),
            ("Operating profit", "2,515.9", "2,419.9"),
            ("Depreciation and amortization", "620.1", "618.8"),
        ),
        header_rows=1,
    )
    return page_tables(balance, page=54) + [replace(t, name="t2") for t in page_tables(income, page=53)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("What is the FY2019 working capital ratio? Define working capital ratio as total current assets divided by "
         "total current liabilities. Round your answer to two decimal places.", 4186.9 / 7487.6),
        ("What is the FY2019 days payable outstanding (DPO)? DPO is defined as: 365 * (average accounts payable between "
         "FY2018 and FY2019) / (FY2019 COGS + change in inventory between FY2018 and FY2019).",
         365 * (2854.1 + 2746.2) / 2 / (11108.4 + (1559.3 - 1642.2))),
        ("What is the FY2019 cash conversion cycle (CCC)? CCC is defined as: DIO + DSO - DPO. DIO is defined as: 365 * "
         "(average inventory between FY2018 and FY2019) / (FY2019 COGS). DSO is defined as: 365 * (average accounts "
         "receivable between FY2018 and FY2019) / (FY2019 Revenue). DPO is defined as: 365 * (average accounts payable "
         "between FY2018 and FY2019) / (FY2019 COGS + change in inventory between FY2018 and FY2019).",
         365 * (1559.3 + 1642.2) / 2 / 11108.4 + 365 * (1679.7 + 1684.2) / 2 / 16865.2
         - 365 * (2854.1 + 2746.2) / 2 / (11108.4 + (1559.3 - 1642.2))),
        ("What is the FY2018 - FY2019 2 year average EBITDA % margin? Define EBITDA as operating income + depreciation "
         "and amortization from the cash flow statement.",
         ((2515.9 + 620.1) / 16865.2 + (2419.9 + 618.8) / 15740.4) / 2 * 100),
    ],
)  # fmt: skip
def test_a_metric_the_question_defines_is_computed_by_its_definition(text: str, value: float) -> None:
    q = read_question(text)
    assert q.op == "defined" and q.answer == "number"
    a = solve(q, balance_and_income())
    assert isinstance(a, CodeAnswer) and a.solver == "defined"
    assert float(a.short.rstrip("%")) == pytest.approx(value, abs=1e-3)


def test_a_defined_metric_with_a_line_the_tables_lack_is_no_answer() -> None:
    q = read_question("What is the FY2019 quick ratio? Define quick ratio as (cash + marketable securities) divided by total current liabilities.")
    assert q.op == "defined" and solve(q, balance_and_income()) is None


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


def earnings() -> list:
    """Three fiscal years of an income statement with discontinued operations and a
    noncontrolling interest: the bottom line is what is attributable to the shareholders."""
    grid = TableGrid(
        cells=(
            ("Fiscal Years Ended", "January 28, 2017", "January 30, 2016", "January 31, 2015"),
            ("Revenue", "39,403", "39,528", "40,339"),
            ("Cost of goods sold", "29,963", "30,334", "31,292"),
            ("Operating income", "1,854", "1,375", "1,450"),
            ("Net earnings from continuing operations", "1,207", "807", "1,246"),
            ("Net earnings including noncontrolling interests", "1,228", "897", "1,235"),
            ("Net earnings attributable to noncontrolling interests", "—", "—", "(2)"),
            ("Net earnings attributable to Acme Co. shareholders", "1,228", "897", "1,233"),
        ),
        header_rows=1,
        caption="Consolidated Statements of Earnings ($ in millions)",
    )
    return page_tables(grid, page=56)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("What is the FY2015 - FY2017 3 year average net profit margin (as a %)? Answer in units of percents.",
         (1228 / 39403 + 897 / 39528 + 1233 / 40339) / 3 * 100),
        ("What is the three year average of cost of goods sold as a % of revenue from FY2015 to FY2017?",
         (29963 / 39403 + 30334 / 39528 + 31292 / 40339) / 3 * 100),
        ("Taking into account the income statement, what is the FY2015 - FY2017 3 year average operating income % margin?",
         (1854 / 39403 + 1375 / 39528 + 1450 / 40339) / 3 * 100),
    ],
)  # fmt: skip
def test_an_average_over_a_run_of_years_is_the_mean_of_each_years_ratio(text: str, value: float) -> None:
    q = read_question(text)
    assert q.op == "ratio" and q.average and q.years == ("2015", "2016", "2017")
    a = solve(q, earnings())
    assert isinstance(a, CodeAnswer) and a.solver == "ratio"
    assert float(a.short.rstrip("%")) == pytest.approx(value, abs=1e-3)
    assert "average over 2015-2017" in a.how


def test_the_net_margin_reads_the_bottom_line_not_continuing_operations_or_noncontrolling() -> None:
    a = solve(read_question("What is the FY2017 net profit margin?"), earnings())
    assert isinstance(a, CodeAnswer) and float(a.short.rstrip("%")) == pytest.approx(1228 / 39403 * 100, abs=1e-3)
    assert "attributable to Acme" in a.how


@pytest.mark.parametrize(
    "text",
    ["Does Acme have an improving operating margin profile as of FY2017?",
     "Did the net earnings as a percent of sales increase in FY2017 compared to FY2016?",
     "Is the FY2017 operating margin higher than 4%?"],
)  # fmt: skip
def test_a_yes_or_no_question_gets_no_value_from_code(text: str) -> None:
    q = read_question(text)
    assert q.answer == "yes/no" and q.op == ""
    assert solve(q, earnings()) is None


def test_a_definition_is_read_into_typed_terms_with_the_question() -> None:
    from mardoc.tables.question import Ref, Term

    q = read_question(
        "CCC is defined as: DIO + DSO - DPO. DPO is defined as: 365 * (average accounts payable between FY2019 "
        "and FY2020) / (FY2020 COGS + change in inventory between FY2020 and FY2019). What is the FY2020 CCC?"
    )
    assert q.op == "defined" and q.asks == "ccc" and not q.margin
    ccc, dpo = q.defs
    assert ccc.tokens == (Term("DIO"), "+", Term("DSO"), "-", Ref("dpo"))  # a metric defined later is a reference
    assert dpo.tokens == (365.0, "*", "(", Term("accounts payable", ("2019", "2020"), "average"), ")", "/", "(",
                          Term("COGS", ("2020",)), "+", Term("inventory", ("2019", "2020"), "change"), ")")  # fmt: skip
    assert q.trace()["asks"] == "ccc" and q.trace()["defines"][1].startswith("dpo = 365 *")
    # where a line is printed names no line; a % margin of the defined metric is asked as such
    m = read_question("Define EBITDA as operating income from the income statement plus depreciation and "
                      "amortization. What is the FY2021 EBITDA % margin?")  # fmt: skip
    assert m.asks == "ebitda" and m.margin
    assert m.defs[0].tokens == (Term("operating income"), "+", Term("depreciation and amortization"))
    # an average between years the text does not name is read, and yields no value
    (d,) = read_question("Define X as the average inventory between the first and the last year. What is X?").defs
    assert d.tokens == (Term("the average inventory between the first and the last year", (), "unread"),)
