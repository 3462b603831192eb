"""PDF -> Document with PyMuPDF: blocks with layout facts, headings, figures, tables, OCR."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

from mardoc.errors import DocumentError, LimitExceededError
from mardoc.ingest.document import BBox, Document, Heading, Page, Region, TextBlock
from mardoc.settings import IngestSettings

log = logging.getLogger(__name__)

CAPTION = re.compile(
    r"^\s*(figure|fig\.?|chart|graph|exhibit|diagram|table|tab\.)\s*[A-Za-z]?[\dIVX]+[.:)]?",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\W*$", re.IGNORECASE)
MARGIN = 0.08  # top/bottom share of a page where running headers and footers live

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def open_pdf(path: Path, settings: IngestSettings) -> pymupdf.Document:
    """Open and validate a PDF; raise DocumentError with a one-line reason and remedy."""
    if not path.exists():
        raise DocumentError(f"{path}: file not found")
    if path.is_dir():
        raise DocumentError(f"{path}: is a folder, not a PDF")
    if path.stat().st_size == 0:
        raise DocumentError(f"{path}: file is empty")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise DocumentError(f"{path}: not a PDF (no %PDF header); convert it to PDF first")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:
        raise DocumentError(f"{path}: corrupt PDF that could not be repaired ({exc})") from exc
    if doc.needs_pass:
        doc.close()
        raise DocumentError(f"{path}: PDF is encrypted; decrypt it first (e.g. qpdf --decrypt)")
    if doc.page_count == 0:
        doc.close()
        raise DocumentError(f"{path}: PDF has no pages (truncated or corrupt download?)")
    if doc.page_count > settings.max_pages:
        n = doc.page_count
        doc.close()
        raise LimitExceededError(
            f"{path}: {n} pages exceed the limit of {settings.max_pages} (raise MARDOC_INGEST__MAX_PAGES)"
        )
    return doc


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _inter(a: BBox, b: BBox) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _merge_rects(rects: list[BBox], pad: float = 6.0) -> list[BBox]:
    """Merge rectangles that overlap or nearly touch, until stable."""
    out = list(rects)
    changed = True
    while changed:
        changed = False
        merged: list[BBox] = []
        for r in out:
            grown = (r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad)
            for i, m in enumerate(merged):
                if _inter(grown, m) > 0:
                    merged[i] = _union(m, r)
                    changed = True
                    break
            else:
                merged.append(r)
        out = merged
    return out


def _text_blocks(page: pymupdf.Page) -> list[TextBlock]:
    data = page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)
    blocks = []
    for b in data["blocks"]:
        if b.get("type") != 0:
            continue
        lines = []
        sizes: Counter[float] = Counter()
        bold_chars = total_chars = 0
        for line in b["lines"]:
            parts = []
            for span in line["spans"]:
                t = span["text"]
                if not t.strip():
                    parts.append(t)
                    continue
                n = len(t.strip())
                sizes[round(span["size"], 1)] += n
                total_chars += n
                if span["flags"] & 16 or "bold" in span["font"].lower():
                    bold_chars += n
                parts.append(t)
            text = "".join(parts).strip()
            if text:
                lines.append(text)
        if not lines:
            continue
        text = _join_lines(lines)
        blocks.append(
            TextBlock(
                text=text,
                bbox=tuple(b["bbox"]),  # type: ignore[arg-type]
                font_size=sizes.most_common(1)[0][0] if sizes else 0.0,
                bold=total_chars > 0 and bold_chars / total_chars > 0.8,
            )
        )
    return blocks


def _join_lines(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line  # undo end-of-line hyphenation
        else:
            out += " " + line
    return out


def _cell_text(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def table_markdown(table: Any, words: list[Any]) -> str:
    """A found table as GitHub markdown, its first row as the header.

    PyMuPDF's ``Table.to_markdown`` extracts a text page for every cell (60% of all parsing
    time on a 10-K report); here the page's words, extracted once, are dealt to the cells
    by their centres. Merged cells (``None`` in PyMuPDF's grid) repeat the text to their
    left, or above, as ``to_markdown(fill_empty=True)`` does.
    """
    rows = [list(r.cells) for r in table.rows]
    ncols = max((len(r) for r in rows), default=0)
    grid: list[list[list[str] | None]] = [
        [[] if j < len(r) and r[j] is not None else None for j in range(ncols)] for r in rows
    ]
    spans = [(min(c[1] for c in r if c), max(c[3] for c in r if c)) if any(r) else (0.0, -1.0) for r in rows]
    x0, y0, x1, y1 = table.bbox
    for w in words:
        cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
        if not (x0 <= cx <= x1 and y0 <= cy <= y1):
            continue
        for i, (top, bottom) in enumerate(spans):
            if top <= cy <= bottom:
                for j, cell in enumerate(rows[i]):
                    if cell is not None and cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]:
                        grid[i][j].append(w[4])  # type: ignore[union-attr]
                        break
                break
    text = [[_cell_text(" ".join(c)) if c is not None else None for c in row] for row in grid]
    for i, row in enumerate(text):  # merged cells: from the left, else from above
        for j, val in enumerate(row):
            if val is None:
                row[j] = row[j - 1] if j else (text[i - 1][j] if i else "")
    lines = [row for row in text if any(row)]
    keep = [j for j in range(ncols) if any(row[j] for row in lines)]  # drop empty columns
    lines = [[row[j] for j in keep] for row in lines]
    if not lines or not keep:
        return ""
    out = ["| " + " | ".join(v or f"Col{j + 1}" for j, v in enumerate(lines[0])) + " |"]
    out.append("|" + "---|" * len(keep))
    out += ["| " + " | ".join(v or "" for v in row) + " |" for row in lines[1:]]
    return "\n".join(out)


class PdfParser:
    """Parses a PDF into a :class:`Document`. OCR runs only on pages without a text layer."""

    def __init__(self, settings: IngestSettings, crops_dir: Path | None = None) -> None:
        self.settings = settings
        self.crops_dir = crops_dir
        self._pool: ProcessPoolExecutor | None = None
        self._pool_size = 0
        # seconds and pages per stage (text, ocr, table finder, table gate, figures, crops),
        # summed over the pages parsed in this process; worker processes keep their own
        self.stage_seconds: defaultdict[str, float] = defaultdict(float)
        self.stage_pages: Counter[str] = Counter()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _get_pool(self, workers: int) -> ProcessPoolExecutor:
        # kept across documents: a spawned worker costs ~1.5 s to start (imports)
        if self._pool is None or self._pool_size != workers:
            self.close()
            ctx = multiprocessing.get_context("spawn")  # no inherited model threads
            self._pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),)
            )
            self._pool_size = workers
        return self._pool

    def parse(
        self, path: Path, doc_id: str | None = None, progress: Callable[[int, int], None] | None = None
    ) -> Document:
        path = Path(path)
        pdf = open_pdf(path, self.settings)
        try:
            doc_id = doc_id or sha256_file(path)
            title = (pdf.metadata or {}).get("title") or path.stem
            toc = pdf.get_toc(simple=True)
            count = pdf.page_count
            workers = self._workers(count)
            if workers > 1:
                pdf.close()
                pages = self._parse_parallel(path, doc_id, count, workers, progress)
            else:
                pages = []
                for i in range(count):
                    pages.append(self._parse_page(pdf[i], doc_id))
                    if progress:
                        progress(i + 1, count)
        finally:
            if not pdf.is_closed:
                pdf.close()
        doc = Document(doc_id=doc_id, path=str(path), name=path.name, title=title, pages=pages)
        _mark_margins(doc)
        doc.headings = _mark_headings(doc, toc)
        return doc

    def _workers(self, pages: int) -> int:
        want = self.settings.parse_workers or min(os.cpu_count() or 1, 8)
        # a spawned worker costs ~1.5 s to start (imports): small documents stay in-process
        return max(1, min(want, pages // PAGES_PER_TASK))

    def _parse_parallel(
        self,
        path: Path,
        doc_id: str,
        count: int,
        workers: int,
        progress: Callable[[int, int], None] | None,
    ) -> list[Page]:
        """Parse page ranges in worker processes; pages come back in document order."""
        ranges = [(a, min(a + PAGES_PER_TASK, count)) for a in range(0, count, PAGES_PER_TASK)]
        done: dict[int, list[Page]] = {}
        pool = self._get_pool(workers)
        futures: dict[Any, int] = {}
        try:
            for a, b in ranges:
                futures[pool.submit(_parse_range, self.settings, self.crops_dir, path, doc_id, a, b)] = a
            for fut in as_completed(futures):
                done[futures[fut]] = fut.result()
                if progress:
                    progress(sum(len(v) for v in done.values()), count)
        except BrokenProcessPool as exc:
            self._pool = None  # the executor has already stopped its workers
            raise DocumentError(
                f"the PDF parser crashed on {path.name} (a malformed page?); rerun with "
                "MARDOC_INGEST__PARSE_WORKERS=1 to find the page, or repair the file"
            ) from exc
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
        return [p for a in sorted(done) for p in done[a]]

    def _parse_page(self, pg: pymupdf.Page, doc_id: str) -> Page:
        clock = _StageClock(self.stage_seconds, self.stage_pages)
        rect = pg.rect
        blocks = _text_blocks(pg)
        chars = sum(len(b.text) for b in blocks)
        page = Page(
            number=pg.number + 1,
            width=rect.width,
            height=rect.height,
            rotation=pg.rotation,
            has_text_layer=chars > 0,
        )
        clock.lap("text")
        if self.settings.ocr and chars < self.settings.ocr_min_chars:
            ocr_blocks = self._ocr(pg)
            if ocr_blocks:
                page.ocr = True
                blocks = blocks + ocr_blocks if chars else ocr_blocks
            clock.lap("ocr")
        page.blocks = blocks
        for b in blocks:
            if CAPTION.match(b.text) and len(b.text) < 400:
                b.role = "caption"
        # words and vector drawings, read once: the table gate, table markdown and the
        # figure finders share them
        regions = self.settings.tables or self.settings.figures
        words = pg.get_text("words") if regions else []
        drawings = pg.get_drawings() if regions else []
        clock.lap("words and drawings")
        if self.settings.tables:
            if _table_candidate(words, drawings):
                page.regions.extend(self._tables(pg, page, words))
                clock.lap("table finder")
            else:
                clock.lap("table gate")
        if self.settings.figures:
            page.regions.extend(self._figures(pg, page, words, drawings))
        self._attach_captions(page)
        clock.lap("figures")
        if self.crops_dir is not None:
            self._save_crops(pg, page, doc_id)
            clock.lap("crops")
        return page

    def _render(self, pg: pymupdf.Page, dpi: int, clip: BBox | None = None) -> pymupdf.Pixmap:
        rect = pymupdf.Rect(clip) if clip else pg.rect
        zoom = dpi / 72
        pixels = rect.width * rect.height * zoom * zoom
        if pixels > self.settings.max_page_pixels:  # huge pages: render at what the cap allows
            zoom *= (self.settings.max_page_pixels / pixels) ** 0.5
        return pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=rect, alpha=False)

    def _ocr(self, pg: pymupdf.Page) -> list[TextBlock]:
        from mardoc.ingest.ocr import group_lines, ocr_lines

        pix = self._render(pg, self.settings.ocr_dpi)
        arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
        scale = pix.width / pg.rect.width
        lines = ocr_lines(arr[:, :, :3].copy(), scale)
        x0, y0 = pg.rect.x0, pg.rect.y0
        shifted = [((b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0), t, s) for b, t, s in lines]
        return group_lines(shifted)

    def _tables(self, pg: pymupdf.Page, page: Page, words: list[Any]) -> list[Region]:
        try:
            found = pg.find_tables(use_layout=self.settings.tables_layout)
        except Exception as exc:  # pragma: no cover - depends on odd PDFs
            log.debug("table finder failed on page %d: %s", page.number, exc)
            return []
        regions = []
        for t in found.tables:
            if t.row_count < 2 or t.col_count < 2:
                continue
            try:
                md = table_markdown(t, words)
            except Exception as exc:  # pragma: no cover - depends on odd PDFs
                log.debug("table to markdown failed on page %d: %s", page.number, exc)
                continue
            if len(md) < 20:
                continue
            regions.append(Region("table", tuple(t.bbox), text=md))  # type: ignore[arg-type]
        return regions

    def _figures(self, pg: pymupdf.Page, page: Page, words: list[Any], drawings: list[dict]) -> list[Region]:
        area = page.width * page.height
        rects: list[BBox] = []
        scanned = page.ocr
        for info in pg.get_image_info():
            r = tuple(info["bbox"])
            if 0.01 * area < _area(r) < 0.9 * area:  # type: ignore[arg-type]
                rects.append(r)  # type: ignore[arg-type]
            scanned = scanned or _area(r) >= 0.9 * area  # type: ignore[arg-type]
        if scanned:  # one picture of the whole page: its figures are only pixels
            rects.extend(self._ink_regions(pg, page, words))
        # a single path as large as the page is its background or frame: it would join
        # everything on the page into one "figure"
        paths = [d for d in drawings if _area(tuple(d["rect"])) < 0.9 * area]  # type: ignore[arg-type]
        try:
            clusters = pg.cluster_drawings(drawings=paths)
        except Exception:
            clusters = []
        for c in clusters:
            r = (c.x0, c.y0, c.x1, c.y1)
            if _area(r) > 0.02 * area and c.width > 40 and c.height > 40:
                rects.append(r)
        tables = [r.bbox for r in page.regions if r.kind == "table"]
        out = []
        for r in _merge_rects(rects):
            if any(_inter(r, t) > 0.5 * _area(r) for t in tables):
                continue
            if _area(r) < 0.02 * area:
                continue
            inside = [b for b in page.blocks if _inter(b.bbox, r) > 0.6 * max(_area(b.bbox), 1)]
            for b in inside:
                if b.role == "body":
                    b.role = "figure-text"
            out.append(Region("figure", r, text=" ".join(b.text for b in inside)))
        return out

    def _ink_regions(self, pg: pymupdf.Page, page: Page, words: list[Any]) -> list[BBox]:
        """Figure candidates on a scanned page: large connected regions of ink that is not text.

        The page is rendered small in grey; pixels far from the dominant (background) grey
        are ink; all text (words of the text layer, OCR'd lines) is blanked; nearby strokes are joined
        by a morphological closing; connected regions of at least 2% of the page and 40 pt
        on each side, with ink inside them (not a bare frame), are kept.
        """
        import cv2

        zoom = INK_DPI / 72
        pix = pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
        img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
        background = int(np.bincount(img.ravel(), minlength=256).argmax())
        ink = (np.abs(img.astype(np.int16) - background) > INK_CONTRAST).astype(np.uint8)
        x0, y0 = pg.rect.x0, pg.rect.y0
        sx, sy = pix.width / page.width, pix.height / page.height
        # blank the text: words of the text layer (tight boxes; a block can span a whole
        # figure), and the OCR'd lines
        text_boxes = [tuple(w[:4]) for w in words] + [b.bbox for b in page.blocks if b.ocr]
        for bx0, by0, bx1, by1 in text_boxes:
            ink[
                max(0, int((by0 - y0) * sy) - 1) : int((by1 - y0) * sy) + 2,
                max(0, int((bx0 - x0) * sx) - 1) : int((bx1 - x0) * sx) + 2,
            ] = 0
        join = max(3, round(INK_JOIN_PT * zoom))  # pixels
        joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8))
        _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        area = page.width * page.height
        out: list[BBox] = []
        for x, y, w, h, _pixels in stats[1:]:
            r = (x / sx + x0, y / sy + y0, (x + w) / sx + x0, (y + h) / sy + y0)
            if not (w / sx >= 40 and h / sy >= 40 and 0.02 * area <= _area(r) <= 0.85 * area):
                continue
            # an empty frame (a box around nothing but text) has no ink inside it
            dx, dy = max(1, w * 15 // 100), max(1, h * 15 // 100)
            if ink[y + dy : y + h - dy, x + dx : x + w - dx].mean() >= 0.01:
                out.append(r)
        return out

    def _attach_captions(self, page: Page) -> None:
        captions = [b for b in page.blocks if b.role == "caption"]
        for region in page.regions:
            best, best_d = None, 1e9
            want_table = region.kind == "table"
            for c in captions:
                is_table = c.text.lower().lstrip().startswith(("table", "tab."))
                if is_table != want_table:
                    continue
                overlap = min(c.bbox[2], region.bbox[2]) - max(c.bbox[0], region.bbox[0])
                if overlap <= 0:
                    continue
                d = min(abs(c.bbox[1] - region.bbox[3]), abs(region.bbox[1] - c.bbox[3]))
                if d < best_d and d < 80:
                    best, best_d = c, d
            if best is not None:
                region.caption = best.text

    def _save_crops(self, pg: pymupdf.Page, page: Page, doc_id: str) -> None:
        assert self.crops_dir is not None
        folder = self.crops_dir / doc_id[:16]
        for i, region in enumerate(page.regions):
            out = folder / f"p{page.number}-{region.kind}{i}.png"
            if not out.exists():
                folder.mkdir(parents=True, exist_ok=True)
                pix = self._render(pg, 110, region.bbox)
                tmp = out.with_suffix(".tmp")
                tmp.write_bytes(pix.tobytes("png"))
                tmp.rename(out)
            region.image_path = str(out)


PAGES_PER_TASK = 8  # pages a worker parses per task (progress granularity)
GRID_ROWS = 3  # grid-like text rows that send an unruled page to the table finder
INK_DPI = 50  # resolution of the render that finds figures on scanned pages
INK_CONTRAST = 48  # grey levels from the background that count as ink
INK_JOIN_PT = 14  # strokes closer than this (points) belong to one figure


class _StageClock:
    """Adds the seconds since the previous lap, and the page, to a stage's totals."""

    def __init__(self, seconds: defaultdict[str, float], pages: Counter[str]) -> None:
        self.seconds = seconds
        self.pages = pages
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] += now - self.last
        self.pages[stage] += 1
        self.last = now


def _ruled(drawings: list[dict]) -> bool:
    """Whether a page has a few straight segments (rules, cell borders): where tables can be."""
    segments = 0
    for d in drawings:
        for item in d["items"]:
            if item[0] == "re":
                segments += 2
            elif item[0] == "l":
                a, b = item[1], item[2]
                segments += abs(a.x - b.x) < 1 or abs(a.y - b.y) < 1
            if segments >= 6:
                return True
    return False


def grid_rows(words: list[Any]) -> int:
    """Text rows split into at least three cells by gaps wider than the text height: the
    shape of an unruled table (financial statements, data sheets); prose and two-column
    layouts give two at most."""
    if not words:
        return 0
    height = float(np.median([w[3] - w[1] for w in words]))
    ordered = sorted(words, key=lambda w: ((w[1] + w[3]) / 2, w[0]))
    rows: list[list[Any]] = []
    row_y = float("-inf")
    for w in ordered:
        y = (w[1] + w[3]) / 2
        if rows and abs(y - row_y) <= 0.4 * height:
            rows[-1].append(w)
        else:
            rows.append([w])
            row_y = y
    count = 0
    for row in rows:
        row.sort(key=lambda w: w[0])
        gaps = sum(b[0] - a[2] > height for a, b in zip(row, row[1:], strict=False))
        count += gaps >= 2
    return count


def _table_candidate(words: list[Any], drawings: list[dict]) -> bool:
    """Cheap gate before the table finder (its layout model costs ~0.3 s a page): ruled
    pages, and unruled ones with at least three grid-like text rows."""
    return _ruled(drawings) or grid_rows(words) >= GRID_ROWS


def _die_with_parent(parent: int) -> None:
    """Worker initialiser: exit when the parent dies (SIGKILL leaves no chance to stop us)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _parse_range(
    settings: IngestSettings, crops_dir: Path | None, path: Path, doc_id: str, start: int, stop: int
) -> list[Page]:
    """Worker: parse pages [start, stop) of one PDF (0-based)."""
    parser = PdfParser(settings, crops_dir)
    pdf = open_pdf(path, settings)
    try:
        return [parser._parse_page(pdf[i], doc_id) for i in range(start, stop)]
    finally:
        pdf.close()


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()[:80]


def _mark_margins(doc: Document) -> None:
    """Mark running headers/footers: margin blocks whose digit-free text repeats across pages."""
    seen: Counter[str] = Counter()
    for page in doc.pages:
        keys = set()
        for b in page.blocks:
            if b.bbox[3] < page.height * MARGIN or b.bbox[1] > page.height * (1 - MARGIN):
                keys.add(_norm(b.text))
        seen.update(keys)
    threshold = max(3, int(0.3 * len(doc.pages)))
    for page in doc.pages:
        for b in page.blocks:
            top = b.bbox[3] < page.height * MARGIN
            bottom = b.bbox[1] > page.height * (1 - MARGIN)
            if not (top or bottom):
                continue
            if seen[_norm(b.text)] >= threshold or (PAGE_NUMBER.match(b.text) and len(b.text) < 16):
                b.role = "header" if top else "footer"


def _mark_headings(doc: Document, toc: list[Any]) -> list[Heading]:
    """Headings from the PDF outline when it has one, else from font size and weight."""
    body = [b for p in doc.pages for b in p.blocks if b.role == "body" and not b.ocr]
    sizes: Counter[float] = Counter()
    for b in body:
        sizes[b.font_size] += len(b.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    headings: list[Heading] = []
    if toc:
        by_page: dict[int, list[tuple[int, str]]] = {}
        for level, title, pno in toc:
            if 1 <= pno <= len(doc.pages):
                by_page.setdefault(pno, []).append((level, title.strip()))
        for pno, entries in sorted(by_page.items()):
            page = doc.pages[pno - 1]
            for level, title in entries:
                key = _norm(title)[:30]
                match = next(
                    (b for b in page.blocks if b.role == "body" and _norm(b.text).startswith(key)),
                    None,
                )
                if match is not None:
                    match.role, match.level = "heading", level
                headings.append(Heading(title, level, pno))
        return headings
    if not body_size:
        return headings
    candidates = [
        b
        for b in body
        if len(b.text) < 120
        and not b.text.rstrip().endswith((".", ",", ";"))
        and (b.font_size >= body_size * 1.15 or (b.bold and b.font_size >= body_size * 0.95))
        and any(c.isalpha() for c in b.text)
    ]
    cand_ids = {id(b) for b in candidates}
    levels = sorted({round(b.font_size) for b in candidates}, reverse=True)[:4]
    for page in doc.pages:
        for b in page.blocks:
            if id(b) in cand_ids:
                lvl = levels.index(round(b.font_size)) + 1 if round(b.font_size) in levels else 4
                b.role, b.level = "heading", lvl
                headings.append(Heading(b.text, lvl, page.number))
    return headings
