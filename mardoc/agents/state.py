"""Typed graph state, the runtime context, and the structured outputs of each agent."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field, field_validator

from mardoc.answer import coerce_format
from mardoc.memory import EvidenceMemory
from mardoc.models.protocols import ChatModel
from mardoc.retrieval.retriever import Retriever
from mardoc.settings import Settings


@dataclass
class AgentDeps:
    """What nodes need, passed through LangGraph's runtime context (never globals)."""

    retriever: Retriever
    chat: ChatModel
    settings: Settings
    doc_names: dict[str, str]  # doc_id -> file name, for the documents in scope
    doc_paths: dict[str, str]  # doc_id -> PDF path (for page renders)
    on_event: Any = None  # callable(dict) for live display


class AgentState(TypedDict, total=False):
    question: str
    docs: list[str] | None
    round: int
    max_rounds: int
    memory: EvidenceMemory
    feedback: str
    queries: list[str]
    open_pages: list[dict[str, Any]]
    observations: list[dict[str, Any]]  # this round's chunks (payload dicts), for the Refiner
    seen: list[str]  # chunk ids already shown to the Refiner in this thread
    pages_ranked: list[list[Any]]  # [doc_id, page] in first-seen retrieval order
    verdict: str
    calls: int
    tokens: int
    trace: Annotated[list[dict[str, Any]], operator.add]
    answer: dict[str, Any] | None


class Action(BaseModel):
    tool: Literal["search", "open_page", "get_figure", "get_table", "neighbours"] = "search"
    query: str = ""
    kinds: list[Literal["block", "page", "figure", "table"]] = Field(default_factory=list)
    doc: str = ""
    page: int = 0
    id: str = ""


class ExplorerPlan(BaseModel):
    actions: list[Action] = Field(max_length=6)


class Fact(BaseModel):
    statement: str
    source: str  # the cited line(s): "O3.2", a range "O3.2-O3.4", or just "O3" with a quote
    quote: str = ""  # optional verbatim words; the cited lines are the quote when absent


class Step(BaseModel):
    inference: str = ""
    uses: list[str] = Field(default_factory=list)
    conclusion: str = ""


class RefinerOutput(BaseModel):
    facts: list[Fact]
    steps: list[Step] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)


class PageRef(BaseModel):
    doc: str = ""
    page: int = 0


class Reflection(BaseModel):
    verdict: Literal["sufficient", "insufficient", "unanswerable"]
    feedback: str = ""
    queries: list[str] = Field(default_factory=list)
    pages: list[PageRef] = Field(default_factory=list)


class FinalAnswer(BaseModel):
    answer: str = ""
    short_answer: str = ""
    format: str = "Str"
    evidence: list[str] = Field(default_factory=list)

    @field_validator("format")
    @classmethod
    def _fmt(cls, v: str) -> str:
        return coerce_format(v)
