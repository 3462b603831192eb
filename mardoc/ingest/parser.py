"""PDF -> Document with PyMuPDF: the page loop, its stage clock, and parallel parsing.

Each stage is a plain function of its own module: text and layout (``text``), OCR
(``ocr``), tables (``tables``), figures (``figures``), crops (``crops``); this module runs
them page by page, in-process or in worker processes, and then marks running headers
and headings over the whole document.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pymupdf

from mardoc.errors import DocumentError
from mardoc.ingest.crops import save_crops
from mardoc.ingest.document import Document, Page
from mardoc.ingest.figures import attach_captions, drop_repeated, find_figures, label_figures
from mardoc.ingest.geometry import inside, inter
from mardoc.ingest.layout import join_split_blocks, reading_order, split_label_rows
from mardoc.ingest.ocr import ocr_page
from mardoc.ingest.pdf import open_pdf, sha256_file
from mardoc.ingest.picture_tables import picture_tables
from mardoc.ingest.tables import find_tables, table_candidate
from mardoc.ingest.text import CAPTION, mark_captions, mark_headings, mark_margins, text_blocks
from mardoc.settings import IngestSettings

log = logging.getLogger(__name__)

PAGES_PER_TASK = 8  # pages a worker parses per task (progress granularity)


class PdfParser:
    """Parses a PDF into a :class:`Document`. OCR runs only on pages without a text layer."""

    def __init__(self, settings: IngestSettings, crops_dir: Path | None = None) -> None:
        self.settings = settings
        self.crops_dir = crops_dir
        self._pool: ProcessPoolExecutor | None = None
        self._pool_size = 0
        # seconds and pages per stage (text, ocr, table finder, table gate, figures, layout, crops),
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
        self,
        path: Path,
        doc_id: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        pdf: pymupdf.Document | None = None,
    ) -> Document:
        """Parse the PDF at ``path``; ``pdf`` is the caller's already opened (validated)
        document, so it is not opened again (it is left open for the caller to close)."""
        path = Path(path)
        own = pdf is None
        if pdf is None:
            pdf = open_pdf(path, self.settings)
        try:
            doc_id = doc_id or sha256_file(path)
            title = (pdf.metadata or {}).get("title") or path.stem
            toc = pdf.get_toc(simple=True)
            count = pdf.page_count
            workers = self._workers(count)
            if workers > 1:
                pages = self._parse_parallel(path, doc_id, count, workers, progress)
            else:
                pages = []
                for i in range(count):
                    pages.append(self.parse_page(pdf[i], doc_id))
                    if progress:
                        progress(i + 1, count)
        finally:
            if own:
                pdf.close()
        doc = Document(doc_id=doc_id, path=str(path), name=path.name, title=title, pages=pages)
        mark_margins(doc)
        doc.headings = mark_headings(doc, toc)
        drop_repeated(doc.pages)
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

    def parse_page(self, pg: pymupdf.Page, doc_id: str) -> Page:
        """One page of an open PDF as a :class:`Page` (text, OCR where it has no text layer,
        tables, figures), the unit the parser works in."""
        s = self.settings
        clock = _StageClock(self.stage_seconds, self.stage_pages)
        rect = pg.rect
        blocks = text_blocks(pg)
        chars = sum(len(b.text) for b in blocks)
        page = Page(
            number=pg.number + 1,
            width=rect.width,
            height=rect.height,
            rotation=pg.rotation,
            has_text_layer=chars > 0,
        )
        clock.lap("text")
        ocr_lines: list[tuple[tuple[float, float, float, float], str, float]] = []
        if s.ocr and chars < s.ocr_min_chars:
            ocr_blocks, ocr_lines = ocr_page(pg, s.ocr_dpi, s.max_page_pixels)
            # what the text layer already says is not read twice: OCR lines over its
            # blocks are dropped (a sparse page keeps its text and gains the pixels' words)
            ocr_blocks = [o for o in ocr_blocks if not any(inside(o.bbox, b.bbox, 0.5) for b in blocks)]
            ocr_lines = [o for o in ocr_lines if not any(inside(o[0], b.bbox, 0.5) for b in blocks)]
            if ocr_blocks:
                page.ocr = True
                blocks = blocks + ocr_blocks if chars else ocr_blocks
            clock.lap("ocr")
        page.blocks = blocks
        # words and vector drawings, read once: the table gate, table markdown and the
        # figure finders share them
        regions = s.tables or s.figures
        words = pg.get_text("words") if regions else []
        drawings = pg.get_drawings() if regions else []
        clock.lap("words and drawings")
        if s.tables:
            if not s.table_gate or table_candidate(words, drawings):
                page.regions.extend(find_tables(pg, page.number, words, s.tables_layout))
                clock.lap("table finder")
            else:
                clock.lap("table gate")
            if ocr_lines:  # tables shown as pictures, where the table finder found none
                found = [r.bbox for r in page.regions if r.kind == "table"]
                page.regions.extend(r for r in picture_tables(ocr_lines) if not any(inter(r.bbox, b) > 0 for b in found))
                clock.lap("picture tables")
        if s.figures:
            page.regions.extend(find_figures(pg, page, words, drawings))
        clock.lap("figures")
        # whole units (a label's two lines are one block), then captions and labels, then
        # the page's reading order over blocks, figures and tables
        split_label_rows(page)
        join_split_blocks(page, lambda text: bool(CAPTION.match(text)))
        mark_captions(page.blocks)
        attach_captions(page)
        label_figures(page)
        reading_order(page)
        clock.lap("layout")
        if self.crops_dir is not None:
            save_crops(pg, page, doc_id, self.crops_dir, s.max_page_pixels)
            clock.lap("crops")
        return page


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
        return [parser.parse_page(pdf[i], doc_id) for i in range(start, stop)]
    finally:
        pdf.close()
