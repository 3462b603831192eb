from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEV_DOCS = SHARED / "data" / "mmlongbench-dev" / "documents"
DEMO_PDF = REPO / "examples" / "shared-mime-info-spec.pdf"
REAL_HOME = Path(os.environ.get("MARDOC_HOME", "~/.mardoc")).expanduser()


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library folder holding the example PDF, ingested once per test process with the tiny
    embedder (``hash:256``, default ingest settings). Tests copy it (`demo_library_at`) and
    never open it in place: an embedded store is one process's and one library's at a time."""
    from mardoc import Library, Settings
    from tests.fakes import ScriptedChatModel, tiny_embedder

    root = tmp_path_factory.mktemp("demo-index")
    s = Settings(home=root / "home", models={"embedder": "hash:256", "chat": "fake:"})
    with Library(root / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(["{}"])) as lib:
        lib.ingest([DEMO_PDF])
    return root / "lib"


def demo_library_at(demo_index: Path, where: Path) -> Path:
    """A private copy of the ingested example library at ``where`` (which must not exist)."""
    return copy_library(demo_index, where)


def copy_library(src: Path, dst: Path) -> Path:
    """Copy a library folder keeping its files' holes: the embedded store preallocates 32 MB
    files that are mostly holes, which a plain copy writes out as zeros (a quarter of a GB a
    library, most of the test suite's time when every test copies one)."""
    shutil.copytree(src, dst, copy_function=_copy_sparse)
    return dst


def _copy_sparse(src: str, dst: str) -> None:
    with open(src, "rb") as f, open(dst, "wb") as g:
        size = os.fstat(f.fileno()).st_size
        pos = 0
        while pos < size:
            try:
                start = os.lseek(f.fileno(), pos, os.SEEK_DATA)
            except OSError:  # no data after pos: the rest is a hole
                break
            end = os.lseek(f.fileno(), start, os.SEEK_HOLE)
            f.seek(start)
            g.seek(start)
            left = end - start
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                g.write(chunk)
                left -= len(chunk)
            pos = end
        g.truncate(size)
    shutil.copystat(src, dst)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's MARDOC_* settings by accident."""
    for key in list(os.environ):
        if key.startswith("MARDOC_") and key != "MARDOC_QDRANT_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("MARDOC_HOME", str(tmp_path / "home"))


def dev_pdf(name: str) -> Path:
    path = DEV_DOCS / name
    if not path.exists():
        pytest.skip(f"shared dev document {name} not available")
    return path


def fin_pdf(name: str) -> Path:
    """A filing of the shared FinanceBench dev set; skip when absent (a clone without ../shared)."""
    path = SHARED / "data" / "financebench-dev" / "pdfs" / name
    if not path.exists():
        pytest.skip(f"shared filing {name} not available")
    return path


def dev_data() -> Path:
    """The shared MMLongBench-Doc dev folder (samples.json and documents/); skip when absent,
    as in a clone with nothing beside it."""
    folder = DEV_DOCS.parent
    if not (folder / "samples.json").is_file():
        pytest.skip(f"the shared dev data {folder} is not available (a clone without ../shared)")
    return folder


def require_model(name: str) -> Path:
    """Path of an installed bundled model in the real home; fail (not skip) when missing.

    `make test` provisions the models first, so a missing model is a set-up failure.
    """
    from mardoc.models.provision import Provisioner

    return Provisioner(REAL_HOME).require(name)
