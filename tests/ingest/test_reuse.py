"""A re-index under other settings reads back the vectors of unchanged chunks from the
library's earlier index, and never those an other embedder made."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mardoc import Library, Settings
from mardoc.models.embedders import HashingEmbedder
from mardoc.retrieval import FULL, Where
from mardoc.types import embed_text
from tests.conftest import DEMO_PDF


class CountingEmbedder(HashingEmbedder):
    """The tiny embedder, counting the texts it embeds."""

    def __init__(self, dim: int = 256, band: int = 32) -> None:
        super().__init__(dim, band)
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        return super().embed_documents(texts)


def library(tmp_path: Path, embedder: HashingEmbedder, block_max_chars: int) -> Library:
    s = Settings(
        home=tmp_path / "home",
        models={"embedder": "hash:256", "chat": "fake:"},
        ingest={"block_max_chars": block_max_chars},
    )
    return Library(tmp_path / "lib", settings=s, embedder=embedder)


def full_vectors(lib: Library) -> dict[str, list[float]]:
    return {h.id: h.vectors[FULL] for h in lib.store.scroll(Where(), with_vectors=True) if FULL in h.vectors}


@pytest.mark.slow  # ingests the example PDF twice: seconds (make test runs it)
def test_a_reindex_embeds_only_the_chunks_that_changed(tmp_path: Path) -> None:
    first = CountingEmbedder()
    lib = library(tmp_path, first, 1200)
    r1 = lib.ingest([DEMO_PDF])[0]
    lib.close()
    assert r1.reused_chunks == 0 and r1.embedded_chunks == first.texts
    second = CountingEmbedder()
    lib = library(tmp_path, second, 600)  # shorter passages: a new index, the pages unchanged
    r2 = lib.ingest([DEMO_PDF])[0]
    assert len(list((tmp_path / "lib").glob("index-*"))) == 2
    total = sum(r2.chunks.values())
    assert r2.reused_chunks > 0 and r2.embedded_chunks > 0  # pages kept, passages re-cut
    assert r2.reused_chunks + r2.embedded_chunks == total
    # embedded now: the changed chunks and the two probe chunks, not the whole document
    assert second.texts == r2.embedded_chunks + 2 < total
    # every stored vector is the one the embedder gives the chunk's text
    stored = lib.store.scroll(Where(), with_vectors=True)
    texts = {h.id: h for h in stored if h.payload.get("kind") not in (None, "doc")}
    for h in texts.values():
        want = HashingEmbedder(256).embed_documents([embed_text(h.payload["kind"], h.payload.get("section", ""), h.payload["text"])])[0]
        assert np.allclose(h.vectors[FULL], want, atol=1e-5)
    lib.close()


@pytest.mark.slow  # ingests the example PDF twice: seconds (make test runs it)
def test_vectors_of_another_embedder_are_not_reused(tmp_path: Path) -> None:
    lib = library(tmp_path, HashingEmbedder(256, band=32), 1200)
    lib.ingest([DEMO_PDF])
    lib.close()
    other = CountingEmbedder(256, band=64)  # same size, other vectors
    lib = library(tmp_path, other, 600)
    r = lib.ingest([DEMO_PDF])[0]
    assert r.reused_chunks == 0 and r.embedded_chunks == sum(r.chunks.values())
    stored = full_vectors(lib)
    assert stored and len(stored) == r.embedded_chunks
    lib.close()
