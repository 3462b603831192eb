"""Opening a PDF at the boundary: every refusal is one line naming the problem and its remedy."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from mardoc.errors import DocumentError, LimitExceededError
from mardoc.files import sha256_file
from mardoc.settings import IngestSettings

__all__ = ["open_pdf", "sha256_file"]

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def open_pdf(path: Path, settings: IngestSettings) -> pymupdf.Document:
    """Open and validate a PDF; raise DocumentError with a one-line reason and remedy."""
    if not path.exists():
        raise DocumentError(f"{path}: file not found")
    if path.is_dir():
        raise DocumentError(f"{path}: is a folder, not a PDF")
    if path.stat().st_size == 0:
        raise DocumentError(f"{path}: file is empty")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise DocumentError(f"{path}: not a PDF (no %PDF header); convert it to PDF first")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:
        raise DocumentError(f"{path}: corrupt PDF that could not be repaired ({exc})") from exc
    if doc.needs_pass:
        doc.close()
        raise DocumentError(f"{path}: PDF is encrypted; decrypt it first (e.g. qpdf --decrypt)")
    if doc.page_count == 0:
        doc.close()
        raise DocumentError(f"{path}: PDF has no pages (truncated or corrupt download?)")
    if doc.page_count > settings.max_pages:
        n = doc.page_count
        doc.close()
        raise LimitExceededError(
            f"{path}: {n} pages exceed the limit of {settings.max_pages} (raise MARDOC_INGEST__MAX_PAGES)"
        )
    return doc
