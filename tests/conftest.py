from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEV_DOCS = SHARED / "data" / "mmlongbench-dev" / "documents"
DEMO_PDF = REPO / "examples" / "shared-mime-info-spec.pdf"
REAL_HOME = Path(os.environ.get("MARDOC_HOME", "~/.mardoc")).expanduser()


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
