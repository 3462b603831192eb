"""Tables kept as data at ingest (real PyMuPDF on drawn PDFs), the inventory of a built
report, and the lookup by code over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mardoc.ingest.chunker import Chunker
from mardoc.ingest.parser import PdfParser
from mardoc.settings import IngestSettings
from mardoc.tables import column_titles, count_answer, inventory, read_question, run_select, sql_tables
from mardoc.tables.lookups import lookup
from mardoc.types import Chunk, chunk_from_payload, chunk_to_payload
from tests.tables.builders import report_with_appendix, table_pdf


def chunks_of(path: Path, tmp_path: Path) -> tuple[list[Chunk], object]:
    doc = PdfParser(IngestSettings(parse_workers=1), tmp_path / "crops").parse(path)
    return Chunker().chunk(doc), doc


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_a_table_is_kept_as_cells_with_a_joined_two_row_header(tmp_path: Path, ruled: bool) -> None:
    chunks, _ = chunks_of(table_pdf(tmp_path / "t.pdf", ruled), tmp_path)
    (table,) = [c for c in chunks if c.kind == "table"]
    grid = table.table
    assert grid is not None and grid.header_rows == 2
    titles = column_titles(grid)
    assert titles[0] == "Segment" and titles[1] == "Revenue 2019" and titles[3] == "Margin (%)"
    assert titles[2].endswith("2020")  # "Revenue 2020" where the spanning cell is ruled as one
    assert grid.caption == "Table 1: Segment results (in thousands)"
    assert [r[0] for r in grid.cells[2:]] == ["Consumer", "Industrial", "Health Care"]
    assert all(box is not None for row in grid.boxes for box in row)
    (t,) = sql_tables([table])
    assert t.rows == [["Consumer", 1204.0, 1310.0, 12.5], ["Industrial", 2518.0, -1020.0, 8.1],
                      ["Health Care", None, 3402.0, 15.0]]  # fmt: skip
    assert t.numeric == [False, True, True, True] and t.scale == 1000.0
    # the markdown a reader sees has the joined header too
    assert table.text.splitlines()[1].startswith("| Segment | Revenue 2019 |")


def test_the_grid_survives_the_store_payload(tmp_path: Path) -> None:
    chunks, _ = chunks_of(table_pdf(tmp_path / "t.pdf", True), tmp_path)
    (table,) = [c for c in chunks if c.kind == "table"]
    back = chunk_from_payload(table.id, chunk_to_payload(table))
    assert back == table and back.table is not None and back.table.cells == table.table.cells  # type: ignore[union-attr]


def test_a_cell_is_looked_up_by_its_row_and_column_words(tmp_path: Path) -> None:
    chunks, _ = chunks_of(table_pdf(tmp_path / "t.pdf", True), tmp_path)
    tables = sql_tables([c for c in chunks if c.kind == "table"])
    hit = lookup(read_question("What was the revenue of the Industrial segment in 2020?"), tables)
    assert hit is not None and hit.value == "(1,020)" and hit.row == 1 and hit.col == 2
    assert lookup(read_question("What was the margin of Health Care?"), tables).value == "15.0%"  # type: ignore[union-attr]
    # not a single-value question, or no row named: no lookup
    assert lookup(read_question("Which segment had the highest margin?"), tables) is None
    assert lookup(read_question("What was the revenue of the Retail segment in 2020?"), tables) is None
    r = run_select("SELECT segment FROM t1 ORDER BY margin DESC LIMIT 1", tables)
    assert r.rows == [("Health Care",)]


def test_the_inventory_of_a_report_counts_figures_by_section(tmp_path: Path) -> None:
    chunks, doc = chunks_of(report_with_appendix(tmp_path / "r.pdf"), tmp_path)
    outline = [[h.level, h.title, h.page] for h in doc.headings]  # type: ignore[attr-defined]
    inv = inventory(chunks, 12, outline)
    assert [it.page for it in inv.items if it.kind == "figure"] == [2, 5, 7, 10, 11]
    assert inv.section_pages("appendix") == (9, 12) and inv.section_pages("2 methods") == (4, 5)
    got = count_answer(read_question("How many figures are in the appendix?").count, inv)
    assert got is not None and got.value == 2 and got.pages == [10, 11]
    assert count_answer(read_question("How many figures does the paper contain?").count, inv).value == 5  # type: ignore[union-attr]
    assert count_answer(read_question("How many figures does the paper's Appendix contain?").count, inv).value == 2  # type: ignore[union-attr]
    assert count_answer(read_question("How many tables are in the Appendix?").count, inv).value == 1  # type: ignore[union-attr]
    assert count_answer(read_question("How many figures are in section 2 Methods?").count, inv).value == 1  # type: ignore[union-attr]
    assert count_answer(read_question("How many pages does the report have?").count, inv).value == 12  # type: ignore[union-attr]
    assert count_answer(read_question("How many bar charts are in the appendix?").count, inv).value == 2  # type: ignore[union-attr]
    # not a plain count over the inventory: left to the reader
    for q in ("How many more tables than figures?", "How many tables are sourced from the survey?",
              "How many figures are in the glossary?", "How many people answered the survey?"):  # fmt: skip
        asked = read_question(q).count
        assert asked is None or count_answer(asked, inv) is None, q


def test_a_total_or_a_difference_of_named_cells_is_computed_by_code(tmp_path: Path) -> None:
    from mardoc.tables.totals import combine

    chunks, _ = chunks_of(table_pdf(tmp_path / "t.pdf", True), tmp_path)
    tables = sql_tables([c for c in chunks if c.kind == "table"])
    total = combine(read_question("What is the total revenue of Consumer in 2019 and 2020?"), tables)
    assert total is not None and total.op == "sum" and total.value == 1204 + 1310
    assert [(c.row, c.col) for c in total.cells] == [(0, 1), (0, 2)]
    diff = combine(read_question("How much higher was the 2020 revenue of Health Care than that of Consumer?"), tables)
    assert diff is not None and diff.op == "difference" and diff.value == 3402 - 1310
    # no total or difference asked, or the cells are not clear: nothing computed
    assert combine(read_question("What was the revenue of Consumer in 2019?"), tables) is None
    assert combine(read_question("What is the total of everything?"), tables) is None
