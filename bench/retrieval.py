"""Retrieval benchmark: evidence-page recall on the dev set, and funnel vs exact at scale.

Usage:
  python bench/retrieval.py recall [--library PATH] [--json OUT]   # dev-set page recall per config
  python bench/retrieval.py scale [--sizes 10000 100000]           # Matryoshka funnel speed/recall

`recall` ranks the pages of each answerable question's own document (the library must hold
the dev documents: run bench/ingest.py first) for BM25 alone, dense full-dim, the funnel at
64 and 128 dims, auto, and hybrid. `scale` tiles real chunk vectors with small noise
(``--noise``, a share of the vector norm) to the requested sizes in fresh Qdrant Edge shards
and searches them with the dev questions' real query vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.eval import load, recall_at

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "mmlongbench-dev"
CONFIGS = {
    "bm25": {"mode": "sparse"},
    "dense-full": {"mode": "dense", "dim": "full"},
    "dense-funnel-64": {"mode": "dense", "dim": "64"},
    "dense-funnel-128": {"mode": "dense", "dim": "128"},
    "dense-auto": {"mode": "dense", "dim": "auto"},
    "hybrid-auto": {"mode": "hybrid", "dim": "auto", "sparse_weight": 1.0},
    # BM25 weighed less than the dense ranking in the fusion (RetrievalSettings.sparse_weight)
    "hybrid-auto-w0.5": {"mode": "hybrid", "dim": "auto", "sparse_weight": 0.5},
    "hybrid-auto-w0.25": {"mode": "hybrid", "dim": "auto", "sparse_weight": 0.25},
    "hybrid-auto-w0.1": {"mode": "hybrid", "dim": "auto", "sparse_weight": 0.1},
    # Page aggregation of the hybrid chunk ranking (see Retriever.search_pages).
    "hybrid-auto-sum": {"mode": "hybrid", "dim": "auto", "decay": 1.0, "sparse_weight": 1.0},
    "hybrid-auto-decay0.5": {"mode": "hybrid", "dim": "auto", "decay": 0.5, "sparse_weight": 1.0},
    "hybrid-auto-maxp": {"mode": "hybrid", "dim": "auto", "decay": 0.0, "sparse_weight": 1.0},
}


def recall(args: argparse.Namespace) -> None:
    lib = Library(args.library, settings=Settings())
    docs = {r["name"]: r["doc_id"] for r in lib.documents() if r.get("status") == "complete"}
    samples, _ = load("mmlongbench", DEV)
    samples = [s for s in samples if s.evidence_pages and Path(s.doc_path).name in docs]
    console = Console()
    console.print(f"{len(samples)} answerable questions over {len(docs)} ingested documents")
    out = []
    by_source: dict[str, dict[str, list[dict]]] = {}
    for name, cfg in CONFIGS.items():
        rows, start = [], time.perf_counter()
        for s in samples:
            pages = lib.retriever.search_pages(s.question, docs=[docs[Path(s.doc_path).name]], k=10, **cfg)
            rows.append(
                {
                    "evidence_pages": s.evidence_pages,
                    "pages_ranked": [p.page for p in pages],
                    "sources": s.evidence_sources,
                }
            )
        ms = 1000 * (time.perf_counter() - start) / max(len(samples), 1)
        res = {"config": name, "ms_per_query": ms, "n": len(rows)}
        for k in (1, 3, 5, 10):
            res[f"recall@{k}"] = recall_at(rows, k)
            res[f"all_recall@{k}"] = recall_at(rows, k, all_pages=True)
        out.append(res)
        for r in rows:
            for src in r["sources"]:
                by_source.setdefault(name, {}).setdefault(src, []).append(r)
    t = Table(
        title=f"evidence-page recall, within-document page ranking ({len(samples)} questions, {os.cpu_count()} cores)"
    )
    for col in ("config", "R@1", "R@3", "R@5", "R@10", "all@5", "all@10", "ms/query"):
        t.add_column(col, justify="right")
    for r in out:
        t.add_row(
            r["config"],
            *(f"{r[f'recall@{k}']:.3f}" for k in (1, 3, 5, 10)),
            f"{r['all_recall@5']:.3f}",
            f"{r['all_recall@10']:.3f}",
            f"{r['ms_per_query']:.1f}",
        )
    console.print(t)
    t2 = Table(title="R@5 by evidence source")
    srcs = sorted({s for v in by_source.values() for s in v})
    t2.add_column("config")
    for s in srcs:
        t2.add_column(s[:18], justify="right")
    for name in CONFIGS:
        t2.add_row(
            name,
            *(
                f"{recall_at(by_source[name].get(s, []), 5):.3f} (n={len(by_source[name].get(s, []))})"
                for s in srcs
            ),
        )
    console.print(t2)
    for res in out:
        rows_of = by_source.get(res["config"], {})
        res["by_source"] = {
            s: {"n": len(rows_of.get(s, [])), **{f"recall@{k}": recall_at(rows_of.get(s, []), k) for k in (3, 5)}}
            for s in srcs
        }
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    lib.close()


def _seed_vectors(args: argparse.Namespace) -> np.ndarray:
    """Real full-dim chunk vectors of the dev library (cached in ``--vectors`` when given)."""
    from mardoc.retrieval import FULL

    if args.vectors and args.vectors.exists():
        return np.load(args.vectors)
    lib = Library(args.library, settings=Settings())
    base = np.array(
        [h.vectors[FULL] for h in lib.store.scroll(with_vectors=True) if FULL in h.vectors], dtype=np.float32
    )
    lib.close()
    if args.vectors:
        np.save(args.vectors, base)
    return base


PREFIXES = (64, 128)


def _dev_queries(args: argparse.Namespace) -> np.ndarray:
    """Real query vectors: the dev questions embedded with the query prompt (cached)."""
    cache = args.vectors.with_name(args.vectors.stem + "-queries.npy") if args.vectors else None
    if cache and cache.exists():
        return np.load(cache)
    from mardoc.models import build_embedder

    samples, _ = load("mmlongbench", DEV)
    settings = Settings()
    emb = build_embedder(settings.models.embedder, settings)
    q = np.asarray(emb.embed_queries([s.question for s in samples]), dtype=np.float32)
    if cache:
        np.save(cache, q)
    return q


def scale(args: argparse.Namespace) -> None:
    import uuid

    from mardoc.models import truncate_normalize
    from mardoc.retrieval import FULL, ClientStore, EdgeStore, Nearest, PointData, prefix_name

    base = _seed_vectors(args)
    console = Console()
    console.print(f"{len(base)} real chunk vectors as seeds")
    rng = np.random.default_rng(0)
    t = Table(title=f"Matryoshka funnel vs exact full-dim search ({os.cpu_count()} cores)")
    for col in ("points", "engine", "config", "ms/query", "recall@10 vs exact", "seed recall@10", "speed-up", "build s", "disk MB",
                "RSS MB"):  # fmt: skip
        t.add_column(col, justify="right")
    queries = _dev_queries(args)[:100]
    # Noise is set by its share of the vector norm: a unit 768-d vector has ~0.036 per
    # dimension, so a per-dimension noise of that size would swamp the Matryoshka structure
    # (a per-dimension noise of 0.03, tried first, did: tiled points were ~40% noise).
    sigma = args.noise / np.sqrt(base.shape[1])
    out: list[dict] = []
    runs = [(n, "edge") for n in args.sizes] + [(min(args.sizes), "qdrant-client local")]
    for n, engine in runs:
        tmp = Path(tempfile.mkdtemp())
        store = EdgeStore(tmp / "shard") if engine == "edge" else ClientStore(":memory:", "scale")
        store.ensure(base.shape[1], list(PREFIXES))
        start = time.perf_counter()
        seed_of = np.empty(n, dtype=np.int64)  # point -> the real chunk vector it was tiled from
        for lo in range(0, n, 2000):
            idx = rng.integers(0, len(base), size=min(2000, n - lo))
            seed_of[lo : lo + len(idx)] = idx
            vecs = base[idx] + rng.normal(scale=sigma, size=(len(idx), base.shape[1])).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            store.upsert([
                PointData(str(uuid.UUID(int=lo + i)),
                          {FULL: v.tolist()} | {prefix_name(d): truncate_normalize(v, d)[0].tolist() for d in PREFIXES},
                          {"kind": "block"})
                for i, v in enumerate(vecs)
            ])  # fmt: skip
        if isinstance(store, EdgeStore):
            store.flush()
            store.shard.optimize()  # build HNSW on the prefixes
        build = time.perf_counter() - start
        disk = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file()) / 1e6
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        def seeds(hits: list, seed_of: np.ndarray = seed_of) -> set[int]:
            return {int(seed_of[uuid.UUID(h.id).int]) for h in hits}

        exact_ids, exact_seeds, exact_ms = [], [], 0.0
        for q in queries:
            s0 = time.perf_counter()
            hits = store.query(Nearest(FULL, q.tolist(), 10, exact=True))
            exact_ms += time.perf_counter() - s0
            exact_ids.append({h.id for h in hits})
            exact_seeds.append(seeds(hits))
        exact_ms = 1000 * exact_ms / len(queries)
        rows = [{"points": n, "engine": engine, "config": "exact-768", "ms_per_query": exact_ms, "recall@10": 1.0,
                 "seed_recall@10": 1.0, "speedup": 1.0, "build_s": build, "disk_mb": disk, "rss_mb": rss}]  # fmt: skip
        for dim, pool in ((64, 100), (128, 100), (128, 400), (128, 1000), (128, 2000), (64, 2000)):
            got, got_seed, ms = 0.0, 0.0, 0.0
            for q, truth, truth_seeds in zip(queries, exact_ids, exact_seeds, strict=True):
                low = truncate_normalize(q, dim)[0].tolist()
                s0 = time.perf_counter()
                hits = store.query(
                    Nearest(FULL, q.tolist(), 10, prefetch=(Nearest(prefix_name(dim), low, pool),))
                )
                ms += time.perf_counter() - s0
                got += len({h.id for h in hits} & truth) / 10
                got_seed += len(seeds(hits) & truth_seeds) / len(truth_seeds)
            ms = 1000 * ms / len(queries)
            rows.append({"points": n, "engine": engine, "config": f"funnel {dim}->768 (N={pool})",
                         "ms_per_query": ms, "recall@10": got / len(queries), "seed_recall@10": got_seed / len(queries),
                         "speedup": exact_ms / ms})  # fmt: skip
        for r in rows:
            t.add_row(str(n), engine, r["config"], f"{r['ms_per_query']:.2f}", f"{r['recall@10']:.3f}",
                      f"{r['seed_recall@10']:.3f}",
                      f"{r['speedup']:.1f}x", *(f"{r[k]:.0f}" if k in r else "" for k in ("build_s", "disk_mb", "rss_mb")))  # fmt: skip
        out += rows
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)
    console.print(t)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["recall", "scale"])
    ap.add_argument("--library", type=Path, default=Path("~/.mardoc/libraries/dev").expanduser())
    ap.add_argument("--json", type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--noise", type=float, default=0.1, help="tiling noise as a share of the vector norm")
    ap.add_argument(
        "--vectors", type=Path, help="cache of the seed vectors (.npy), so scale needs no library lock"
    )
    args = ap.parse_args()
    recall(args) if args.what == "recall" else scale(args)


if __name__ == "__main__":
    main()
