"""Adaptive-dimension hybrid retrieval over the chunk store.

The Matryoshka funnel: the first stage searches a truncated prefix of the embedding
(``d64``/``d128``/``d256``, HNSW-indexed, cheap) for ``N`` candidates; the full 768-dim
vector rescores only those, in the same Query API request.

``dim="auto"`` rule (and why), from ``bench/retrieval.py scale`` (see bench/RESULTS.md):
* a filter that leaves ``<= EXACT_BELOW`` (100,000) points is searched exactly on the full
  vector. With EmbeddingGemma's real question vectors the 128-dim prefix orders candidates
  quite differently from the full vector: at 100k points a 100-candidate funnel kept only
  0.46 of the exact top 10 and a 2,000-candidate one 0.96, at 3x the speed, while exact
  search took ~30 ms, nothing next to an LLM call. Below that size exactness is worth more
  than the milliseconds (within one document, the common agent search, it is free);
* above it the funnel starts at 128 dims with ``N = max(prefetch_factor * k, WIDE_POOL)``
  candidates (2,000 kept 0.96 of the exact top 10 at 100k). After rescoring we look at
  the *tail* of the pool: when the weakest rescored candidate scores within ``MARGIN`` of
  the k-th best, the pool boundary runs through relevant material, so the search
  escalates once: 256 dims and four times the candidates.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from mardoc.models import Embedder, truncate_normalize
from mardoc.retrieval.query import FULL, SPARSE, ChunkStore, Hit, Nearest, Node, Where, prefix_name
from mardoc.retrieval.sparse import bm25_query
from mardoc.settings import RetrievalSettings
from mardoc.types import Chunk, chunk_from_payload

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "sparse"]
TIE_SLACK = 8  # extra hits fetched so that ties at a cut are broken by id, not by the engine
RRF_K = 60
EXACT_BELOW = 100_000
WIDE_POOL = 2000
MARGIN = 0.02


def rrf(rankings: Sequence[Sequence[Hit]], k: int, rrf_k: int = RRF_K,
        weights: Sequence[float] | None = None) -> list[Hit]:  # fmt: skip
    """Weighted reciprocal rank fusion, ``sum w / (rrf_k + rank)`` with 0-based ranks (Qdrant's
    formula; weights default to 1), done here rather than in the engine so that ties are broken
    by id, the same every time. A ranking of weight 0 only adds candidates at the end."""
    scores: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for ranking, w in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, h in enumerate(ranking):
            scores[h.id] = scores.get(h.id, 0.0) + w / (rrf_k + rank)
            first.setdefault(h.id, h)
    order = sorted(scores, key=lambda i: (-round(scores[i], 12), i))[:k]
    return [Hit(i, scores[i], first[i].payload) for i in order]


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float


@dataclass
class PageHit:
    doc_id: str
    doc_name: str
    page: int
    score: float
    chunks: list[ScoredChunk] = field(default_factory=list)


class Retriever:
    """Funnel dense search, BM25, and their RRF fusion; page ranking; neighbourhood tools."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        settings: RetrievalSettings,
        visible_docs: Callable[[], list[str]],
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.visible_docs = visible_docs
        self._qcache: dict[str, np.ndarray] = {}
        self._doc_text: dict[str, str] = {}
        self._lock = threading.Lock()
        self.last_plan: dict[str, object] = {}

    def _embed_query(self, query: str) -> np.ndarray:
        with self._lock:
            hit = self._qcache.get(query)
        if hit is not None:
            return hit
        vec = self.embedder.embed_queries([query])[0]
        with self._lock:
            if len(self._qcache) > 512:
                self._qcache.clear()
            self._qcache[query] = vec
        return vec

    def _where(self, docs: Sequence[str] | None, kinds: Sequence[str] | None,
               pages: Sequence[int] | None) -> Where:  # fmt: skip
        visible = self.visible_docs()
        doc_ids = [d for d in docs if d in visible] if docs is not None else visible
        return Where(doc_ids=doc_ids, kinds=kinds, pages=pages)

    def _dense_node(self, vec: np.ndarray, dim: int | None, k: int, n: int) -> Nearest:
        full = [float(x) for x in vec]
        if dim is None:
            return Nearest(FULL, full, k, exact=True)
        low = [float(x) for x in truncate_normalize(vec, dim)[0]]
        return Nearest(FULL, full, k, prefetch=(Nearest(prefix_name(dim), low, n),))

    def _choose_dim(self, vec: np.ndarray, where: Where, k: int, dim: str) -> tuple[int | None, int]:
        n = max(self.settings.prefetch_factor * k, 64)
        if dim == "full":
            return None, k
        if dim != "auto":
            return int(dim), n
        if self.store.count(where) <= EXACT_BELOW:
            return None, k
        low = self.settings.low_dim
        n = max(n, WIDE_POOL)
        probe = self.store.query(self._dense_node(vec, low, n, n), where)
        if len(probe) > k and probe[k - 1].score - probe[-1].score < MARGIN:
            return max(low, 256), 4 * n  # escalate: the pool boundary cuts relevant material
        return low, n

    def search(
        self,
        query: str,
        *,
        docs: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        pages: Sequence[int] | None = None,
        k: int | None = None,
        dim: str | None = None,
        mode: Mode | None = None,
        sparse_weight: float | None = None,
    ) -> list[ScoredChunk]:
        """Top-k chunks for ``query``; ``dim`` is 64/128/256/full/auto, ``mode`` the fusion,
        ``sparse_weight`` BM25's weight in the hybrid fusion (dense weighs 1)."""
        k = k or self.settings.top_k
        dim = dim or self.settings.dim
        mode = mode or ("hybrid" if self.settings.hybrid else "dense")
        where = self._where(docs, kinds, pages)
        if where.doc_ids == []:
            return []
        if mode == "sparse":
            self.last_plan = {"mode": mode}
            hits = self._ranked(Nearest(SPARSE, bm25_query(query), k + TIE_SLACK), where, k)
        else:
            vec = self._embed_query(query)
            first, n = self._choose_dim(vec, where, k, dim)
            self.last_plan = {"mode": mode, "dim": first or "full", "prefetch": n}
            if mode == "dense":
                hits = self._ranked(self._dense_node(vec, first, k + TIE_SLACK, n + TIE_SLACK), where, k)
            else:
                pool = max(4 * k, 40)
                dense = self._ranked(self._dense_node(vec, first, pool + TIE_SLACK, max(n, pool)), where, pool)
                sparse = self._ranked(Nearest(SPARSE, bm25_query(query), pool + TIE_SLACK), where, pool)
                w = self.settings.sparse_weight if sparse_weight is None else sparse_weight
                hits = rrf([dense, sparse], k, weights=[1.0, w])
        return [ScoredChunk(chunk_from_payload(h.id, h.payload), h.score) for h in hits]

    def _ranked(self, root: Node, where: Where, k: int) -> list[Hit]:
        """The store's top hits in a fixed order: ties (common in BM25) broken by point id, so
        the same query over the same index always gives the same chunks in the same order
        (prompts, and so LLM-call cache keys, repeat exactly)."""
        hits = self.store.query(root, where)
        return sorted(hits, key=lambda h: (-round(h.score, 9), h.id))[:k]

    def search_pages(
        self,
        query: str,
        *,
        docs: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        k: int = 10,
        dim: str | None = None,
        mode: Mode | None = None,
        rrf_k: int = 60,
        decay: float | None = None,
        sparse_weight: float | None = None,
    ) -> list[PageHit]:
        """Pages ranked by the reciprocal ranks of their chunks among the top chunk hits.

        A page's score is ``sum_i decay**i / (rrf_k + rank_i)`` over its chunks in rank
        order: ``decay=0`` is MaxP (the page is as good as its best chunk), ``decay=1`` sums
        every chunk, which favours pages cut into many blocks. In between, a page's best
        chunk counts most and its further matches (a figure and the paragraph citing it,
        the page chunk and a block) add evidence.
        """
        decay = self.settings.page_decay if decay is None else decay
        hits = self.search(query, docs=docs, kinds=kinds, k=max(5 * k, 30), dim=dim, mode=mode,
                           sparse_weight=sparse_weight)  # fmt: skip
        pages: dict[tuple[str, int], PageHit] = {}
        for rank, sc in enumerate(hits):
            key = (sc.chunk.doc_id, sc.chunk.page)
            ph = pages.setdefault(key, PageHit(sc.chunk.doc_id, sc.chunk.doc_name, sc.chunk.page, 0.0))
            ph.score += decay ** len(ph.chunks) / (rrf_k + rank + 1)
            ph.chunks.append(sc)
        ranked = sorted(pages.values(), key=lambda p: (-p.score, p.doc_id, p.page))
        return ranked[:k]

    # -- neighbourhood tools -------------------------------------------------------

    def page_chunks(self, doc_id: str, page: int, kinds: Sequence[str] | None = None) -> list[Chunk]:
        """A page's chunks in reading order (the page chunk first)."""
        hits = self.store.scroll(Where(doc_ids=[doc_id], pages=[page], kinds=kinds))
        chunks = [chunk_from_payload(h.id, h.payload) for h in hits if h.payload.get("kind") != "doc"]
        return sorted(chunks, key=lambda c: c.ordinal)

    def read_pages(self, pages: Sequence[tuple[str, int]]) -> list[Chunk]:
        """What a reader sees of whole pages: each page's page chunk, then its figures and
        tables (their captions and markdown), pages in the order given."""
        out: list[Chunk] = []
        for doc_id, page in pages:
            out.extend(self.page_chunks(doc_id, page, kinds=["page", "figure", "table"]))
        return out

    def doc_chunks(self, doc_id: str, kinds: Sequence[str]) -> list[Chunk]:
        """A document's chunks of these kinds, in page and reading order (its inventory)."""
        hits = self.store.scroll(Where(doc_ids=[doc_id], kinds=kinds))
        return sorted((chunk_from_payload(h.id, h.payload) for h in hits), key=lambda c: (c.page, c.ordinal))

    def doc_text(self, doc_id: str) -> str:
        """Everything the index holds of a document as text, for checks by code such as whether
        a name the question mentions occurs anywhere: its file name, title and outline (a name
        may be printed only in the pictures of slides and in the file's name), then its pages,
        figures (captions, OCR'd labels) and tables; cached per document."""
        with self._lock:
            hit = self._doc_text.get(doc_id)
        if hit is not None:
            return hit
        hits = self.store.scroll(Where(doc_ids=[doc_id], kinds=["page", "figure", "table", "doc"]))
        head = [
            f"{h.payload.get('name', '')} {h.payload.get('title', '')} "
            + " ".join(str(o[1]) for o in h.payload.get("outline", []) if len(o) > 1)
            for h in hits
            if h.payload.get("kind") == "doc"
        ]
        chunks = sorted(
            (chunk_from_payload(h.id, h.payload) for h in hits if h.payload.get("kind") != "doc"),
            key=lambda c: (c.page, c.ordinal),
        )
        # the file name's separators as spaces: "ACME_2022_10K.pdf" names ACME and 2022
        text = "\n".join([re.sub(r"[_.-]+", " ", t) for t in head] + [c.text for c in chunks])
        with self._lock:
            if len(self._doc_text) > 64:
                self._doc_text.clear()
            self._doc_text[doc_id] = text
        return text
