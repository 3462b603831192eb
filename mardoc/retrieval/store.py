"""The Qdrant index behind one small protocol, on two engines.

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

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Union

from mardoc.errors import BackendError, StoreLockedError

log = logging.getLogger(__name__)

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
    def close(self) -> None: ...


def point_uuid(key: str) -> str:
    """A deterministic point id (Qdrant wants ints or UUIDs) from a stable key."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mardoc:{key}"))


# -- Qdrant Edge ----------------------------------------------------------------------


class EdgeStore:
    """Qdrant Edge shard in-process; holds the shard's exclusive lock while open."""

    def __init__(self, path: Path) -> None:
        import qdrant_edge as qe

        self._qe = qe
        self.path = Path(path)
        self.location = str(self.path)
        self._shard: Any = None
        if (self.path / "wal").exists() or (self.path / "segments").exists():
            self._shard = self._open(lambda: qe.EdgeShard.load(str(self.path)))

    def _open(self, fn: Any) -> Any:
        try:
            return fn()
        except Exception as exc:  # qdrant-edge raises plain Exception
            if "WouldBlock" in str(exc) or "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"store {self.path} is in use by another process; close it, or use a "
                    "Qdrant server (MARDOC_STORE__URL) for concurrent access"
                ) from exc
            raise BackendError(f"cannot open Qdrant Edge store {self.path}: {exc}") from exc

    def ensure(self, full_dim: int, prefix_dims: Sequence[int]) -> None:
        if self._shard is not None:
            return
        qe = self._qe
        vectors = {
            FULL: qe.EdgeVectorParams(
                size=full_dim,
                distance=qe.Distance.Cosine,
                # Only used to rescore prefetched candidates: no graph needed.
                hnsw_config=qe.HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10),
            )
        }
        for d in prefix_dims:
            vectors[prefix_name(d)] = qe.EdgeVectorParams(size=d, distance=qe.Distance.Cosine)
        config = qe.EdgeConfig(
            vectors=vectors,
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        self.path.mkdir(parents=True, exist_ok=True)
        self._shard = self._open(lambda: qe.EdgeShard.create(str(self.path), config))
        kinds = {"keyword": qe.PayloadSchemaType.Keyword, "integer": qe.PayloadSchemaType.Integer}
        for name, kind in INDEXED_FIELDS.items():
            self._shard.update(qe.UpdateOperation.create_field_index(name, kinds[kind]))

    @property
    def shard(self) -> Any:
        if self._shard is None:
            raise BackendError(f"store {self.path} is empty; ingest a document first")
        return self._shard

    def _vec(self, v: list[float] | Sparse) -> Any:
        return self._qe.SparseVector(v.indices, v.values) if isinstance(v, Sparse) else v

    def _filter(self, where: Where | None) -> Any:
        if where is None or not where.conditions():
            return None
        qe = self._qe
        return qe.Filter(
            must=[qe.FieldCondition(k, match=qe.MatchAny(vals)) for k, vals in where.conditions()]
        )

    def _node(self, node: Node, flt: Any, top: bool) -> Any:
        qe = self._qe
        pre = [self._node(p, flt, False) for p in node.prefetch]
        if isinstance(node, Rrf):
            query: Any = qe.Fusion.Rrf(k=node.k, weights=list(node.weights) if node.weights else None)
            params = None
        else:
            query = qe.Query.Nearest(self._vec(node.vector), using=node.using)
            params = qe.SearchParams(exact=True) if node.exact else None
        if top:
            return qe.QueryRequest(
                limit=node.limit, prefetches=pre, query=query, filter=flt,
                params=params, with_payload=True, with_vector=False,
            )  # fmt: skip
        return qe.Prefetch(limit=node.limit, query=query, prefetches=pre, filter=flt, params=params)

    def upsert(self, points: Sequence[PointData]) -> None:
        qe = self._qe
        pts = [qe.Point(p.id, {k: self._vec(v) for k, v in p.vectors.items()}, p.payload) for p in points]
        self.shard.update(qe.UpdateOperation.upsert_points(pts))

    def flush(self) -> None:
        if self._shard is not None:
            self._shard.flush()

    def query(self, root: Node, where: Where | None = None) -> list[Hit]:
        if self._shard is None:
            return []
        req = self._node(root, self._filter(where), True)
        return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in self._shard.query(req)]

    def scroll(self, where: Where | None = None, with_vectors: bool = False) -> list[Hit]:
        if self._shard is None:
            return []
        qe = self._qe
        out: list[Hit] = []
        offset = None
        while True:
            recs, offset = self._shard.scroll(
                qe.ScrollRequest(
                    offset=offset, limit=512, filter=self._filter(where),
                    with_payload=True, with_vector=with_vectors,
                )
            )  # fmt: skip
            out.extend(_record_hit(r, with_vectors) for r in recs)
            if offset is None:
                return out

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Hit]:
        if self._shard is None or not ids:
            return []
        recs = self._shard.retrieve(list(ids), with_payload=True, with_vector=with_vectors)
        return [_record_hit(r, with_vectors) for r in recs]

    def delete(self, where: Where) -> None:
        if self._shard is not None:
            self._shard.update(self._qe.UpdateOperation.delete_points_by_filter(self._filter(where)))

    def delete_ids(self, ids: Sequence[str]) -> None:
        if self._shard is not None and ids:
            self._shard.update(self._qe.UpdateOperation.delete_points(list(ids)))

    def count(self, where: Where | None = None) -> int:
        if self._shard is None:
            return 0
        return int(self._shard.count(self._qe.CountRequest(filter=self._filter(where), exact=True)))

    def close(self) -> None:
        if self._shard is not None:
            self._shard.flush()
            self._shard.close()
            self._shard = None


