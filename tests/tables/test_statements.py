"""Lines of financial statements looked up by the names questions give them."""

from __future__ import annotations

from mardoc.tables import read_question
from mardoc.tables.lookups import lookup
from mardoc.types import TableGrid
from mardoc.words import words
from tests.tables.builders import page_tables


def cash_flows() -> list:
    grid = TableGrid(
        cells=(
            ("(Millions)", "2021", "2020"),
            ("Net earnings", "812", "744"),
            ("Net cash provided by operating activities", "1,204", "1,131"),
            ("Purchases of property, plant and equipment (PP&E)", "(418)", "(392)"),
            ("Proceeds from sale of PP&E and other assets", "31", "17"),
            ("Dividends paid to shareholders", "(260)", "(248)"),
        ),
        header_rows=1,
    )
    return page_tables(grid, page=60)


def test_a_fiscal_year_is_its_year() -> None:
    assert {"fy2021", "2021"} <= words("What was the FY2021 net income?")


def test_capital_expenditure_is_the_purchases_of_ppe_as_an_amount() -> None:
    hit = lookup(read_question("How much capital expenditure did the company report for FY2021, in millions?"), cash_flows())
    assert hit is not None and hit.value == "(418)" and hit.magnitude
    assert hit.table.titles[hit.col] == "2021"


def test_net_income_is_the_net_earnings_line_with_its_sign() -> None:
    hit = lookup(read_question("What was the net income in FY2020?"), cash_flows())
    assert hit is not None and hit.value == "744" and not hit.magnitude
    # a line named as printed keeps its sign
    hit = lookup(read_question("What were the dividends paid to shareholders in 2021?"), cash_flows())
    assert hit is not None and hit.value == "(260)" and not hit.magnitude
