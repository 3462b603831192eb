"""The ``dim="auto"`` rule: exact search on small candidate sets, a wide funnel beyond."""

from __future__ import annotations

from pathlib import Path

import pytest

from mardoc.retrieval import retriever as rmod
from mardoc.retrieval.edge import EdgeStore
from mardoc.retrieval.retriever import Retriever
from mardoc.settings import RetrievalSettings
from tests.retrieval.test_store_contract import EMB, points


@pytest.fixture
def retr(tmp_path: Path) -> Retriever:
    store = EdgeStore(tmp_path / "shard")
    store.ensure(256, [64, 128, 256])
    pts = points()
    for p in pts:  # the payload the retriever turns back into chunks
        p.payload.update(doc_name=f"{p.payload['doc_id']}.pdf", pages=[p.payload["page"]], bboxes=[])
    store.upsert(pts)
    return Retriever(store, EMB, RetrievalSettings(), lambda: ["a", "b"])


def test_small_candidate_sets_are_searched_exactly(retr: Retriever) -> None:
    hits = retr.search("default weight of glob patterns", dim="auto", mode="dense", k=3)
    assert retr.last_plan == {"mode": "dense", "dim": "full", "prefetch": 3}
    exact = retr.search("default weight of glob patterns", dim="full", mode="dense", k=3)
    assert [h.chunk.id for h in hits] == [h.chunk.id for h in exact]


def test_large_candidate_sets_use_a_wide_funnel(retr: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rmod, "EXACT_BELOW", 3)  # pretend the 7 points are a big corpus
    hits = retr.search("default weight of glob patterns", dim="auto", mode="dense", k=3)
    plan = retr.last_plan
    assert plan["dim"] in (128, 256) and int(plan["prefetch"]) >= rmod.WIDE_POOL  # type: ignore[call-overload]
    exact = retr.search("default weight of glob patterns", dim="full", mode="dense", k=3)
    assert [h.chunk.id for h in hits] == [h.chunk.id for h in exact]  # the pool covers everything here
