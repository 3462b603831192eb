"""Typed results of parsing: a Document of pages, with their blocks, figures and tables.

These are ingest's own working types; what leaves ingest is a :class:`mardoc.types.Chunk`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mardoc.types import BBox, TableGrid


@dataclass
class TextBlock:
    """A paragraph-like block in reading order, with layout facts."""

    text: str
    bbox: BBox
    font_size: float = 0.0
    bold: bool = False
    ocr: bool = False
    role: str = "body"  # body | heading | caption | header | footer
    level: int = 0  # heading level (1 = top) when role == "heading"
    parts: list[tuple[str, BBox]] = field(default_factory=list)  # texts standing apart on its row


@dataclass
class Region:
    """A figure or table region with its caption and the text it holds."""

    kind: Literal["figure", "table"]
    bbox: BBox
    caption: str = ""
    text: str = ""  # text inside a figure, or the table as markdown
    image_path: str = ""
    label: str = ""  # a figure's label: the aligned text right under (or over) it, when no caption
    source: str = ""  # a figure's origin: raster | vector | scan
    keys: tuple[str, ...] = ()  # what repeats when the same picture recurs (image digests, a place)
    table: TableGrid | None = None  # a table's cells, as data


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    rotation: int
    has_text_layer: bool
    ocr: bool = False
    blocks: list[TextBlock] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    skipped: list[tuple[BBox, str]] = field(default_factory=list)  # pictures not made figures, why


@dataclass
class Heading:
    title: str
    level: int
    page: int


@dataclass
class Document:
    doc_id: str  # content SHA-256 (hex)
    path: str
    name: str
    title: str
    pages: list[Page]
    headings: list[Heading] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)
