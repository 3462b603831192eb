"""The public entry point: a Library of ingested documents that answers questions."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mardoc.errors import ConfigError, DocumentError
from mardoc.ingest import EarlierVectors, Ingestor, IngestProgress, IngestResult
from mardoc.models import ChatModel, Embedder, build_chat_model, build_embedder
from mardoc.retrieval import Catalog, ChunkStore, Retriever, index_fingerprint, is_remote, open_store
from mardoc.settings import Settings
from mardoc.types import Answer

if TYPE_CHECKING:
    from mardoc.agents import AgentDeps

log = logging.getLogger(__name__)


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; folders expanded to the PDFs below them (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*") if x.suffix.lower() == ".pdf" and x.is_file()))
        else:
            out.append(p)
    return out


class Library:
    """A document library: one Qdrant index plus the models that fill and query it.

    ``location`` is a folder (embedded Qdrant Edge), a ``http(s)://`` Qdrant server URL or
    ``":memory:"``; by default ``settings.store.url`` or ``$MARDOC_HOME/libraries/<name>``.
    """

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        chat: ChatModel | None = None,
    ) -> None:
        self.settings = settings or Settings()
        s = self.settings
        name = s.store.library
        loc = str(location) if location is not None else (s.store.url or "")
        self.remote = is_remote(loc)
        self.root = Path(loc).expanduser() if loc and not self.remote else s.libraries_dir / name
        self.store: ChunkStore = open_store(
            loc if self.remote else self.root,
            library=name,
            fingerprint=index_fingerprint(s),
            api_key=s.store.api_key,
        )
        self.crops_dir = self.root / "crops"
        self._embedder = embedder
        self._chat = chat
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()
        self.catalog = Catalog(self.store)
        self._visible: list[str] | None = None

    # -- wiring ------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = build_embedder(self.settings.models.embedder, self.settings)
            return self._embedder

    @property
    def chat(self) -> ChatModel:
        with self._lock:
            if self._chat is None:
                self._chat = build_chat_model(self.settings.models.chat, self.settings)
            return self._chat

    def _visible_docs(self) -> list[str]:
        if self._visible is None:
            self._visible = self.catalog.complete_ids()
        return self._visible

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            self._retriever = Retriever(
                self.store, self.embedder, self.settings.retrieval, self._visible_docs
            )
        return self._retriever

    # -- documents ---------------------------------------------------------------------

    def ingest(
        self, paths: Sequence[str | Path] | str | Path, progress: IngestProgress | None = None
    ) -> list[IngestResult]:
        """Ingest PDFs (files or folders). Bad files are reported in the results, not raised."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        files = expand_paths(paths)
        if not files:
            return []
        # The embedder is loaded only when a document needs embedding: a bad or an already
        # ingested file loads no model. Each PDF is opened once (validated, hashed, parsed).
        ingestor = Ingestor(self.store, lambda: self.embedder, self.settings, self.crops_dir, self._earlier())
        try:
            return ingestor.ingest_many(files, progress)
        finally:
            ingestor.close()
            self._visible = None

    def _earlier(self) -> EarlierVectors | None:
        """The library's earlier local indexes (made with other settings), newest first, whose
        vectors of unchanged chunks a re-index reads back instead of embedding them again."""
        if self.remote:
            return None
        here = f"index-{index_fingerprint(self.settings)}"
        folders = [p for p in self.root.glob("index-*") if p.is_dir() and p.name != here]
        folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        name = self.settings.store.library
        return EarlierVectors([
            partial(open_store, self.root, library=name, fingerprint=p.name.removeprefix("index-")) for p in folders
        ])  # fmt: skip

    def describe_figures(self, docs: Sequence[str] | None = None, progress: IngestProgress | None = None) -> dict[str, int]:
        """Have the chat model (one that reads images) describe every figure of these documents
        (default: all) not described yet; the descriptions are stored in the figure chunks and
        embedded with them. Returns how many were described, called and found in the cache."""
        from mardoc.ingest import DescriptionCache

        if not self.chat.supports_images:
            raise ConfigError(
                f"describing figures needs a chat model that reads images; {self.chat.name} reads none "
                "(serve a vision model and set MARDOC_MODELS__CHAT=openai:MODEL and MARDOC_MODELS__VISION=true)"
            )
        doc_ids = self.scope(self.resolve(docs) if docs else None)
        cache = DescriptionCache(self.root / "figure-descriptions.sqlite")
        ingestor = Ingestor(self.store, lambda: self.embedder, self.settings, self.crops_dir)
        try:
            return ingestor.describe_figures(doc_ids, self.chat, cache, progress)
        finally:
            ingestor.close()
            cache.close()

    def documents(self) -> list[dict[str, Any]]:
        """Catalog records: doc_id, name, pages, chunks, status, ..."""
        return self.catalog.all()

    def other_indexes(self) -> list[Path]:
        """Indexes of this library folder made under other index settings (embedder, its
        int8 variant, chunking...): what an empty library may be hiding after a change."""
        if self.remote or not self.root.is_dir():
            return []
        here = Path(self.store.location).name
        return sorted(p for p in self.root.glob("index-*") if p.is_dir() and p.name != here)

    def empty_message(self) -> str:
        """One line for a library without documents, naming indexes made with other settings."""
        msg = "the library holds no documents; run `mardoc ingest FILE.pdf` first"
        others = self.other_indexes()
        if others:
            msg += (
                f" (its folder also holds {len(others)} index(es) made with other index settings, "
                "e.g. MARDOC_MODELS__EMBEDDER_INT8 or the chunking settings: re-ingest, or restore them)"
            )
        return msg

    def resolve(self, docs: Sequence[str] | None) -> list[str] | None:
        """Doc ids for names, paths, ids or id prefixes; a one-line error for unknown ones."""
        if docs is None:
            return None
        records = self.documents()
        out = []
        for d in docs:
            name = Path(d).name
            match = [
                r["doc_id"] for r in records
                if r["doc_id"] == d or r.get("name") == name or (len(d) >= 8 and r["doc_id"].startswith(d))
            ]  # fmt: skip
            if not match:
                raise DocumentError(f"document {d!r} is not in the library; ingest it first")
            out.extend(match)
        return out

    def remove(self, doc: str) -> int:
        """Remove a document and all its chunks; returns how many records were removed."""
        ids = self.resolve([doc]) or []
        for doc_id in ids:
            self.catalog.remove(doc_id)
        self._visible = None
        return len(ids)

    # -- questions -----------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        docs: Sequence[str] | None = None,
        mode: str | None = None,
        max_rounds: int | None = None,
        thread_id: str | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        pages: Sequence[tuple[str, int]] | None = None,
    ) -> Answer:
        """Answer ``question`` from the library (or the given documents) with citations.

        ``mode`` is ``agents`` (Explorer/Refiner/Reflector loop) or ``rag`` (one call);
        ``thread_id`` keeps the evidence memory across follow-up questions; ``on_event``
        receives each agent step as it happens (for live display). ``pages`` is the oracle
        mode of evaluation: exactly these ``(doc_id, page)`` pages are read instead of
        retrieving (rag: as its excerpts; agents: as the first round's observations).
        """
        if not question.strip():
            raise ConfigError("empty question")
        doc_ids = self.resolve(docs)
        if not self._visible_docs():
            raise DocumentError(self.empty_message())
        mode = mode or self.settings.agents.mode
        if mode == "rag":
            from mardoc.agents import answer_rag, rewrite_question

            history = self._rag_turns(thread_id) if thread_id else []
            standalone = question
            if history:  # a follow-up in a chat thread: searched as a standalone question
                standalone, event, _ = rewrite_question(self.chat, history, question)
                if on_event is not None:
                    on_event(event)
            got = answer_rag(
                standalone, self.retriever, self.chat, self.settings, doc_ids, pages=pages, on_event=on_event,
                scope=self.scope(doc_ids),  # for the named-terms check
                doc_paths={r["doc_id"]: r.get("path", "") for r in self.documents()},
            )
            if thread_id:
                self._rag_turns(thread_id, (question, got.text))
            return got.model_copy(update={"question": question}) if standalone != question else got
        if mode == "agents":
            from mardoc.agents import run_agents

            return run_agents(
                self.agent_deps(doc_ids), question, doc_ids, max_rounds=max_rounds, thread_id=thread_id,
                threads_db=self.root / "threads.sqlite", on_event=on_event, pages=pages,
            )  # fmt: skip
        raise ConfigError(f"unknown mode {mode!r}: use agents or rag")

    def _rag_turns(self, thread_id: str, add: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        """A rag chat thread's earlier turns (question, answer), in the threads file; ``add``
        appends one."""
        import sqlite3

        with sqlite3.connect(self.root / "threads.sqlite") as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS rag_turns (thread TEXT, turn INTEGER, question TEXT, answer TEXT)")
            rows = conn.execute("SELECT question, answer FROM rag_turns WHERE thread = ? ORDER BY turn", (thread_id,)).fetchall()
            if add is not None:
                conn.execute("INSERT INTO rag_turns VALUES (?, ?, ?, ?)", (thread_id, len(rows), *add))
        return [(str(q), str(a)) for q, a in rows]

    def agent_deps(self, docs: Sequence[str] | None = None) -> AgentDeps:
        """What the agents need for a question over ``docs`` (default: every document)."""
        from mardoc.agents import AgentDeps

        records = {r["doc_id"]: r for r in self.documents()}
        scope = self.scope(docs)
        return AgentDeps(
            retriever=self.retriever,
            chat=self.chat,
            settings=self.settings,
            doc_names={d: records[d]["name"] for d in scope},
            doc_paths={d: records[d].get("path", "") for d in scope},
            doc_pages={d: int(records[d].get("pages", 0)) for d in scope},
            doc_outlines={d: list(records[d].get("outline", [])) for d in scope},
        )

    def scope(self, docs: Sequence[str] | None) -> list[str]:
        """The documents a question is about: the fully ingested ones among the doc ids ``docs``
        (in their order; default: every fully ingested document)."""
        complete = [r["doc_id"] for r in self.documents() if r.get("status") == "complete"]
        return complete if docs is None else [d for d in dict.fromkeys(docs) if d in complete]

    async def aask(self, question: str, **kwargs: Any) -> Answer:
        """Async :meth:`ask` (runs in a worker thread; the models are CPU-bound)."""
        return await asyncio.to_thread(self.ask, question, **kwargs)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
