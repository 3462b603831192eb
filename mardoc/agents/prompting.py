"""Prompt files (``agents/prompts/*.md``) and the fencing of untrusted document text.

Document text is data, never instructions. Every excerpt shown to a model is wrapped in
a fence whose marker carries a per-prompt random nonce, and any occurrence of the fence
word inside the excerpt is defused, so a document cannot close the fence and speak as
the system. The system prompts tell the model that fenced text is untrusted data.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from collections.abc import Sequence
from functools import cache
from importlib import resources

from mardoc.types import NOT_ANSWERABLE, Chunk

FENCE_WORD = "DOCUMENT-DATA"
SHOWN_CHARS = 1500  # characters of one chunk a model reads (an excerpt, an observation)
_FENCE_RE = re.compile(re.escape(FENCE_WORD), re.IGNORECASE)


class PromptTemplate:
    """A ``$name`` template whose placeholders are checked when loaded and when rendered."""

    def __init__(self, name: str, text: str, fields: frozenset[str]) -> None:
        self.name = name
        self.template = string.Template(text)
        found = {m.group("named") or m.group("braced") for m in self.template.pattern.finditer(text)} - {None}
        if found != set(fields):
            raise ValueError(f"prompt {name}: placeholders {sorted(found)} != expected {sorted(fields)}")
        self.fields = fields

    def render(self, **values: object) -> str:
        missing = self.fields - values.keys()
        if missing:
            raise KeyError(f"prompt {self.name}: missing {sorted(missing)}")
        return self.template.substitute({k: str(v) for k, v in values.items()})


PROMPT_FIELDS: dict[str, frozenset[str]] = {
    "system": frozenset({"sentinel", "fence"}),
    "rag_answer": frozenset({"question", "excerpts", "notes", "sentinel", "parts"}),
    "page_judge": frozenset({"focus", "document", "page"}),
    "answer_insist": frozenset({"question", "excerpts", "parts", "sentinel"}),
    "judge": frozenset({"question", "gold", "prediction"}),
    "rewriter": frozenset({"history", "question"}),
    "table_sql": frozenset({"question", "schema", "error"}),
}


@cache
def load_prompt(name: str) -> PromptTemplate:
    text = resources.files("mardoc.agents").joinpath("prompts", f"{name}.md").read_text("utf-8")
    return PromptTemplate(name, text, PROMPT_FIELDS[name])


def defuse(text: str) -> str:
    """Make sure document text cannot contain a fence marker."""
    return _FENCE_RE.sub("DOCUMENT_DATA", text)


def new_nonce(*seed: object) -> str:
    """The fence nonce of one prompt.

    Seeded by the question and the step, so the same question gets the same prompt (and,
    at temperature 0, the same answer) run after run. A document author cannot know the
    question, and fence words inside documents are defused anyway; unseeded: random.
    """
    if not seed:
        return secrets.token_hex(4)
    return hashlib.sha256("\x1f".join(map(str, seed)).encode()).hexdigest()[:8]


def fence(label: str, text: str, nonce: str) -> str:
    return f"<<{FENCE_WORD} {nonce} {label}>>\n{defuse(text)}\n<</{FENCE_WORD} {nonce}>>"


def fenced_parts(
    chunks: Sequence[Chunk], nonce: str, max_chars: int, per_chunk: int = SHOWN_CHARS, start: int = 1
) -> list[str]:
    """The numbered fenced excerpts ``[E1]``, ``[E2]`` … (from ``[E<start>]``) of the first
    chunks that fit the character budget, one string each (``fence_chunks`` joins them)."""
    parts: list[str] = []
    used = 0
    for i, c in enumerate(chunks, start=start):
        body = c.text[:per_chunk]
        if used + len(body) > max_chars and parts:
            break
        used += len(body)
        label = f"[E{i}] {c.doc_name} page {c.page} ({c.kind})"
        parts.append(fence(label, body, nonce))
    return parts


def fence_chunks(
    chunks: Sequence[Chunk], nonce: str, max_chars: int, per_chunk: int = SHOWN_CHARS
) -> tuple[str, int]:
    """Numbered fenced excerpts ``[E1]``, ``[E2]`` … within a character budget.

    Returns the text and how many excerpts it holds (the first n of ``chunks``).
    """
    parts = fenced_parts(chunks, nonce, max_chars, per_chunk)
    return "\n\n".join(parts), len(parts)


def shown_text(chunks: Sequence[Chunk], shown: int) -> str:
    """The document text a model was shown: the first ``shown`` chunks, each cut where
    :func:`fenced_parts` cuts it (for checks by code of what the model said)."""
    return "\n".join(c.text[:SHOWN_CHARS] for c in chunks[:shown])


def system_prompt(nonce: str) -> str:
    return load_prompt("system").render(sentinel=NOT_ANSWERABLE, fence=f"{FENCE_WORD} {nonce}")
