"""Page ranking from chunk hits, on a hand-built ranking."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from mardoc.retrieval.retriever import Retriever, ScoredChunk
from mardoc.settings import RetrievalSettings
from mardoc.types import Chunk


def chunk(i: int, page: int, kind: str = "block") -> Chunk:
    return Chunk(id=f"00000000-0000-0000-0000-{i:012d}", doc_id="d", doc_name="d.pdf", kind=kind, page=page,
                 pages=(page,), bboxes=(), text=f"chunk {i}")  # fmt: skip


# Page 2 holds the single best chunk; page 5 holds four middling ones.
RANKING = [chunk(1, 2), chunk(2, 5), chunk(3, 5), chunk(4, 5), chunk(5, 5), chunk(6, 9)]


def retriever(decay: float) -> Retriever:
    r = Retriever(MagicMock(), MagicMock(), RetrievalSettings(page_decay=decay), lambda: ["d"])
    r.search = MagicMock(return_value=[ScoredChunk(c, 1.0 - i / 10) for i, c in enumerate(RANKING)])  # type: ignore[method-assign]
    return r


def test_maxp_ranks_pages_by_their_best_chunk() -> None:
    pages = retriever(0.0).search_pages("q", k=3)
    assert [p.page for p in pages] == [2, 5, 9]
    assert pages[0].score == pytest.approx(1 / 61) and pages[1].score == pytest.approx(1 / 62)


def test_sum_rewards_pages_with_many_hits() -> None:
    pages = retriever(1.0).search_pages("q", k=3)
    assert [p.page for p in pages] == [5, 2, 9]
    assert pages[0].score == pytest.approx(sum(1 / (60 + r) for r in (2, 3, 4, 5)))
    assert [c.chunk.id for c in pages[0].chunks] == [c.id for c in RANKING[1:5]]


def test_decay_weighs_further_chunks_less() -> None:
    pages = retriever(0.5).search_pages("q", k=2)
    assert pages[0].page == 5
    assert pages[0].score == pytest.approx(sum(0.5**i / (60 + r) for i, r in enumerate((2, 3, 4, 5))))
    assert len(retriever(0.5).search_pages("q", k=1)) == 1


def test_rrf_breaks_ties_by_id_the_same_every_time() -> None:
    from mardoc.retrieval.query import Hit
    from mardoc.retrieval.retriever import rrf

    a = [Hit("b", 1.0, {}), Hit("a", 0.9, {})]
    b = [Hit("a", 5.0, {}), Hit("b", 4.0, {})]  # a and b tie: ranks (1, 0) and (0, 1)
    fused = rrf([a, b], 2)
    assert [h.id for h in fused] == ["a", "b"] and fused[0].score == fused[1].score
    assert [h.id for h in rrf([b, a], 2)] == ["a", "b"]
    assert abs(rrf([a], 1)[0].score - 1 / 60) < 1e-12  # 0-based ranks, as Qdrant's RRF


def test_weighted_rrf_weighs_each_ranking_and_weight_zero_only_appends() -> None:
    from mardoc.retrieval.query import Hit
    from mardoc.retrieval.retriever import rrf

    dense = [Hit("b", 1.0, {}), Hit("a", 0.9, {})]
    sparse = [Hit("c", 5.0, {}), Hit("b", 4.0, {})]
    assert [h.id for h in rrf([dense, sparse], 3)] == ["b", "c", "a"]  # BM25's first beats dense's second
    assert [h.id for h in rrf([dense, sparse], 3, weights=[1.0, 0.1])] == ["b", "a", "c"]
    zero = rrf([dense, sparse], 3, weights=[1.0, 0.0])
    assert [h.id for h in zero] == ["b", "a", "c"] and zero[2].score == 0.0  # dense order, then the rest
    with pytest.raises(ValueError):
        rrf([dense, sparse], 3, weights=[1.0])
