"""STYLE.md: type hints checked by mypy, lint by ruff, no dead code (vulture). All must stay clean."""

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


def test_no_dead_code() -> None:
    # vulture over the package and the benchmarks; names used only by frameworks or read by
    # name are listed in tests/dead_code_allowed.py
    res = run("vulture", "mardoc", "bench", "tests/dead_code_allowed.py", "--min-confidence", "60")
    assert res.returncode == 0, res.stdout + res.stderr
