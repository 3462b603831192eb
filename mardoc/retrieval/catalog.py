"""Document records, stored as vector-less points (kind ``doc``) in the index itself.

Keeping them in the same store means a library is one thing to back up, and a document's
record and its chunks are deleted together.
"""

from __future__ import annotations

from typing import Any

from mardoc.retrieval.query import ChunkStore, PointData, Where
from mardoc.types import point_uuid


def catalog_id(doc_id: str) -> str:
    """The point id of a document's catalog record."""
    return point_uuid(f"doc:{doc_id}")


class Catalog:
    """Document records: doc_id, name, path, status (``ingesting`` | ``complete``), pages, ..."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store

    def get(self, doc_id: str) -> dict[str, Any] | None:
        hits = self.store.retrieve([catalog_id(doc_id)])
        return hits[0].payload if hits else None

    def put(self, record: dict[str, Any]) -> None:
        self.store.upsert([PointData(catalog_id(record["doc_id"]), {}, {**record, "kind": "doc"})])

    def remove(self, doc_id: str) -> None:
        """Delete a document's chunks and its record."""
        self.store.delete(Where(doc_ids=[doc_id]))
        self.store.delete_ids([catalog_id(doc_id)])

    def all(self) -> list[dict[str, Any]]:
        return sorted(
            (h.payload for h in self.store.scroll(Where(kinds=["doc"]))),
            key=lambda r: r.get("name", ""),
        )

    def complete_ids(self) -> list[str]:
        return [r["doc_id"] for r in self.all() if r.get("status") == "complete"]
