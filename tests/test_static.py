"""STYLE.md: type hints checked by mypy, lint by ruff. Both must stay clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_ruff_is_clean() -> None:
    res = run("ruff", "check", "mardoc", "tests", "bench")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_is_clean() -> None:
    res = run("mypy", "mardoc")
    assert res.returncode == 0, res.stdout + res.stderr
