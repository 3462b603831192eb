"""Qdrant Edge (``qdrant-edge-py``): Qdrant's own engine in-process, one shard per index folder.

The default store: HNSW on the Matryoshka prefixes, no graph on the full vector (it only
rescores), payload indexes, WAL, and an exclusive lock held while the shard is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mardoc.errors import BackendError, StoreLockedError
from mardoc.retrieval.query import (
    FULL,
    INDEXED_FIELDS,
    SPARSE,
    Hit,
    Node,
    PointData,
    Rrf,
    Sparse,
    Where,
    prefix_name,
    record_hit,
)


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
            out.extend(record_hit(r, with_vectors) for r in recs)
            if offset is None:
                return out

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Hit]:
        if self._shard is None or not ids:
            return []
        recs = self._shard.retrieve(list(ids), with_payload=True, with_vector=with_vectors)
        return [record_hit(r, with_vectors) for r in recs]

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
