"""The Explorer's tools, executed against the retriever. Results are observations."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from mardoc.agents.state import Action
from mardoc.retrieval import Retriever
from mardoc.types import Chunk

log = logging.getLogger(__name__)


def resolve_doc(name_or_id: str, doc_names: dict[str, str]) -> str | None:
    """A doc id in scope from a name, an id or an id prefix the model wrote."""
    key = name_or_id.strip()
    for doc_id, name in doc_names.items():
        if key in (doc_id, name) or (len(key) >= 6 and doc_id.startswith(key)):
            return doc_id
    low = key.lower()
    matches = [d for d, n in doc_names.items() if low and low in n.lower()]
    return matches[0] if len(matches) == 1 else None


def run_action(
    action: Action, retriever: Retriever, docs: Sequence[str] | None, doc_names: dict[str, str], k: int
) -> tuple[list[Chunk], str]:
    """Execute one action; returns chunks and a short trace line (never raises on bad args)."""
    if action.tool == "search":
        if not action.query.strip():
            return [], "search skipped: empty query"
        kinds = list(action.kinds) or None
        hits = retriever.search(action.query, docs=docs, kinds=kinds, k=k)
        return [h.chunk for h in hits], f"search {action.query!r} kinds={kinds or 'all'} -> {len(hits)}"
    if action.tool == "open_page":
        doc_id = (
            resolve_doc(action.doc, doc_names)
            if action.doc
            else (docs[0] if docs and len(docs) == 1 else None)
        )
        if doc_id is None or action.page < 1:
            return [], f"open_page skipped: unknown document or page ({action.doc!r}, {action.page})"
        chunks = retriever.page_chunks(doc_id, action.page)
        # the page chunk holds the whole page's text; figures/tables add their own text
        chunks = [c for c in chunks if c.kind in ("page", "figure", "table")]
        return chunks, f"open_page {doc_names.get(doc_id, doc_id)} p.{action.page} -> {len(chunks)}"
    if action.tool in ("get_figure", "get_table"):
        c = retriever.get_chunk(action.id) if action.id else None
        if c is None or (docs is not None and c.doc_id not in docs):
            return [], f"{action.tool} skipped: unknown id {action.id!r}"
        return [c], f"{action.tool} {action.id}"
    c = retriever.get_chunk(action.id) if action.id else None
    if c is None or (docs is not None and c.doc_id not in docs):
        return [], f"neighbours skipped: unknown id {action.id!r}"
    chunks = retriever.neighbours(action.id)
    return chunks, f"neighbours {action.id} -> {len(chunks)}"
