"""Table markdown from a ruled table drawn into a real PDF."""

from __future__ import annotations

import pymupdf

from mardoc.ingest.parser import table_markdown

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
