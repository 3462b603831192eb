"""BM25 sparse vectors (Qdrant's own BM25 tokenizer; IDF is applied by the store's modifier)."""

from __future__ import annotations

import threading
from typing import Any

from mardoc.retrieval.query import Sparse

_bm25: Any = None
_lock = threading.Lock()


def _model() -> Any:
    global _bm25
    with _lock:
        if _bm25 is None:
            from qdrant_edge import Bm25

            _bm25 = Bm25()
        return _bm25


def bm25_document(text: str) -> Sparse:
    v = _model().embed_document(text)
    return Sparse(list(v.indices), list(v.values))


def bm25_query(text: str) -> Sparse:
    v = _model().embed_query(text)
    return Sparse(list(v.indices), list(v.values))
