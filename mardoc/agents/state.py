"""Typed graph state, the runtime context, and the structured outputs of each agent."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mardoc.memory import EvidenceMemory
from mardoc.models import ChatModel
from mardoc.retrieval import Retriever
from mardoc.settings import Settings
from mardoc.types import Answer, Chunk, coerce_format


@dataclass
class AgentDeps:
    """What nodes need, passed through LangGraph's runtime context (never globals)."""

    retriever: Retriever
    chat: ChatModel
    settings: Settings
    doc_names: dict[str, str]  # doc_id -> file name, for the documents in scope
    doc_paths: dict[str, str]  # doc_id -> PDF path (for page renders)


def bounded(chars: int) -> Any:
    """A string field whose JSON schema bounds its length (``maxLength``): a grammar-constrained
    model must close it in time; what an unconstrained backend writes is still accepted."""
    return Field("", json_schema_extra={"maxLength": chars})


def few(items: int) -> Any:
    """A list field whose JSON schema bounds its length (``maxItems``), schema only as above."""
    return Field(default_factory=list, json_schema_extra={"maxItems": items})


class Action(BaseModel):
    tool: Literal["search", "open_page", "get_figure", "get_table", "neighbours"] = "search"
    query: str = bounded(200)
    kinds: list[Literal["block", "page", "figure", "table"]] = Field(default_factory=list)
    doc: str = ""
    page: int = 0
    id: str = ""


MAX_PLAN_ACTIONS = 3  # what the Explorer prompt asks for; the grammar allows no more


class ExplorerPlan(BaseModel):
    actions: list[Action] = Field(max_length=MAX_PLAN_ACTIONS)


class Fact(BaseModel):
    statement: str = Field(json_schema_extra={"maxLength": 300})
    source: str = Field(json_schema_extra={"maxLength": 24})  # "O3.2", "O3.2-O3.4", or "O3" with a quote
    quote: str = bounded(300)  # optional verbatim words; the cited lines are the quote when absent


class Step(BaseModel):
    inference: str = bounded(300)
    uses: list[str] = few(6)
    conclusion: str = bounded(300)


class RefinerOutput(BaseModel):
    facts: list[Fact] = Field(json_schema_extra={"maxItems": 10})
    steps: list[Step] = few(3)
    gaps: list[str] = few(3)


class PageRef(BaseModel):
    doc: str = ""
    page: int = 0


class Reflection(BaseModel):
    verdict: Literal["sufficient", "insufficient", "unanswerable"]
    feedback: str = bounded(300)
    queries: list[str] = few(2)
    pages: list[PageRef] = few(2)


ANSWER_CHARS = 400  # the grammar closes a longer answer: a small model can ramble to its token limit
SHORT_CHARS = 200
MAX_CITED = 6  # cited items: a small model otherwise repeats [1, 2, 3, ...] until its token limit


class _AnswerFields(BaseModel):
    """What every answering call returns: the answer, its short typed form and format.

    The length bounds are in the JSON schema only (``maxLength``), so a grammar-constrained
    backend must close the strings in time and the reply fits its token budget; a longer
    reply from an unconstrained backend is still accepted.
    """

    model_config = ConfigDict(json_schema_extra={"required": ["answer", "short_answer", "format"]})

    answer: str = Field("", json_schema_extra={"maxLength": ANSWER_CHARS})
    short_answer: str = Field("", json_schema_extra={"maxLength": SHORT_CHARS})
    format: str = "Str"

    @field_validator("format")
    @classmethod
    def _fmt(cls, v: str) -> str:
        return coerce_format(v)


class RagReply(_AnswerFields):
    """The answering call's reply (rag, and the agents' Answerer): cites the numbers of the
    excerpts it was shown."""

    model_config = ConfigDict(json_schema_extra={"required": ["answer", "short_answer", "format", "cited"]})

    cited: list[int] = Field(default_factory=list, json_schema_extra={"maxItems": MAX_CITED})


class AgentState(TypedDict, total=False):
    """The graph's state. Counters and the trace have reducers: a node returns only what it
    adds (``{"calls": 1}``); a new turn resets them with :class:`langgraph.types.Overwrite`."""

    question: str  # the question this turn works on (a follow-up: its standalone rewrite)
    asked: str  # the words the person typed
    history: list[tuple[str, str]]  # earlier turns of the thread: (question, answer)
    docs: list[str] | None
    round: int
    max_rounds: int
    memory: EvidenceMemory
    feedback: str
    queries: list[str]
    open_pages: list[PageRef]
    observations: list[Chunk]  # this round's new chunks, for the Refiner
    seen: list[str]  # chunk ids already shown to the Refiner in this thread
    pages_ranked: list[tuple[str, int]]  # (doc_id, page) in first-seen retrieval order
    given_pages: list[tuple[str, int]] | None  # oracle mode: round 1 reads exactly these
    verdict: str
    added: int  # evidence items the last Refiner call admitted (0: the round made no progress)
    calls: Annotated[int, operator.add]
    tokens: Annotated[int, operator.add]
    trace: Annotated[list[dict[str, Any]], operator.add]
    answer: Answer | None


