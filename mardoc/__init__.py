"""mardoc: agentic, multimodal question answering over long PDFs, with page-cited evidence."""

from __future__ import annotations

from mardoc.errors import MardocError
from mardoc.library import Library
from mardoc.settings import Settings
from mardoc.types import NOT_ANSWERABLE, Answer, Citation

__version__ = "0.1.0"


def open_library(location: str | None = None, settings: Settings | None = None) -> Library:
    """Open (or create) a library at a folder, a Qdrant URL or ``:memory:``."""
    return Library(location, settings=settings)


def ingest(paths: list[str] | str, location: str | None = None) -> list:
    """Ingest PDFs into the default (or given) library."""
    with Library(location) as lib:
        return lib.ingest(paths)


def ask(question: str, *, docs: list[str] | None = None, location: str | None = None, **kw: object) -> Answer:
    """Answer a question from the default (or given) library."""
    with Library(location) as lib:
        return lib.ask(question, docs=docs, **kw)  # type: ignore[arg-type]


async def aask(
    question: str, *, docs: list[str] | None = None, location: str | None = None, **kw: object
) -> Answer:
    """Async :func:`ask`."""
    with Library(location) as lib:
        return await lib.aask(question, docs=docs, **kw)


__all__ = [
    "NOT_ANSWERABLE",
    "Answer",
    "Citation",
    "Library",
    "MardocError",
    "Settings",
    "aask",
    "ask",
    "ingest",
    "open_library",
]
