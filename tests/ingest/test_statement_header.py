"""A financial statement whose table finder's box starts at the first body row: the header
lines above it ("Year Ended May 31," over the years) are taken in, the title lines over them
kept as the table's caption (its unit), and a caption "Table N:" or a box that already has
its titles is left as it is."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from mardoc import Settings
from mardoc.ingest import Chunker, Document, PdfParser
from mardoc.ingest.aligned import aligned_grid, header_above
from mardoc.tables import column_titles, sql_tables
from mardoc.tables.lookups import label
from tests.conftest import fin_pdf

STUB, SIGNS, NUMBERS = 60, [330, 410, 490], [380, 460, 540]  # number columns right-aligned at these x


def _right(page: pymupdf.Page, x1: float, y: float, text: str) -> None:
    page.insert_text((x1 - pymupdf.get_text_length(text, fontsize=9), y), text, fontsize=9)


def statement(path: Path, caption: str = "") -> tuple[list, tuple[float, float, float, float]]:
    """An income statement as a 10-K prints it; returns the page's words and the box a finder
    that missed the header would give (from the first body row down)."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = 80
    if caption:
        page.insert_text((STUB, y), caption, fontsize=9)
        y += 14
    page.insert_text((200, y), "ACME, INC. CONSOLIDATED STATEMENTS OF INCOME", fontsize=9)
    page.insert_text((250, y + 12), "(In thousands, except per share data)", fontsize=9)
    y += 40
    page.insert_text((440, y), "Year Ended May 31,", fontsize=9)
    for x, year in zip(NUMBERS, ["2018", "2017", "2016"], strict=True):
        _right(page, x, y + 12, year)
    y += 26
    top = y - 9
    rows = [("Revenues", ["36,397", "34,350", "32,376"], True), ("Cost of sales", ["20,441", "19,038", "17,405"], False),
            ("Gross profit", ["15,956", "15,312", "14,971"], False), ("Net income", ["1,933", "4,240", "3,760"], True)]  # fmt: skip
    for name, values, dollar in rows:
        page.insert_text((STUB, y), name, fontsize=9)
        for xs, xn, v in zip(SIGNS, NUMBERS, values, strict=True):
            if dollar:
                page.insert_text((xs, y), "$", fontsize=9)
            _right(page, xn, y, v)
        y += 14
    doc.save(path)
    words = doc[0].get_text("words")
    return words, (STUB - 2, top, NUMBERS[-1] + 2, y)


def test_the_header_lines_above_a_box_that_starts_at_a_body_row_are_taken_in(tmp_path: Path) -> None:
    words, box = statement(tmp_path / "s.pdf")
    above = header_above(words, box)
    assert above.header_lines == 2 and above.bbox[1] < box[1]
    assert "(In thousands" in above.title and "CONSOLIDATED STATEMENTS OF INCOME" in above.title
    grid = aligned_grid(words, above.bbox, above.title, above.header_lines)
    assert grid is not None and grid.header_rows == 2
    assert grid.cells[grid.header_rows][0] == "Revenues"  # the body starts at the first statement line
    years = [next((y for y in ("2018", "2017", "2016") if y in t), "") for t in column_titles(grid)[1:]]
    assert list(dict.fromkeys(y for y in years)) == ["2018", "2017", "2016"]  # every column has its year
    assert all("Year Ended May 31," in t for t in column_titles(grid)[1:])


def test_a_caption_line_is_not_taken_as_a_header(tmp_path: Path) -> None:
    words, box = statement(tmp_path / "s.pdf", caption="Table 4: Results of operations")
    above = header_above(words, box)
    assert not any("Table 4" in c for c in (aligned_grid(words, above.bbox, above.title, above.header_lines).cells[0]))


def test_a_box_that_has_its_titles_is_not_grown(tmp_path: Path) -> None:
    words, box = statement(tmp_path / "s.pdf")
    titled = (box[0], box[1] - 14, box[2], box[3])  # from the years line down
    above = header_above(words, titled)
    assert above.header_lines == 0 and above.bbox == titled


def statement_tables(name: str, page: int) -> list:
    path = fin_pdf(name)
    parser = PdfParser(Settings().ingest)
    with pymupdf.open(path) as pdf:
        parsed = parser.parse_page(pdf[page - 1], "d")
    return sql_tables(Chunker().chunk(Document(doc_id="d", path=str(path), name=name, title="", pages=[parsed])))


@pytest.mark.slow  # parses real 10-K pages (the table finder's layout model): seconds (make test runs it)
@pytest.mark.parametrize(
    ("name", "page", "years", "first", "scale"),
    [
        ("NIKE_2018_10K.pdf", 46, ["2018", "2017", "2016"], "Revenues", 1e6),  # "(In millions" in the stub's header
        ("BLOCK_2020_10K.pdf", 86, ["2020", "2019", "2018"], "Revenue:", 1e3),  # "(In thousands" in the title above
    ],
)
def test_real_statements_get_their_years_and_unit(name: str, page: int, years: list[str], first: str, scale: float) -> None:
    (t,) = statement_tables(name, page)
    number_titles = [title for j, title in enumerate(t.titles) if t.numeric[j]]
    assert [next(y for y in years if y in title) for title in number_titles] == years
    assert label(t, 0) == first and t.scale == scale
