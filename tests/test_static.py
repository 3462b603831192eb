"""STYLE.md: type hints checked by mypy, lint by ruff, no dead code (vulture). All must stay clean.

And the code speaks of the code: no history of the work (issue numbers, numbered sessions or
work periods) in the package, the tests, the benchmarks or the README, and no example copied
from a question of the dev set (the dev set is for measuring, never for examples or rules)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import dev_data

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


def sources() -> list[Path]:
    """The files that speak of the code: the package (with its prompts), tests, benchmarks, README."""
    files = [*REPO.glob("mardoc/**/*.py"), *REPO.glob("mardoc/**/*.md"), *REPO.glob("tests/**/*.py"),
             *REPO.glob("bench/*.py"), REPO / "README.md"]  # fmt: skip
    return [f for f in files if f.resolve() != Path(__file__).resolve()]


_HISTORY = re.compile(
    r"\bissue\s*#?\d+|\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
    r"\s+session\b|\bwork(?:ing)?\s+period\b",
    re.I,
)


def test_no_history_of_the_work_in_the_code() -> None:
    found = [f"{f.relative_to(REPO)}:{i}: {line.strip()[:100]}" for f in sources()
             for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if _HISTORY.search(line)]  # fmt: skip
    assert not found, "\n".join(found)


def word_runs(text: str, n: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_example_copies_a_dev_set_question() -> None:
    samples = json.loads((dev_data() / "samples.json").read_text(encoding="utf-8"))
    runs = set().union(*(word_runs(s["question"]) for s in samples))
    copied = [f"{f.relative_to(REPO)}: {' '.join(r)}" for f in sources()
              for r in word_runs(f.read_text(encoding="utf-8")) & runs]  # fmt: skip
    assert not copied, "seven words in a row of a dev-set question:\n" + "\n".join(sorted(copied))
