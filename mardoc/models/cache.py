"""A persistent LLM-call cache (SQLite), so an evaluation re-run pays only for changed calls.

A call is keyed by the model's identity (for a local GGUF the SHA-256 of its weights), the
exact messages, the output schema and the sampling parameters. Only deterministic calls
(temperature 0) are cached unless ``sampled=True``. A hit replays the stored reply and
counts as the same logical call (same tokens, no seconds) in :attr:`CachedChatModel.usage`,
so budgets and traces of a re-run match the run that filled the cache; what the cache saved
is counted apart in :attr:`CachedChatModel.stats`.

The file uses SQLite's WAL journal and a busy timeout, so several processes can read and
write it at once. A file that is not a readable cache is moved aside with a one-line
warning and a new one is made: a broken cache never stops an answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mardoc.models.protocols import ChatModel, Message, T, Usage

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reply TEXT NOT NULL,
    calls INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    seconds REAL NOT NULL,
    created REAL NOT NULL
)
"""


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    seconds_saved: float = 0.0  # what the replayed calls took when they were made

    def snapshot(self) -> dict[str, float]:
        return {"hits": self.hits, "misses": self.misses, "seconds_saved": round(self.seconds_saved, 3)}


def call_key(model: str, messages: list[Message], schema: type[BaseModel] | None, params: dict[str, Any]) -> str:
    """The cache key of one call: every input that can change the reply."""
    blob = json.dumps(
        {
            "model": model,
            "messages": messages,
            "schema": schema.model_json_schema() if schema is not None else None,
            "params": params,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CallStore:
    """The SQLite file behind the cache; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        self._conn = self._connect()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute(SCHEMA)
        conn.execute("SELECT count(*) FROM calls").fetchone()
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning("LLM cache %s is unreadable (%s): moved to %s, starting a new one", self.path, exc, aside)
            for suffix in ("", "-wal", "-shm"):
                p = Path(f"{self.path}{suffix}")
                if p.exists():
                    p.replace(Path(f"{aside}{suffix}"))
            return self._open()

    def get(self, key: str) -> tuple[str, int, int, int, float] | None:
        """``(reply, calls, prompt tokens, completion tokens, seconds)`` of a stored call."""
        with self._lock:
            try:
                row = self._conn.execute(
                    "SELECT reply, calls, prompt_tokens, completion_tokens, seconds FROM calls WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                log.warning("LLM cache read failed (%s); calling the model", exc)
                return None
        return None if row is None else (str(row[0]), int(row[1]), int(row[2]), int(row[3]), float(row[4]))

    def put(self, key: str, model: str, reply: str, usage: dict[str, float]) -> None:
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, model, reply, int(usage["calls"]), int(usage["prompt_tokens"]),
                     int(usage["completion_tokens"]), float(usage["seconds"]), time.time()),  # fmt: skip
                )
            except sqlite3.DatabaseError as exc:  # a full disk, a lock held too long: not fatal
                log.warning("LLM cache write failed (%s); the answer is not affected", exc)

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CachedChatModel:
    """A :class:`ChatModel` whose deterministic calls are answered from a :class:`CallStore`."""

    def __init__(self, inner: ChatModel, store: CallStore, identity: str, *, sampled: bool = False) -> None:
        self.inner = inner
        self.store = store
        self.identity = identity
        self.sampled = sampled
        self.name = inner.name
        self.supports_images = inner.supports_images
        self.usage = Usage()
        self.stats = CacheStats()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def complete(
        self,
        messages: list[Message],
        *,
        schema: type[T] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Any:
        if temperature > 0 and not self.sampled:
            return self._call(messages, schema, max_tokens, temperature)[0]
        key = call_key(self.identity, messages, schema, {"max_tokens": max_tokens, "temperature": temperature})
        found, value = self._replay(key, lambda reply: schema.model_validate_json(reply) if schema is not None else reply)
        if found:
            return value
        value, spent = self._call(messages, schema, max_tokens, temperature)
        reply = value.model_dump_json() if isinstance(value, BaseModel) else str(value)
        self.store.put(key, self.identity, reply, spent)
        return value

    def yes_probability(self, messages: list[Message]) -> float:
        """The inner model's yes/no judgement, cached like a call (keyed apart from replies)."""
        from mardoc.models.judging import yes_probability

        key = call_key(self.identity, messages, None, {"judgement": "yes_probability"})
        found, value = self._replay(key, float)
        if found:
            return float(value)
        value, spent = self._measured(lambda: yes_probability(self.inner, messages))
        self.store.put(key, self.identity, repr(value), spent)
        return float(value)

    def _replay(self, key: str, parse: Any) -> tuple[bool, Any]:
        """``(True, value)`` for a stored call whose reply ``parse`` reads, counted as the same
        logical call; ``(False, None)`` otherwise (a miss, or an entry that no longer parses)."""
        hit = self.store.get(key)
        if hit is not None:
            reply, calls, prompt, completion, seconds = hit
            try:
                value = parse(reply)
            except ValueError:
                log.warning("LLM cache entry %s no longer parses; calling the model", key[:12])
            else:
                self.stats.hits += 1
                self.stats.seconds_saved += seconds
                self.usage.add(prompt, completion, 0.0, calls=calls)
                return True, value
        self.stats.misses += 1
        return False, None

    def _measured(self, work: Any) -> tuple[Any, dict]:
        """``work()``'s result and what the inner model spent on it (also added to this model's usage)."""
        before = self.inner.usage.snapshot()
        value = work()
        spent = self.inner.usage.since(before)
        self.usage.add(
            int(spent["prompt_tokens"]), int(spent["completion_tokens"]), float(spent["seconds"]),
            calls=int(spent["calls"]),
        )  # fmt: skip
        return value, spent

    def _call(self, messages: list[Message], schema: Any, max_tokens: int, temperature: float) -> tuple[Any, dict]:
        """The inner model's reply and what it spent (also added to this model's usage)."""
        return self._measured(
            lambda: self.inner.complete(messages, schema=schema, max_tokens=max_tokens, temperature=temperature)
        )
