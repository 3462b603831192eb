"""Pictures found vs figure chunks made, and split captions, over a folder of PDFs.

    python bench/figures.py --pdfs ../shared/data/mmlongbench-dev/documents --json runs/figures.json

Works with any mardoc on ``PYTHONPATH`` (run it once with the code before a change and once
after, e.g. from a ``git worktree`` of the older commit). Per document:

* ``pictures``: raster images of the PDF itself (PyMuPDF's image list, not mardoc's
  finder), tiles that touch merged into one, at least 2% of their page;
* ``chunked``: those a figure chunk covers (the chunk's box holds half the picture);
  ``reasoned``: the others that the parser recorded as skipped, with the reason
  (``page.skipped``: background, logo, strip, inside a table); ``lost``: neither;
* ``figure_chunks`` and ``captionless`` (figure chunks without a "Figure N" caption);
* ``split``: text blocks of one line continued by the block right under it: same font
  size and weight, within 0.45 font sizes, left edges, centres or right edges aligned,
  and the text runs on (the lower block opens in lower case, or the upper one ends in
  , ; : - or a word such as "and", "of", "the"): a caption, label or sentence cut in two.
  (Lines of a list, one entry a line, do not count.)
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import pymupdf

from mardoc.ingest import Chunker, PdfParser, merge_rects
from mardoc.ingest import area as _area
from mardoc.ingest import inter as _inter
from mardoc.settings import IngestSettings

CAPTIONED = ("figure", "fig", "chart", "graph", "exhibit", "diagram")
RUNS_ON = {"and", "or", "of", "the", "a", "an", "to", "in", "for", "with", "on", "by", "from", "at"}


def _runs_on(upper: str, lower: str) -> bool:
    words = upper.rstrip().split()
    return lower[:1].islower() or upper.rstrip()[-1:] in ",;:-" or (bool(words) and words[-1].lower() in RUNS_ON)


def pictures(pdf: pymupdf.Document) -> dict[int, list[tuple]]:
    """Per 1-based page: raster pictures, touching tiles merged, >= 2% of the page."""
    out: dict[int, list[tuple]] = {}
    for pg in pdf:
        page_area = pg.rect.width * pg.rect.height
        rects = [tuple(i["bbox"]) for i in pg.get_image_info()]
        out[pg.number + 1] = [r for r in merge_rects(rects, pad=2.0) if _area(r) >= 0.02 * page_area]
    return out


def split_blocks(blocks: list) -> int:
    n = 0
    for a in blocks:
        size = max(a.font_size, 1.0)
        if a.bbox[3] - a.bbox[1] > 1.6 * size or a.role not in ("body", "caption"):
            continue
        under = [
            b
            for b in blocks
            if b is not a
            and b.bbox[1] >= a.bbox[3] - 0.3 * size
            and min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0]) > 0
        ]
        if not under:
            continue
        b = min(under, key=lambda x: x.bbox[1])
        tol = 0.6 * size
        aligned = (
            abs(a.bbox[0] - b.bbox[0]) <= tol
            or abs((a.bbox[0] + a.bbox[2]) - (b.bbox[0] + b.bbox[2])) / 2 <= tol
            or abs(a.bbox[2] - b.bbox[2]) <= tol
        )
        if (
            b.role == a.role
            and abs(a.font_size - b.font_size) <= 0.6
            and a.bold == b.bold
            and b.bbox[1] - a.bbox[3] <= 0.45 * size
            and aligned
            and _runs_on(a.text, b.text)
        ):
            n += 1
    return n


def measure(path: Path, parser: PdfParser) -> dict:
    t0 = time.perf_counter()
    doc = parser.parse(path)
    seconds = time.perf_counter() - t0
    chunks = Chunker().chunk(doc)
    figs = [c for c in chunks if c.kind == "figure"]
    with pymupdf.open(path) as pdf:
        found = pictures(pdf)
    row: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for page in doc.pages:
        boxes = [c.bboxes[0] for c in figs if c.page == page.number]
        skipped = getattr(page, "skipped", [])
        for r in found.get(page.number, []):
            row["pictures"] += 1
            if any(_inter(r, b) >= 0.5 * _area(r) for b in boxes):
                row["chunked"] += 1
                continue
            why = next((w for box, w in skipped if _inter(r, box) >= 0.5 * _area(r)), None)
            if why is None:
                row["lost"] += 1
            else:
                row["reasoned"] += 1
                reasons[why.split(" (")[0] if not why.startswith("repeated") else "repeated (logo or decoration)"] += 1
        row["split"] += split_blocks(page.blocks)
    row["figure_chunks"] = len(figs)
    # (today's figure chunks open with a note line, "[figure 2 of 7 on page 5: ...]")
    bodies = [c.text.split("\n", 1)[-1] if c.text.startswith("[figure ") else c.text for c in figs]
    row["captionless"] = sum(not t.lower().startswith(CAPTIONED) for t in bodies)
    return {"doc": path.name, "pages": doc.page_count, "seconds": round(seconds, 1), **row, "reasons": dict(reasons)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdfs", type=Path, required=True)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    parser = PdfParser(IngestSettings())
    rows = []
    try:
        for path in sorted(args.pdfs.glob("*.pdf")):
            rows.append(measure(path, parser))
            r = rows[-1]
            print(
                f"{r['doc'][:40]:40} pages {r['pages']:4} pictures {r.get('pictures', 0):4} "
                f"chunked {r.get('chunked', 0):4} reasoned {r.get('reasoned', 0):3} lost {r.get('lost', 0):3} "
                f"figure chunks {r['figure_chunks']:4} split {r.get('split', 0):4} {r['seconds']:6.1f} s",
                flush=True,
            )
    finally:
        parser.close()
    keys = ("pages", "pictures", "chunked", "reasoned", "lost", "figure_chunks", "captionless", "split", "seconds")
    total = {k: round(sum(r.get(k, 0) for r in rows), 1) for k in keys}
    reasons: Counter[str] = Counter()
    for r in rows:
        reasons.update(r["reasons"])
    total["reasons"] = dict(reasons)  # type: ignore[assignment]
    print("total", json.dumps(total))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"total": total, "documents": rows}, indent=1))


if __name__ == "__main__":
    main()
