"""Structured evidence memory: what the agents know, tied to where it was read.

Agents read this memory, never a growing transcript. Items are frozen; the memory changes
only through its methods. Evidence is admitted only when its verbatim quote is found in
the chunk it claims to come from: this is how hallucinated evidence is kept out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_TRANS = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TRANS).lower()
    return _WS.sub(" ", text).strip(" .,;:\"'")


def quote_found(quote: str, source_text: str, min_ratio: float = 0.85) -> bool:
    """True when ``quote`` occurs in ``source_text`` (whitespace, case, typography aside).

    Small models re-type quotes with tiny slips (a dropped comma, a joined hyphen), so a
    near match also counts: ``min_ratio`` of the quote's characters match, in order, in one
    place of the source, and no number differs.
    """
    q, t = normalise(quote), normalise(source_text)
    if len(q) < 3:
        return False
    if q in t:
        return True
    if len(q) < 12:
        return False
    # A near match must not change a number: every number in the quote is in the source.
    if not set(_NUM.findall(q)) <= set(_NUM.findall(t)):
        return False
    m = SequenceMatcher(None, q, t, autojunk=False).find_longest_match(0, len(q), 0, len(t))
    if m.size < 8:
        return False
    # Align the quote on its longest exact run, then count every matching character in
    # the window of the source where the quote would sit.
    lo = max(0, m.b - m.a - 8)
    window = t[lo : m.b - m.a + len(q) + 8]
    matched = sum(b.size for b in SequenceMatcher(None, q, window, autojunk=False).get_matching_blocks())
    return matched >= min_ratio * len(q)


def content_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


class Source(BaseModel):
    model_config = ConfigDict(frozen=True)

    doc_id: str
    doc_name: str
    page: int
    chunk_id: str
    kind: str
    bbox: tuple[float, float, float, float] | None = None


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    statement: str
    quote: str
    source: Source
    round: int
    status: Literal["active", "superseded"] = "active"
    superseded_by: str = ""


class ReasoningStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    inference: str
    depends_on: tuple[str, ...]
    conclusion: str


class Gap(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    status: Literal["open", "closed"] = "open"


def _approx_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class EvidenceMemory(BaseModel):
    """Evidence, reasoning steps and open gaps, with the operations agents may use."""

    evidence: list[Evidence] = Field(default_factory=list)
    steps: list[ReasoningStep] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    rejected: int = 0  # quotes not found in their sources

    # -- evidence --------------------------------------------------------------------

    def get(self, evidence_id: str) -> Evidence | None:
        return next((e for e in self.evidence if e.id == evidence_id), None)

    def active(self) -> list[Evidence]:
        return [e for e in self.evidence if e.status == "active"]

    def add_evidence(
        self, statement: str, quote: str, source: Source, round: int, source_text: str
    ) -> Evidence | None:
        """Add a fact if its quote is verified in ``source_text``; dedupe the same fact.

        Returns the stored item (the existing one for a duplicate), or None if rejected.
        """
        statement, quote = statement.strip(), quote.strip()
        if not statement or not quote_found(quote, source_text):
            self.rejected += 1
            return None
        key = normalise(statement)
        for e in self.evidence:
            if normalise(e.statement) == key or (
                e.source.chunk_id == source.chunk_id and normalise(e.quote) == normalise(quote)
            ):
                return e
        item = Evidence(
            id=content_id(key, source.chunk_id), statement=statement, quote=quote, source=source, round=round
        )
        self.evidence.append(item)
        return item

    def supersede(self, old_id: str, new_id: str) -> bool:
        """Mark ``old_id`` as superseded by ``new_id`` (both must exist)."""
        if self.get(new_id) is None:
            return False
        for i, e in enumerate(self.evidence):
            if e.id == old_id and e.status == "active":
                self.evidence[i] = e.model_copy(update={"status": "superseded", "superseded_by": new_id})
                return True
        return False

    # -- reasoning and gaps -------------------------------------------------------------

    def link(self, inference: str, depends_on: list[str], conclusion: str) -> ReasoningStep | None:
        """Add a reasoning step over known evidence ids (unknown ids are dropped)."""
        known = tuple(d for d in depends_on if self.get(d) is not None)
        if not known or not conclusion.strip():
            return None
        sid = content_id(normalise(conclusion), *sorted(known))
        existing = next((s for s in self.steps if s.id == sid), None)
        if existing:
            return existing
        step = ReasoningStep(
            id=sid, inference=inference.strip(), depends_on=known, conclusion=conclusion.strip()
        )
        self.steps.append(step)
        return step

    def add_gap(self, text: str) -> Gap | None:
        text = text.strip()
        if not text:
            return None
        gid = content_id(normalise(text))
        if any(g.id == gid for g in self.gaps):
            return None
        gap = Gap(id=gid, text=text)
        self.gaps.append(gap)
        return gap

    def close_gaps(self) -> None:
        self.gaps = [g.model_copy(update={"status": "closed"}) for g in self.gaps]

    def open_gaps(self) -> list[Gap]:
        return [g for g in self.gaps if g.status == "open"]

    # -- rendering -----------------------------------------------------------------------

    def render(
        self,
        question: str = "",
        budget_tokens: int = 1500,
        count_tokens: Callable[[str], int] = _approx_tokens,
    ) -> str:
        """Memory as prompt text: most relevant evidence first, within a token budget.

        Relevance is word overlap with the question; ties keep insertion order, so the
        rendering is stable across calls.
        """
        qwords = set(_WORD.findall(question.lower()))

        def score(e: Evidence) -> int:
            return len(qwords & set(_WORD.findall((e.statement + " " + e.quote).lower())))

        order = sorted(enumerate(self.active()), key=lambda p: (-score(p[1]), p[0]))
        lines: list[str] = []
        used = 0

        def take(line: str) -> bool:
            nonlocal used
            cost = count_tokens(line)
            if used + cost > budget_tokens:
                return False
            lines.append(line)
            used += cost
            return True

        take("Evidence:" if order else "Evidence: (none yet)")
        for _, e in order:
            s = e.source
            if not take(
                f'- [{e.id}] {e.statement} (quote: "{e.quote[:300]}"; {s.doc_name} p.{s.page}, {s.kind})'
            ):
                break
        if self.steps:
            take("Reasoning:")
            for st in self.steps:
                if not take(
                    f"- [{st.id}] {st.inference} => {st.conclusion} (uses {', '.join(st.depends_on)})"
                ):
                    break
        gaps = self.open_gaps()
        if gaps:
            take("Open gaps:")
            for g in gaps:
                if not take(f"- {g.text}"):
                    break
        return "\n".join(lines)

    # -- serialisation -------------------------------------------------------------------

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str) -> EvidenceMemory:
        return cls.model_validate_json(data)
