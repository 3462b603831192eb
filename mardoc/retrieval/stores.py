"""Opening the index: one function picks the engine from the location."""

from __future__ import annotations

from pathlib import Path

from mardoc.retrieval.query import ChunkStore


def is_remote(location: str) -> bool:
    """A Qdrant server URL or qdrant-client's ``:memory:`` mode (not a folder)."""
    return location.startswith(("http://", "https://")) or location == ":memory:"


def open_store(location: str | Path, *, library: str, fingerprint: str, api_key: str = "") -> ChunkStore:
    """The store of one library's index at ``location``.

    ``http(s)://…`` or ``:memory:``: a qdrant-client collection ``mardoc_<library>_<fingerprint>``;
    a folder: the embedded Qdrant Edge shard ``<folder>/index-<fingerprint>``. The fingerprint
    (:func:`mardoc.retrieval.index_fingerprint`) keeps indexes made with other settings apart.
    """
    loc = str(location)
    if is_remote(loc):
        from mardoc.retrieval.client import ClientStore

        return ClientStore(loc, f"mardoc_{library}_{fingerprint}", api_key)
    from mardoc.retrieval.edge import EdgeStore

    return EdgeStore(Path(loc).expanduser() / f"index-{fingerprint}")
