"""The total of the rows a question lists is computed by code."""

from __future__ import annotations

import pytest

from mardoc.tables import read_question
from mardoc.tables.solvers import CodeAnswer, solve
from mardoc.tables.totals import named_total
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def categories() -> list:
    grid = TableGrid(
        cells=(
            ("Channel", "No. of Orders", "%"),
            ("Stores, Kiosks and Franchise Outlets", "2,18,40,110", "41.30"),
            ("Online Marketplace", "1,12,07,300", "21.19"),
            ("Online Direct", "92,51,840", "17.49"),
            ("Wholesale and Others", "1,06,12,750", "20.02"),
            ("Total", "5,29,12,000", "100.00"),
        ),
        header_rows=1,
    )
    return page_tables(grid, page=9)


def inventors() -> list:
    grid = TableGrid(
        cells=(
            ("Researcher", "Papers published", "Patents granted to date"),
            ("Dr. K. Olsen", "7", "14"),
            ("Dr. M. Quist", "6", "11"),
            ("Dr. P. Varga", "7", "5"),
            ("Dr. T. Lund", "3", "9"),
        ),
        header_rows=1,
    )
    return page_tables(grid)


def test_one_share_of_two_listed_rows_is_their_sum_in_the_percentage_column() -> None:
    tables = categories()
    got = named_total(read_question("What percentage of the orders came from the online marketplace and online direct?"), tables)
    assert got is not None and sorted(c.value for c in got.cells) == ["17.49", "21.19"]
    a = solve(read_question("What percentage of the orders came from the online marketplace and online direct?"), tables)
    assert isinstance(a, CodeAnswer) and (a.short, a.format, a.solver) == ("38.68%", "Float", "sum")


def test_rows_listed_with_commas_are_added_when_asked_collectively() -> None:
    got = named_total(read_question("How many patents have Dr. K. Olsen, Dr. P. Varga, and Dr. M. Quist been granted in total?"), inventors())
    assert got is not None and got.value == pytest.approx(14 + 5 + 11)
    assert {c.table.titles[c.col] for c in got.cells} == {"Patents granted to date"}


def test_no_total_asked_one_listed_row_or_an_unclear_row_is_no_answer() -> None:
    assert named_total(read_question("What are the percentages of the online marketplace and online direct?"), categories()) is None  # shares of each
    assert named_total(read_question("What percentage of the orders came from the online marketplace?"), categories()) is None  # one row
    assert named_total(read_question("How many papers did Dr. K. Olsen and Dr. P. Varga publish?"), inventors()) is None  # no total asked
    # "the Dr." names four rows equally: that item picks none, so one row is left
    assert named_total(read_question("How many patents were granted in total to the Dr. and Dr. M. Quist?"), inventors()) is None
