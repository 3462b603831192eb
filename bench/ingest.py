"""Ingestion benchmark on the shared dev set: parsing, OCR, chunks, embedding, end to end.

Usage: python bench/ingest.py [--docs DIR] [--library PATH] [--json OUT] [--parse-only [--workers N...] [--table-gate on|off]]
Prints one table; the numbers in bench/RESULTS.md come from this script.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import pymupdf
from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.types import payload_embed_text as embed_text

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "mmlongbench-dev" / "documents"


def plain_get_text(pdfs: list[Path]) -> tuple[int, float]:
    pages, start = 0, time.perf_counter()
    for p in pdfs:
        with pymupdf.open(p) as d:
            for page in d:
                page.get_text()
                pages += 1
    return pages, time.perf_counter() - start


def raw_embed_throughput(lib: Library, texts: list[str]) -> float:
    emb = lib.embedder
    emb.embed_documents(texts[:4])  # warm-up
    start = time.perf_counter()
    emb.embed_documents(texts)
    return len(texts) / (time.perf_counter() - start)


def parse_only(pdfs: list[Path], workers: int, table_gate: bool = True) -> None:
    """Parser throughput alone (no embedding), per document, OCR pages counted apart.

    ``table_gate=False`` runs the table finder on every page, to count the tables the gate
    skips.
    """
    from mardoc.ingest import PdfParser

    ingest = Settings().ingest.model_copy(update={"parse_workers": workers, "table_gate": table_gate})
    parser = PdfParser(ingest, crops_dir=Path(tempfile.mkdtemp()) / "crops")
    parser.parse(pdfs[0])  # start the worker processes (kept across documents)
    parser.stage_seconds.clear()
    parser.stage_pages.clear()
    t = Table(
        title=f"parse only, parse_workers={workers} (0 = one per core; {os.cpu_count()} cores), "
        f"table gate {'on' if table_gate else 'off'}"
    )
    for col in ("document", "pages", "OCR pages", "tables", "figures", "seconds", "pages/s"):
        t.add_column(col, justify="right")
    tot = {"pages": 0, "ocr": 0, "s": 0.0, "s_text": 0.0, "p_text": 0, "table": 0, "figure": 0}
    for pdf in pdfs:
        start = time.perf_counter()
        doc = parser.parse(pdf)
        sec = time.perf_counter() - start
        ocr = sum(p.ocr for p in doc.pages)
        regions = [r.kind for p in doc.pages for r in p.regions]
        tot["pages"] += len(doc.pages)
        tot["ocr"] += ocr
        tot["s"] += sec
        tot["table"] += regions.count("table")
        tot["figure"] += regions.count("figure")
        if ocr == 0:
            tot["s_text"] += sec
            tot["p_text"] += len(doc.pages)
        t.add_row(pdf.name[:40], str(len(doc.pages)), str(ocr), str(regions.count("table")),
                  str(regions.count("figure")), f"{sec:.1f}", f"{len(doc.pages) / sec:.2f}")  # fmt: skip
    t.add_row(
        "all",
        str(tot["pages"]),
        str(tot["ocr"]),
        str(tot["table"]),
        str(tot["figure"]),
        f"{tot['s']:.1f}",
        f"{tot['pages'] / tot['s']:.2f}",
    )
    if tot["s_text"]:
        t.add_row("documents without OCR", str(tot["p_text"]), "0", "", "", f"{tot['s_text']:.1f}",
                  f"{tot['p_text'] / tot['s_text']:.2f}")  # fmt: skip
    parser.close()
    console = Console()
    console.print(t)
    if parser.stage_seconds:  # in-process parsing only: workers keep their own clocks
        st = Table(title="parser stages, all documents (in-process)")
        for col in ("stage", "pages", "seconds", "share", "ms/page"):
            st.add_column(col, justify="right")
        total = sum(parser.stage_seconds.values())
        for stage, sec in sorted(parser.stage_seconds.items(), key=lambda kv: -kv[1]):
            n = parser.stage_pages[stage]
            st.add_row(stage, str(n), f"{sec:.1f}", f"{sec / total:.0%}", f"{1000 * sec / max(n, 1):.0f}")
        console.print(st)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=DEV)
    ap.add_argument("--library", type=Path, default=Path("~/.mardoc/libraries/dev").expanduser())
    ap.add_argument("--json", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--parse-only", action="store_true", help="measure the parser alone, no embedding")
    ap.add_argument("--workers", type=int, nargs="*", default=[1], help="parse_workers settings to compare")
    ap.add_argument(
        "--table-gate",
        choices=["on", "off"],
        default="on",
        help="off: run the table finder on every page, to count what the gate skips",
    )
    args = ap.parse_args()
    pdfs = sorted(args.docs.glob("*.pdf"))[: args.limit or None]
    if args.parse_only:
        for w in args.workers:
            parse_only(pdfs, w, table_gate=args.table_gate == "on")
        return
    lib = Library(args.library, settings=Settings())
    console = Console()
    rows = []
    for pdf in pdfs:
        r = lib.ingest([pdf])[0]
        rows.append(r)
        console.print(
            f"{r.name[:40]:40} {r.status:9} {r.pages:4}p parse {r.parse_seconds:6.1f}s embed {r.embed_seconds:7.1f}s {r.chunks} {r.error}"
        )
    done = [r for r in rows if r.status == "ingested"]
    pages = sum(r.pages for r in done)
    ocr_pages = sum(r.ocr_pages for r in done)
    parse_s = sum(r.parse_seconds for r in done)
    embed_s = sum(r.embed_seconds for r in done)
    total_s = sum(r.seconds for r in done)
    chunks: dict[str, int] = {}
    for r in done:
        for k, v in r.chunks.items():
            chunks[k] = chunks.get(k, 0) + v
    embedded = sum(r.embedded_chunks for r in done)
    plain_pages, plain_s = plain_get_text(pdfs)
    # raw embedder throughput on a sample of real stored chunk texts, same run
    # (a seeded random sample of every stored chunk's embedded text: the same mix of kinds and
    # lengths as the stage; raw chars/s is printed too, the ratio that does not depend on it)
    stored = [h.payload for h in lib.store.scroll() if h.payload.get("kind") != "doc"]
    rng = random.Random(0)
    sample = [embed_text(p) for p in rng.sample(stored, min(96, len(stored)))]
    raw = raw_embed_throughput(lib, sample) if sample else 0.0
    raw_chars = raw * sum(map(len, sample)) / max(len(sample), 1)
    mean_chars = sum(len(embed_text(p)) for p in stored) / max(len(stored), 1)  # all chunks, this library
    stage_chars = embedded * mean_chars / embed_s if embed_s else 0.0
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = Table(title=f"ingest of {len(done)} documents ({pages} pages) on {os.cpu_count()} cores")
    t.add_column("metric")
    t.add_column("value", justify="right")
    non_ocr = pages - ocr_pages
    t.add_row("PyMuPDF get_text() pages/s (reference)", f"{plain_pages / plain_s:.1f}")
    t.add_row(
        "parse+chunk pages/s (incl. OCR, tables, figures)", f"{pages / parse_s:.2f}" if parse_s else "-"
    )
    t.add_row("OCR share of pages", f"{ocr_pages}/{pages} ({ocr_pages / max(pages, 1):.0%})")
    for k in ("page", "block", "figure", "table"):
        t.add_row(f"chunks: {k}", str(chunks.get(k, 0)))
    t.add_row("embedding stage chunks/s", f"{embedded / embed_s:.2f}" if embed_s else "-")
    t.add_row("raw embedder chunks/s (same run, sample)", f"{raw:.2f}")
    t.add_row("embedding stage / raw, characters/s", f"{stage_chars:.0f} / {raw_chars:.0f}")
    t.add_row("end-to-end seconds per 100 pages", f"{100 * total_s / max(pages, 1):.1f}")
    t.add_row("peak RSS (MB)", f"{peak_rss_mb:.0f}")
    console.print(t)
    if args.json:
        args.json.write_text(json.dumps({
            "pages": pages, "ocr_pages": ocr_pages, "non_ocr_pages": non_ocr, "parse_s": parse_s, "embed_s": embed_s,
            "total_s": total_s, "chunks": chunks, "embedded": embedded, "raw_chunks_per_s": raw,
            "raw_chars_per_s": raw_chars, "stage_chars_per_s": stage_chars,
            "plain_pages_per_s": plain_pages / plain_s, "peak_rss_mb": peak_rss_mb,
            "docs": [r.__dict__ for r in rows],
        }, indent=1))  # fmt: skip
    lib.close()


if __name__ == "__main__":
    main()
