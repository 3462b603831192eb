"""Rows named by a letter or printed without a space, and a count column read for one row."""

from __future__ import annotations

from mardoc.tables import read_question
from mardoc.tables.lookups import lookup
from mardoc.tables.totals import combine
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def depots() -> list:
    grid = TableGrid(
        cells=(
            ("Site", "Parcels Sorted", "Vans Loaded", "Late Rate (%)"),
            ("DepotA", "240", "58", "7"),  # OCR dropped the space
            ("Depot B", "223", "61", "19"),
        ),
        header_rows=1,
    )
    return page_tables(grid)


def parts() -> list:
    grid = TableGrid(
        cells=(
            ("Part Type", "Supplier", "Units", "Units with Defects", "Batches"),
            ("Bracket", "Northwind", "48,120", "1,305", "2,410"),
            ("gasket", "Eastfield", "412", "412", "412"),
            ("washer", "Eastfield", "57", "57", "61"),
        ),
        header_rows=1,
    )
    return page_tables(grid)


def test_rows_told_apart_by_a_letter_are_both_named() -> None:
    got = combine(read_question("How many more parcels did Depot A sort than Depot B?"), depots())
    assert got is not None and got.op == "difference" and got.value == 17
    assert {c.table.texts[c.row][0] for c in got.cells} == {"DepotA", "Depot B"}


def test_a_letter_alone_does_not_name_the_other_row() -> None:
    hit = lookup(read_question("What was the late rate of Depot B?"), depots())
    assert hit is not None and hit.value == "19"


def test_how_many_of_a_column_reads_that_column_for_the_row_named() -> None:
    hit = lookup(read_question("How many batches for the washer part type?"), parts())
    assert hit is not None and hit.value == "61" and hit.table.titles[hit.col] == "Batches"


def test_how_many_of_no_column_is_no_lookup() -> None:
    assert lookup(read_question("How many pallets for the washer part type?"), parts()) is None
    assert read_question("How many more batches for the washer part type than for gasket?").op == "difference"
