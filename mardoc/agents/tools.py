"""Helpers of the Explorer: a document named by the model or the person, resolved to its id."""

from __future__ import annotations


def resolve_doc(name_or_id: str, doc_names: dict[str, str]) -> str | None:
    """A doc id in scope from a name, an id or an id prefix the model wrote."""
    key = name_or_id.strip()
    for doc_id, name in doc_names.items():
        if key in (doc_id, name) or (len(key) >= 6 and doc_id.startswith(key)):
            return doc_id
    low = key.lower()
    matches = [d for d, n in doc_names.items() if low and low in n.lower()]
    return matches[0] if len(matches) == 1 else None