def _record_hit(rec: Any, with_vectors: bool) -> Hit:
    """A Hit from a stored record of either engine (both expose id, payload, vector)."""
    vectors: dict[str, Any] = {}
    if with_vectors and rec.vector:
        for k, v in dict(rec.vector).items():
            vectors[k] = Sparse(list(v.indices), list(v.values)) if hasattr(v, "indices") else list(v)
    return Hit(str(rec.id), 0.0, dict(rec.payload or {}), vectors)


# -- qdrant-client (server URL or :memory:) ---------------------------------------------


class ClientStore:
    """A Qdrant collection through qdrant-client: a server URL, a local path or ``:memory:``."""

    def __init__(self, url: str, collection: str, api_key: str = "") -> None:
        from qdrant_client import QdrantClient, models

        self._m = models
        self.location = f"{url}#{collection}"
        self.url = url
        self.collection = collection
        try:
            if url == ":memory:":
                self._c = QdrantClient(location=":memory:")
            elif url.startswith(("http://", "https://")):
                self._c = QdrantClient(url=url, api_key=api_key or None, timeout=30)
            else:
                self._c = QdrantClient(path=url)
            self._exists = self._c.collection_exists(collection)
        except Exception as exc:
            raise BackendError(
                f"cannot reach Qdrant at {url}: {exc}; check MARDOC_STORE__URL and the server"
            ) from exc

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise BackendError(f"Qdrant at {self.url} failed: {exc}") from exc

    def ensure(self, full_dim: int, prefix_dims: Sequence[int]) -> None:
        if self._exists:
            return
        m = self._m
        vectors = {
            FULL: m.VectorParams(size=full_dim, distance=m.Distance.COSINE, hnsw_config=m.HnswConfigDiff(m=0))
        }
        for d in prefix_dims:
            vectors[prefix_name(d)] = m.VectorParams(size=d, distance=m.Distance.COSINE)
        self._call(
            self._c.create_collection,
            self.collection,
            vectors_config=vectors,
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
        )
        kinds = {"keyword": m.PayloadSchemaType.KEYWORD, "integer": m.PayloadSchemaType.INTEGER}
        for name, kind in INDEXED_FIELDS.items():
            self._call(self._c.create_payload_index, self.collection, name, kinds[kind])
        self._exists = True

    def _vec(self, v: list[float] | Sparse) -> Any:
        return self._m.SparseVector(indices=v.indices, values=v.values) if isinstance(v, Sparse) else v

    def _filter(self, where: Where | None) -> Any:
        if where is None or not where.conditions():
            return None
        m = self._m
        return m.Filter(
            must=[m.FieldCondition(key=k, match=m.MatchAny(any=vals)) for k, vals in where.conditions()]
        )

    def _prefetch(self, node: Node, flt: Any) -> Any:
        m = self._m
        pre = [self._prefetch(p, flt) for p in node.prefetch] or None
        if isinstance(node, Rrf):
            return m.Prefetch(
                prefetch=pre, query=m.FusionQuery(fusion=m.Fusion.RRF), limit=node.limit, filter=flt
            )
        return m.Prefetch(
            prefetch=pre, query=self._vec(node.vector), using=node.using, limit=node.limit,
            filter=flt, params=m.SearchParams(exact=True) if node.exact else None,
        )  # fmt: skip

    def upsert(self, points: Sequence[PointData]) -> None:
        m = self._m
        structs = [
            m.PointStruct(id=p.id, vector={k: self._vec(v) for k, v in p.vectors.items()}, payload=p.payload)
            for p in points
        ]
        self._call(self._c.upsert, self.collection, structs, wait=True)

    def flush(self) -> None:
        return None

    def query(self, root: Node, where: Where | None = None) -> list[Hit]:
        if not self._exists:
            return []
        m = self._m
        flt = self._filter(where)
        pre = [self._prefetch(p, flt) for p in root.prefetch] or None
        if isinstance(root, Rrf):
            query: Any = m.FusionQuery(fusion=m.Fusion.RRF)
            using = None
            params = None
        else:
            query, using = self._vec(root.vector), root.using
            params = m.SearchParams(exact=True) if root.exact else None
        res = self._call(
            self._c.query_points, self.collection, prefetch=pre, query=query, using=using,
            query_filter=flt, limit=root.limit, with_payload=True, search_params=params,
        )  # fmt: skip
        return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in res.points]

    def scroll(self, where: Where | None = None, with_vectors: bool = False) -> list[Hit]:
        if not self._exists:
            return []
        out: list[Hit] = []
        offset = None
        while True:
            recs, offset = self._call(
                self._c.scroll, self.collection, scroll_filter=self._filter(where), limit=512,
                offset=offset, with_payload=True, with_vectors=with_vectors,
            )  # fmt: skip
            out.extend(_record_hit(r, with_vectors) for r in recs)
            if offset is None:
                return out

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Hit]:
        if not self._exists or not ids:
            return []
        recs = self._call(
            self._c.retrieve, self.collection, list(ids), with_payload=True, with_vectors=with_vectors
        )
        return [_record_hit(r, with_vectors) for r in recs]

    def delete(self, where: Where) -> None:
        if self._exists:
            self._call(
                self._c.delete, self.collection,
                points_selector=self._m.FilterSelector(filter=self._filter(where)), wait=True,
            )  # fmt: skip

    def delete_ids(self, ids: Sequence[str]) -> None:
        if self._exists and ids:
            self._call(
                self._c.delete, self.collection,
                points_selector=self._m.PointIdsList(points=list(ids)), wait=True,
            )  # fmt: skip

    def count(self, where: Where | None = None) -> int:
        if not self._exists:
            return 0
        return int(
            self._call(self._c.count, self.collection, count_filter=self._filter(where), exact=True).count
        )

    def close(self) -> None:
        self._c.close()


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
