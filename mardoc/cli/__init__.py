"""The ``mardoc`` command: thin wrappers over the public API. Exit codes: 0 ok, 1 error, 2 usage.

One module per group of commands (documents, answers, evaluation); importing them
registers their commands on :data:`app`.
"""

from __future__ import annotations

import sys

from mardoc.cli import answers, documents, evaluation  # noqa: F401  (registers the commands)
from mardoc.cli.common import STATE, app, err
from mardoc.errors import MardocError


def run() -> None:
    """Entry point: MardocError -> one line and exit 1 (traceback with -v); usage errors exit 2."""
    try:
        app()
    except MardocError as exc:
        if STATE["verbose"]:
            raise
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


__all__ = ["app", "run"]
