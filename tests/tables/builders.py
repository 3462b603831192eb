"""PDFs drawn for the table tests: a ruled and an unruled table with a two-row header, and a
12-page report with an outline and an appendix."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from mardoc.tables import SqlTable, sql_tables
from mardoc.types import Chunk, TableGrid


def page_tables(grid: TableGrid, page: int = 1) -> list[SqlTable]:
    """``grid`` as the SQL tables of one table chunk on ``page`` (no PDF)."""
    chunk = Chunk(id="c1", doc_id="d", doc_name="x.pdf", kind="table", page=page, pages=(page,), bboxes=(), text="", table=grid)
    return sql_tables([chunk])


HEADER_TOP = ["Segment", "Revenue", "Revenue", "Margin"]
HEADER_SUB = ["", "2019", "2020", "(%)"]
ROWS = [
    ["Consumer", "$1,204", "$1,310", "12.5%"],
    ["Industrial", "2,518", "(1,020)", "8.1%"],
    ["Health Care", "-", "3,402", "15.0%"],
]


def _table(page: pymupdf.Page, x0: float, y0: float, ruled: bool, col_w: float = 110, row_h: float = 22) -> None:
    rows = [HEADER_TOP, HEADER_SUB, *ROWS]
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            if i == 0 and j == 2:
                continue  # "Revenue" spans the two year columns
            x = x0 + j * col_w + 4
            page.insert_text((x, y0 + i * row_h + 15), text, fontsize=10, fontname="helv")
    if ruled:
        width, height = col_w * 4, row_h * len(rows)
        for i in range(len(rows) + 1):
            page.draw_line((x0, y0 + i * row_h), (x0 + width, y0 + i * row_h))
        for j in range(5):
            top = y0 + row_h if j == 2 else y0  # the spanning header cell has no rule between its columns
            page.draw_line((x0 + j * col_w, top), (x0 + j * col_w, y0 + height))


def table_pdf(path: Path, ruled: bool) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Table 1: Segment results (in thousands)", fontsize=11, fontname="helv")
    _table(page, 60, 100, ruled)
    page.insert_text((60, 300), "The segments are reported as in prior years.", fontsize=10, fontname="helv")
    doc.save(path)
    return path


def report_with_appendix(path: Path) -> Path:
    """12 pages: sections 1-3 (pages 1-8) with 3 figures, an appendix (pages 9-12) with 2
    figures and a table; the outline names the sections."""
    doc = pymupdf.open()
    toc = []
    figures = {2: 1, 5: 1, 7: 1, 10: 1, 11: 1}
    titles = {1: "1 Introduction", 4: "2 Methods", 6: "3 Results", 9: "Appendix"}
    number = 0
    for p in range(1, 13):
        page = doc.new_page(width=595, height=842)
        if p in titles:
            page.insert_text((60, 70), titles[p], fontsize=18, fontname="hebo")
            toc.append([1, titles[p], p])
        page.insert_text((60, 110), f"Body text of page {p} describes the study in plain words.", fontsize=10)
        for _ in range(figures.get(p, 0)):
            number += 1
            rect = pymupdf.Rect(100, 200, 400, 400)
            page.draw_rect(rect, color=(0, 0, 0), fill=(0.2, 0.4, 0.8))
            for k in range(8):  # bars: a vector chart
                page.draw_rect(pymupdf.Rect(120 + 30 * k, 380 - 15 * k, 140 + 30 * k, 395), fill=(0.9, 0.3, 0.1))
            page.insert_text((100, 420), f"Figure {number}: Bar chart of measure {number}", fontsize=10)
        if p == 12:
            page.insert_text((60, 180), "Table A1: Parameters", fontsize=10)
            _table(page, 60, 200, ruled=True)
    doc.set_toc(toc)
    doc.save(path)
    return path


def table_after_text(path: Path) -> Path:
    """Two pages: page 1 speaks of the segments' revenue in words only, page 2 holds the table."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for k, line in enumerate([
        "Segment revenue of the Industrial segment in 2020 is discussed in this review.",
        "The revenue of the Industrial segment in 2020 fell; the revenue of each segment is",
        "reported in the segment table. Industrial segment revenue, 2020: see the table.",
    ]):  # fmt: skip
        page.insert_text((60, 80 + 16 * k), line, fontsize=10, fontname="helv")
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Table 1: Segment results", fontsize=11, fontname="helv")
    _table(page, 60, 100, ruled=True)
    doc.save(path)
    return path


def other_table_then_table(path: Path) -> Path:
    """Two pages: page 1 speaks of the segments' revenue in words over a table of staff by
    region (no revenue in it), page 2 holds the segment table."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for k, line in enumerate([
        "Segment revenue of the Industrial segment in 2020 is discussed in this review.",
        "The revenue of the Industrial segment in 2020 fell; the revenue of each segment is",
        "reported in the segment table. Industrial segment revenue, 2020: see the table.",
        "Table 1: Staff by region",
    ]):  # fmt: skip
        page.insert_text((60, 80 + 16 * k), line, fontsize=10, fontname="helv")
    staff = [["Region", "Staff", "Sites"], ["Europe", "1,200", "14"], ["Asia", "860", "9"], ["Americas", "1,530", "21"]]
    x0, y0, col_w, row_h = 60, 160, 120, 22
    for i, row in enumerate(staff):
        for j, text in enumerate(row):
            page.insert_text((x0 + j * col_w + 4, y0 + i * row_h + 15), text, fontsize=10, fontname="helv")
    for i in range(len(staff) + 1):
        page.draw_line((x0, y0 + i * row_h), (x0 + col_w * 3, y0 + i * row_h))
    for j in range(4):
        page.draw_line((x0 + j * col_w, y0), (x0 + j * col_w, y0 + row_h * len(staff)))
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Table 2: Segment results", fontsize=11, fontname="helv")
    _table(page, 60, 100, ruled=True)
    doc.save(path)
    return path
