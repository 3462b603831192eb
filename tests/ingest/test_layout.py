"""Reading order, whole units, normalised text and figure chunks, on PDFs built here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mardoc.ingest.chunker import Chunker
from mardoc.ingest.document import Document
from mardoc.ingest.layout import xy_order
from mardoc.ingest.parser import PdfParser
from mardoc.ingest.text import clean_text, join_lines, letter_spaced
from mardoc.memory import quote_found
from mardoc.settings import IngestSettings
from mardoc.types import Chunk, chunk_from_payload, chunk_to_payload
from tests.ingest import builders

LABELS = [(f"Model {c} {15 + i}-in. alloy", f"finish number {i + 1}") for i, c in enumerate("ABCDEFGHI")]


def parse(path: Path) -> tuple[Document, list[Chunk]]:
    doc = PdfParser(IngestSettings()).parse(path)
    return doc, Chunker().chunk(doc)


def page_lines(chunks: list[Chunk], page: int = 1) -> list[str]:
    (chunk,) = [c for c in chunks if c.kind == "page" and c.page == page]
    return chunk.text.split("\n")


def test_picture_grid_reads_row_by_row_with_whole_labels_and_nine_figures(tmp_path: Path) -> None:
    doc, chunks = parse(builders.picture_grid(tmp_path / "grid.pdf", LABELS, title="CAMRY WHEELS"))
    lines = page_lines(chunks)
    # the title first (closed up), then each label whole, in the grid's row order
    assert lines[0] == "CAMRY WHEELS"
    assert lines[1:] == [f"{a} {b}" for a, b in LABELS]
    figures = [c for c in chunks if c.kind == "figure"]
    assert len(figures) == 9
    for i, (fig, (a, b)) in enumerate(zip(figures, LABELS, strict=True)):
        assert fig.text.startswith(f"[figure {i + 1} of 9 on page 1:")
        assert f"{a} {b}" in fig.text  # the label under the photo, both lines
    # the page chunk records its figures (for code that counts them) and keeps them
    # through the store payload
    (page,) = [c for c in chunks if c.kind == "page"]
    assert [f.label for f in page.figures] == [f"{a} {b}" for a, b in LABELS]
    again = chunk_from_payload(page.id, chunk_to_payload(page))
    assert again.figures == page.figures


def test_two_columns_are_read_column_by_column(tmp_path: Path) -> None:
    _, chunks = parse(builders.two_columns(tmp_path / "cols.pdf"))
    lines = page_lines(chunks)
    assert lines[0] == "A Title Across Both Columns"
    order = [(line.split()[1], line.split()[5]) for line in lines[1:]]
    assert order == [(n, side) for side in ("left", "right") for n in ("first", "second", "third")]


@pytest.mark.parametrize("stream", ["columns", "rows"])
def test_a_text_only_grid_follows_the_stream_columns_or_rows(tmp_path: Path, stream: str) -> None:
    # the same geometry twice: a list set in two columns (the stream writes one column,
    # then the other) is read column by column; a form written row by row, row by row
    # (the grid check and the stream are both needed: the names are one-line cells)
    _, chunks = parse(builders.name_list(tmp_path / f"{stream}.pdf", stream))
    lines = page_lines(chunks)
    assert lines[0] == "Contributors"
    names = builders.NAMES
    # (a row written left then right is one PyMuPDF block, kept whole as a table's row is)
    rows = [f"{a} {b}" for a, b in zip(names[:5], names[5:], strict=True)]
    want = names if stream == "columns" else rows
    assert lines[1:] == want


def test_raster_slices_under_one_percent_become_one_figure(tmp_path: Path) -> None:
    doc, chunks = parse(builders.sliced_banner(tmp_path / "banner.pdf"))
    (region,) = [r for r in doc.pages[0].regions if r.kind == "figure"]
    assert region.bbox == pytest.approx((90, 200, 490, 300), abs=0.5)
    assert len([c for c in chunks if c.kind == "figure"]) == 1


def test_letter_spaced_title_and_hyphenated_break_are_normalised_and_quotable(tmp_path: Path) -> None:
    _, chunks = parse(builders.picture_grid(tmp_path / "grid.pdf", LABELS, title="CAMRY WHEELS"))
    page = next(c for c in chunks if c.kind == "page")
    assert "C A M R Y" not in page.text and quote_found("Camry wheels", page.text)
    _, chunks = parse(builders.hyphenated(tmp_path / "hyph.pdf"))
    (text,) = page_lines(chunks)
    assert (
        text
        == "The measured throughput of the new build is twice the old one's, and the results are reproducible."
    )
    assert quote_found("the measured throughput of the new build is twice the old one's", text)


def test_tiles_of_one_picture_become_one_figure(tmp_path: Path) -> None:
    doc, chunks = parse(builders.tiled_picture(tmp_path / "tiles.pdf"))
    figures = [c for c in chunks if c.kind == "figure"]
    assert len(figures) == 1
    x0, y0, x1, y1 = figures[0].bboxes[0]
    assert (round(x0), round(y0), round(x1), round(y1)) == (100, 100, 340, 280)
    # text 40 pt under it is body text, not its label; a picture without words still
    # gets a chunk saying what is known of it
    assert figures[0].text == "[figure 1 of 1 on page 1: top, 9% of the page, raster image]"
    # the text layer is not read twice by OCR on a sparse page
    assert page_lines(chunks) == ["Some text well below the picture, not its label."]


def test_a_logo_repeated_on_every_page_is_not_a_figure(tmp_path: Path) -> None:
    doc, chunks = parse(builders.logo_on_every_page(tmp_path / "logo.pdf"))
    figures = [c for c in chunks if c.kind == "figure"]
    assert [c.page for c in figures] == [1, 2, 3, 4, 5, 6]  # the photos, one a page
    assert all(f"Photo {c.page} of the plant" in c.text for c in figures)
    for page in doc.pages:
        assert [reason for _, reason in page.skipped] == ["repeated on 6 pages (logo or decoration)"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("C A M R Y W H E E L S", True),
        ("A B C D", True),
        ("1 2 3 4 5", False),  # a row of numbers is not a spaced word
        ("Plan A is a good plan", False),
    ],
)
def test_letter_spaced_lines_are_told_from_ordinary_ones(text: str, want: bool) -> None:
    assert letter_spaced(text) is want


def test_clean_text_spells_ligatures_and_plain_spaces_but_keeps_words() -> None:
    assert clean_text("e\ufb03cient \ufb01nal\u00a0 co\u00adop\u2009x²") == "efficient final coop x²"
    assert join_lines(["well-", "known"]) == "wellknown"  # a hyphen at a line end joins
    assert join_lines(["18-", "in. wheel"]) == "18- in. wheel"  # a number's hyphen is kept
    assert join_lines(["New-", "York"]) == "New- York"  # so is one before a capital


def test_xy_order_rules_on_boxes() -> None:
    # a key/value form: two columns of short fields aligned row by row are read row by row
    form = [(50, y, 120, y + 10) for y in (100, 120, 140)] + [(300, y, 400, y + 10) for y in (100, 120, 140)]
    assert xy_order(list(range(6)), lambda i: form[i]) == [0, 3, 1, 4, 2, 5]
    # the same boxes as multi-line paragraphs (not grid cells) are columns
    assert xy_order(list(range(6)), lambda i: form[i], lambda _: False) == [0, 1, 2, 3, 4, 5]
    # with stream positions: a side written wholly before the other is a column; items
    # without one (figures) leave the grid rule as it is
    assert xy_order(list(range(6)), lambda i: form[i], stream=lambda i: i) == [0, 1, 2, 3, 4, 5]
    assert xy_order(list(range(6)), lambda i: form[i], stream=lambda i: [0, 2, 4, 1, 3, 5][i]) == [
        0,
        3,
        1,
        4,
        2,
        5,
    ]
    assert xy_order(list(range(6)), lambda i: form[i], stream=lambda i: None) == [0, 3, 1, 4, 2, 5]
    # a title across the gutter: the bands under it that share the gutter are regrouped,
    # so the aligned lines of two columns are still read column by column
    page = [(50, 50, 400, 70)] + [(50, y, 200, y + 10) for y in (100, 114, 128)]
    page += [(300, y, 450, y + 10) for y in (100, 114, 128)] + [(50, 160, 450, 170)]
    assert xy_order(list(range(8)), lambda i: page[i], lambda _: False) == list(range(8))
    # overlapping boxes with no gap: top to bottom, then left to right
    tangle = [(0, 10, 100, 30), (50, 0, 150, 20), (0, 25, 60, 40)]
    assert xy_order([0, 1, 2], lambda i: tangle[i]) == [1, 0, 2]
