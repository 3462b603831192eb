"""Table markdown from a ruled table drawn into a real PDF; the unruled-table gate."""

from __future__ import annotations

import pymupdf

from mardoc.ingest.tables import grid_rows, table_grid
from mardoc.tables import to_markdown


def table_markdown(table: object, words: list) -> str:
    grid = table_grid(table, words)
    return to_markdown(grid) if grid is not None else ""

CELLS = [["Region", "2017", "2018"], ["Europe", "1,204", "1,310"], ["Asia | Pacific", "", "977"]]


def ruled_table_page() -> pymupdf.Page:
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=300)
    x = [50, 170, 260, 350]
    y = [50, 80, 110, 140]
    for xi in x:
        page.draw_line((xi, y[0]), (xi, y[-1]))
    for yi in y:
        page.draw_line((x[0], yi), (x[-1], yi))
    for i, row in enumerate(CELLS):
        for j, text in enumerate(row):
            if text:
                page.insert_text((x[j] + 4, y[i] + 20), text, fontsize=10)
    return page


def test_table_markdown_deals_words_to_cells() -> None:
    page = ruled_table_page()
    (table,) = page.find_tables(use_layout=False).tables
    md = table_markdown(table, page.get_text("words"))
    assert md.splitlines() == [
        "| Region | 2017 | 2018 |",
        "|---|---|---|",
        "| Europe | 1,204 | 1,310 |",
        "| Asia / Pacific |  | 977 |",  # a pipe in a cell cannot break the row
    ]


def test_table_markdown_ignores_words_outside_the_table() -> None:
    page = ruled_table_page()
    page.insert_text((50, 200), "Source: company filings 2019", fontsize=10)
    (table,) = page.find_tables(use_layout=False).tables
    assert "Source" not in table_markdown(table, page.get_text("words"))


def test_grid_rows_sees_an_unruled_table_and_not_prose() -> None:
    doc = pymupdf.open()
    table = doc.new_page(width=500, height=400)
    rows = [("Part", "Package", "Theta"), ("8051AH", "40-Pin DIP", "45 C/W"), ("8031AH", "CERDIP", "15 C/W"),
            ("8052AH", "44-Pin PLCC", "46 C/W")]  # fmt: skip
    for i, row in enumerate(rows):
        for x, text in zip((50, 200, 350), row, strict=True):
            table.insert_text((x, 60 + 16 * i), text, fontsize=10)
    assert grid_rows(table.get_text("words")) == 4
    prose = doc.new_page(width=500, height=400)
    sentence = "The quick brown fox jumps over the lazy dog and keeps on running far away."
    for i in range(10):
        prose.insert_text((50, 60 + 14 * i), sentence, fontsize=10)
    assert grid_rows(prose.get_text("words")) == 0
    # two columns of prose: one wide gap per line, not a grid
    columns = doc.new_page(width=600, height=400)
    for i in range(10):
        columns.insert_text((40, 60 + 14 * i), "left column words run on here", fontsize=10)
        columns.insert_text((320, 60 + 14 * i), "right column words run on here", fontsize=10)
    assert grid_rows(columns.get_text("words")) == 0
    assert grid_rows([]) == 0


def column_ruled_page(rows: list[tuple[str, ...]], wrap: dict[int, str]) -> pymupdf.Page:
    """A table with rules around its columns and under its header but none between its body
    rows (PyMuPDF sees the body as one tall row); ``wrap``: a second line of a row's label."""
    doc = pymupdf.open()
    page = doc.new_page(width=500, height=400)
    x, top, line = [40, 240, 340, 420], 40, 14
    ys = [top + 22]
    for i in range(1, len(rows)):
        ys.append(ys[-1] + line * (2 if i - 1 in wrap else 1))
    bottom = ys[-1] + 6
    for xi in x:
        page.draw_line((xi, top), (xi, bottom))
    for yi in (top, top + 26, bottom):
        page.draw_line((x[0], yi), (x[-1], yi))
    for i, row in enumerate(rows):
        y = top + 16 if i == 0 else ys[i - 1] + 14
        for j, text in enumerate(row):
            page.insert_text((x[j] + 4, y), text, fontsize=10)
        if i - 1 in wrap:
            page.insert_text((x[0] + 4, y + line), wrap[i - 1], fontsize=10)
    return page


def test_a_body_without_row_rules_is_split_by_its_number_columns_when_a_label_wraps() -> None:
    rows = [("Category", "Shares held", "%"), ("Banks, Financial Institutions, Insurance", "1,39,40,197", "37.05"),
            ("Foreign Companies", "1,21,04,380", "32.17"), ("Public and Others", "59,63,651", "-")]  # fmt: skip
    page = column_ruled_page(rows, wrap={0: "Companies and Mutual Funds"})
    (table,) = page.find_tables(use_layout=False).tables
    grid = table_grid(table, page.get_text("words"))
    assert grid is not None
    assert [list(r) for r in grid.cells] == [
        ["Category", "Shares held", "%"],
        ["Banks, Financial Institutions, Insurance Companies and Mutual Funds", "1,39,40,197", "37.05"],
        ["Foreign Companies", "1,21,04,380", "32.17"],
        ["Public and Others", "59,63,651", "-"],
    ]
    assert grid.boxes[2][2] is not None and grid.boxes[2][2][1] > grid.boxes[1][2][3] - 1  # each row has its own box


def test_a_tall_row_whose_other_columns_are_not_numbers_is_not_split() -> None:
    rows = [("Item", "Notes", "Owner"), ("Pumps", "checked weekly", "ops team")]
    page = column_ruled_page(rows, wrap={0: "and valves"})
    (table,) = page.find_tables(use_layout=False).tables
    grid = table_grid(table, page.get_text("words"))
    assert grid is not None and [list(r) for r in grid.cells][-1] == ["Pumps and valves", "checked weekly", "ops team"]
