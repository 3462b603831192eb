"""Asking: ``mardoc ask`` and ``mardoc chat``, with a live status line while a model works."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from mardoc.cli.common import LibraryOpt, app, console, err, open_library
from mardoc.cli.documents import ingest_with_progress
from mardoc.errors import MardocError


def step_line(event: dict) -> str | None:
    """One line for a finished agent step (None for a live "working on" announcement)."""
    if event.get("phase"):
        return None
    agent = event.get("agent", "?")
    if agent == "explorer":
        what = "; ".join(event.get("notes", []))[:150]
        line = f"explore r{event.get('round')}: {what}"
    elif agent == "refiner":
        judged = ", ".join(f"{page}: {j.get('p', 0):.2f}" for page, j in event.get("pages", {}).items())
        line = f"refine  r{event.get('round')}: +{event.get('added', 0)} evidence (answers? {judged or 'nothing read'})"
    elif agent == "rewriter":
        line = f"follow-up read as: {event.get('question') or event.get('asked', '')}"
    elif agent == "reflector" and event.get("step") == "draft":
        line = f"check draft: {event.get('note') or 'written on the pages read'}"
    elif agent == "reflector":
        line = f"reflect r{event.get('round')}: {event.get('verdict')} {event.get('feedback', '')[:100]}"
    elif agent == "tables":
        line = table_lines(event)
    elif event.get("step") == "parts":
        line = f"parts: {event.get('note', '')[:150]} -> {event.get('short', '')}"
    else:
        line = f"answer: {event.get('short', '')}"
    if event.get("error"):
        line += f" [error: {event['error'][:80]}]"
    return line


def table_lines(event: dict) -> str:
    """The table step: what it counted, looked up or queried, and the rows it got."""
    if "count" in event:
        c = event["count"]
        return f"tables: counted {c['value']} {c['what']} in {c['scope']} (inventory)"
    lines = ["tables: " + "; ".join(event.get("tables", []))[:200]]
    if event.get("lookup"):
        lines.append(f"  lookup: {event['lookup']}")
    for q in event.get("queries", []):
        lines.append(f"  sql: {q.get('sql', '')}")
        if "rows" in q:
            rows = q["rows"]
            lines.append(f"  rows ({len(rows)}): " + "; ".join(" | ".join(str(v) for v in r) for r in rows[:5]))
        else:
            lines.append(f"  error: {q.get('error', '')}")
    lines.append(f"  -> {event.get('short') or event.get('note', '')}")
    return "\n".join(lines)


class LiveStatus:
    """While a question is answered: a spinner line naming the agent at work, on what, and the
    seconds it has been at it; finished steps print above it as dim lines."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        )  # fmt: skip
        self.task = self.progress.add_task("starting", total=None)

    def __enter__(self) -> LiveStatus:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, event: dict) -> None:
        if event.get("phase"):
            self.progress.reset(self.task, description=f"[bold]{event.get('agent', '')}[/bold] {event.get('what', '')}")
            return
        line = step_line(event)
        if line:
            self.progress.console.print(f"[dim]· {line}[/dim]", highlight=False, soft_wrap=True)


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
    with open_library(library) as lib:
        docs = None
        if doc:
            results = ingest_with_progress(lib, list(doc))
            bad = [r for r in results if r.status == "failed"]
            if bad:
                raise MardocError(bad[0].error)
            docs = [r.doc_id for r in results]
        with LiveStatus(err) as status:
            answer = lib.ask(question, docs=docs, mode=mode, on_event=status)
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

    with open_library(library) as lib:
        docs = [r.doc_id for r in ingest_with_progress(lib, list(doc)) if r.status != "failed"] if doc else None
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
                with LiveStatus(err) as status:
                    answer = lib.ask(q, docs=docs, mode=mode, thread_id=thread, on_event=status)
                _print_answer(answer)
            except MardocError as exc:
                err.print(f"[red]error:[/red] {exc}")


