"""Evaluation commands: ``mardoc eval run`` and ``mardoc eval report``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from mardoc.cli.common import LibraryOpt, console, err, eval_app, settings_for
from mardoc.errors import ConfigError, MardocError

LOG_EVERY = 10  # questions between two progress lines when there is no terminal

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
    question_set: Annotated[
        Optional[str],
        typer.Option("--set", help="Only the questions of a set: 'decision' (100 fixed dev questions) or a JSON file of qids."),
    ] = None,
    mode: Annotated[str, typer.Option(help="agents or rag.")] = "agents",
    oracle_pages: Annotated[
        bool, typer.Option("--oracle-pages", help="Hand the gold evidence pages to the reading stage (no retrieval).")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the LLM-call cache.")] = False,
    vision: Annotated[
        bool,
        typer.Option("--vision", help="The chat model reads images (MARDOC_MODELS__VISION): pages go as pictures too."),
    ] = False,
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
    from mardoc.eval import evaluate, show
    from mardoc.library import Library

    s = settings_for(library)
    s = s.model_copy(update={"models": s.models.model_copy(update={"cache": not no_cache, "vision": vision or s.models.vision})})
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[pace]}"), TextColumn("ETA"), TimeRemainingColumn(), console=err,
    )  # fmt: skip
    with Library(settings=s) as lib, bar:
        if s.models.vision and not lib.chat.supports_images:
            raise ConfigError(
                f"--vision needs a chat model that reads images; {lib.chat.name} reads none "
                "(serve a vision model and set MARDOC_MODELS__CHAT=openai:MODEL)"
            )
        task = bar.add_task(f"{bench} ({mode})", total=None, pace="")
        began = time.monotonic()

        def start(n: int, skipped: list[str]) -> None:
            for name in skipped:
                err.print(f"[yellow]skipped:[/yellow] questions on {name} (PDF missing)")
            bar.update(task, total=n)

        def report(row: dict, metrics: dict) -> None:
            acc = metrics["overall"]["accuracy"]
            pace = f"{row.get('seconds', 0):.0f} s (median {show(metrics.get('seconds_median'), 0)} s)"
            bar.update(task, advance=1, pace=pace, description=f"{bench} ({mode}) acc={acc:.3f} err={metrics['errors']}")
            answered = int(bar.tasks[task].completed)
            if not err.is_terminal and (answered % LOG_EVERY == 0 or answered == bar.tasks[task].total):
                # no bar in a log file: a line every LOG_EVERY questions
                err.print(f"{bench} ({mode}): {answered}/{bar.tasks[task].total} answered, accuracy {acc:.3f}, "
                          f"{metrics['errors']} errors, median {show(metrics.get('seconds_median'), 0)} s a question, "
                          f"{time.monotonic() - began:.0f} s elapsed", highlight=False)  # fmt: skip

        metrics = evaluate(
            lib, bench, data, out, limit=limit, docs=docs, mode=mode, concurrency=concurrency,
            judge=judge, question_set=question_set, oracle_pages=oracle_pages, on_start=start, progress=report,
        )  # fmt: skip
    o = metrics["overall"]
    ret = metrics.get("retrieval") or {}
    cache = metrics.get("cache")
    console.print(
        f"{out}: n={o['n']} errors={metrics['errors']} accuracy={o['accuracy']:.3f} F1={o['f1']:.3f} "
        f"page R@5={show(ret.get('recall@5'))} {metrics['seconds_per_question']:.1f}s/question"
        + (f" judge accuracy={metrics['judge']['accuracy']:.3f} ({judge})" if "judge" in metrics else "")
        + (f" cache: {cache['hits']:.0f} hits, {cache['misses']:.0f} misses, {cache['seconds_saved']:.0f}s saved" if cache else "")
    )



@eval_app.command("report")
def eval_report(
    runs: Annotated[list[Path], typer.Argument(help="Run folders to compare.")],
    out: Annotated[
        Optional[Path], typer.Option(help="Where report.md and the charts go (default: first run).")
    ] = None,
    paired: Annotated[
        bool, typer.Option("--paired", help="Compare the second run with the first on the questions both answered.")
    ] = False,
) -> None:
    """Print a comparison table and write report.md with PNG charts."""
    from mardoc.eval import compare, paired_rows, show, write_report

    for r in runs:
        if not (r / "metrics.json").exists():
            raise MardocError(f"{r} has no metrics.json; run `mardoc eval run` first")
    if paired and len(runs) != 2:
        raise typer.BadParameter("--paired compares exactly two runs")
    path, loaded = write_report(runs, out, paired=paired)
    table = Table("run", "mode", "n", "errors", "accuracy", "F1", "page R@5", "s/question (median)")
    for run in loaded:
        m, o = run["metrics"], run["metrics"]["overall"]
        table.add_row(run["name"], str(m.get("mode", "")), str(o["n"]), str(m["errors"]), f"{o['accuracy']:.3f}", f"{o['f1']:.3f}",
                      show((m.get("retrieval") or {}).get("recall@5")), show(m.get("seconds_median"), 1))  # fmt: skip
    console.print(table)
    if paired:
        a, b = ({row["qid"]: row for row in r["rows"]} for r in loaded)
        c = compare(paired_rows(a, b))
        lo, hi = c["ci95"]
        console.print(
            f"paired on {c['n']} questions: {loaded[1]['name']} - {loaded[0]['name']} = {c['difference']:+.3f} "
            f"(95% interval [{lo:+.3f}, {hi:+.3f}]); won {len(c['won'])}, lost {len(c['lost'])}"
        )
    console.print(f"report written to {path}")


