"""One reader over the cells: a question read once into a record, one dispatcher, grids as a
reader takes them, standard ratios as two lookups, and answers held to checks by code.

Each shape is tried in three phrasings on made-up tables; a test fails if its rule is removed."""

from __future__ import annotations

import pytest

from mardoc.agents.tables import candidate_chunk
from mardoc.tables import Candidates, CodeAnswer, check, read_question, solve
from mardoc.tables.values import drop_footnote, tidy
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def statement() -> list:
    """An income statement as a 10-K prints it: "$" in columns of their own, a heading row
    with no values, a footnote mark, a negative in parentheses split from its ")", in millions."""
    grid = TableGrid(
        cells=(
            ("(In millions)", "", "2022", "", "2021"),
            ("Revenue:", "", "", "", ""),
            ("Subscription", "$", "16,388", "$", "14,573"),
            ("Services and other", "", "1,218", "", "1,212"),
            ("Total revenue", "$", "17,606", "$", "15,785"),
            ("Gross profit", "", "15,441", "", "13,920"),
            ("Operating income (1)", "", "6,098", "", "5,802"),
            ("Other income (expense), net", "", "(47", ")", "16"),
            ("Net income", "$", "4,756", "$", "4,822"),
        ),
        header_rows=1,
        caption="Consolidated statements of income (in millions)",
    )
    return page_tables(grid, page=54)


def test_the_grid_is_what_a_reader_takes() -> None:
    (t,) = statement()
    assert t.titles == ["(In millions)", "2022", "2021"]  # the "$" columns are gone
    assert t.cols == [0, 2, 4]  # each column still knows its cell boxes in the printed grid
    labels = [r[0] for r in t.texts]
    assert "Revenue: Subscription" in labels and "Total revenue" in labels  # a heading carried (once)
    assert "Gross profit" in labels  # a total closes the heading's group
    assert "Operating income" in labels  # the footnote mark dropped
    other = next(i for i, r in enumerate(t.texts) if r[0].startswith("Other income"))
    assert t.texts[other][1] == "(47)" and t.rows[other][1] == -47.0  # the split ")" joined: a negative
    assert t.scale == 1e6


def test_tidy_joins_a_percent_column_and_keeps_a_titled_column() -> None:
    got = tidy(["Region", "Share", "", "Staff"], [["Europe", "41.3", "%", "12"], ["Asia", "20.0", "%", "9"]])
    assert got.titles == ["Region", "Share", "Staff"] and got.texts[0] == ["Europe", "41.3%", "12"]
    # a label with no values and no colon is a wrapped line, not a heading: it names no group
    wrapped = tidy(["Category", "%"], [["Shares underlying Global Depository", "1.48"], ["Receipts", ""], ["Public and Others", "15.85"]])
    assert [r[0] for r in wrapped.texts] == ["Shares underlying Global Depository", "Receipts", "Public and Others"]
    assert drop_footnote("Net sales[2]") == "Net sales" and drop_footnote("12.5%*") == "12.5%"
    assert drop_footnote("(1,020)") == "(1,020)"  # a negative is no footnote


@pytest.mark.parametrize(
    "question",
    [
        "What was the operating margin in 2022?",
        "What is Adobe's FY2022 operating profit margin?",
        "Calculate the operating income margin for fiscal 2022, in percent.",
    ],
)
def test_a_margin_is_one_line_over_another_with_the_formula_named(question: str) -> None:
    q = read_question(question)
    assert q.op == "ratio" and q.formula is not None and q.years == ("2022",)
    a = solve(q, statement())
    assert isinstance(a, CodeAnswer) and a.short == "34.6359%" and a.solver == "ratio"
    assert "operating margin = operating income / revenue x 100" in a.how
    assert check(q, a) == ""


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("What was the gross margin in 2021?", "88.185%"),
        ("What is the net profit margin for FY2021?", "30.5480%"),
        ("What is the return on assets in 2021?", None),  # no total assets printed: no answer by code
    ],
)
def test_other_formulas_and_a_missing_line(question: str, value: str | None) -> None:
    a = solve(read_question(question), statement())
    if value is None:
        assert a is None
    else:
        assert isinstance(a, CodeAnswer) and float(a.short.rstrip("%")) == pytest.approx(float(value.rstrip("%")), abs=1e-3)


@pytest.mark.parametrize(
    "question",
    [
        "By what percentage did total revenue grow from 2021 to 2022?",
        "What was the year-over-year change in total revenue between 2021 and 2022?",
        "What is the growth rate of total revenue from 2021 to 2022?",
        "What was the growth rate of total revenue in FY2022?",  # one year: from the year before
    ],
)
def test_a_rate_of_change_is_two_lookups(question: str) -> None:
    q = read_question(question)
    assert q.op == "growth"
    a = solve(q, statement())
    assert isinstance(a, CodeAnswer) and a.short == "11.5363%" and a.solver == "growth"


