"""ONNX Runtime path for sentence-transformers embedders: export once, embed faster.

``export_onnx(folder)`` traces the whole sentence-transformers pipeline of a model folder
(transformer, pooling, dense layers, normalisation) into ``folder/onnx/model.onnx`` and
keeps it only if it reproduces the PyTorch vectors (cosine >= ``MIN_COSINE`` on check
texts that are padded in a batch and longer than the sliding attention window). The
export is written to a temporary folder and renamed into place with its manifest last,
so a crash leaves either no export or a complete one.

Gemma-3 embedders (EmbeddingGemma) attend bidirectionally, in sliding-window layers only
within a band of ``sliding_window`` positions. transformers builds those masks with
``torch.vmap``, which the ONNX tracer cannot follow, so the wrapper builds both masks
itself (padding, and padding within the band) and passes them as prepared 4-D masks.

``quantize_int8(folder)`` then derives ``folder/onnx/model-int8.onnx``: ONNX Runtime dynamic
int8 quantisation (per-channel weights) of every projection MatMul of the transformer but the
feed-forward down projections, whose inputs carry the large activation outliers. It is kept
only if its vectors stay within ``MIN_COSINE_INT8`` of the fp32 export's on the check texts.
On the dev set (bench/embedder.py) it embeds ~2x faster than fp32 with recall@5 within 0.01;
quantising the down projections too was ~2.6x faster but lost 0.016 of recall@5.

Install-time only (``mardoc models install``); the run-time embedder is
:class:`mardoc.models.onnx_embed.OnnxEmbedder`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from mardoc.errors import BackendError
from mardoc.models.onnx_embed import (
    INT8_FILE,
    INT8_MANIFEST,
    INT8_REFUSED,
    ONNX_DIR,
    ONNX_FILE,
    ONNX_MANIFEST,
    OnnxEmbedder,
    int8_model_path,
    onnx_model_path,
    prompts_of,
)

log = logging.getLogger(__name__)

MIN_COSINE = 0.9999
MIN_COSINE_INT8 = 0.99
# the MatMuls int8 quantises: node names of the export (transformers' module paths)
INT8_INCLUDE = ("_proj/",)
INT8_EXCLUDE = ("/down_proj/",)
EXPORT_VERSION = 1  # bump when the exported graph changes

_CHECK_TEXTS = [
    "Revenue grew 4.2% in 2007.",
    "Figure 3: hit rate by dataset, with the highest value at 0.883 for the largest split.",
    " ".join(f"Paragraph {i} of a long page that runs past the sliding window." for i in range(80)),
]


def _pipeline_module(st: Any) -> Any:
    """A torch module running a SentenceTransformer from token ids to its embedding.

    Defined inside a function so that importing this module needs no torch.
    """
    import torch

    class Pipeline(torch.nn.Module):
        def __init__(self, st: Any) -> None:
            super().__init__()
            self.st = st

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            auto = self.st[0].auto_model
            cfg = auto.config
            if getattr(cfg, "model_type", "") == "gemma3_text" and getattr(
                cfg, "use_bidirectional_attention", False
            ):
                neg = torch.finfo(torch.float32).min
                keep = attention_mask[:, None, None, :].to(torch.float32)
                seq = input_ids.shape[1]
                full = ((1.0 - keep) * neg).expand(-1, 1, seq, -1)
                pos = torch.arange(seq)
                band = (pos[:, None] - pos[None, :]).abs() < cfg.sliding_window
                sliding = torch.where(band[None, None], full, neg)
                masks = {"full_attention": full, "sliding_attention": sliding}
                hidden = auto(input_ids=input_ids, attention_mask=masks).last_hidden_state
            else:
                hidden = auto(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            feats = {"token_embeddings": hidden, "attention_mask": attention_mask}
            for module in list(self.st)[1:]:
                feats = module(feats)
            return feats["sentence_embedding"]

    return Pipeline(st)


def export_onnx(folder: Path, *, max_seq_length: int = 512, force: bool = False) -> Path:
    """Export the model in ``folder`` to ONNX (see the module docstring); returns its path.

    Raises BackendError when the export cannot be made or does not reproduce PyTorch.
    """
    folder = Path(folder)
    done = onnx_model_path(folder)
    if done is not None and not force:
        return done
    try:
        import onnxruntime as ort
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise BackendError(f"cannot export {folder.name} to ONNX: {exc}") from exc
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    tmp = folder / f".{ONNX_DIR}-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        st = SentenceTransformer(
            str(folder), device="cpu", local_files_only=True, model_kwargs={"attn_implementation": "eager"}
        )
        st.max_seq_length = max_seq_length
        st.eval()
        pipe = _pipeline_module(st).eval()
        prompt = prompts_of(folder).get("document", "")
        sample = st.tokenizer(
            [prompt + t for t in _CHECK_TEXTS[:2]], padding=True, truncation=True, return_tensors="pt"
        )
        tmp.mkdir(parents=True)
        with torch.no_grad():
            torch.onnx.export(
                pipe,
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp / ONNX_FILE),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        # the check: a padded batch with one text longer than the sliding window
        want = st.encode_document(
            _CHECK_TEXTS, batch_size=len(_CHECK_TEXTS), normalize_embeddings=True, show_progress_bar=False
        )
        emb = OnnxEmbedder(
            folder, model_file=tmp / ONNX_FILE, max_seq_length=max_seq_length, token_budget=10**6
        )
        got = emb.embed_documents(_CHECK_TEXTS)
        cos = float(np.min(np.sum(np.asarray(want) * got, axis=1)))
        if cos < MIN_COSINE:
            raise BackendError(
                f"ONNX export of {folder.name} does not reproduce PyTorch (cosine {cos:.5f}); "
                "keeping the PyTorch embedder"
            )
        manifest = {
            "export_version": EXPORT_VERSION,
            "torch": torch.__version__,
            "onnxruntime": ort.__version__,
            "max_seq_length": max_seq_length,
            "min_cosine_vs_torch": round(cos, 6),
            "seconds": round(time.perf_counter() - started, 1),
        }
        (tmp / ONNX_MANIFEST).write_text(json.dumps(manifest, indent=2))
        final = folder / ONNX_DIR
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    except BackendError:
        raise
    except Exception as exc:  # the tracer raises many kinds; one line for the user
        raise BackendError(f"ONNX export of {folder.name} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s to ONNX (min cosine vs torch %.6f)", folder.name, cos)
    return final / ONNX_FILE


class _DropQuantizerHint(logging.Filter):
    """onnxruntime's quantiser logs a pre-processing hint on the root logger; users need not see it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def quantize_matmuls(src: Path, dst: Path, include: tuple[str, ...], exclude: tuple[str, ...] = (),
                     reduce_range: bool = False) -> int:  # fmt: skip
    """Dynamic int8 quantisation of the MatMuls of ``src`` whose node name contains one of
    ``include`` and none of ``exclude``; writes ``dst``, returns how many were quantised.
    ``reduce_range``: 7-bit weights, which ONNX Runtime's int8 kernels without AVX-512 VNNI
    multiply without saturating."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src), load_external_data=False).graph
    nodes = [
        n.name
        for n in graph.node
        if n.op_type == "MatMul"
        and any(part in n.name for part in include)
        and not any(part in n.name for part in exclude)
    ]
    if nodes:
        hint = _DropQuantizerHint()
        logging.getLogger().addFilter(hint)
        try:
            quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True, nodes_to_quantize=nodes,
                             reduce_range=reduce_range)  # fmt: skip
        finally:
            logging.getLogger().removeFilter(hint)
    return len(nodes)


def quantize_int8(folder: Path, *, force: bool = False) -> Path:
    """Make the int8 variant of a folder's ONNX export (see the module docstring); its path.

    Raises BackendError when there is no export, nothing to quantise, or the int8 vectors
    drift from fp32 by more than ``MIN_COSINE_INT8``; nothing is left behind then.
    """
    folder = Path(folder)
    done = int8_model_path(folder)
    if done is not None and not force:
        return done
    src = onnx_model_path(folder)
    if src is None:
        raise BackendError(f"no ONNX export of {folder.name} to quantise; run `mardoc models install`")
    base = src.parent
    tmp = base / f".{INT8_FILE}.tmp"
    (base / INT8_MANIFEST).unlink(missing_ok=True)  # the manifest marks a complete variant
    started = time.perf_counter()
    try:
        fp32 = OnnxEmbedder(folder, model_file=src, token_budget=10**6).embed_documents(_CHECK_TEXTS)
        # full 8-bit weights first; where they drift (an AVX2 CPU's kernels saturate: cosine
        # 0.9506 on an AMD EPYC without AVX-512), 7-bit weights (0.9947 there)
        for reduce_range in (False, True):
            count = quantize_matmuls(src, tmp, INT8_INCLUDE, INT8_EXCLUDE, reduce_range=reduce_range)
            if not count:
                raise BackendError(f"{folder.name}: no projection MatMuls to quantise to int8")
            int8 = OnnxEmbedder(folder, model_file=tmp, token_budget=10**6).embed_documents(_CHECK_TEXTS)
            cos = float(np.min(np.sum(fp32 * int8, axis=1)))
            if cos >= MIN_COSINE_INT8:
                break
        if cos < MIN_COSINE_INT8:
            reason = f"int8 quantisation of {folder.name} drifts from fp32 on this CPU (cosine {cos:.4f})"
            (base / INT8_REFUSED).write_text(json.dumps({"reason": reason, "min_cosine_vs_fp32": round(cos, 6)}))
            raise BackendError(f"{reason}; keeping fp32, which mardoc uses in its place")
        tmp.replace(base / INT8_FILE)
        (base / INT8_REFUSED).unlink(missing_ok=True)
        manifest = {
            "export_version": EXPORT_VERSION,
            "quantised_matmuls": count,
            "include": list(INT8_INCLUDE),
            "exclude": list(INT8_EXCLUDE),
            "min_cosine_vs_fp32": round(cos, 6),
            "reduce_range": reduce_range,
            "seconds": round(time.perf_counter() - started, 1),
        }
        (base / f".{INT8_MANIFEST}.tmp").write_text(json.dumps(manifest, indent=2))
        (base / f".{INT8_MANIFEST}.tmp").replace(base / INT8_MANIFEST)
    except BackendError:
        raise
    except Exception as exc:  # onnx / quantiser errors: one line for the user
        raise BackendError(f"int8 quantisation of {folder.name} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("quantised %s to int8 (%d MatMuls, min cosine vs fp32 %.4f)", folder.name, count, cos)
    return base / INT8_FILE
