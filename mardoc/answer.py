"""What mardoc returns: an Answer with page-cited evidence."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NOT_ANSWERABLE = "Not answerable"  # one sentinel shared by prompts, parsers and scoring

AnswerFormat = Literal["Int", "Float", "Str", "List", "None"]
FORMATS = ("Int", "Float", "Str", "List", "None")


def coerce_format(value: str) -> str:
    """A model's answer format, or "Str" when it wrote something else."""
    return value if value in FORMATS else "Str"


class Citation(BaseModel):
    """A place in a document that supports the answer."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    doc_name: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float] | None = None
    quote: str = ""
    chunk_id: str = ""
    evidence_id: str = ""


class Answer(BaseModel):
    """The result of :meth:`mardoc.Library.ask`."""

    question: str
    text: str
    short: str = Field(description="Short typed answer for scoring, or 'Not answerable'.")
    format: AnswerFormat = "Str"
    citations: list[Citation] = Field(default_factory=list)
    mode: str = "agents"
    memory: dict[str, Any] = Field(default_factory=dict)
    trace: list[dict[str, Any]] = Field(default_factory=list)
    usage: dict[str, float] = Field(default_factory=dict)
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
