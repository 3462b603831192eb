import numpy as np
import pytest

from mardoc.models.embedders import HashingEmbedder, truncate_normalize
from tests.conftest import require_model


def test_truncate_normalize_unit_norm_prefix() -> None:
    v = np.array([[3.0, 4.0, 12.0], [1.0, 0.0, 0.0]])
    out = truncate_normalize(v, 2)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-6)


def test_truncate_normalize_handles_zero_prefix_and_1d() -> None:
    out = truncate_normalize(np.array([0.0, 0.0, 1.0]), 2)
    assert out.shape == (1, 2) and np.all(np.isfinite(out))


@pytest.mark.parametrize("dim", [0, 4])
def test_truncate_normalize_rejects_bad_dims(dim: int) -> None:
    with pytest.raises(ValueError):
        truncate_normalize(np.ones((1, 3)), dim)


def test_hashing_embedder_is_deterministic_and_matryoshka() -> None:
    e = HashingEmbedder(256)
    a = e.embed_documents(["the glob weight is fifty"])
    b = e.embed_documents(["the glob weight is fifty"])
    np.testing.assert_array_equal(a, b)
    assert e.matryoshka_dims == (256, 128, 64, 32)
    docs = e.embed_documents(["glob weight fifty maximum", "bananas grow in the tropics"])
    q = e.embed_queries(["glob weight"])
    for d in e.matryoshka_dims:
        sims = truncate_normalize(docs, d) @ truncate_normalize(q, d).T
        assert sims[0, 0] > sims[1, 0], d


@pytest.mark.slow
def test_embeddinggemma_real_embedding_and_128_prefix_ranking() -> None:
    from mardoc.models.embedders import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(require_model("embeddinggemma-300m"))
    docs = emb.embed_documents(
        [
            "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
            "Photosynthesis converts light energy into chemical energy in plants.",
        ]
    )
    q = emb.embed_queries(["Which city is the Eiffel Tower in?"])
    assert docs.shape == (2, 768) and emb.dim == 768
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, rtol=1e-4)
    assert 128 in emb.matryoshka_dims
    full = docs @ q[0]
    short = truncate_normalize(docs, 128) @ truncate_normalize(q, 128)[0]
    assert full[0] > full[1]
    assert short[0] > short[1]
