"""Real PyMuPDF on real PDFs from the shared dev set and the bundled example."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pymupdf
import pytest

from mardoc.errors import DocumentError, LimitExceededError
from mardoc.ingest.chunker import Chunker
from mardoc.ingest.document import Document
from mardoc.ingest.parser import PdfParser
from mardoc.settings import IngestSettings
from mardoc.types import Chunk
from tests.conftest import DEMO_PDF, dev_pdf


def pages_of(name: str, first: int, last: int, out: Path) -> Path:
    """Pages first..last (1-based) of a dev PDF, saved as ``out``."""
    src = pymupdf.open(dev_pdf(name))
    part = pymupdf.open()
    part.insert_pdf(src, from_page=first - 1, to_page=last - 1)
    part.save(out)
    return out


def parse(path: Path, tmp_path: Path, **kw) -> tuple[Document, list[Chunk]]:  # noqa: ANN003
    doc = PdfParser(IngestSettings(**kw), tmp_path / "crops").parse(path)
    return doc, Chunker().chunk(doc)


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_example_spec_sections_pages_and_headers(tmp_path: Path) -> None:
    doc, chunks = parse(DEMO_PDF, tmp_path)
    assert doc.page_count == 17 and len(doc.doc_id) == 64
    assert [p.number for p in doc.pages] == list(range(1, 18))
    kinds = Counter(c.kind for c in chunks)
    assert kinds["page"] == 17 and kinds["block"] > 17
    # the outline drives the section tree
    assert any(h.title.startswith("2.4. The glob files") for h in doc.headings)
    glob = [c for c in chunks if c.kind == "block" and "default weight value is" in c.text]
    assert glob and glob[0].page == 4 and "2.2. The source XML files" in glob[0].section
    # the running header "Shared MIME-info Database" is kept out of passages
    header_pages = sum(any(b.role == "header" for b in p.blocks) for p in doc.pages)
    assert header_pages >= 10
    # (page 1 holds the same words as its title, which is body text there)
    assert not any(
        c.text.startswith("Shared MIME-info Database") for c in chunks if c.kind == "block" and c.page > 1
    )
    # ids are stable across runs
    _, again = parse(DEMO_PDF, tmp_path)
    assert [c.id for c in again] == [c.id for c in chunks]


@pytest.mark.slow  # a dev PDF through OCR and the layout model
def test_paper_has_caption_on_figure_and_table_rows(tmp_path: Path) -> None:
    doc, chunks = parse(dev_pdf("2303.05039v2.pdf"), tmp_path)
    figures = [c for c in chunks if c.kind == "figure"]
    tables = [c for c in chunks if c.kind == "table"]
    assert any(
        # (after the note line that opens every figure chunk)
        c.text.startswith("[figure ") and "\nFigure 1: The overall structure of our model" in c.text and c.page == 5
        for c in figures
    )
    assert all(Path(c.image_path).is_file() for c in figures + tables)
    t3 = [c for c in tables if c.text.startswith("Table 3")]
    assert t3 and "|" in t3[0].text and "Amazon" in t3[0].text


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_10k_financial_table_row(tmp_path: Path) -> None:
    out = pages_of("3M_2018_10K.pdf", 1, 25, tmp_path / "10k-head.pdf")
    doc, chunks = parse(out, tmp_path)
    tables = [c for c in chunks if c.kind == "table"]
    assert len(tables) >= 3
    assert all(c.text.count("|") > 6 for c in tables)
    assert all(1 <= c.page <= 25 for c in chunks)


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_scanned_page_is_ocrd(tmp_path: Path) -> None:
    # Render a real text page to an image-only PDF: no text layer, so it must be OCR'd.
    src = pymupdf.open(DEMO_PDF)
    pix = src[3].get_pixmap(dpi=150)
    scan = pymupdf.open()
    page = scan.new_page(width=src[3].rect.width, height=src[3].rect.height)
    page.insert_image(page.rect, pixmap=pix)
    out = tmp_path / "scan.pdf"
    scan.save(out)
    doc, chunks = parse(out, tmp_path)
    assert not doc.pages[0].has_text_layer and doc.pages[0].ocr
    text = " ".join(c.text for c in chunks if c.kind == "page").lower()
    assert "glob" in text and "weight" in text
    assert all(c.ocr for c in chunks)
    assert not doc.pages[0].regions  # a page of text holds no figure, scanned or not


@pytest.mark.slow  # a dev PDF through OCR and the layout model
def test_slide_deck_without_text_layer_gets_ocr_text(tmp_path: Path) -> None:
    out = pages_of("ddoseattle-150627210357-lva1-app6891_95.pdf", 1, 2, tmp_path / "deck.pdf")
    doc, chunks = parse(out, tmp_path)
    assert all(p.ocr for p in doc.pages)
    assert sum(len(c.text) for c in chunks if c.kind == "page") > 40


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not a PDF"),
        (b"%PDF-1.4\n garbage", "corrupt|no pages"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(content)
    with pytest.raises(DocumentError, match=message) as info:
        PdfParser(IngestSettings()).parse(bad)
    assert "\n" not in str(info.value)


def test_missing_encrypted_and_too_long(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="not found"):
        PdfParser(IngestSettings()).parse(tmp_path / "nope.pdf")
    doc = pymupdf.open(DEMO_PDF)
    enc = tmp_path / "enc.pdf"
    doc.save(enc, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
    with pytest.raises(DocumentError, match="encrypted"):
        PdfParser(IngestSettings()).parse(enc)
    with pytest.raises(LimitExceededError, match="MAX_PAGES"):
        PdfParser(IngestSettings(max_pages=5)).parse(DEMO_PDF)


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_parallel_parse_equals_in_process_parse(tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    parallel = PdfParser(IngestSettings(parse_workers=2), tmp_path / "a")
    try:
        assert parallel._workers(17) == 2  # the 17-page example really takes the worker path
        many = parallel.parse(DEMO_PDF, progress=lambda d, t: progress.append((d, t)))
    finally:
        parallel.close()
    one = PdfParser(IngestSettings(parse_workers=1), tmp_path / "a").parse(DEMO_PDF)
    assert asdict(many) == asdict(one)
    assert [p.number for p in many.pages] == list(range(1, 18))
    assert progress[-1] == (17, 17) and len(progress) == 3  # one report per 8-page task


def test_unruled_tables_of_a_data_sheet_are_found(tmp_path: Path) -> None:
    # a scanned data sheet with a text layer and no ruling lines: the tables are found by
    # the grid-row gate, not by the ruling-line one
    doc, chunks = parse(pages_of("DSA-278777.pdf", 3, 3, tmp_path / "dsa-p3.pdf"), tmp_path)
    tables = [c for c in chunks if c.kind == "table"]
    assert tables and any("40-Pin" in c.text and c.text.count("|") > 20 for c in tables)


def test_stage_clock_counts_every_page(tmp_path: Path) -> None:
    parser = PdfParser(IngestSettings(), tmp_path / "crops")
    doc = parser.parse(DEMO_PDF)
    pages = len(doc.pages)
    assert parser.stage_pages["text"] == parser.stage_pages["figures"] == pages
    # every page is either sent to the table finder or stopped by its gate
    assert parser.stage_pages["table finder"] + parser.stage_pages["table gate"] == pages
    assert set(parser.stage_seconds) == set(parser.stage_pages)
    assert all(s >= 0 for s in parser.stage_seconds.values())


def _boxes_overlap(a: tuple, b: tuple) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0) / ((b[2] - b[0]) * (b[3] - b[1]))


@pytest.mark.slow  # dev PDFs through OCR and the layout model
@pytest.mark.parametrize(
    ("name", "page", "figure"),
    [
        # a scanned data sheet with a text layer: the waveform diagram under its timing table
        ("DSA-278777.pdf", 12, (40, 250, 420, 380)),
        # a slide deck without a text layer (OCR'd): the load-average chart
        ("ddoseattle-150627210357-lva1-app6891_95.pdf", 10, (70, 150, 700, 420)),
    ],
)
def test_figures_on_scanned_pages_are_found(tmp_path: Path, name: str, page: int, figure: tuple) -> None:
    doc, chunks = parse(pages_of(name, page, page, tmp_path / "one.pdf"), tmp_path)
    figures = [r for r in doc.pages[0].regions if r.kind == "figure"]
    assert len(figures) == 1 and _boxes_overlap(figures[0].bbox, figure) > 0.8
    assert any(c.kind == "figure" and Path(c.image_path).is_file() for c in chunks)
