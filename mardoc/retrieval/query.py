"""What the index stores and how it is queried: the store protocol and its small query tree.

One :class:`ChunkStore` protocol, two engines (one module each), chosen by
:func:`mardoc.retrieval.stores.open_store` from the location:

* :class:`EdgeStore`: Qdrant Edge (``qdrant-edge-py``), Qdrant's engine in-process, one
  shard per library under the home folder. The default.
* :class:`ClientStore`: ``qdrant-client`` against a server URL (or its ``:memory:`` mode,
  which speaks the same API and is what the tests use when no server is reachable).

Both store the same points: named dense vectors for the full Matryoshka embedding
(``full``, no HNSW: it is only used to rescore) and its prefixes (``d64``, ``d128``, ``d256``
with HNSW), a sparse ``bm25`` vector with Qdrant's IDF modifier, and the chunk payload.
Queries are built as a small tree (:class:`Nearest` / :class:`Rrf`) that each engine
translates into one Query API call with prefetches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Union

FULL = "full"
SPARSE = "bm25"
PREFIX_DIMS = (64, 128, 256)
INDEXED_FIELDS = {"doc_id": "keyword", "kind": "keyword", "page": "integer"}


def prefix_name(dim: int) -> str:
    return f"d{dim}"


@dataclass(frozen=True)
class Sparse:
    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class Where:
    """A payload filter: every given field must match one of its values."""

    doc_ids: Sequence[str] | None = None
    kinds: Sequence[str] | None = None
    pages: Sequence[int] | None = None

    def conditions(self) -> list[tuple[str, list[Any]]]:
        out: list[tuple[str, list[Any]]] = []
        if self.doc_ids is not None:
            out.append(("doc_id", list(self.doc_ids)))
        if self.kinds is not None:
            out.append(("kind", list(self.kinds)))
        if self.pages is not None:
            out.append(("page", [int(p) for p in self.pages]))
        return out


@dataclass(frozen=True)
class Nearest:
    """Nearest neighbours on one named vector, optionally over prefetched candidates."""

    using: str
    vector: list[float] | Sparse
    limit: int
    prefetch: tuple[Node, ...] = ()
    exact: bool = False


@dataclass(frozen=True)
class Rrf:
    """Reciprocal rank fusion of several prefetches."""

    prefetch: tuple[Node, ...]
    limit: int
    k: int = 60
    weights: tuple[float, ...] | None = None


Node = Union[Nearest, Rrf]


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any]
    vectors: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PointData:
    id: str
    vectors: dict[str, list[float] | Sparse]
    payload: dict[str, Any]


class ChunkStore(Protocol):
    """What mardoc needs from a vector store."""

    location: str

    def ensure(self, full_dim: int, prefix_dims: Sequence[int]) -> None: ...
    def upsert(self, points: Sequence[PointData]) -> None: ...
    def query(self, root: Node, where: Where | None = None) -> list[Hit]: ...
    def scroll(self, where: Where | None = None, with_vectors: bool = False) -> list[Hit]: ...
    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Hit]: ...
    def delete(self, where: Where) -> None: ...
    def delete_ids(self, ids: Sequence[str]) -> None: ...
    def count(self, where: Where | None = None) -> int: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


def record_hit(rec: Any, with_vectors: bool) -> Hit:
    """A Hit from a stored record of either engine (both expose id, payload, vector)."""
    vectors: dict[str, Any] = {}
    if with_vectors and rec.vector:
        for k, v in dict(rec.vector).items():
            vectors[k] = Sparse(list(v.indices), list(v.values)) if hasattr(v, "indices") else list(v)
    return Hit(str(rec.id), 0.0, dict(rec.payload or {}), vectors)
