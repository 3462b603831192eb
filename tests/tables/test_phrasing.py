"""The code paths read a question as people phrase it: a scene-setting clause first, a total
row named only by "total", how much one value changed between two years."""

from __future__ import annotations

import pytest

from mardoc.tables import read_question
from mardoc.tables.lookups import lookup
from mardoc.tables.totals import combine
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def segments() -> list:
    grid = TableGrid(
        cells=(
            ("Segment", "Revenue 2019", "Revenue 2020", "Margin (%)"),
            ("Consumer", "1,204", "1,310", "12.5"),
            ("Industrial", "2,518", "2,020", "8.1"),
            ("Health Care", "3,100", "3,402", "15.0"),
            ("Total", "6,822", "6,732", ""),
        ),
        header_rows=1,
    )
    return page_tables(grid)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("What was the revenue of the Consumer segment in 2020?", "1,310"),
        ("In 2020, what was Consumer revenue?", "1,310"),  # a clause before the question word
        ("According to the table, what was Consumer revenue in 2020?", "1,310"),
        ("What was the total revenue in 2019?", "6,822"),  # the total row, named by "total" alone
        ("In 2020, what was the total revenue?", "6,732"),
    ],
)
def test_a_cell_is_found_however_the_question_opens(question: str, value: str) -> None:
    hit = lookup(read_question(question), segments())
    assert hit is not None and hit.value == value


def test_no_total_row_or_an_empty_total_cell_is_no_lookup() -> None:
    assert lookup(read_question("What was the total margin?"), segments()) is None  # the total row's margin is empty
    no_total = page_tables(TableGrid(cells=(("Segment", "Revenue 2019"), ("Consumer", "1,204"), ("Industrial", "2,518")), header_rows=1))
    assert lookup(read_question("What was the total revenue in 2019?"), no_total) is None


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("By how much did Industrial revenue fall from 2019 to 2020?", 498),
        ("How much did Consumer revenue grow between 2019 and 2020?", 106),
        ("What was the increase in Health Care revenue from 2019 to 2020?", 302),
        ("How much did total revenue decrease from 2019 to 2020?", 90),  # the total row
    ],
)
def test_how_much_one_value_changed_is_the_difference_of_its_two_years(question: str, value: float) -> None:
    got = combine(read_question(question), segments())
    assert got is not None and got.op == "difference" and got.value == pytest.approx(value)
    assert len({c.row for c in got.cells}) == 1 and len({c.col for c in got.cells}) == 2


def test_a_rate_of_change_is_not_a_difference() -> None:
    assert combine(read_question("What was the growth rate of Consumer revenue from 2019 to 2020?"), segments()) is None
    assert combine(read_question("By what percentage did Industrial revenue fall from 2019 to 2020?"), segments()) is None
