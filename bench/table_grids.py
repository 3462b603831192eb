"""How many tables the table finder keeps on the gold pages of each table-sourced question of a run.

Usage: python bench/table_grids.py RUN_FOLDER [--data ../shared/data/mmlongbench-dev]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pymupdf

from mardoc.ingest import find_tables, table_candidate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("run", type=Path)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/mmlongbench-dev"))
    args = ap.parse_args()
    rows = [json.loads(line) for line in (args.run / "predictions.jsonl").read_text().splitlines() if line.strip()]
    none = n = 0
    for r in rows:
        if not any("Table" in e for e in r["evidence_sources"]):
            continue
        n += 1
        pdf = pymupdf.open(args.data / "documents" / r["doc"])
        found = 0
        for p in r["evidence_pages"]:
            pg = pdf[p - 1]
            words = pg.get_text("words")
            if table_candidate(words, pg.get_drawings()):
                found += len(find_tables(pg, p, words, True))
        none += found == 0
        print(f"{found:2d} tables  {r['doc'][:40]:40s} pages {r['evidence_pages']}  {r['question'][:60]}")
    print(f"table-sourced questions with no table found on their gold pages: {none} of {n}")


if __name__ == "__main__":
    main()
