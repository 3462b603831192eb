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


def recruiters() -> list[OcrLine]:
    return [
        line(0, 40, "Recruiter report for the quarter", width=330),  # a title: not a header row
        line(1, 80, "Profiles"), line(2, 80, "InMails"), line(3, 80, "Response"),
        line(0, 92, "User", width=30), line(1, 92, "Viewed"), line(2, 92, "Sent"), line(3, 92, "Rate (%)"),
        line(0, 110, "Recruiter A", width=70), line(1, 110, "120", 20), line(2, 110, "375", 20), line(3, 110, "12", 14),
        line(0, 128, "Recruiter B", width=70), line(1, 129, "109", 20), line(2, 127, "75", 14), line(3, 128, "33", 14),
        line(0, 170, "Answer: B", width=60),
    ]  # fmt: skip


def test_ocr_lines_in_columns_become_a_table_with_a_stacked_header() -> None:
    (region,) = picture_tables(recruiters())
    grid = region.table
    assert grid is not None and grid.header_rows == 2
    assert column_titles(grid) == ["User", "Profiles Viewed", "InMails Sent", "Response Rate (%)"]
    assert grid.cells[2:] == (("Recruiter A", "120", "375", "12"), ("Recruiter B", "109", "75", "33"))
    assert grid.box(3, 1) == (200.0, 129, 220.0, 139)  # each cell keeps its line's box
    assert region.bbox[1] == 80  # the title above is not part of it


def test_a_line_bridging_two_columns_makes_no_table() -> None:
    lines = [ln for ln in recruiters() if ln[1] not in ("Recruiter A", "120")]
    lines.append(((60.0, 110, 220.0, 120), "Recruiter A 120", 0.99))  # OCR read two cells as one line
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
