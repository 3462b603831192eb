"""Domain types shared by every part of mardoc, and the one place their formats are defined.

Ingest produces :class:`Chunk`s, retrieval stores and returns them, the agents read them
and answer with :class:`Answer` and :class:`Citation`. All of them live here so that no
room imports another room's internals to name a value: ingest and retrieval both depend on
this module, not on each other. The store payload codec (:func:`chunk_to_payload` /
:func:`chunk_from_payload`) is the only code that knows how a chunk is laid out in Qdrant.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict

NOT_ANSWERABLE = "Not answerable"  # one sentinel shared by prompts, parsers and scoring

BBox = tuple[float, float, float, float]
ChunkKind = Literal["page", "block", "figure", "table"]

AnswerFormat = Literal["Int", "Float", "Str", "List", "None"]
FORMATS: tuple[str, ...] = ("Int", "Float", "Str", "List", "None")


def coerce_format(value: str) -> str:
    """A model's answer format, or "Str" when it wrote something else."""
    return value if value in FORMATS else "Str"


def point_uuid(key: str) -> str:
    """A deterministic point id (Qdrant wants ints or UUIDs) from a stable key."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mardoc:{key}"))


def chunk_id(doc_id: str, kind: str, page: int, ordinal: int) -> str:
    """The point id of a chunk: deterministic in (document, kind, page, ordinal)."""
    return point_uuid(f"{doc_id}:{kind}:{page}:{ordinal}")


class FigureRef(BaseModel):
    """A figure of a page, as its page chunk records it: where it is and what names it."""

    model_config = ConfigDict(frozen=True)

    bbox: BBox
    caption: str = ""  # a "Figure N"-style caption, when it has one
    label: str = ""  # else the aligned text right under (or over) it
    source: str = ""  # raster | vector | scan (joined with "+" when merged)


class TableGrid(BaseModel):
    """A table as data: every cell's text and box, row by row, its first ``header_rows`` rows
    the header. Cells merged across columns or rows repeat their text (as the table reads)."""

    model_config = ConfigDict(frozen=True)

    cells: tuple[tuple[str, ...], ...]
    boxes: tuple[tuple[BBox | None, ...], ...] = ()  # the cell boxes, same shape as ``cells``
    header_rows: int = 1
    caption: str = ""  # the caption or title printed with the table

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def box(self, row: int, col: int) -> BBox | None:
        try:
            return self.boxes[row][col]
        except IndexError:
            return None


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
    figures: tuple[FigureRef, ...] = ()  # a page chunk's figures, in reading order
    table: TableGrid | None = None  # a table chunk's cells, as data

    def embed_text(self) -> str:
        """What is embedded: the text prefixed by its section path (context for short chunks)."""
        return embed_text(self.kind, self.section, self.text)


def embed_text(kind: str, section: str, text: str) -> str:
    """The text a chunk is embedded from (also for chunks read back from a store payload)."""
    if section and kind != "page":
        return f"{section}\n{text}"
    return text


# -- the store payload codec ---------------------------------------------------------------


def chunk_to_payload(chunk: Chunk) -> dict[str, Any]:
    """A chunk as its store payload (JSON-safe: tuples become lists; the id is the point's)."""
    payload = chunk.model_dump(exclude={"id"})
    payload["bboxes"] = [list(b) for b in chunk.bboxes]
    payload["pages"] = list(chunk.pages)
    payload["figures"] = [{**f.model_dump(), "bbox": list(f.bbox)} for f in chunk.figures]
    if chunk.table is None:
        payload.pop("table", None)
    else:
        payload["table"] = {
            **chunk.table.model_dump(),
            "cells": [list(r) for r in chunk.table.cells],
            "boxes": [[list(b) if b else None for b in r] for r in chunk.table.boxes],
        }
    return payload


def chunk_from_payload(point_id: str, payload: Mapping[str, Any]) -> Chunk:
    """The chunk a stored point holds (extra payload keys are ignored)."""
    data = {k: v for k, v in payload.items() if k in Chunk.model_fields}
    data["id"] = point_id
    data["bboxes"] = tuple(tuple(b) for b in data.get("bboxes", ()))
    data["pages"] = tuple(data.get("pages", (data.get("page", 1),)))
    data["figures"] = tuple(
        FigureRef.model_validate({**f, "bbox": tuple(f["bbox"])}) for f in data.get("figures") or ()
    )
    table = data.get("table")
    if table:
        data["table"] = TableGrid(
            cells=tuple(tuple(r) for r in table.get("cells", ())),
            boxes=tuple(tuple(tuple(b) if b else None for b in r) for r in table.get("boxes", ())),
            header_rows=int(table.get("header_rows", 1)),
            caption=str(table.get("caption", "")),
        )
    return Chunk.model_validate(data)


def payload_embed_text(payload: Mapping[str, Any]) -> str:
    """The text a stored chunk was embedded from, read back from its store payload."""
    return embed_text(str(payload.get("kind", "")), str(payload.get("section") or ""), str(payload["text"]))


# -- what mardoc returns ---------------------------------------------------------------------


class Citation(BaseModel):
    """A place in a document that supports the answer."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    doc_name: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float] | None = None
    quote: str = ""
    chunk_id: str = ""


@with_config(ConfigDict(extra="allow"))
class UsageRecord(TypedDict, total=False):
    """What answering one question cost: LLM calls, tokens, wall-clock seconds, agent rounds."""

    calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    rounds: int


@with_config(ConfigDict(extra="allow"))
class TraceEvent(TypedDict, total=False):
    """One step of answering, as the CLI, the HTML report and a run's predictions show it.

    ``agent`` names the step (explorer, refiner, reflector, tables, answerer, rewriter, rag);
    ``step`` a node's sub-step ("parts", "draft"); ``note`` says what it did in words. Each
    step adds its own keys (the Refiner's ``pages`` with each page's probability, the tables'
    ``queries`` with each query and its rows, ...)."""

    agent: str
    round: int
    step: str
    note: str
    verdict: str
    short: str
    error: str
    cost: dict[str, int]
    lookup: str  # the table step: the cells code looked up or picked
    count: dict[str, Any]  # the table step: what the document's inventory counted
    queries: list[dict[str, Any]]  # the table step: each query run, with its error or rows


@with_config(ConfigDict(extra="allow"))
class MemoryRecord(TypedDict, total=False):
    """The evidence memory after a question (:class:`mardoc.memory.EvidenceMemory`, dumped)."""

    evidence: list[dict[str, Any]]
    rejected: int


class Answer(BaseModel):
    """The result of :meth:`mardoc.Library.ask`."""

    question: str
    text: str
    short: str = Field(description="Short typed answer for scoring, or 'Not answerable'.")
    format: AnswerFormat = "Str"
    citations: list[Citation] = Field(default_factory=list)
    mode: str = "agents"
    memory: MemoryRecord = Field(default_factory=lambda: MemoryRecord())
    trace: list[TraceEvent] = Field(default_factory=list)
    usage: UsageRecord = Field(default_factory=lambda: UsageRecord())
    pages_retrieved: list[tuple[str, int]] = Field(default_factory=list)
    error: str = ""

    @property
    def answerable(self) -> bool:
        return self.short.strip().lower() != NOT_ANSWERABLE.lower()

    def pages(self) -> list[tuple[str, int]]:
        seen: list[tuple[str, int]] = []
        for c in self.citations:
            if (c.doc_name, c.page) not in seen:
                seen.append((c.doc_name, c.page))
        return seen
