"""Deterministic fakes for tests: a scripted chat model and a tiny truncatable embedder."""

import re

from mardoc.models.embedders import HashingEmbedder
from mardoc.models.fake import ScriptedChatModel


def tiny_embedder(dim: int = 256) -> HashingEmbedder:
    """Bag-of-words hashing embedder with a real Matryoshka structure (bands of 32)."""
    return HashingEmbedder(dim)


def judged_page(content: str) -> tuple[int, str]:
    """The page a judgement asks about, and the text of its excerpts, read from the fences'
    headers (not the prompt's wording): the judged page's excerpts are the last ones shown (the
    prompt also holds the pages before it, as the answer will read them)."""
    blocks = re.findall(r"<<DOCUMENT-DATA \w+ \[E\d+\] \S+ page (\d+) \(\w+\)>>\n(.*?)\n<</DOCUMENT-DATA", content, re.S)
    page = int(blocks[-1][0])
    return page, "\n".join(body for p, body in blocks if int(p) == page)


__all__ = ["ScriptedChatModel", "judged_page", "tiny_embedder"]