def balance_sheet() -> list:
    grid = TableGrid(
        cells=(("(In thousands)", "December 31, 2020", "December 31, 2019"), ("Cash and cash equivalents", "3,158", "1,047"),
               ("Property and equipment, net", "233,520", "149,194"), ("Total assets", "10,400", "4,551")),
        header_rows=1, caption="Consolidated balance sheets",
    )  # fmt: skip
    return page_tables(grid, page=87)


@pytest.mark.parametrize(
    "question",
    [
        "What is the FY2019 - FY2020 total revenue growth rate?",
        "By what percentage did net sales grow from 2019 to 2020?",
        "What was the year-over-year change in revenue between 2019 and 2020?",
    ],
)
def test_a_word_of_a_lines_other_name_alone_names_no_row(question: str) -> None:
    # "net" of "net sales" / "net revenue" is in "Property and equipment, net": not the revenue line
    q = read_question(question)
    assert q.lines == ("revenue",) and not isinstance(solve(q, balance_sheet()), CodeAnswer)
    # a label printing one of the line's names whole is still the line
    sales = TableGrid(cells=(("", "2020", "2019"), ("Property and equipment, net", "233", "149"), ("Total net sales", "9,498", "4,714")),
                      header_rows=1)  # fmt: skip
    a = solve(q, page_tables(sales, page=3))
    assert isinstance(a, CodeAnswer) and a.short == "101.4849%" and a.solver == "growth"


@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("How much did subscription revenue increase from 2021 to 2022?", "change"),
        ("What was the increase in subscription revenue from 2021 to 2022?", "change"),
        ("How much more subscription revenue was there in 2022 than 2021?", "difference"),
    ],
)
def test_how_much_one_value_changed(question: str, op: str) -> None:
    q = read_question(question)
    assert q.op == op
    a = solve(q, statement())
    assert isinstance(a, CodeAnswer) and a.short == "1815"


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("What was net income in 2022 in billions?", "4.756"),
        ("What was net income in 2022, in thousands?", "4756000"),
        ("What was net income in 2022?", "4756"),  # no unit asked: as printed
    ],
)
def test_the_unit_asked_is_applied_from_the_unit_printed(question: str, short: str) -> None:
    a = solve(read_question(question), statement())
    assert isinstance(a, CodeAnswer) and a.short == short


def test_cells_that_fit_as_well_are_candidates_for_the_reading_call() -> None:
    q = read_question("What was the income in 2022?")  # operating, other and net income all say income
    got = solve(q, statement())
    assert isinstance(got, Candidates) and len(got.cells) >= 3
    chunk = candidate_chunk(got)
    assert chunk.page == 54 and "| Net income | 2022 | 4,756 |" in chunk.text and "| Operating income | 2022 | 6,098 |" in chunk.text


def test_an_answer_that_fails_a_check_by_code_is_not_final() -> None:
    share = page_tables(TableGrid(cells=(("Holder", "Stake (%)"), ("Northwind", "131.0"), ("Harbour", "12.0")), header_rows=1))
    q = read_question("What percentage stake does Northwind hold?")
    a = solve(q, share)
    assert isinstance(a, CodeAnswer) and "over 100%" in check(q, a)
    # a margin read from the same line twice
    same = page_tables(TableGrid(cells=(("", "2022"), ("Operating income and revenue", "50")), header_rows=1))
    q = read_question("What was the operating margin in 2022?")
    a = solve(q, same)
    assert a is None or check(q, a) != ""
    # a count that is not a whole number, a number for "which"
    assert "not a whole number" in check(read_question("How many stores opened?"), CodeAnswer("2.5", "Float", (), "", "lookup"))
    assert "is a number" in check(read_question("Which segment grew most?"), CodeAnswer("12", "Int", (), "", "query"))
    # a number (a query's sum or ratio) for a yes-or-no question, in three phrasings
    for asked in ("Did net earnings as a percent of sales increase in 2023 compared to 2022?",
                  "Has the company increased its debt between FY2022 and FY2023?",
                  "Were there any events that substantially increased other income in 2019?"):  # fmt: skip
        assert "yes or no" in check(read_question(asked), CodeAnswer("1.0102", "Float", (), "", "query")), asked
    assert check(read_question("Did revenue grow in 2023?"), CodeAnswer("Yes", "Str", (), "", "query")) == ""


@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("How many figures are in the appendix?", "count items"),
        ("Which directors attended more than 6 meetings?", "rows"),
        ("What was the total revenue in 2019?", "sum"),
        ("What is the revenue of the Consumer segment in 2020?", "value"),
        ("Why did revenue fall?", ""),
    ],
)
def test_the_record_names_the_operation_and_the_trace_shows_it(question: str, op: str) -> None:
    q = read_question(question)
    assert q.op == op and q.trace()["op"] == (op or "none")
