"""The run-time ONNX embedder: a sentence-transformers folder run from its ONNX export.

The export and its int8 variant are made at install time by :mod:`mardoc.models.onnx_export`
(``mardoc models install``); this module only finds and runs them.

``OnnxEmbedder`` runs the exported graph with ONNX Runtime, tokenising with the model's
own ``tokenizer.json`` and prompts. Texts are embedded in length order under a token budget
per batch: on two CPU cores one long text per call is fastest (no padding, small
activations), while many short texts (queries) share a call.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from mardoc.errors import BackendError
from mardoc.models.embedders import truncate_normalize

log = logging.getLogger(__name__)

ONNX_DIR = "onnx"
ONNX_FILE = "model.onnx"
ONNX_MANIFEST = "manifest.json"
INT8_FILE = "model-int8.onnx"
INT8_MANIFEST = "int8.json"
INT8_REFUSED = "int8-refused.json"  # the install step found the int8 vectors drift on this CPU


def _complete(folder: Path, model_file: str, manifest: str) -> Path | None:
    """``folder/onnx/model_file`` when it and its manifest (written last) are both there."""
    base = Path(folder) / ONNX_DIR
    if (base / manifest).is_file() and (base / model_file).is_file():
        return base / model_file
    return None


def onnx_model_path(folder: Path) -> Path | None:
    """The exported graph of a model folder, or None when there is no complete export."""
    return _complete(folder, ONNX_FILE, ONNX_MANIFEST)


def int8_model_path(folder: Path) -> Path | None:
    """The int8 variant of a model folder's export, or None when there is no complete one."""
    return _complete(folder, INT8_FILE, INT8_MANIFEST)


def int8_refused(folder: Path) -> str:
    """Why the install step kept fp32 for this folder's export ("" when it did not): the int8
    vectors drifted from fp32 on this machine's CPU (ONNX Runtime's int8 kernels without
    AVX-512 VNNI saturate), so the fp32 export is used in their place."""
    path = Path(folder) / ONNX_DIR / INT8_REFUSED
    if int8_model_path(folder) is not None or not path.is_file():
        return ""
    try:
        return str(json.loads(path.read_text()).get("reason", "the int8 vectors drift"))
    except (OSError, ValueError):
        return "the int8 vectors drift"


def prompts_of(folder: Path) -> dict[str, str]:
    """The query/document prompts of a sentence-transformers folder (none when it has none)."""
    cfg = Path(folder) / "config_sentence_transformers.json"
    if not cfg.is_file():
        return {}
    try:
        prompts = json.loads(cfg.read_text()).get("prompts") or {}
    except (OSError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in prompts.items()}


class OnnxEmbedder:
    """A sentence-transformers model folder run from its ONNX export (``export_onnx``)."""

    def __init__(
        self,
        folder: str | Path,
        *,
        model_file: Path | None = None,
        matryoshka_dims: tuple[int, ...] = (768, 512, 256, 128),
        max_seq_length: int = 512,
        n_threads: int = 0,
        token_budget: int = 256,
    ) -> None:
        self.folder = Path(folder)
        self.model_file = model_file or onnx_model_path(self.folder)
        if self.model_file is None:
            raise BackendError(
                f"no ONNX export of the embedder in {self.folder}; run `mardoc models install` "
                "or set MARDOC_MODELS__EMBEDDER_RUNTIME=torch"
            )
        self.max_seq_length = max_seq_length
        self.n_threads = n_threads
        self.token_budget = token_budget
        self._dims = matryoshka_dims
        self._prompts = prompts_of(self.folder)
        self._session: Any = None
        self._tokenizer: Any = None
        self._dim = 0
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                try:
                    tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                    opts = ort.SessionOptions()
                    opts.intra_op_num_threads = self.n_threads or (os.cpu_count() or 1)
                    opts.inter_op_num_threads = 1
                    session = ort.InferenceSession(
                        str(self.model_file), opts, providers=["CPUExecutionProvider"]
                    )
                except Exception as exc:  # missing/corrupt files: one line
                    raise BackendError(
                        f"cannot load the ONNX embedder from {self.model_file}: {exc}; "
                        "rerun `mardoc models install`"
                    ) from exc
                tok.no_padding()
                tok.enable_truncation(self.max_seq_length)
                self._dim = int(session.get_outputs()[0].shape[-1])
                self._tokenizer, self._session = tok, session
            return self._tokenizer, self._session

    @property
    def dim(self) -> int:
        self._load()
        return self._dim

    @property
    def matryoshka_dims(self) -> tuple[int, ...]:
        return tuple(d for d in self._dims if d <= self.dim)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        tok, session = self._load()
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        ids = [e.ids for e in tok.encode_batch([prompt + t for t in texts])]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        start = 0
        while start < len(order):
            longest = len(ids[order[start]])
            size = max(1, self.token_budget // max(longest, 1))
            batch = order[start : start + size]
            start += size
            width = max(len(ids[i]) for i in batch)
            input_ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            # ONNX Runtime sessions are safe to run from several threads
            out[batch] = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        return truncate_normalize(out, self._dim)  # unit norm whatever the graph's last module

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._prompts.get("document", ""))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._prompts.get("query", ""))
