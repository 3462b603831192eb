"""Numbers as reports print them, header rows, column names and scales."""

from __future__ import annotations

import pytest

from mardoc.tables import header_rows, header_scale, parse_number
from mardoc.tables.values import identifier


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        ("1,234", 1234.0, False),
        ("$1,204", 1204.0, False),
        ("(1,020)", -1020.0, False),
        ("-3.5", -3.5, False),
        ("12.5%", 12.5, True),
        ("€ 7.25", 7.25, False),
        ("1 234 567", 1234567.0, False),
        ("2.5 million", 2_500_000.0, False),
        (".75", 0.75, False),
    ],
)
def test_printed_numbers_parse(text: str, value: float, percent: bool) -> None:
    got = parse_number(text)
    assert got is not None and got.value == pytest.approx(value) and got.percent is percent


@pytest.mark.parametrize("text", ["", "-", "—", "n/a", "Yes", "Consumer", "(12", "12)", "1.2.3", "abc 12"])
def test_what_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_a_spanning_first_row_over_a_plain_second_row_is_a_two_row_header() -> None:
    cells = [["Segment", "Revenue", "Revenue", "Margin"], ["", "2019", "2020", "(%)"], ["A", "1", "2", "3%"], ["B", "4", "5", "6%"]]
    assert header_rows(cells) == 2
    plain = [["Name", "Q1", "Q2"], ["A", "1", "2"], ["B", "3", "4"]]
    assert header_rows(plain) == 1
    words = [["Course", "Code"], ["Intro", "GS5002"], ["Lab", "GS6001"]]  # no numbers: one header row
    assert header_rows(words) == 1


def test_scales_named_in_captions_and_headers() -> None:
    assert header_scale("Table 1: Segment results (in thousands)") == 1e3
    assert header_scale("", "Revenue ($ millions)") == 1e6
    assert header_scale("Net sales, in billions") == 1e9
    assert header_scale("Results by segment") == 1.0


def test_column_identifiers_are_unique_and_sql_safe() -> None:
    taken: set[str] = set()
    names = [identifier(t, taken, i) for i, t in enumerate(["Revenue 2019", "Revenue 2019", "2020", "", "% of total"])]
    assert names == ["revenue_2019", "revenue_2019_2", "c_2020", "col4", "of_total"]
    assert identifier("", set(), 0) == "label"
