"""Embedder benchmark: speed of each runtime, and whether its vectors keep retrieval quality.

Usage:
  python bench/embedder.py [--library PATH] [--sample 200] [--recall onnx onnx-int8] [--json OUT]

Reads the stored chunks of the dev library (bench/ingest.py builds it; their vectors were
made by the PyTorch embedder) and, in one run:
1. embeds a seeded sample of the stored chunk texts with each runtime and prints chunks/s,
   characters/s, the speed-up over the PyTorch embedder as it shipped (batches of 16), and
   the cosine between each runtime's vectors and the stored ones;
2. for the runtimes named by ``--recall``, re-embeds every chunk and every dev question and
   prints dense (full-dimension, exact) evidence-page recall within each question's
   document, next to the same recall from the stored vectors. A runtime is fit to replace
   PyTorch when its recall@5 stays within 0.01 of the stored vectors'.

Runtimes: ``torch-bs16`` (sentence-transformers, batch 16: the previous default),
``torch-bs1``, ``onnx`` (the export of `mardoc models install`, fp32, token-budget batches),
``onnx-int8`` (that export with ONNX Runtime dynamic int8 quantisation of its weight
MatMuls), ``onnx-int8-mlp`` (only the feed-forward MatMuls: gate, up, down) and
``onnx-int8-gateup`` (only gate and up: the down projection, whose inputs carry the
activation outliers, stays fp32) and ``onnx-int8-nodown`` (every weight MatMul of the
transformer but the down projections). The quantised models are made here and cached under
~/.mardoc/cache.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from mardoc import Library, Settings
from mardoc.eval import load, recall_at
from mardoc.models import (
    INT8_EXCLUDE,
    INT8_INCLUDE,
    OnnxEmbedder,
    Provisioner,
    SentenceTransformerEmbedder,
    onnx_model_path,
    quantize_matmuls,
)
from mardoc.retrieval import FULL
from mardoc.types import payload_embed_text as embed_text

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "mmlongbench-dev"
RUNTIMES = (
    "torch-bs16",
    "torch-bs1",
    "onnx",
    "onnx-int8",
    "onnx-int8-mlp",
    "onnx-int8-gateup",
    "onnx-int8-nodown",
)
# which weight MatMuls each int8 variant quantises (node-name parts of the export)
INT8_SCOPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (include, exclude)
    "onnx-int8": (("_proj/", "/linear/"), ()),
    "onnx-int8-mlp": (("/mlp/",), ()),
    "onnx-int8-gateup": (("/mlp/gate_proj/", "/mlp/up_proj/"), ()),
    "onnx-int8-nodown": (INT8_INCLUDE, INT8_EXCLUDE),  # = mardoc's int8 model
}


def int8_model(folder: Path, cache: Path, name: str) -> Path:
    """The int8 variant ``name`` of the ONNX export, made once and cached (not checked:
    the point here is to measure it). ``onnx-int8-nodown`` is the product's int8 model."""
    out = cache / f"embeddinggemma-300m-{name.removeprefix('onnx-')}.onnx"
    if not out.is_file():
        src = onnx_model_path(folder)
        if src is None:
            raise SystemExit("no ONNX export: run `mardoc models install` first")
        cache.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.onnx")
        quantize_matmuls(src, tmp, *INT8_SCOPES[name])
        tmp.rename(out)
    return out


def build(name: str, folder: Path, home: Path) -> object:
    if name == "torch-bs16":
        return SentenceTransformerEmbedder(folder, batch_size=16)
    if name == "torch-bs1":
        return SentenceTransformerEmbedder(folder, batch_size=1)
    if name == "onnx":
        return OnnxEmbedder(folder)
    if name in INT8_SCOPES:
        return OnnxEmbedder(folder, model_file=int8_model(folder, home / "cache", name))
    raise SystemExit(f"unknown runtime {name}")


