"""Tables in pictures: OCR lines laid out as a grid become a table as data (and, on a real
scanned PDF, real RapidOCR finds the lines)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from mardoc.ingest.parser import PdfParser
from mardoc.ingest.picture_tables import OcrLine, picture_tables
from mardoc.settings import IngestSettings
from mardoc.tables import column_titles, sql_tables
from mardoc.types import Chunk

COLS = [60.0, 200.0, 280.0, 360.0]  # left edges of the columns


def line(col: int, y: float, text: str, width: float = 40.0) -> OcrLine:
    x0 = COLS[col]
    return ((x0, y, x0 + width, y + 10), text, 0.99)


def depots() -> list[OcrLine]:
    return [
        line(0, 40, "Depot report for the quarter", width=330),  # a title: not a header row
        line(1, 80, "Parcels"), line(2, 80, "Vans"), line(3, 80, "Late"),
        line(0, 92, "Site", width=30), line(1, 92, "Sorted"), line(2, 92, "Loaded"), line(3, 92, "Rate (%)"),
        line(0, 110, "Depot A", width=70), line(1, 110, "240", 20), line(2, 110, "580", 20), line(3, 110, "17", 14),
        line(0, 128, "Depot B", width=70), line(1, 129, "223", 20), line(2, 127, "61", 14), line(3, 128, "19", 14),
        line(0, 170, "Answer: B", width=60),
    ]  # fmt: skip


def test_ocr_lines_in_columns_become_a_table_with_a_stacked_header() -> None:
    (region,) = picture_tables(depots())
    grid = region.table
    assert grid is not None and grid.header_rows == 2
    assert column_titles(grid) == ["Site", "Parcels Sorted", "Vans Loaded", "Late Rate (%)"]
    assert grid.cells[2:] == (("Depot A", "240", "580", "17"), ("Depot B", "223", "61", "19"))
    assert grid.box(3, 1) == (200.0, 129, 220.0, 139)  # each cell keeps its line's box
    assert region.bbox[1] == 80  # the title above is not part of it


def test_a_line_bridging_two_columns_makes_no_table() -> None:
    lines = [ln for ln in depots() if ln[1] not in ("Depot A", "240")]
    lines.append(((60.0, 110, 220.0, 120), "Depot A 240", 0.99))  # OCR read two cells as one line
    assert picture_tables(lines) == []


def test_rows_of_words_without_numbers_make_no_table() -> None:
    lines = [line(j, 100 + 14 * i, f"word{i}{j}") for i in range(4) for j in range(4)]
    assert picture_tables(lines) == []


def scanned_table(path: Path) -> Path:
    """A table drawn as text, rendered to pixels and put on a page with no text layer."""
    src = pymupdf.open()
    page = src.new_page(width=595, height=842)
    rows = [["Region", "Staff", "Sites", "Revenue"], ["Europe", "1,200", "14", "310"],
            ["Asia", "860", "9", "275"], ["Americas", "1,530", "21", "402"]]  # fmt: skip
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            page.insert_text((80 + 120 * j, 120 + 30 * i), text, fontsize=14, fontname="helv")
    pix = page.get_pixmap(dpi=150)
    scan = pymupdf.open()
    out = scan.new_page(width=595, height=842)
    out.insert_image(out.rect, pixmap=pix)
    scan.save(path)
    return path


@pytest.mark.slow  # real OCR of a page: seconds
def test_a_scanned_table_is_a_table_chunk_whose_cells_code_can_query(tmp_path: Path) -> None:
    pdf = scanned_table(tmp_path / "scan.pdf")
    doc = PdfParser(IngestSettings(), crops_dir=None).parse(pdf)
    (table,) = [r for r in doc.pages[0].regions if r.kind == "table"]
    assert table.table is not None
    chunk = Chunk(id="t", doc_id="d", doc_name="scan.pdf", kind="table", page=1, pages=(1,), bboxes=(), text="",
                  table=table.table)  # fmt: skip
    (sql,) = sql_tables([chunk])
    assert sql.columns == ["region", "staff", "sites", "revenue"]
    assert [r[0] for r in sql.rows] == ["Europe", "Asia", "Americas"]
    assert [r[1] for r in sql.rows] == [1200, 860, 1530]
