"""Ingestion: parse -> chunk -> embed -> store, idempotent and resumable.

A document is identified by the SHA-256 of its bytes. Its catalog record is written with
status ``ingesting`` before any chunk, and switched to ``complete`` after the last one;
queries only see complete documents. Chunk ids are deterministic, so a re-run after a
crash re-derives the same chunks, skips those already stored (the embedding is the
expensive part) and deletes any stored point that is no longer produced (no orphans).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mardoc.errors import LimitExceededError
from mardoc.ingest.chunker import Chunker
from mardoc.ingest.document import Chunk
from mardoc.ingest.parser import PdfParser, open_pdf, sha256_file
from mardoc.models.embedders import truncate_normalize
from mardoc.models.protocols import Embedder
from mardoc.retrieval.sparse import bm25_document
from mardoc.retrieval.store import (
    FULL,
    SPARSE,
    ChunkStore,
    PointData,
    Where,
    point_uuid,
    prefix_name,
)
from mardoc.settings import Settings

log = logging.getLogger(__name__)

# progress(doc_name, stage, done, total)
IngestProgress = Callable[[str, str, int, int], None]


STORE_PART = 64  # chunks embedded and upserted together


@dataclass
class IngestResult:
    path: str
    doc_id: str = ""
    name: str = ""
    status: str = "ingested"  # ingested | skipped | duplicate | failed
    pages: int = 0
    chunks: dict[str, int] = field(default_factory=dict)
    ocr_pages: int = 0
    seconds: float = 0.0
    parse_seconds: float = 0.0
    embed_seconds: float = 0.0
    embedded_chunks: int = 0
    error: str = ""


def catalog_id(doc_id: str) -> str:
    return point_uuid(f"doc:{doc_id}")


class Catalog:
    """Document records stored as vector-less points (kind ``doc``) in the same store."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store

    def get(self, doc_id: str) -> dict | None:
        hits = self.store.retrieve([catalog_id(doc_id)])
        return hits[0].payload if hits else None

    def put(self, record: dict) -> None:
        self.store.upsert([PointData(catalog_id(record["doc_id"]), {}, {**record, "kind": "doc"})])

    def all(self) -> list[dict]:
        return sorted(
            (h.payload for h in self.store.scroll(Where(kinds=["doc"]))),
            key=lambda r: r.get("name", ""),
        )

    def complete_ids(self) -> list[str]:
        return [r["doc_id"] for r in self.all() if r.get("status") == "complete"]


class Ingestor:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        settings: Settings,
        crops_dir: Path | None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.catalog = Catalog(store)
        self.parser = PdfParser(settings.ingest, crops_dir)
        self.chunker = Chunker(settings.ingest.block_max_chars)
        self.prefixes = [d for d in (64, 128, 256) if d < embedder.dim]

    def ingest(self, path: Path, progress: IngestProgress | None = None) -> IngestResult:
        start = time.perf_counter()
        path = Path(path)
        result = IngestResult(path=str(path), name=path.name)
        report = progress or (lambda *a: None)
        open_pdf(path, self.settings.ingest).close()  # validate before hashing a non-PDF
        doc_id = sha256_file(path)
        result.doc_id = doc_id
        record = self.catalog.get(doc_id)
        if record and record.get("status") == "complete":
            result.status = "skipped" if record.get("name") == path.name else "duplicate"
            result.pages = record.get("pages", 0)
            result.chunks = dict(record.get("chunks", {}))
            if result.status == "duplicate":
                result.error = f"same content as {record.get('name')}"
            return result
        self.store.ensure(self.embedder.dim, self.prefixes)
        self.catalog.put(
            {
                "doc_id": doc_id,
                "name": path.name,
                "path": str(path.resolve()),
                "status": "ingesting",
                "fingerprint": self.settings.index_fingerprint(),
            }  # fmt: skip
        )
        t0 = time.perf_counter()
        doc = self.parser.parse(path, doc_id, lambda d, t: report(path.name, "parse", d, t))
        chunks = self.chunker.chunk(doc)
        result.parse_seconds = time.perf_counter() - t0
        if len(chunks) > self.settings.ingest.max_chunks:
            raise LimitExceededError(
                f"{path}: {len(chunks)} chunks exceed the limit of {self.settings.ingest.max_chunks}"
                " (raise MARDOC_INGEST__MAX_CHUNKS)"
            )
        t0 = time.perf_counter()
        result.embedded_chunks = self._store_chunks(
            doc_id, chunks, lambda d, t: report(path.name, "embed", d, t)
        )
        result.embed_seconds = time.perf_counter() - t0
        result.pages = doc.page_count
        result.chunks = dict(Counter(c.kind for c in chunks))
        result.ocr_pages = sum(p.ocr for p in doc.pages)
        if not chunks:
            result.error = "no text found (blank pages, or OCR found nothing)"
        result.seconds = time.perf_counter() - start
        self.catalog.put(
            {
                "doc_id": doc_id,
                "name": path.name,
                "path": str(path.resolve()),
                "status": "complete",
                "fingerprint": self.settings.index_fingerprint(),
                "pages": doc.page_count,
                "title": doc.title,
                "chunks": result.chunks,
                "ocr_pages": result.ocr_pages,
                "seconds": round(result.seconds, 2),
            }  # fmt: skip
        )
        flush = getattr(self.store, "flush", None)
        if flush:
            flush()
        return result

    def _store_chunks(self, doc_id: str, chunks: list[Chunk], report: Callable[[int, int], None]) -> int:
        """Embed and store the chunks not stored yet; returns how many were embedded."""
        wanted = {c.id for c in chunks}
        stored = {h.id for h in self.store.scroll(Where(doc_ids=[doc_id])) if h.payload.get("kind") != "doc"}
        orphans = stored - wanted
        if orphans:  # points of an older chunking of this document
            self.store.delete_ids(sorted(orphans))
        todo = [c for c in chunks if c.id not in stored]
        # Length-sorted parts waste less padding in the transformer; the embedder batches
        # within a part its own way. A part is also the unit of storage: a killed ingest
        # loses at most one part's work.
        todo.sort(key=lambda c: len(c.embed_text()))
        done = len(chunks) - len(todo)
        report(done, len(chunks))
        for i in range(0, len(todo), STORE_PART):
            part = todo[i : i + STORE_PART]
            vectors = self.embedder.embed_documents([c.embed_text() for c in part])
            points = []
            for c, vec in zip(part, vectors, strict=True):
                named: dict = {FULL: [float(x) for x in vec], SPARSE: bm25_document(c.embed_text())}
                for d in self.prefixes:
                    named[prefix_name(d)] = [float(x) for x in truncate_normalize(vec, d)[0]]
                payload = c.model_dump(exclude={"id"})
                payload["bboxes"] = [list(b) for b in c.bboxes]
                payload["pages"] = list(c.pages)
                points.append(PointData(c.id, named, payload))
            self.store.upsert(points)
            done += len(part)
            report(done, len(chunks))
        return len(todo)

    def close(self) -> None:
        """Stop the parser's worker processes."""
        self.parser.close()

    def ingest_many(
        self, paths: Sequence[Path], progress: IngestProgress | None = None
    ) -> list[IngestResult]:
        from mardoc.errors import MardocError

        results = []
        for p in paths:
            try:
                results.append(self.ingest(p, progress))
            except MardocError as exc:
                log.warning("%s", exc)
                results.append(IngestResult(path=str(p), name=Path(p).name, status="failed", error=str(exc)))
        return results
