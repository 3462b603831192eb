"""Rows named by a letter or printed without a space, and a count column read for one row."""

from __future__ import annotations

from mardoc.tables import combine, lookup
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def recruiters() -> list:
    grid = TableGrid(
        cells=(
            ("User", "Profiles Viewed", "InMails Sent", "Response Rate (%)"),
            ("RecruiterA", "120", "375", "12"),  # OCR dropped the space
            ("Recruiter B", "109", "75", "33"),
        ),
        header_rows=1,
    )
    return page_tables(grid)


def markup() -> list:
    grid = TableGrid(
        cells=(
            ("Data Type", "Source", "Items", "Items with Errors", "Pages"),
            ("Blog", "schema.org", "135,747", "72,441", "133,213"),
            ("hatom", "microformats.org", "137", "137", "137"),
            ("hentry", "microformats.org", "29", "29", "30"),
        ),
        header_rows=1,
    )
    return page_tables(grid)


def test_rows_told_apart_by_a_letter_are_both_named() -> None:
    got = combine("How many more times did Recruiter A view profiles than Recruiter B?", recruiters())
    assert got is not None and got.op == "difference" and got.value == 11
    assert {c.table.texts[c.row][0] for c in got.cells} == {"RecruiterA", "Recruiter B"}


def test_a_letter_alone_does_not_name_the_other_row() -> None:
    hit = lookup("What was the response rate of Recruiter B?", recruiters())
    assert hit is not None and hit.value == "33"


def test_how_many_of_a_column_reads_that_column_for_the_row_named() -> None:
    hit = lookup("How many pages for the hentry data type?", markup())
    assert hit is not None and hit.value == "30" and hit.table.titles[hit.col] == "Pages"


def test_how_many_of_no_column_is_no_lookup() -> None:
    assert lookup("How many widgets for the hentry data type?", markup()) is None
    assert lookup("How many more pages for the hentry data type than for hatom?", markup()) is None
