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
from typing import Any

from mardoc.errors import LimitExceededError, MardocError
from mardoc.ingest.chunker import Chunker
from mardoc.ingest.describe import DescriptionCache, describe, needs_description
from mardoc.ingest.parser import PdfParser
from mardoc.ingest.pdf import open_pdf, sha256_file
from mardoc.ingest.reuse import EarlierVectors
from mardoc.models import ChatModel, Embedder
from mardoc.retrieval import Catalog, ChunkStore, Where, chunk_point, index_fingerprint, prefix_dims
from mardoc.settings import Settings
from mardoc.types import Chunk, chunk_from_payload

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
    reused_chunks: int = 0  # vectors read back from an earlier index of the library
    error: str = ""


class Ingestor:
    """Parses, chunks, embeds and stores PDFs into one store.

    ``embedder`` is a function that returns the embedder: it is called only when a document
    really needs embedding, so a bad or an already ingested file loads no model.
    """

    def __init__(
        self,
        store: ChunkStore,
        embedder: Callable[[], Embedder],
        settings: Settings,
        crops_dir: Path | None,
        earlier: EarlierVectors | None = None,
    ) -> None:
        self.store = store
        self.earlier = earlier
        self._make_embedder = embedder
        self._embedder: Embedder | None = None
        self.settings = settings
        self.fingerprint = index_fingerprint(settings)
        self.catalog = Catalog(store)
        self.parser = PdfParser(settings.ingest, crops_dir)
        self.chunker = Chunker(settings.ingest.block_max_chars)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._make_embedder()
        return self._embedder

    @property
    def prefixes(self) -> list[int]:
        return prefix_dims(self.embedder.dim)

    def ingest(self, path: Path, progress: IngestProgress | None = None) -> IngestResult:
        """Ingest one PDF (opened once: validated, hashed, parsed); skips a complete one."""
        path = Path(path)
        pdf = open_pdf(path, self.settings.ingest)  # validate before hashing a non-PDF
        try:
            return self._ingest_open(path, pdf, progress)
        finally:
            pdf.close()

    def _ingest_open(self, path: Path, pdf: Any, progress: IngestProgress | None) -> IngestResult:
        start = time.perf_counter()
        result = IngestResult(path=str(path), name=path.name)
        report = progress or (lambda *a: None)
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
        base = {
            "doc_id": doc_id,
            "name": path.name,
            "path": str(path.resolve()),
            "fingerprint": self.fingerprint,
        }
        self.catalog.put({**base, "status": "ingesting"})
        t0 = time.perf_counter()
        doc = self.parser.parse(path, doc_id, lambda d, t: report(path.name, "parse", d, t), pdf=pdf)
        chunks = self.chunker.chunk(doc)
        result.parse_seconds = time.perf_counter() - t0
        if len(chunks) > self.settings.ingest.max_chunks:
            raise LimitExceededError(
                f"{path}: {len(chunks)} chunks exceed the limit of {self.settings.ingest.max_chunks}"
                " (raise MARDOC_INGEST__MAX_CHUNKS)"
            )
        t0 = time.perf_counter()
        result.embedded_chunks, result.reused_chunks = self._store_chunks(
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
                **base,
                "status": "complete",
                "pages": doc.page_count,
                "title": doc.title,
                "chunks": result.chunks,
                "ocr_pages": result.ocr_pages,
                # the document's sections: the PDF's outline, else the headings found
                "outline": [[h.level, h.title, h.page] for h in doc.headings],
                "seconds": round(result.seconds, 2),
            }  # fmt: skip
        )
        self.store.flush()
        return result

    def _store_chunks(self, doc_id: str, chunks: list[Chunk], report: Callable[[int, int], None]) -> tuple[int, int]:
        """Embed and store the chunks not stored yet, reading back the vectors an earlier
        index holds for unchanged ones; returns how many were embedded and how many reused."""
        wanted = {c.id for c in chunks}
        stored = {h.id for h in self.store.scroll(Where(doc_ids=[doc_id])) if h.payload.get("kind") != "doc"}
        orphans = stored - wanted
        if orphans:  # points of an older chunking of this document
            self.store.delete_ids(sorted(orphans))
        todo = [c for c in chunks if c.id not in stored]
        prefixes = self.prefixes
        kept = self.earlier.vectors(doc_id, todo, self.embedder) if self.earlier and todo else {}
        reused = [c for c in todo if c.id in kept]
        for i in range(0, len(reused), STORE_PART):
            self.store.upsert([chunk_point(c, kept[c.id], prefixes) for c in reused[i : i + STORE_PART]])
        todo = [c for c in todo if c.id not in kept]
        # Length-sorted parts waste less padding in the transformer; the embedder batches
        # within a part its own way. A part is also the unit of storage: a killed ingest
        # loses at most one part's work.
        todo.sort(key=lambda c: len(c.embed_text()))
        done = len(chunks) - len(todo)
        report(done, len(chunks))
        for i in range(0, len(todo), STORE_PART):
            part = todo[i : i + STORE_PART]
            vectors = self.embedder.embed_documents([c.embed_text() for c in part])
            self.store.upsert([chunk_point(c, vec, prefixes) for c, vec in zip(part, vectors, strict=True)])
            done += len(part)
            report(done, len(chunks))
        return len(todo), len(reused)

    def describe_figures(self, doc_ids: Sequence[str], chat: ChatModel, cache: DescriptionCache,
                         progress: IngestProgress | None = None) -> dict[str, int]:  # fmt: skip
        """Describe every figure chunk of these documents not described yet (see
        :mod:`mardoc.ingest.describe`); each described chunk is embedded and stored at once."""
        report = progress or (lambda *a: None)
        counts = {"described": 0, "calls": 0, "cached": 0}
        for doc_id in doc_ids:
            hits = self.store.scroll(Where(doc_ids=[doc_id], kinds=["figure"]))
            chunks = sorted((chunk_from_payload(h.id, h.payload) for h in hits), key=lambda c: (c.page, c.ordinal))
            todo = [c for c in chunks if needs_description(c)]
            if not todo:
                continue
            name = todo[0].doc_name
            self.store.ensure(self.embedder.dim, self.prefixes)
            report(name, "describe", 0, len(todo))
            for i, c in enumerate(todo, start=1):
                new, called = describe(c, chat, cache)
                counts["calls" if called else "cached"] += 1
                if new is not c:
                    (vec,) = self.embedder.embed_documents([new.embed_text()])
                    self.store.upsert([chunk_point(new, vec, self.prefixes)])
                    counts["described"] += 1
                report(name, "describe", i, len(todo))
            self.store.flush()
        return counts

    def close(self) -> None:
        """Stop the parser's worker processes; close the earlier indexes read."""
        self.parser.close()
        if self.earlier is not None:
            self.earlier.close()

    def ingest_many(
        self, paths: Sequence[Path], progress: IngestProgress | None = None
    ) -> list[IngestResult]:
        results = []
        for p in paths:
            try:
                results.append(self.ingest(p, progress))
            except MardocError as exc:
                log.info("%s", exc)  # reported in the result; the CLI prints it once
                results.append(IngestResult(path=str(p), name=Path(p).name, status="failed", error=str(exc)))
        return results
