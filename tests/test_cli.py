"""The CLI as a user runs it: one-line errors, documented exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_PDF


def run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MARDOC_HOME": str(home),
        "MARDOC_MODELS__EMBEDDER": "hash:256",
        "MARDOC_MODELS__CHAT": "fake:",
    }
    return subprocess.run(
        [sys.executable, "-m", "mardoc.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_missing_file_is_one_line_exit_1(tmp_path: Path) -> None:
    r = run(["ingest", str(tmp_path / "missing.pdf")], tmp_path)
    assert r.returncode == 1
    assert "file not found" in r.stderr and "Traceback" not in r.stderr + r.stdout


def test_usage_error_exit_2(tmp_path: Path) -> None:
    r = run(["ingest", "--no-such-flag"], tmp_path)
    assert r.returncode == 2


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_ingest_list_inspect(tmp_path: Path) -> None:
    r = run(["ingest", str(DEMO_PDF)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "ingested" in r.stdout and "17" in r.stdout
    r = run(["library", "list"], tmp_path)
    assert r.returncode == 0 and DEMO_PDF.name in r.stdout and "complete" in r.stdout
    out = tmp_path / "p4.png"
    r = run(["inspect", DEMO_PDF.name, "--page", "4", "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "block" in r.stdout
    r = run(["inspect", DEMO_PDF.name, "--page", "99"], tmp_path)
    assert r.returncode == 1 and "out of range" in r.stderr


def test_models_list_without_models(tmp_path: Path) -> None:
    r = run(["models", "list"], tmp_path)
    assert r.returncode == 0 and "embeddinggemma-300m" in r.stdout and "no" in r.stdout


def test_ask_needs_installed_model(tmp_path: Path) -> None:
    env_home = tmp_path
    r = subprocess.run(
        [sys.executable, "-m", "mardoc.cli", "ask", "q?", "--doc", str(DEMO_PDF)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "MARDOC_HOME": str(env_home)},
    )  # fmt: skip
    assert r.returncode == 1 and "mardoc models install" in r.stderr and "Traceback" not in r.stderr


def test_describe_figures_with_a_model_that_reads_no_images_is_one_line_and_ingests_nothing(tmp_path: Path) -> None:
    r = run(["ingest", str(DEMO_PDF), "--describe-figures"], tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout
    assert "reads none" in r.stderr and "MARDOC_MODELS__VISION=true" in r.stderr
    assert "ingested" not in r.stdout


def test_eval_with_vision_on_a_model_that_reads_no_images_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = run(["eval", "run", "mmlongbench", "--data", str(tmp_path), "--vision", "--out", str(out)], tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout
    assert "--vision needs a chat model that reads images" in r.stderr and "MARDOC_MODELS__CHAT=openai:" in r.stderr
    assert not out.exists()
