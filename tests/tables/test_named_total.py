"""The total of the rows a question lists is computed by code."""

from __future__ import annotations

import pytest

from mardoc.tables import named_total, result_answer
from mardoc.tables.sql import QueryResult
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def categories() -> list:
    grid = TableGrid(
        cells=(
            ("Category", "No. of Shares held", "%"),
            ("Banks, Financial Institutions and Insurance Companies", "1,39,40,197", "37.05"),
            ("Overseas Companies", "1,21,04,380", "32.17"),
            ("Overseas Institutional Investors", "48,10,374", "12.79"),
            ("Public and Others", "59,63,651", "15.85"),
            ("Total", "3,76,22,780", "100.00"),
        ),
        header_rows=1,
    )
    return page_tables(grid, page=9)


def directors() -> list:
    grid = TableGrid(
        cells=(
            ("Director", "Board Meetings attended", "Membership of Board of other Companies"),
            ("Mr. A.B. Rao", "7", "14"),
            ("Ms. C. Iyer", "6", "11"),
            ("Mr. D.E. Nair", "7", "5"),
            ("Mr. F. Menon", "3", "9"),
        ),
        header_rows=1,
    )
    return page_tables(grid)


def test_one_share_of_two_listed_rows_is_their_sum_in_the_percentage_column() -> None:
    tables = categories()
    got = named_total("What percentage of the shares was held by overseas companies and institutional investors?", tables)
    assert got is not None and sorted(c.value for c in got.cells) == ["12.79", "32.17"]
    assert result_answer(QueryResult("", [tables[0].columns[got.cells[0].col]], [(got.value,)]), tables, "percentage") == ("44.96%", "Float")


def test_rows_listed_with_commas_are_added_when_asked_collectively() -> None:
    got = named_total("How many companies do Mr. A.B. Rao, Mr. D.E. Nair, and Ms. C. Iyer collectively hold board membership of?", directors())
    assert got is not None and got.value == pytest.approx(14 + 5 + 11)
    assert {c.table.titles[c.col] for c in got.cells} == {"Membership of Board of other Companies"}


def test_no_total_asked_one_listed_row_or_an_unclear_row_is_no_answer() -> None:
    assert named_total("What are the percentages of overseas companies and institutional investors?", categories()) is None  # shares of each
    assert named_total("What percentage of the shares was held by overseas companies?", categories()) is None  # one row
    assert named_total("How many board meetings did Mr. A.B. Rao and Mr. D.E. Nair attend?", directors()) is None  # no total asked
    # "the Mr." names three rows equally: that item picks none, so one row is left
    assert named_total("What is the total board membership of the Mr. and Ms. C. Iyer?", directors()) is None
