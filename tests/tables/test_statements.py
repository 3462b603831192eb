"""Lines of financial statements looked up by the names questions give them."""

from __future__ import annotations

from mardoc.tables import lookup
from mardoc.tables.lookups import words_of
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def cash_flows() -> list:
    grid = TableGrid(
        cells=(
            ("(Millions)", "2018", "2017"),
            ("Net earnings", "5,363", "4,869"),
            ("Net cash provided by operating activities", "6,439", "6,240"),
            ("Purchases of property, plant and equipment (PP&E)", "(1,577)", "(1,373)"),
            ("Proceeds from sale of PP&E and other assets", "262", "49"),
            ("Dividends paid to shareholders", "(3,193)", "(2,803)"),
        ),
        header_rows=1,
    )
    return page_tables(grid, page=60)


def test_a_fiscal_year_is_its_year() -> None:
    assert {"fy2018", "2018"} <= words_of("What was the FY2018 net income?")


def test_capital_expenditure_is_the_purchases_of_ppe_as_an_amount() -> None:
    hit = lookup("What is the FY2018 capital expenditure amount (in USD millions) based on the cash flow statement?", cash_flows())
    assert hit is not None and hit.value == "(1,577)" and hit.magnitude
    assert hit.table.titles[hit.col] == "2018"


def test_net_income_is_the_net_earnings_line_with_its_sign() -> None:
    hit = lookup("What was the net income in FY2017?", cash_flows())
    assert hit is not None and hit.value == "4,869" and not hit.magnitude
    # a line named as printed keeps its sign
    hit = lookup("What were the dividends paid to shareholders in 2018?", cash_flows())
    assert hit is not None and hit.value == "(3,193)" and not hit.magnitude
