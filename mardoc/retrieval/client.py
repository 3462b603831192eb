"""A Qdrant collection through ``qdrant-client``: a server URL, or its in-process ``:memory:`` mode.

``:memory:`` speaks the server's API, so the tests run the server code path without a server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mardoc.errors import BackendError
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


class ClientStore:
    """A Qdrant collection through qdrant-client: a server URL or ``:memory:``."""

    def __init__(self, url: str, collection: str, api_key: str = "") -> None:
        from qdrant_client import QdrantClient, models

        self._m = models
        self.location = f"{url}#{collection}"
        self.url = url
        self.collection = collection
        try:
            if url == ":memory:":
                self._c = QdrantClient(location=":memory:")
            else:
                self._c = QdrantClient(url=url, api_key=api_key or None, timeout=30)
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
            out.extend(record_hit(r, with_vectors) for r in recs)
            if offset is None:
                return out

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Hit]:
        if not self._exists or not ids:
            return []
        recs = self._call(
            self._c.retrieve, self.collection, list(ids), with_payload=True, with_vectors=with_vectors
        )
        return [record_hit(r, with_vectors) for r in recs]

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
