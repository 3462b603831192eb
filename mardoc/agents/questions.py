"""What a question asks, read by code: its parts, and whether the memory holds evidence for each.

A multi-part question ("What is the default weight of a glob pattern, and what is the maximum?")
must be answered part by part; a small model tends to answer the first part and stop. Parts are
split at a comma or "and" followed by a new question word, or at a question mark followed by
another question. A part is covered when some active evidence shares one of its content words
(words of three letters or more that are not function words and are not shared by every part).
"""

from __future__ import annotations

import re

from mardoc.memory import EvidenceMemory
from mardoc.words import tokens, words

_SPLIT = re.compile(
    r"(?:\?\s+(?:and\s+)?|[,;]\s*(?:and\s+|but\s+)?|\s+and\s+)(?=(?:what|which|who|whom|whose|when|where|how|why|is|are|does|do|did)\b)",
    re.I,
)
_ALSO_STOP = frozenset(["more", "most", "shall", "onto", "him", "it's"])  # not what a part is about


_ASKS = re.compile(r"^(?:what|which|who|whom|whose|when|where|how|why|is|are|was|were|does|do|did|can|could|list|name|give)\b", re.I)


def question_parts(question: str) -> list[str]:
    """The sub-questions of ``question`` (one item when it asks one thing).

    A leading clause that asks nothing ("According to the report, which ...", "In Figure 1,
    what ...") belongs to the question after it: it is not a part of its own."""
    pieces = _split_pieces(question)
    parts: list[str] = []
    asks = False  # whether the last part holds a piece that asks something
    for piece in pieces:
        if parts and not asks:
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
        asks = bool(_ASKS.match(piece))
    if len(parts) < 2:
        return [question.strip()]
    return parts


def _split_pieces(question: str) -> list[str]:
    parts = [p.strip(" ,;?") for p in _SPLIT.split(question.strip())]
    if len(parts) < 2 or any(len([w for w in tokens(p) if len(w) >= 3]) < 2 for p in parts):
        return [question.strip()]  # a fragment is not a question of its own: one question
    return parts


def parts_text(question: str) -> str:
    """A prompt line naming the parts of a multi-part question ("" for a single one)."""
    parts = question_parts(question)
    if len(parts) < 2:
        return ""
    listed = "\n".join(f"{i}. {p}?" for i, p in enumerate(parts, start=1))
    return (
        f"The question has {len(parts)} parts; answer every one of them (in the answer and in the short "
        f"answer), and say which part is not stated if one is missing:\n{listed}\n"
    )


def content_words(text: str) -> set[str]:
    """Words of three letters or more that say what a text is about (:func:`mardoc.words.words`)."""
    return {w for w in words(text, stemmed=False) if len(w) >= 3 and w not in _ALSO_STOP}


def uncovered_parts(question: str, memory: EvidenceMemory) -> list[str]:
    """The parts of a multi-part question without any evidence sharing their own words."""
    parts = question_parts(question)
    if len(parts) < 2:
        return []
    words = [content_words(p) for p in parts]
    common = set.intersection(*words) if words else set()
    evidence = set().union(*(content_words(f"{e.statement} {e.quote}") for e in memory.active()))
    return [p for p, w in zip(parts, words, strict=True) if (w - common) and not ((w - common) & evidence)]


_PART_OF = "? (a part of the question: "


def part_question(part: str, question: str) -> str:
    """One part of a multi-part question, asked alone with the whole question as context."""
    return f"{part}{_PART_OF}{question})"


def asked_part(focus: str) -> str:
    """The part a :func:`part_question` asks ("" for a question that is not one)."""
    return focus.split(_PART_OF, 1)[0] if _PART_OF in focus else ""
