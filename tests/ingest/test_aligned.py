"""Cells rebuilt from the alignment of a table's words, on PDFs built with PyMuPDF: an unruled
statistical table with a header over groups of columns, and a wrapped row label."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from mardoc.ingest.aligned import aligned_grid

COLS = [60, 150, 210, 270, 340, 400, 460]  # left edges: the stub, then two groups of three


def _write(page: pymupdf.Page, x: float, y: float, text: str) -> None:
    page.insert_text((x, y), text, fontsize=9, fontname="helv")


def _centred(page: pymupdf.Page, x0: float, x1: float, y: float, text: str) -> None:
    _write(page, (x0 + x1) / 2 - pymupdf.get_text_length(text, fontsize=9) / 2, y, text)


def statistical_table(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    _centred(page, COLS[1], COLS[3] + 40, 100, "Public")
    _centred(page, COLS[4], COLS[6] + 40, 100, "Private")
    _write(page, COLS[0], 114, "Year")
    for x, head in zip(COLS[1:], ["PK-12", "PK-8", "9-12"] * 2, strict=True):
        _write(page, x, 114, head)
    rows = [("1996", ["51,544", "37,481", "14,062", "5,933", "4,719", "1,213"]),
            ("1997", ["52,071", "37,797", "14,275", "5,944", "4,726", "1,219"]),
            ("Total of all", ["103,615", "75,278", "28,337", "11,877", "9,445", "2,432"])]  # fmt: skip
    y = 128
    for label, values in rows:
        _write(page, COLS[0], y, label)
        for x, v in zip(COLS[1:], values, strict=True):
            _write(page, x, y, v)
        y += 14
    _write(page, COLS[0], y, "years listed")  # the label above, wrapped
    doc.save(path)
    return path


def test_an_unruled_table_is_rebuilt_as_its_reader_reads_it(tmp_path: Path) -> None:
    pdf = statistical_table(tmp_path / "t.pdf")
    with pymupdf.open(pdf) as doc:
        grid = aligned_grid(doc[0].get_text("words"), (50, 85, 520, 180))
    assert grid is not None
    assert grid.cells[1] == ("Year", "PK-12", "PK-8", "9-12", "PK-12", "PK-8", "9-12")
    assert grid.cells[2] == ("1996", "51,544", "37,481", "14,062", "5,933", "4,719", "1,213")
    # the group titles span the three columns under each (one cell, its text in every slot)
    assert grid.cells[0] == ("", "Public", "Public", "Public", "Private", "Private", "Private")
    assert grid.box(0, 1) == grid.box(0, 3) != grid.box(0, 4)
    # a wrapped row label is one cell, and the header is the rows above the first row of numbers
    assert grid.cells[-1][0] == "Total of all years listed" and len(grid.cells) == 5
    assert grid.header_rows == 2


def test_too_few_words_make_no_table(tmp_path: Path) -> None:
    pdf = statistical_table(tmp_path / "t.pdf")
    with pymupdf.open(pdf) as doc:
        assert aligned_grid(doc[0].get_text("words"), (0, 0, 10, 10)) is None
