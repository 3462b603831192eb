"""Matryoshka embedders: sentence-transformers (default EmbeddingGemma) and a hashing fake."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from mardoc.errors import BackendError

log = logging.getLogger(__name__)


def truncate_normalize(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Keep the first ``dim`` components of each row and L2-renormalise (Matryoshka).

    This is the one place where prefixes are cut: the store, the retriever and the
    benchmarks all call it, so a 128-dim query always meets a 128-dim index the same way.
    """
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if dim <= 0 or dim > arr.shape[1]:
        raise ValueError(f"cannot truncate {arr.shape[1]}-dim vectors to {dim}")
    cut = arr[:, :dim]
    norms = np.linalg.norm(cut, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return cut / norms


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder (or a hub id when allowed).

    Uses the model's own query and document prompts (``encode_query``/``encode_document``).
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        matryoshka_dims: tuple[int, ...] = (768, 512, 256, 128),
        batch_size: int = 1,  # fastest on CPU (bench/embedder.py), as the setting
        n_threads: int = 0,
        local_only: bool = True,
        max_seq_length: int = 512,
    ) -> None:
        self.model_path = str(model_path)
        self.max_seq_length = max_seq_length
        self._dims = matryoshka_dims
        self.batch_size = batch_size
        self.n_threads = n_threads
        self.local_only = local_only
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if self.local_only:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                if self.n_threads:
                    torch.set_num_threads(self.n_threads)
                try:
                    self._model = SentenceTransformer(
                        self.model_path, device="cpu", local_files_only=self.local_only
                    )
                    # Attention cost grows with length: documents are cut at 512 tokens
                    # (whole-page chunks; passages are shorter). The full text of a page is
                    # still covered by its passage chunks and by BM25.
                    self._model.max_seq_length = self.max_seq_length
                except OSError as exc:
                    raise BackendError(
                        f"cannot load embedder from {self.model_path}: {exc}; "
                        "run `mardoc models install` or set MARDOC_MODELS__EMBEDDER"
                    ) from exc
            return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def matryoshka_dims(self) -> tuple[int, ...]:
        return tuple(d for d in self._dims if d <= self.dim)

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        fn = model.encode_query if query else model.encode_document
        with self._lock:  # torch inference on one model object is not re-entrant-safe
            out = fn(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True)


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic bag-of-words embedder for tests, with a real Matryoshka structure.

    Each word lands in one hashed slot of *every* band of ``band`` dimensions, so any
    prefix that is a multiple of ``band`` keeps every word: truncation degrades
    resolution, never recall, like a trained Matryoshka model.
    """

    def __init__(self, dim: int = 256, band: int = 32) -> None:
        if dim % band:
            raise ValueError("dim must be a multiple of band")
        self._dim = dim
        self.band = band

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def matryoshka_dims(self) -> tuple[int, ...]:
        dims = [self._dim]
        d = self._dim // 2
        while d >= self.band:
            dims.append(d)
            d //= 2
        return tuple(dims)

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=16).digest()
            sign = 1.0 if digest[0] & 1 else -1.0
            for b in range(self._dim // self.band):
                slot = digest[1 + (b % 15)] % self.band
                vec[b * self.band + slot] += sign
        norm = np.linalg.norm(vec)
        if norm == 0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_documents(texts)
