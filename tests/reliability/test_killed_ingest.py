"""SIGKILL in the middle of an ingest, then a re-run: the index equals an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mardoc import Library, Settings
from tests.fakes import tiny_embedder
from tests.reliability.faults import text_pdf

# Runs the real CLI in a child process whose store dies by SIGKILL after N upserts.
KILLER = """
import os, signal, sys
from mardoc.retrieval import edge as store
real = store.EdgeStore.upsert
state = {"n": 0}
def upsert(self, points):
    real(self, points)
    if any(p.payload.get("kind") != "doc" for p in points):
        state["n"] += 1
        if state["n"] == int(os.environ["KILL_AFTER"]):
            os.kill(os.getpid(), signal.SIGKILL)
store.EdgeStore.upsert = upsert
from mardoc.ingest import pipeline
pipeline.STORE_PART = 8  # small parts, so the kill lands part-way through the chunks
from mardoc.cli import run
sys.argv = ["mardoc", "ingest", sys.argv[1]]
run()
"""


def env(home: Path) -> dict[str, str]:
    return {**os.environ, "MARDOC_HOME": str(home), "MARDOC_MODELS__EMBEDDER": "hash:256",
            "MARDOC_MODELS__CHAT": "fake:", "MARDOC_MODELS__EMBED_BATCH_SIZE": "2"}  # fmt: skip


def snapshot(home: Path) -> dict[str, tuple]:
    s = Settings(home=home, models={"embedder": "hash:256", "chat": "fake:"})
    lib = Library(settings=s, embedder=tiny_embedder())
    out = {}
    for h in lib.store.scroll(with_vectors=True):
        vec = tuple(round(x, 6) for x in h.vectors.get("full", []))
        out[h.id] = (h.payload.get("kind"), h.payload.get("page"), h.payload.get("status"), vec)
    lib.close()
    return out


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_sigkill_mid_ingest_then_resume_equals_clean_ingest(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "long.pdf", 60)
    clean_home, killed_home = tmp_path / "clean", tmp_path / "killed"
    r = subprocess.run(
        [sys.executable, "-m", "mardoc.cli", "ingest", str(pdf)],
        env=env(clean_home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    clean = snapshot(clean_home)

    r = subprocess.run([sys.executable, "-c", KILLER, str(pdf)], env={**env(killed_home), "KILL_AFTER": "5"},
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == -signal.SIGKILL
    partial = snapshot(killed_home)
    record = [v for v in partial.values() if v[0] == "doc"]
    assert record and record[0][2] == "ingesting"  # not visible to queries
    assert 0 < len(partial) - 1 < len(clean) - 1  # killed part-way through the chunks

    r = subprocess.run(
        [sys.executable, "-m", "mardoc.cli", "ingest", str(pdf)],
        env=env(killed_home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    resumed = snapshot(killed_home)
    assert resumed.keys() == clean.keys()  # same ids: no duplicates, no orphans
    for key, value in clean.items():
        assert resumed[key][:2] == value[:2] and resumed[key][3] == value[3]
    assert [v[2] for v in resumed.values() if v[0] == "doc"] == ["complete"]
