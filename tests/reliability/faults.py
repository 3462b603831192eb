"""Generators of bad and unusual PDFs (the fault corpus), all made with PyMuPDF or by hand."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from tests.conftest import DEMO_PDF

ZERO_PAGE_PDF = b"""%PDF-1.4
1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj
2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj
trailer <</Root 1 0 R>>
%%EOF
"""


def text_pdf(
    path: Path,
    pages: int,
    text: str = "Lorem ipsum dolor sit amet, page {i} of the report.",
    fontsize: float = 11,
) -> Path:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        body = text.format(i=i + 1) + f" Section {i % 7} discusses item {i * 37 % 101} in detail."
        rc = page.insert_textbox(pymupdf.Rect(40, 200, 560, 800), body, fontsize=fontsize)
        assert rc >= 0, "text does not fit the page"
    doc.save(path)
    return path


def build_corpus(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    files["empty"] = folder / "empty.pdf"
    files["empty"].write_bytes(b"")
    files["zero_pages"] = folder / "zero-pages.pdf"
    files["zero_pages"].write_bytes(ZERO_PAGE_PDF)
    png = pymupdf.open(DEMO_PDF)[0].get_pixmap(dpi=30).tobytes("png")
    files["png"] = folder / "picture.pdf"
    files["png"].write_bytes(png)
    data = DEMO_PDF.read_bytes()
    files["truncated"] = folder / "truncated.pdf"
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["encrypted"] = folder / "encrypted.pdf"
    pymupdf.open(DEMO_PDF).save(
        files["encrypted"], encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="s3cret", owner_pw="s3cret"
    )
    # broken xref: a valid small PDF whose startxref offset points nowhere (repairable)
    good = text_pdf(folder / "_tmp.pdf", 2, "Repairable document page {i} about turbines.")
    raw = good.read_bytes()
    good.unlink()
    cut = raw.rfind(b"startxref")
    files["broken_xref"] = folder / "broken-xref.pdf"
    files["broken_xref"].write_bytes(raw[:cut] + b"startxref\n999999\n%%EOF\n")
    # scanned: a rendered page as an image, no text layer
    src = pymupdf.open(DEMO_PDF)
    scan = pymupdf.open()
    p = scan.new_page(width=src[3].rect.width, height=src[3].rect.height)
    p.insert_image(p.rect, pixmap=src[3].get_pixmap(dpi=120))
    files["scanned"] = folder / "scanned.pdf"
    scan.save(files["scanned"])
    # a 20,000-point-wide page
    huge = pymupdf.open()
    hp = huge.new_page(width=20000, height=1200)
    hp.insert_text((100, 600), "A very wide engineering drawing with label FLANGE-7.", fontsize=40)
    files["huge_page"] = folder / "huge-page.pdf"
    huge.save(files["huge_page"])
    # non-Latin scripts
    nl = pymupdf.open()
    np_ = nl.new_page()
    np_.insert_text((50, 100), "Привет мир: отчёт о продажах за 2023 год.", fontname="china-s", fontsize=12)
    np_.insert_text((50, 140), "Καλημέρα κόσμε: ετήσια έκθεση.", fontname="china-s", fontsize=12)
    np_.insert_text((50, 180), "年度报告：销售额增长百分之十二。", fontname="china-s", fontsize=12)
    files["non_latin"] = folder / "non-latin.pdf"
    nl.save(files["non_latin"])
    files["good"] = folder / "good.pdf"
    files["good"].write_bytes(data)
    files["duplicate"] = folder / "good-copy.pdf"
    files["duplicate"].write_bytes(data)
    return files
