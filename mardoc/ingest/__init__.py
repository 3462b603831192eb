"""ingest: PDF -> Document (PyMuPDF) -> chunks (page / block / figure / table) -> the index."""

from mardoc.ingest.aligned import aligned_grid
from mardoc.ingest.chunker import Chunker
from mardoc.ingest.describe import MARK as DESCRIPTION_MARK
from mardoc.ingest.describe import DescriptionCache
from mardoc.ingest.document import Document, Page, Region
from mardoc.ingest.geometry import area, inter, merge_rects
from mardoc.ingest.parser import PdfParser
from mardoc.ingest.pdf import open_pdf, sha256_file
from mardoc.ingest.pipeline import STORE_PART, Ingestor, IngestProgress, IngestResult
from mardoc.ingest.reuse import EarlierVectors
from mardoc.ingest.tables import find_tables, table_candidate

__all__ = [
    "aligned_grid",
    "find_tables",
    "table_candidate",
    "DESCRIPTION_MARK",
    "DescriptionCache",
    "EarlierVectors",
    "Chunker",
    "Document",
    "IngestProgress",
    "IngestResult",
    "Ingestor",
    "Page",
    "PdfParser",
    "Region",
    "STORE_PART",
    "area",
    "inter",
    "merge_rects",
    "open_pdf",
    "sha256_file",
]
