"""Rows a question picks by a numeric condition are found by code."""

from __future__ import annotations

from mardoc.tables import read_question
from mardoc.tables.lookups import filter_rows
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def board() -> list:
    grid = TableGrid(
        cells=(
            ("Name of the Director", "Category", "Board meetings attended", "Other directorships"),
            ("Mr. A. Rao", "Executive", "7", "3"),
            ("Ms. B. Iyer", "Non-Executive", "8", "12"),
            ("Mr. C. Das", "Executive", "5", "1"),
            ("Total", "", "21", "16"),
        )
    )
    return page_tables(grid, page=4)


def test_which_rows_meet_a_condition_on_the_column_the_question_names() -> None:
    got = filter_rows(read_question("Which directors attended more than 6 board meetings?"), board())
    assert got is not None and got.labels() == ["Mr. A. Rao", "Ms. B. Iyer"] and not got.count
    assert got.table.titles[got.col] == "Board meetings attended"
    got = filter_rows(read_question("Who holds at least 3 other directorships?"), board())
    assert got is not None and got.labels() == ["Mr. A. Rao", "Ms. B. Iyer"]  # the Total row is no director


def test_how_many_rows_meet_it() -> None:
    got = filter_rows(read_question("How many directors attended fewer than 8 board meetings?"), board())
    assert got is not None and got.count and got.labels() == ["Mr. A. Rao", "Mr. C. Das"]


def test_the_kind_of_row_the_question_names_is_kept() -> None:
    got = filter_rows(read_question("Which executive directors attended more than 6 board meetings?"), board())
    assert got is not None and got.labels() == ["Mr. A. Rao"]  # "Non-Executive" is not what it names


def test_no_condition_no_column_or_no_row_is_no_answer() -> None:
    assert filter_rows(read_question("Which directors attended the board meetings?"), board()) is None  # no condition
    assert filter_rows(read_question("Which directors are older than 60?"), board()) is None  # no column for it
    assert filter_rows(read_question("Which directors attended more than 20 board meetings?"), board()) is None  # no row
    assert filter_rows(read_question("What is the total of meetings above 6?"), board()) is None  # asks no rows
