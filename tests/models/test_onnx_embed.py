"""The ONNX Runtime embedder reproduces sentence-transformers, on a tiny random Gemma-3.

The tiny model has EmbeddingGemma's structure (bidirectional Gemma-3 with sliding and full
attention layers, mean pooling, a dense layer, normalisation) but a sliding window of a few
tokens, so the band mask the export builds by hand is exercised by every test text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mardoc.errors import BackendError, ConfigError
from mardoc.models.onnx_embed import OnnxEmbedder, int8_model_path, onnx_model_path
from mardoc.models.onnx_export import export_onnx, quantize_int8
from mardoc.retrieval import index_fingerprint
from mardoc.settings import Settings
from tests.conftest import require_model

WORDS = [
    "the",
    "revenue",
    "grew",
    "in",
    "2007",
    "by",
    "percent",
    "table",
    "figure",
    "page",
    "chart",
    "hit",
    "rate",
    "dataset",
    "highest",
    "value",
    "of",
    "and",
    "a",
    "to",
    "is",
    "was",
    "for",
    "with",
    "on",
    "at",
    "by",
    "from",
    "report",
    "annual",
    "total",
    "net",
    "income",
]
TEXTS = [
    "revenue",
    "the revenue grew in 2007 by 4 percent",
    " ".join(WORDS * 3),  # far longer than the sliding window
    "table of the highest hit rate",
]


def tiny_model(folder: Path) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import Gemma3TextConfig, Gemma3TextModel, PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3}
    for w in WORDS + ["title:", "none", "|", "text:", "task:", "search", "result", "query:", "4"]:
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A <eos>", special_tokens=[("<bos>", 2), ("<eos>", 1)]
    )
    hf_dir = folder / "hf"
    PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>"
    ).save_pretrained(hf_dir)
    torch.manual_seed(0)
    cfg = Gemma3TextConfig(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16, sliding_window=6,
        layer_types=["sliding_attention", "full_attention"], use_bidirectional_attention=True,
        max_position_embeddings=128, pad_token_id=0, bos_token_id=2, eos_token_id=1,
    )  # fmt: skip
    Gemma3TextModel(cfg).save_pretrained(hf_dir)
    word = models.Transformer(str(hf_dir), max_seq_length=64)
    pool = models.Pooling(32, pooling_mode="mean")
    dense = models.Dense(32, 16, bias=False, activation_function=torch.nn.Identity())
    st = SentenceTransformer(
        modules=[word, pool, dense, models.Normalize()],
        prompts={"query": "task: search result | query: ", "document": "title: none | text: "},
        device="cpu",
    )
    out = folder / "st"
    st.save(str(out))
    return out


# every test here exports or loads a model through torch (seconds each): `make test` runs them,
# the development loop does not
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tiny_model(tmp_path_factory.mktemp("tiny"))
    export_onnx(folder, max_seq_length=64)
    return folder


def torch_embedder(folder: Path):  # type: ignore[no-untyped-def]
    from mardoc.models.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(folder, matryoshka_dims=(16, 8), batch_size=4, max_seq_length=64)


def test_export_writes_a_checked_manifest(tiny: Path) -> None:
    assert onnx_model_path(tiny) == tiny / "onnx" / "model.onnx"
    manifest = json.loads((tiny / "onnx" / "manifest.json").read_text())
    assert manifest["min_cosine_vs_torch"] >= 0.9999
    assert not (tiny / ".onnx-tmp").exists()


@pytest.mark.parametrize("budget", [1, 64, 10_000])
def test_onnx_vectors_equal_torch_vectors(tiny: Path, budget: int) -> None:
    ref = torch_embedder(tiny)
    emb = OnnxEmbedder(tiny, matryoshka_dims=(16, 8), max_seq_length=64, token_budget=budget)
    assert emb.dim == 16 and emb.matryoshka_dims == (16, 8)
    np.testing.assert_allclose(emb.embed_documents(TEXTS), ref.embed_documents(TEXTS), atol=2e-5)
    np.testing.assert_allclose(emb.embed_queries(TEXTS[:2]), ref.embed_queries(TEXTS[:2]), atol=2e-5)
    # the two prompts give different vectors: the query prompt is really used
    assert not np.allclose(emb.embed_queries(TEXTS[:1]), emb.embed_documents(TEXTS[:1]), atol=1e-3)
    assert emb.embed_documents([]).shape == (0, 16)


def test_export_that_does_not_reproduce_torch_is_refused(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import mardoc.models.onnx_export as oe

    copy = tmp_path / "copy"
    shutil.copytree(tiny, copy)
    shutil.rmtree(copy / "onnx")
    # no export can pass: the check must refuse and leave nothing behind
    monkeypatch.setattr(oe, "MIN_COSINE", 1.01)
    with pytest.raises(BackendError, match="does not reproduce PyTorch"):
        export_onnx(copy, max_seq_length=64)
    assert onnx_model_path(copy) is None and not (copy / ".onnx-tmp").exists()


def test_missing_or_corrupt_export_is_one_clear_error(tiny: Path, tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="no ONNX export"):
        OnnxEmbedder(tmp_path)
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(BackendError, match="cannot load the ONNX embedder"):
        OnnxEmbedder(tiny, model_file=bad).embed_documents(["x"])


def test_factory_picks_the_runtime(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mardoc.models.embedders import SentenceTransformerEmbedder
    from mardoc.models.factory import build_embedder

    def settings(runtime: str) -> Settings:
        monkeypatch.setenv("MARDOC_MODELS__EMBEDDER_RUNTIME", runtime)
        return Settings()

    assert isinstance(build_embedder(f"local:{tiny}", settings("auto")), OnnxEmbedder)
    assert isinstance(build_embedder(f"local:{tiny}", settings("torch")), SentenceTransformerEmbedder)
    bare = tmp_path / "bare"
    bare.mkdir()
    assert isinstance(build_embedder(f"local:{bare}", settings("auto")), SentenceTransformerEmbedder)
    with pytest.raises(ConfigError, match="needs an ONNX export"):
        build_embedder(f"local:{bare}", settings("onnx"))


@pytest.fixture
def tiny_copy(tiny: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny, copy)
    return copy


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_int8_variant_is_quantised_checked_and_close(tiny_copy: Path) -> None:
    path = quantize_int8(tiny_copy)
    assert path == int8_model_path(tiny_copy) == tiny_copy / "onnx" / "model-int8.onnx"
    manifest = json.loads((tiny_copy / "onnx" / "int8.json").read_text())
    # q, k, v, o, gate, up of both layers; the down projections stay fp32
    assert manifest["quantised_matmuls"] == 12 and manifest["min_cosine_vs_fp32"] >= 0.99
    fp32 = OnnxEmbedder(tiny_copy, max_seq_length=64).embed_documents(TEXTS)
    int8 = OnnxEmbedder(tiny_copy, model_file=path, max_seq_length=64).embed_documents(TEXTS)
    assert cosines(fp32, int8).min() >= 0.99
    assert np.abs(fp32 - int8).max() > 1e-4  # really quantised, not a copy
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "int8.json",
        "manifest.json",
        "model-int8.onnx",
        "model.onnx",
    ]
    assert quantize_int8(tiny_copy) == path  # done once


def test_int8_variant_that_drifts_is_refused(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mardoc.models.onnx_export as oe

    monkeypatch.setattr(oe, "MIN_COSINE_INT8", 1.01)
    with pytest.raises(BackendError, match="drifts from fp32"):
        quantize_int8(tiny_copy)
    assert int8_model_path(tiny_copy) is None
    # the refusal is recorded, so mardoc runs the fp32 export in its place
    assert sorted(p.name for p in (tiny_copy / "onnx").iterdir()) == ["int8-refused.json", "manifest.json", "model.onnx"]
    with pytest.raises(BackendError, match="no ONNX export"):
        quantize_int8(tmp_path)


def test_factory_runs_the_bundled_embedder_in_int8(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mardoc.models.embedders import SentenceTransformerEmbedder
    from mardoc.models.factory import build_embedder, embedder_vectors
    from mardoc.models.provision import Provisioner

    monkeypatch.setattr(Provisioner, "require", lambda self, name: tiny_copy)
    monkeypatch.setenv("MARDOC_HOME", str(tmp_path / "home"))
    bundled = "local:embeddinggemma-300m"

    def build(**env: str) -> object:
        for key in ("EMBEDDER_INT8", "EMBEDDER_RUNTIME"):
            monkeypatch.delenv(f"MARDOC_MODELS__{key}", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(f"MARDOC_MODELS__{key}", value)
        return build_embedder(bundled, Settings())

    with pytest.raises(ConfigError, match="int8 variant .* is not installed"):
        build()
    quantize_int8(tiny_copy)
    emb = build()
    assert isinstance(emb, OnnxEmbedder) and emb.model_file == int8_model_path(tiny_copy)
    emb = build(EMBEDDER_INT8="false")
    assert isinstance(emb, OnnxEmbedder) and emb.model_file == onnx_model_path(tiny_copy)
    assert isinstance(build(EMBEDDER_RUNTIME="torch"), SentenceTransformerEmbedder)
    # the vectors differ, so int8 and fp32 libraries are separate indexes
    for key in ("EMBEDDER", "EMBEDDER_INT8", "EMBEDDER_RUNTIME"):
        monkeypatch.delenv(f"MARDOC_MODELS__{key}", raising=False)
    on, off = Settings(), Settings(models={"embedder_int8": False})
    torch_rt = Settings(models={"embedder_runtime": "torch"})
    assert (embedder_vectors(on), embedder_vectors(off), embedder_vectors(torch_rt)) == (
        "int8",
        "fp32",
        "fp32",
    )
    assert index_fingerprint(on) != index_fingerprint(off) == index_fingerprint(torch_rt)
    assert embedder_vectors(Settings(models={"embedder": f"local:{tiny_copy}"})) == "fp32"  # not bundled
    import shutil

    shutil.rmtree(tiny_copy / "onnx")
    with pytest.raises(ConfigError, match="needs the ONNX export"):
        build()


def test_bundled_embedder_int8_stays_close_to_fp32_on_real_text() -> None:
    folder = require_model("embeddinggemma-300m")
    path = int8_model_path(folder)
    if path is None:
        pytest.skip("no int8 variant: run `mardoc models install`")
    texts = [
        "Table 7: Accuracies of the QuALITY dataset on both the overall test set and the hard subset.",
        "In 2007, 3M's net sales grew 8.4 percent to $24.5 billion. " * 30,
    ]
    fp32, int8 = OnnxEmbedder(folder), OnnxEmbedder(folder, model_file=path)
    assert cosines(fp32.embed_documents(texts), int8.embed_documents(texts)).min() > 0.99
    q = ["What were 3M's net sales in 2007?"]
    assert float(fp32.embed_queries(q)[0] @ int8.embed_queries(q)[0]) > 0.99


def test_bundled_embedder_onnx_matches_torch_on_real_text() -> None:
    from mardoc.models.embedders import SentenceTransformerEmbedder

    folder = require_model("embeddinggemma-300m")
    if onnx_model_path(folder) is None:
        pytest.skip("no ONNX export: run `mardoc models install`")
    texts = [
        "Table 7: Accuracies of the QuALITY dataset on both the overall test set and the hard subset.",
        "In 2007, 3M's net sales grew 8.4 percent to $24.5 billion. " * 30,
    ]
    onnx = OnnxEmbedder(folder)
    ref = SentenceTransformerEmbedder(folder)
    cos = np.sum(onnx.embed_documents(texts) * ref.embed_documents(texts), axis=1)
    assert cos.min() > 0.9999
    q = ["What were 3M's net sales in 2007?"]
    assert float(onnx.embed_queries(q)[0] @ ref.embed_queries(q)[0]) > 0.9999
