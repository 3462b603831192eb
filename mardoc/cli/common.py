"""What every CLI command shares: the typer apps, the consoles, settings and progress bars."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

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


def settings_for(library: str | None = None) -> Settings:
    s = Settings()
    if library:
        s = s.model_copy(update={"store": s.store.model_copy(update={"library": library})})
    return s


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err, transient=False,
    )  # fmt: skip



def open_library(library: str | None) -> Any:
    """The library a command works on (imported late: ``mardoc --help`` loads no model code)."""
    from mardoc.library import Library

    return Library(settings=settings_for(library))
