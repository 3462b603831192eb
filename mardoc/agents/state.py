"""Typed graph state, the runtime context, and the structured outputs of each agent."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, NamedTuple, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mardoc.agents.questions import content_words
from mardoc.memory import Evidence, EvidenceMemory
from mardoc.models import ChatModel
from mardoc.retrieval import Retriever
from mardoc.settings import Settings
from mardoc.types import Answer, Chunk, Citation, TraceEvent, coerce_format


class Judged(NamedTuple):
    """The Refiner's judgement of one page: how probable it is that the page states the answer."""

    doc_id: str
    page: int
    p: float
    round: int


def judged_rows(state: Any) -> list[Judged]:
    """The state's judgements as records (a checkpoint stores them as plain lists)."""
    return [Judged(str(d), int(pg), float(p), int(r)) for d, pg, p, r in state.get("judged") or []]


@dataclass
class AgentDeps:
    """What nodes need, passed through LangGraph's runtime context (never globals)."""

    retriever: Retriever
    chat: ChatModel
    settings: Settings
    doc_names: dict[str, str]  # doc_id -> file name, for the documents in scope
    doc_paths: dict[str, str]  # doc_id -> PDF path (for page renders)
    doc_pages: dict[str, int] = field(default_factory=dict)  # doc_id -> page count
    doc_outlines: dict[str, list[list[Any]]] = field(default_factory=dict)  # doc_id -> [[level, title, page]]


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


class SqlReply(BaseModel):
    """The table step's reply: one SELECT over the tables of the pages read ("" for none)."""

    model_config = ConfigDict(json_schema_extra={"required": ["sql"]})

    sql: str = Field("", json_schema_extra={"maxLength": 600})


class RagReply(_AnswerFields):
    """The answering call's reply (rag, and the agents' Answerer): cites the numbers of the
    excerpts it was shown."""

    model_config = ConfigDict(json_schema_extra={"required": ["answer", "short_answer", "format", "cited"]})

    cited: list[int] = Field(default_factory=list, json_schema_extra={"maxItems": MAX_CITED})


@dataclass
class ExcerptAnswer:
    """One answering call over fenced excerpts, checked: citations only of excerpts shown."""

    text: str
    short: str
    format: str
    citations: list[Citation]
    error: str
    shown: int
    dropped: list[int]  # cited excerpt numbers that were not shown
    pictures: list[str] = field(default_factory=list)  # what was sent as pictures ("page 4", "figure p.5")
    picture_note: str = ""  # pictures left out (budget) or refused by the model, and what was done


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
    observations: list[Chunk]  # this round's new chunks, for the Refiner
    pages_ranked: list[tuple[str, int]]  # (doc_id, page) in first-seen retrieval order
    given_pages: list[tuple[str, int]] | None  # oracle mode: round 1 reads exactly these
    pages_read: list[tuple[str, int]]  # pages read whole in this turn (not read again)
    absent: list[str]  # what the question names that the documents never mention
    evidence_from: int  # memory.evidence index where this turn's evidence starts
    judged: list[Judged]  # each page judged this turn, in the order judged
    focus: str  # the part of the question a later round reads for ("" = the whole question)
    table_question: dict[str, Any]  # the question as the table step reads it (mardoc.tables.TableQuestion.trace)
    table_cells: list[Chunk]  # cells that fit the question as well as one another, for the reading call
    verdict: str
    answer_pages: list[tuple[str, int]]  # the pages the answer reads (the Refiner's, from its judgements)
    best_judged: float  # the best probability a page of this turn answers
    calls: Annotated[int, operator.add]
    tokens: Annotated[int, operator.add]
    trace: Annotated[list[TraceEvent], operator.add]
    answer: Answer | None
    table_draft: Answer | None  # the table step's answer (a lookup, a count, a query's result), if any
    draft: ExcerptAnswer | None  # the reading call's draft until verify_draft makes it the answer
    draft_pages: list[tuple[str, int]]  # the pages the draft read


def turn_evidence(state: AgentState) -> list[Evidence]:
    """The active evidence of this turn, and of earlier turns of the thread where it shares
    words with this turn's question (a follow-up's answer may already be in memory)."""
    memory = state["memory"]
    start = state.get("evidence_from", 0)
    words = content_words(state["question"])
    out = []
    for i, e in enumerate(memory.evidence):
        if i >= start or words & content_words(f"{e.statement} {e.quote}"):
            out.append(e)
    return out
