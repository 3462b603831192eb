"""How a chunk becomes a stored point: its named vectors (full, prefixes, BM25) and payload."""

from __future__ import annotations

import numpy as np

from mardoc.models import truncate_normalize
from mardoc.retrieval.query import FULL, PREFIX_DIMS, SPARSE, PointData, Sparse, prefix_name
from mardoc.retrieval.sparse import bm25_document
from mardoc.types import Chunk, chunk_to_payload


def prefix_dims(full_dim: int) -> list[int]:
    """The Matryoshka prefixes stored beside a ``full_dim`` vector (those shorter than it)."""
    return [d for d in PREFIX_DIMS if d < full_dim]


def chunk_point(chunk: Chunk, vector: np.ndarray, prefixes: list[int]) -> PointData:
    """The point of one embedded chunk: full vector, its renormalised prefixes, BM25, payload."""
    text = chunk.embed_text()
    named: dict[str, list[float] | Sparse] = {FULL: [float(x) for x in vector], SPARSE: bm25_document(text)}
    for d in prefixes:
        named[prefix_name(d)] = [float(x) for x in truncate_normalize(vector, d)[0]]
    return PointData(chunk.id, named, chunk_to_payload(chunk))
