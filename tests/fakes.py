"""Deterministic fakes for tests: a scripted chat model and a tiny truncatable embedder."""

from mardoc.models.embedders import HashingEmbedder
from mardoc.models.fake import ScriptedChatModel


def tiny_embedder(dim: int = 256) -> HashingEmbedder:
    """Bag-of-words hashing embedder with a real Matryoshka structure (bands of 32)."""
    return HashingEmbedder(dim)


__all__ = ["ScriptedChatModel", "tiny_embedder"]
