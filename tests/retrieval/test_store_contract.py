"""The same contract on both Qdrant engines: Edge in-process and qdrant-client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mardoc.models.embedders import HashingEmbedder, truncate_normalize
from mardoc.retrieval import (
    FULL,
    SPARSE,
    ChunkStore,
    Nearest,
    PointData,
    Rrf,
    Where,
    prefix_name,
)
from mardoc.retrieval.client import ClientStore
from mardoc.retrieval.edge import EdgeStore
from mardoc.retrieval.sparse import bm25_document, bm25_query
from mardoc.types import point_uuid

ENGINES = ["edge", "memory"] + (["server"] if os.environ.get("MARDOC_QDRANT_URL") else [])
EMB = HashingEmbedder(256)
TEXTS = [
    ("a", 1, "block", "glob patterns have a default weight of fifty"),
    ("a", 1, "page", "the whole first page about glob weights and magic"),
    ("a", 2, "block", "magic rules sniff file contents with priorities"),
    ("a", 3, "table", "| type | weight |\n| text/plain | 50 |"),
    ("b", 1, "block", "bananas grow in tropical climates"),
    ("b", 2, "figure", "Figure 1: banana production by country"),
    ("b", 2, "block", "zyxwvut is a rare lexical token only here"),
]


def make_store(kind: str, tmp_path: Path) -> ChunkStore:
    if kind == "edge":
        return EdgeStore(tmp_path / "shard")
    if kind == "memory":
        return ClientStore(":memory:", "contract")
    return ClientStore(os.environ["MARDOC_QDRANT_URL"], f"contract_{uuid.uuid4().hex[:8]}")


def points() -> list[PointData]:
    vecs = EMB.embed_documents([t[3] for t in TEXTS])
    out = []
    for i, ((doc, page, kind, text), v) in enumerate(zip(TEXTS, vecs, strict=True)):
        named = {FULL: v.tolist(), SPARSE: bm25_document(text)}
        for d in (64, 128):
            named[prefix_name(d)] = truncate_normalize(v, d)[0].tolist()
        out.append(
            PointData(
                point_uuid(f"c{i}"),
                named,
                {"doc_id": doc, "page": page, "kind": kind, "text": text, "ordinal": i},
            )
        )
    return out


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChunkStore]:
    s = make_store(request.param, tmp_path)
    s.ensure(256, [64, 128])
    s.upsert(points())
    yield s
    s.close()


def q(text: str) -> list[float]:
    return EMB.embed_queries([text])[0].tolist()


def texts(hits) -> list[str]:  # noqa: ANN001
    return [h.payload["text"] for h in hits]


def test_count_and_filters(store: ChunkStore) -> None:
    assert store.count() == len(TEXTS)
    assert store.count(Where(doc_ids=["a"])) == 4
    assert store.count(Where(doc_ids=["a"], kinds=["block"])) == 2
    assert store.count(Where(pages=[2])) == 3
    hits = store.query(Nearest(FULL, q("weight"), 10, exact=True), Where(doc_ids=["b"]))
    assert {h.payload["doc_id"] for h in hits} == {"b"}


def test_funnel_matches_exact_on_small_corpus(store: ChunkStore) -> None:
    query = q("default weight of glob patterns")
    exact = store.query(Nearest(FULL, query, 3, exact=True))
    low = truncate_normalize(np.array(query), 64)[0].tolist()
    funnel = store.query(Nearest(FULL, query, 3, prefetch=(Nearest(prefix_name(64), low, 7),)))
    assert [h.id for h in funnel] == [h.id for h in exact]
    assert texts(exact)[0] == TEXTS[0][3]
    # rescoring is done on the full vector: same scores as the exact search
    assert funnel[0].score == pytest.approx(exact[0].score, abs=1e-5)


def test_fusion_includes_lexical_only_hits(store: ChunkStore) -> None:
    # The dense prefetch is limited to 1 result and the query's rare token only exists
    # lexically in one chunk: fusion must still surface it.
    rare = "zyxwvut"
    dense = Nearest(FULL, q("bananas tropical"), 1, exact=True)
    fused = store.query(Rrf((dense, Nearest(SPARSE, bm25_query(rare), 1)), limit=5))
    assert TEXTS[6][3] in texts(fused)
    assert TEXTS[4][3] in texts(fused)


def test_scroll_retrieve_delete(store: ChunkStore) -> None:
    recs = store.scroll(Where(doc_ids=["a"]))
    assert len(recs) == 4
    got = store.retrieve([point_uuid("c0")], with_vectors=True)
    assert got[0].payload["text"] == TEXTS[0][3]
    assert len(got[0].vectors[FULL]) == 256
    store.delete_ids([point_uuid("c0")])
    assert store.count(Where(doc_ids=["a"])) == 3
    store.delete(Where(doc_ids=["b"]))
    assert store.count() == 3


def test_vectorless_records_coexist(store: ChunkStore) -> None:
    store.upsert([PointData(point_uuid("doc:a"), {}, {"kind": "doc", "doc_id": "a", "status": "complete"})])
    assert store.retrieve([point_uuid("doc:a")])[0].payload["status"] == "complete"
    hits = store.query(Nearest(FULL, q("glob"), 20, exact=True))
    assert all(h.payload["kind"] != "doc" for h in hits)


def test_engines_agree(tmp_path: Path) -> None:
    """Congruence: same points in, same ranking out."""
    results = []
    for kind in ("edge", "memory"):
        s = make_store(kind, tmp_path / kind)
        s.ensure(256, [64, 128])
        s.upsert(points())
        query = q("magic file contents priorities")
        low = truncate_normalize(np.array(query), 128)[0].tolist()
        results.append(
            [h.id for h in s.query(Nearest(FULL, query, 4, prefetch=(Nearest(prefix_name(128), low, 7),)))]
        )
        s.close()
    assert results[0] == results[1]


def test_edge_store_reopens_with_data(tmp_path: Path) -> None:
    s = EdgeStore(tmp_path / "shard")
    s.ensure(256, [64, 128])
    s.upsert(points())
    s.close()
    again = EdgeStore(tmp_path / "shard")
    assert again.count() == len(TEXTS)
    again.close()
