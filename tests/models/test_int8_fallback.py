"""An install that kept fp32 because the int8 vectors drift on this CPU: mardoc runs the fp32
export in its place, and the index says so (its fingerprint), instead of refusing to embed."""

from __future__ import annotations

import json
from pathlib import Path

from mardoc import Settings
from mardoc.models import embedder_vectors
from mardoc.models.onnx_embed import INT8_FILE, INT8_MANIFEST, INT8_REFUSED, ONNX_DIR, int8_refused
from mardoc.retrieval import index_fingerprint


def _home(tmp_path: Path, *, refused: bool, int8: bool = False) -> Settings:
    onnx = tmp_path / "home" / "models" / "embeddinggemma-300m" / ONNX_DIR
    onnx.mkdir(parents=True)
    if refused:
        (onnx / INT8_REFUSED).write_text(json.dumps({"reason": "drifts (cosine 0.95)"}))
    if int8:
        (onnx / INT8_FILE).write_bytes(b"x")
        (onnx / INT8_MANIFEST).write_text("{}")
    return Settings(home=tmp_path / "home")


def test_a_refused_int8_variant_means_fp32_vectors(tmp_path: Path) -> None:
    s = _home(tmp_path, refused=True)
    assert int8_refused(tmp_path / "home" / "models" / "embeddinggemma-300m") == "drifts (cosine 0.95)"
    assert embedder_vectors(s) == "fp32"
    assert index_fingerprint(s) == index_fingerprint(s.model_copy(update={"models": s.models.model_copy(update={"embedder_int8": False})}))


def test_without_a_refusal_the_int8_variant_is_asked_for(tmp_path: Path) -> None:
    assert embedder_vectors(_home(tmp_path, refused=False)) == "int8"


def test_an_int8_variant_made_later_wins_over_an_old_refusal(tmp_path: Path) -> None:
    s = _home(tmp_path, refused=True, int8=True)
    assert int8_refused(tmp_path / "home" / "models" / "embeddinggemma-300m") == ""
    assert embedder_vectors(s) == "int8"
