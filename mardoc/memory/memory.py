"""Structured evidence memory: what the agents know, tied to where it was read.

Agents read this memory, never a growing transcript. Items are frozen; the memory changes
only through its methods. Evidence is admitted only when its verbatim quote is found in
the chunk it claims to come from: this is how hallucinated evidence is kept out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from difflib import SequenceMatcher

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


class EvidenceMemory(BaseModel):
    """The evidence agents verified, with the operations they use."""

    evidence: list[Evidence] = Field(default_factory=list)
    rejected: int = 0  # quotes not found in their sources

    # -- evidence --------------------------------------------------------------------

    def active(self) -> list[Evidence]:
        """The evidence the agents read (every verified item: none is withdrawn)."""
        return list(self.evidence)

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
