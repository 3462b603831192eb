"""ingest: PDF -> Document (PyMuPDF) -> chunks (page / block / figure / table) -> the index."""

from mardoc.ingest.chunker import Chunker
from mardoc.ingest.document import Document, Heading, Page, Region, TextBlock
from mardoc.ingest.parser import PdfParser
from mardoc.ingest.pdf import open_pdf, sha256_file
from mardoc.ingest.pipeline import STORE_PART, Ingestor, IngestProgress, IngestResult

__all__ = [
    "STORE_PART",
    "Chunker",
    "Document",
    "Heading",
    "IngestProgress",
    "IngestResult",
    "Ingestor",
    "Page",
    "PdfParser",
    "Region",
    "TextBlock",
    "open_pdf",
    "sha256_file",
]
