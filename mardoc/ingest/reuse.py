"""Vectors kept from a library's earlier indexes, so a re-index pays only for changed chunks.

A change of an ingest setting or of the index schema makes a new index (its fingerprint
names it), and embedding is nine tenths of ingesting. Most chunks of a re-indexed document
are the same text as before (a table change leaves every page and passage as it was), so
their vectors are read back from the library's earlier index instead of being embedded
again. A chunk is matched by the exact text it is embedded from, within its own document.

An earlier index is trusted only after a probe: the first two chunks matched in it are
embedded now and must come out as they are stored (cosine >= 0.999), so an index made by
another embedder, other weights or other vectors (int8 against fp32) is never mixed in.
Earlier indexes are opened read-only in spirit (only scrolled); one in use by another
process is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from mardoc.errors import MardocError
from mardoc.models import Embedder
from mardoc.retrieval import FULL, ChunkStore, Where
from mardoc.types import Chunk, embed_text

log = logging.getLogger(__name__)

PROBES = 2
SAME = 0.999  # cosine between a stored vector and the same text embedded now


class EarlierVectors:
    """The full vectors earlier indexes of one library hold, by document and embedded text.

    ``openers`` open the earlier indexes (newest first) when first needed; each is probed
    before its vectors are used, and closed by :meth:`close`.
    """

    def __init__(self, openers: Sequence[Callable[[], ChunkStore]]) -> None:
        self._openers = list(openers)
        self._stores: list[ChunkStore] | None = None
        self._trusted: dict[int, bool] = {}

    def _candidates(self) -> list[ChunkStore]:
        if self._stores is None:
            self._stores = []
            for open_one in self._openers:
                try:
                    self._stores.append(open_one())
                except MardocError as exc:  # in use by another process, or unreadable: embed instead
                    log.info("earlier index not read: %s", exc)
        return self._stores

    def vectors(self, doc_id: str, chunks: Sequence[Chunk], embedder: Embedder) -> dict[str, np.ndarray]:
        """Vectors for those of ``chunks`` whose embedded text an earlier trusted index holds
        for the same document, by chunk id."""
        out: dict[str, np.ndarray] = {}
        want = {c.id: c.embed_text() for c in chunks}
        for i, store in enumerate(self._candidates()):
            left = {cid: t for cid, t in want.items() if cid not in out}
            if not left or self._trusted.get(i) is False:
                continue
            held = self._held(store, doc_id)
            found = {cid: held[t] for cid, t in left.items() if t in held}
            if not found:
                continue
            if i not in self._trusted:
                # the longest texts: the ones a change of the embedder's token limit would alter
                probes = sorted(found, key=lambda cid: -len(left[cid]))[:PROBES]
                self._trusted[i] = self._probe(store, [(left[cid], found[cid]) for cid in probes], embedder)
                if not self._trusted[i]:
                    continue
            out.update(found)
        return out

    @staticmethod
    def _held(store: ChunkStore, doc_id: str) -> dict[str, np.ndarray]:
        held: dict[str, np.ndarray] = {}
        for h in store.scroll(Where(doc_ids=[doc_id]), with_vectors=True):
            vec = h.vectors.get(FULL)
            kind = str(h.payload.get("kind", ""))
            if vec is None or kind in ("", "doc"):
                continue
            held[embed_text(kind, h.payload.get("section", ""), h.payload.get("text", ""))] = np.asarray(vec, dtype=np.float32)
        return held

    @staticmethod
    def _probe(store: ChunkStore, pairs: list[tuple[str, np.ndarray]], embedder: Embedder) -> bool:
        now = embedder.embed_documents([t for t, _ in pairs])
        if any(a.shape != b.shape for a, (_, b) in zip(now, pairs, strict=True)):
            log.info("earlier index %s: vectors of another size, not reused", getattr(store, "location", "?"))
            return False
        worst = min(float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) or 1.0)) for a, (_, b) in zip(now, pairs, strict=True))
        ok = worst >= SAME
        log.info("earlier index %s: %s (cosine %.4f on %d probe chunks)",
                 getattr(store, "location", "?"), "vectors reused" if ok else "other vectors, not reused", worst, len(pairs))  # fmt: skip
        return ok

    def close(self) -> None:
        for s in self._stores or []:
            s.close()
        self._stores = None
