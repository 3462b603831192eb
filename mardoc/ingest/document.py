"""Typed results of parsing: a Document of pages, blocks, figures and tables; and Chunks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

BBox = tuple[float, float, float, float]
ChunkKind = Literal["page", "block", "figure", "table"]
KINDS: tuple[ChunkKind, ...] = ("page", "block", "figure", "table")


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


@dataclass
class Region:
    """A figure or table region with its caption and the text it holds."""

    kind: Literal["figure", "table"]
    bbox: BBox
    caption: str = ""
    text: str = ""  # text inside a figure, or the table as markdown
    image_path: str = ""


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


class Chunk(BaseModel):
    """One retrievable unit: a page, a passage, a figure or a table, tied to its region."""

    model_config = ConfigDict(frozen=True)

    id: str
    doc_id: str
    doc_name: str
    kind: ChunkKind
    page: int  # first 1-based page
    pages: tuple[int, ...]
    bboxes: tuple[BBox, ...]
    section: str = ""
    text: str
    ordinal: int = 0  # position within its page, in reading order
    ocr: bool = False
    image_path: str = ""

    def embed_text(self) -> str:
        """What is embedded: the text prefixed by its section path (context for short chunks)."""
        return embed_text(self.kind, self.section, self.text)


def embed_text(kind: str, section: str, text: str) -> str:
    """The text a chunk is embedded from (also for chunks read back from a store payload)."""
    if section and kind != "page":
        return f"{section}\n{text}"
    return text


def payload_embed_text(payload: Mapping[str, Any]) -> str:
    """The text a stored chunk was embedded from, read back from its store payload."""
    return embed_text(str(payload.get("kind", "")), str(payload.get("section") or ""), str(payload["text"]))