def page_recall(samples: list, chunks: list[dict], vecs: np.ndarray, qvecs: np.ndarray) -> dict[str, float]:
    """Exact dense search over one document's chunks; a page scores as its best chunk."""
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(chunks):
        by_doc.setdefault(c["doc_name"], []).append(i)
    rows = []
    for s, q in zip(samples, qvecs, strict=True):
        idx = by_doc[Path(s.doc_path).name]
        scores = vecs[idx] @ q
        best: dict[int, float] = {}
        for j, sc in zip(idx, scores, strict=True):
            page = int(chunks[j]["page"])
            best[page] = max(best.get(page, -1.0), float(sc))
        ranked = sorted(best, key=lambda p: (-best[p], p))
        rows.append({"evidence_pages": s.evidence_pages, "pages_ranked": ranked[:10]})
    return {f"R@{k}": recall_at(rows, k) for k in (1, 3, 5, 10)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, default=Path("~/.mardoc/libraries/dev").expanduser())
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--runtimes", nargs="*", default=list(RUNTIMES))
    ap.add_argument("--recall", nargs="*", default=["onnx", "onnx-int8"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    console = Console()
    # the library's stored vectors are the fp32 reference: open its fp32 index
    settings = Settings(models={"embedder_int8": False})
    folder = Provisioner(settings.home_dir).require("embeddinggemma-300m")

    lib = Library(args.library, settings=settings)
    hits = [h for h in lib.store.scroll(with_vectors=True) if FULL in h.vectors]  # not the doc records
    docs = {r["name"] for r in lib.documents() if r.get("status") == "complete"}
    lib.close()  # Qdrant Edge is single-process: release it before the long part
    if not hits:
        raise SystemExit(f"no stored fp32 chunks in {args.library}: build it with bench/ingest.py first")
    chunks = [h.payload for h in hits]
    stored = np.array([h.vectors[FULL] for h in hits], dtype=np.float32)
    texts = [embed_text(c) for c in chunks]
    samples, _ = load("mmlongbench", DEV)
    samples = [s for s in samples if s.evidence_pages and Path(s.doc_path).name in docs]
    rng = np.random.default_rng(0)
    pick = sorted(rng.choice(len(texts), size=min(args.sample, len(texts)), replace=False).tolist())
    console.print(
        f"{len(texts)} stored chunks, {len(samples)} answerable questions; speed sample {len(pick)} chunks "
        f"(mean {np.mean([len(texts[i]) for i in pick]):.0f} chars), {os.cpu_count()} cores"
    )

    speed: list[dict] = []
    for name in args.runtimes:
        emb = build(name, folder, settings.home_dir)
        emb.embed_documents(texts[:2])  # type: ignore[attr-defined]  # load + warm up
        start = time.perf_counter()
        vec = emb.embed_documents([texts[i] for i in pick])  # type: ignore[attr-defined]
        secs = time.perf_counter() - start
        cos = np.sum(vec * stored[pick], axis=1)
        speed.append(
            {
                "runtime": name,
                "seconds": secs,
                "chunks_per_s": len(pick) / secs,
                "chars_per_s": sum(len(texts[i]) for i in pick) / secs,
                "cos_mean": float(cos.mean()),
                "cos_min": float(cos.min()),
            }
        )
        del emb
    base = next((r["chunks_per_s"] for r in speed if r["runtime"] == "torch-bs16"), None)
    t = Table(title=f"embedding throughput on {len(pick)} stored chunk texts (same run)")
    for col in ("runtime", "s", "chunks/s", "chars/s", "x torch-bs16", "cos mean", "cos min"):
        t.add_column(col, justify="right")
    for r in speed:
        r["speedup"] = r["chunks_per_s"] / base if base else None
        t.add_row(
            r["runtime"],
            f"{r['seconds']:.1f}",
            f"{r['chunks_per_s']:.2f}",
            f"{r['chars_per_s']:.0f}",
            f"{r['speedup']:.2f}" if base else "-",
            f"{r['cos_mean']:.5f}",
            f"{r['cos_min']:.5f}",
        )
    console.print(t)

    quality: list[dict] = []
    questions = [s.question for s in samples]
    torch_q = SentenceTransformerEmbedder(folder).embed_queries(questions)
    quality.append({"vectors": "stored (torch)", **page_recall(samples, chunks, stored, torch_q)})
    for name in args.recall:
        emb = build(name, folder, settings.home_dir)
        vecs = np.zeros_like(stored)
        step = 64
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"re-embedding with {name}", total=len(texts))
            for i in range(0, len(texts), step):
                vecs[i : i + step] = emb.embed_documents(texts[i : i + step])  # type: ignore[attr-defined]
                bar.advance(task, min(step, len(texts) - i))
        qv = emb.embed_queries(questions)  # type: ignore[attr-defined]
        quality.append({"vectors": name, **page_recall(samples, chunks, vecs, qv)})
        del emb
    t2 = Table(title=f"dense full-dim page recall, {len(samples)} questions (within-document, MaxP)")
    for col in ("vectors", "R@1", "R@3", "R@5", "R@10", "R@5 - stored"):
        t2.add_column(col, justify="right")
    for r in quality:
        t2.add_row(
            r["vectors"],
            *(f"{r[f'R@{k}']:.3f}" for k in (1, 3, 5, 10)),
            f"{r['R@5'] - quality[0]['R@5']:+.3f}",
        )
    console.print(t2)
    if args.json:
        args.json.write_text(json.dumps({"speed": speed, "quality": quality}, indent=1))


if __name__ == "__main__":
    main()
