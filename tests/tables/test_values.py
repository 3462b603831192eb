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
        ("4,31,952", 431952.0, False),  # the Indian grouping: lakhs and crores
        ("1,22,01,72,195", 1220172195.0, False),
    ],
)
def test_printed_numbers_parse(text: str, value: float, percent: bool) -> None:
    got = parse_number(text)
    assert got is not None and got.value == pytest.approx(value) and got.percent is percent


@pytest.mark.parametrize("text", ["", "-", "—", "n/a", "Yes", "Consumer", "(12", "12)", "1.2.3", "abc 12", "3,71,27"])
def test_what_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_a_spanning_first_row_over_a_plain_second_row_is_a_two_row_header() -> None:
    cells = [["Segment", "Revenue", "Revenue", "Margin"], ["", "2019", "2020", "(%)"], ["A", "1", "2", "3%"], ["B", "4", "5", "6%"]]
    assert header_rows(cells) == 2
    plain = [["Name", "Q1", "Q2"], ["A", "1", "2"], ["B", "3", "4"]]
    assert header_rows(plain) == 1
    words = [["Course", "Code"], ["Intro", "HX2104"], ["Lab", "HX3310"]]  # no numbers: one header row
    assert header_rows(words) == 1


def test_a_second_row_continuing_the_titles_of_number_columns_is_header() -> None:
    # an unruled header printed on two lines: "No. of" over "Shares held"
    cells = [["Sl.", "Name of the Shareholder", "No. of", "%"], ["No.", "", "Shares held", ""],
             ["1.", "Tobacco Manufacturers", "99,27,82,440", "26.39"], ["2.", "Unit Trust", "44,86,47,169", "11.93"]]  # fmt: skip
    assert header_rows(cells) == 2
    # a first body row whose only words are under a text column stays body
    labels = [["Name", "Region", "Sales"], ["Acme", "North", "12"], ["Bolt", "South", "15"], ["Cog", "East", "9"]]
    assert header_rows(labels) == 1
    # a body row with its own label, numbers the parser ran together, a group label across the row
    labelled = [["Statistics", "TabFact", "SciTab"], ["Domain", "Wiki Tables", "Articles"], ["# of claims", "117,854", "1,225"],
                ["# of tables", "16,573", "199"]]  # fmt: skip
    assert header_rows(labelled) == 1
    merged = [["Category", "Directors", "%"], ["Executive Non-Executive", "4 7", "31 54"], ["Total", "11", "100"], ["All", "11", "100"]]
    assert header_rows(merged) == 1
    group = [["Director", "Category", "Meetings", "Other boards"], ["Executive", "Executive", "Executive", "Executive"],
             ["Mr. A", "Promoter", "7", "3"], ["Mr. B", "Independent", "5", "1"]]  # fmt: skip
    assert header_rows(group) == 1
    # a dash in a number column is an empty cell, not a title
    dashes = [["Item", "2019", "2020"], ["Opening", "-", "—"], ["Sales", "4", "5"], ["Costs", "1", "2"]]
    assert header_rows(dashes) == 1


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
