"""Printed cells put back together (mardoc/ingest/cells.py), on tables built with PyMuPDF:
a financial statement's dollar columns and two-line column titles, a wrapped row label, and
the wrapped text of a table of text cells; and the lines that must stay rows of their own."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from mardoc.ingest.aligned import aligned_grid


def _write(page: pymupdf.Page, x: float, y: float, text: str) -> None:
    page.insert_text((x, y), text, fontsize=9, fontname="helv")


def _right(page: pymupdf.Page, x1: float, y: float, text: str) -> None:
    _write(page, x1 - pymupdf.get_text_length(text, fontsize=9), y, text)


def _grid(path: Path, bbox: tuple[float, float, float, float]):  # noqa: ANN202
    with pymupdf.open(path) as doc:
        grid = aligned_grid(doc[0].get_text("words"), bbox)
    assert grid is not None
    return grid


def statement(path: Path) -> Path:
    """Two years of a statement: "$" printed apart left of the first and last lines' numbers,
    each year's title on two lines ("March 2," over "2024"), a label wrapped over two lines."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    signs, ends = (300, 400), (370, 470)  # each year: the "$" column, then the number's right edge
    for x1, (month, year) in zip(ends, [("March 2,", "2024"), ("March 4,", "2023")], strict=True):
        _right(page, x1, 100, month)
        _right(page, x1, 112, year)
    lines = [("Revenue", ["$", "1,250", "$", "1,100"]), ("Cost of revenue", ["", "400", "", "380"]),
             ("Common stock, $0.10 par value: 500 shares authorized and", None),
             ("480 shares issued", ["", "12", "", "12"]),
             ("Net income", ["$", "850", "$", "720"])]  # fmt: skip
    y = 130
    for label, values in lines:
        _write(page, 60, y, label)
        if values:
            for k, (sx, x1) in enumerate(zip(signs, ends, strict=True)):
                if values[2 * k]:
                    _write(page, sx, y, values[2 * k])
                _right(page, x1, y, values[2 * k + 1])
        y += 14
    doc.save(path)
    return path


def test_a_statements_dollar_columns_and_two_line_titles_are_its_number_cells(tmp_path: Path) -> None:
    grid = _grid(statement(tmp_path / "s.pdf"), (50, 88, 520, 210))
    assert grid.n_cols == 3  # the stub and one column a year: the "$" columns are gone
    assert grid.cells[0] == ("", "March 2, 2024", "March 4, 2023") and grid.header_rows == 1
    rows = {r[0]: r[1:] for r in grid.cells[1:]}
    assert rows["Revenue"] == ("$ 1,250", "$ 1,100") and rows["Net income"] == ("$ 850", "$ 720")
    assert rows["Cost of revenue"] == ("400", "380")
    # a label wrapped after "and": one row, with the values of its last line
    assert rows["Common stock, $0.10 par value: 500 shares authorized and 480 shares issued"] == ("12", "12")


def headed(path: Path) -> Path:
    """A heading line, a spanning title over two years, and an "Ages" line over age bands:
    lines a reader keeps apart."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    _write(page, 250, 100, "Year ended December 31,")
    _right(page, 300, 112, "2023")
    _right(page, 400, 112, "2022")
    y = 126
    for label, values in [("Current assets", None), ("Cash", ["$", "90", "$", "80"]), ("Ages", None),
                          ("18-29", ["", "14", "", "19"]), ("30-49", ["", "30", "", "31"])]:  # fmt: skip
        _write(page, 60, y, label)
        if values:
            for sx, x1, sign, v in ((240, 300, values[0], values[1]), (340, 400, values[2], values[3])):
                if sign:
                    _write(page, sx, y, sign)
                _right(page, x1, y, v)
        y += 14
    doc.save(path)
    return path


def test_headings_spanning_titles_and_a_line_over_bands_stay_rows_of_their_own(tmp_path: Path) -> None:
    grid = _grid(headed(tmp_path / "h.pdf"), (50, 88, 520, 200))
    labels = [r[0] for r in grid.cells]
    assert "Current assets" in labels and "Cash" in labels  # a heading is not a wrapped label
    assert "Ages" in labels and "18-29" in labels  # the next line starts with a digit, not mid-phrase
    # the title over both years spans them on its own line: not joined into the years' line
    assert grid.cells[0][1:] == ("Year ended December 31,", "Year ended December 31,")
    assert grid.cells[1][1:] == ("2023", "2022")
    assert grid.cells[labels.index("Cash")][1:] == ("$ 90", "$ 80")


def text_table(path: Path) -> Path:
    """A table of text cells whose titles and cells wrap: each row one cell a column."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    xs = (60, 200, 320)
    lines = [["Director", "Category of", "Board meetings"], ["", "directorship", "attended"],
             ["Ms. A. Rao", "Non-Executive", "7"], ["", "& Independent", ""],
             ["Mr. B. Sen", "Executive", "6"]]  # fmt: skip
    for i, cells in enumerate(lines):
        for x, text in zip(xs, cells, strict=True):
            if text:
                _write(page, x, 100 + 12 * i, text)
    doc.save(path)
    return path


def test_wrapped_text_cells_are_one_cell_each(tmp_path: Path) -> None:
    grid = _grid(text_table(tmp_path / "t.pdf"), (50, 88, 520, 170))
    assert grid.cells[0] == ("Director", "Category of directorship", "Board meetings attended")
    assert grid.cells[1] == ("Ms. A. Rao", "Non-Executive & Independent", "7")
    assert grid.cells[2] == ("Mr. B. Sen", "Executive", "6") and len(grid.cells) == 3
