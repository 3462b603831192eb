"""retrieval: the Qdrant index (two engines, one protocol) and adaptive-dimension hybrid search."""

from mardoc.retrieval.catalog import Catalog, catalog_id
from mardoc.retrieval.client import ClientStore
from mardoc.retrieval.edge import EdgeStore
from mardoc.retrieval.fingerprint import index_fingerprint
from mardoc.retrieval.points import chunk_point, prefix_dims
from mardoc.retrieval.query import (
    FULL,
    PREFIX_DIMS,
    SPARSE,
    ChunkStore,
    Hit,
    Nearest,
    Node,
    PointData,
    Rrf,
    Sparse,
    Where,
    prefix_name,
)
from mardoc.retrieval.retriever import PageHit, Retriever, ScoredChunk
from mardoc.retrieval.sparse import bm25_document, bm25_query
from mardoc.retrieval.stores import is_remote, open_store

__all__ = [
    "Catalog",
    "ChunkStore",
    "ClientStore",
    "EdgeStore",
    "FULL",
    "Hit",
    "Nearest",
    "Node",
    "PREFIX_DIMS",
    "PageHit",
    "PointData",
    "Retriever",
    "Rrf",
    "SPARSE",
    "ScoredChunk",
    "Sparse",
    "Where",
    "bm25_document",
    "bm25_query",
    "catalog_id",
    "chunk_point",
    "index_fingerprint",
    "is_remote",
    "open_store",
    "prefix_dims",
    "prefix_name",
]
