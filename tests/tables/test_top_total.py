"""The total of the top N rows a question names is computed by code."""

from __future__ import annotations

import pytest

from mardoc.tables import result_answer, top_total
from mardoc.tables.sql import QueryResult
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def holders() -> list:
    # rows not in rank order; a Total row that must not count; a two-row header
    grid = TableGrid(
        cells=(
            ("Sl.", "Name of the Shareholder", "No. of", "%"),
            ("No.", "", "Shares held", ""),
            ("1.", "Northwind Holdings", "3,10,00,000", "31.00"),
            ("2.", "Harbour Mutual Fund", "1,20,50,000", "12.05"),
            ("3.", "City Pension Trust", "1,80,00,000", "18.00"),
            ("4.", "Others", "3,89,50,000", "38.95"),
            ("", "Total", "10,00,00,000", "100.00"),
        ),
        header_rows=2,
    )
    return page_tables(grid, page=9)


def test_the_top_rows_by_the_percentage_column_are_added() -> None:
    tables = holders()
    got = top_total("What is the sum of the percentage of shares held by the top-2 shareholders?", tables)
    # ranked by value, not by print order; "Others" is a row like any other here
    assert got is not None and sorted(c.value for c in got.cells) == ["31.00", "38.95"]
    assert result_answer(QueryResult("", [tables[0].columns[got.cells[0].col]], [(got.value,)]), tables, "percentage") == ("69.95%", "Float")


def test_shares_held_when_the_question_names_no_ratio() -> None:
    got = top_total("How many shares do the top three shareholders hold in total?", holders())
    assert got is not None and got.value == pytest.approx(3_10_00_000 + 3_89_50_000 + 1_80_00_000)
    assert {c.table.titles[c.col] for c in got.cells} == {"No. of Shares held"}


def test_no_top_n_no_total_or_no_such_rows_is_no_answer() -> None:
    assert top_total("What is the sum of the shares held by all shareholders?", holders()) is None  # no top N
    assert top_total("Who are the top-3 shareholders?", holders()) is None  # asks no total
    assert top_total("What is the total budget of the top 3 projects?", holders()) is None  # no such rows
    assert top_total("What is the sum of the top-5 shareholders' stakes?", holders()) is None  # not more rows than 5
