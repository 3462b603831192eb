"""PDFs built in the test with PyMuPDF: layouts the parser must read as a person does."""

from __future__ import annotations

from pathlib import Path

import pymupdf

WIDTH, HEIGHT = 595, 842  # A4 in points


def picture(seed: int, w: int = 60, h: int = 40) -> pymupdf.Pixmap:
    """A small RGB picture whose pixels (and so its content digest) depend on ``seed``."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, w, h), False)
    pix.set_rect(pix.irect, ((seed * 53) % 256, (seed * 97) % 256, (seed * 31) % 256))
    pix.set_rect(pymupdf.IRect(0, 0, w // (2 + seed % 3), h // 2), (255 - seed, 20, 200))
    return pix


def spaced(page: pymupdf.Page, x: float, y: float, words: list[str], size: float, tracking: float) -> None:
    """Letter-spaced words: each letter placed on its own, ``tracking`` points apart."""
    font = pymupdf.Font("helv")
    for word in words:
        for ch in word:
            page.insert_text((x, y), ch, fontsize=size, fontname="helv")
            x += font.text_length(ch, size) + tracking
        x += font.text_length(" ", size)


def centred(page: pymupdf.Page, cx: float, y: float, text: str, size: float) -> None:
    w = pymupdf.get_text_length(text, fontsize=size)
    page.insert_text((cx - w / 2, y), text, fontsize=size)


def picture_grid(path: Path, labels: list[tuple[str, str]], title: str = "WHEELS") -> Path:
    """A brochure page: a letter-spaced title under a 3x3 grid of photos, each with a
    two-line centred label below. The content stream writes every label's first line,
    then the title, then the second lines (as brochure PDFs do), so stream order is not
    reading order and PyMuPDF gives each line its own block."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=HEIGHT)
    cells = []
    for i in range(9):
        row, col = divmod(i, 3)
        x0, y0 = 60 + col * 170, 140 + row * 220
        rect = pymupdf.Rect(x0, y0, x0 + 140, y0 + 130)
        page.insert_image(rect, pixmap=picture(i + 1))
        cells.append(rect)
    for rect, (first, _) in zip(cells, labels, strict=True):
        centred(page, (rect.x0 + rect.x1) / 2, rect.y1 + 14, first, 9)
    spaced(page, 60, 90, title.split(), 22, 7)
    for rect, (_, second) in zip(cells, labels, strict=True):
        centred(page, (rect.x0 + rect.x1) / 2, rect.y1 + 25, second, 9)
    doc.save(path)
    return path


LOREM = (
    "The {n} paragraph of the {side} column explains one step of the method in plain words "
    "so that a reader can follow it from the top of the column to its bottom."
)


def two_columns(path: Path) -> Path:
    """A paper page: a full-width title, then two columns of three paragraphs each whose
    gaps line up across the gutter. The right column is written first in the stream."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=HEIGHT)
    order = ["first", "second", "third"]
    for side, x0 in (("right", 310), ("left", 50)):
        for i, n in enumerate(order):
            y0 = 120 + i * 120
            page.insert_textbox(
                pymupdf.Rect(x0, y0, x0 + 235, y0 + 100), LOREM.format(n=n, side=side), fontsize=10
            )
    page.insert_text((50, 80), "A Title Across Both Columns", fontsize=18)
    doc.save(path)
    return path


def hyphenated(path: Path) -> Path:
    """One paragraph whose first line ends in a word hyphenated across the line break."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=HEIGHT)
    lines = [
        "The measured through-",
        "put of the new build is twice the old one's, and the",
        "results are reproducible.",
    ]
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + i * 13), line, fontsize=10)
    doc.save(path)
    return path


def tiled_picture(path: Path) -> Path:
    """One 240 x 180 pt picture stored as four abutting tiles, and a caption-less label."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=HEIGHT)
    for i, (dx, dy) in enumerate([(0, 0), (120, 0), (0, 90), (120, 90)]):
        page.insert_image(
            pymupdf.Rect(100 + dx, 100 + dy, 220 + dx, 190 + dy), pixmap=picture(i + 20, 120, 90)
        )
    page.insert_text((150, 340), "Some text well below the picture, not its label.", fontsize=10)
    doc.save(path)
    return path


def logo_on_every_page(path: Path, pages: int = 6) -> Path:
    """A report whose pages each carry the same logo in the corner and one real photo."""
    doc = pymupdf.open()
    logo = picture(99, 80, 60)
    for n in range(pages):
        page = doc.new_page(width=WIDTH, height=HEIGHT)
        page.insert_image(pymupdf.Rect(430, 30, 550, 120), pixmap=logo)
        page.insert_image(pymupdf.Rect(100, 200, 400, 400), pixmap=picture(n + 40, 90, 60))
        page.insert_text((100, 430), f"Photo {n + 1} of the plant", fontsize=10)
        page.insert_text(
            (72, 500), f"Page {n + 1} of the report says something about the plant.", fontsize=10
        )
    doc.save(path)
    return path


NAMES = [
    f"{first} {last}"
    for first, last in zip(
        ["Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jon"],
        ["Ames", "Berg", "Cole", "Dunn", "Ekis", "Ford", "Gray", "Holt", "Ives", "Judd"],
        strict=True,
    )
]


def name_list(path: Path, stream: str) -> Path:
    """Ten one-line names under a heading, set in two columns whose lines align row by
    row. ``stream="columns"`` writes the left column, then the right one (a list set in
    two columns); ``"rows"`` writes each row left then right (a form of key / value)."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=HEIGHT)
    page.insert_text((72, 80), "Contributors", fontsize=14)
    cells = [(72 + 230 * (i // 5), 120 + 30 * (i % 5), name) for i, name in enumerate(NAMES)]
    if stream == "rows":
        cells.sort(key=lambda c: (c[1], c[0]))
    for x, y, name in cells:
        page.insert_text((x, y), name, fontsize=10)
    doc.save(path)
    return path


def sliced_banner(path: Path, slices: int = 10) -> Path:
    """One 400 x 100 pt picture stored as horizontal slices, each under 1% of the page."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=HEIGHT)
    h = 100 / slices
    for i in range(slices):
        page.insert_image(
            pymupdf.Rect(90, 200 + i * h, 490, 200 + (i + 1) * h), pixmap=picture(i + 60, 200, 5)
        )
    page.insert_text((90, 330), "Text under the banner, more than a label's distance away.", fontsize=10)
    doc.save(path)
    return path
