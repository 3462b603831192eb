"""The persistent LLM-call cache: what hits, what misses, and what it survives."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from mardoc.models.cache import CachedChatModel, CallStore
from tests.fakes import ScriptedChatModel

MSGS = [{"role": "system", "content": "sys"}, {"role": "user", "content": "What is 2+2?"}]


class Reply(BaseModel):
    answer: str


class Other(BaseModel):
    answer: str
    extra: int = 0


def cached(tmp_path: Path, replies: list, identity: str = "gguf:abc", **kw: bool) -> CachedChatModel:
    return CachedChatModel(ScriptedChatModel(replies), CallStore(tmp_path / "c.sqlite"), identity, **kw)


def test_identical_call_hits_and_counts_as_the_same_logical_call(tmp_path: Path) -> None:
    chat = cached(tmp_path, ['{"answer": "4"}', '{"answer": "five"}'])
    first = chat.complete(MSGS, schema=Reply, max_tokens=50)
    second = chat.complete(MSGS, schema=Reply, max_tokens=50)
    assert first == second == Reply(answer="4")
    assert len(chat.inner.calls) == 1  # type: ignore[attr-defined]
    assert chat.stats.hits == 1 and chat.stats.misses == 1
    snap = chat.usage.snapshot()
    assert snap["calls"] == 2 and snap["prompt_tokens"] == 2 * chat.inner.usage.prompt_tokens


def test_a_new_process_reads_what_an_earlier_one_wrote(tmp_path: Path) -> None:
    cached(tmp_path, ["four"]).complete(MSGS)
    again = cached(tmp_path, ["never asked"])
    assert again.complete(MSGS) == "four" and again.inner.calls == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "change",
    ["identity", "messages", "schema", "max_tokens", "temperature"],
)
def test_any_change_of_the_inputs_misses(tmp_path: Path, change: str) -> None:
    cached(tmp_path, ['{"answer": "4"}']).complete(MSGS, schema=Reply, max_tokens=50)
    chat = cached(tmp_path, ['{"answer": "x"}'], identity="gguf:other" if change == "identity" else "gguf:abc",
                  sampled=True)  # fmt: skip
    kwargs: dict = {"schema": Reply, "max_tokens": 50}
    msgs = MSGS
    if change == "messages":
        msgs = [MSGS[0], {"role": "user", "content": "What is 2+3?"}]
    elif change == "schema":
        kwargs["schema"] = Other
    elif change == "max_tokens":
        kwargs["max_tokens"] = 51
    elif change == "temperature":
        kwargs["temperature"] = 0.7
    chat.complete(msgs, **kwargs)
    assert chat.stats.misses == 1 and chat.stats.hits == 0
    assert len(chat.inner.calls) == 1  # type: ignore[attr-defined]


def test_sampled_calls_are_not_cached_unless_asked(tmp_path: Path) -> None:
    chat = cached(tmp_path, ["a", "b"])
    assert chat.complete(MSGS, temperature=0.8) == "a"
    assert chat.complete(MSGS, temperature=0.8) == "b"
    assert chat.stats.hits == chat.stats.misses == 0 and chat.store.count() == 0
    sampled = cached(tmp_path, ["c", "d"], sampled=True)
    assert sampled.complete(MSGS, temperature=0.8) == sampled.complete(MSGS, temperature=0.8) == "c"


def test_a_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database, just bytes " * 100)
    with caplog.at_level(logging.WARNING):
        chat = CachedChatModel(ScriptedChatModel(["four"]), CallStore(path), "gguf:abc")
        assert chat.complete(MSGS) == "four"
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    assert list(tmp_path.glob("c.sqlite.corrupt-*"))
    assert CallStore(path).count() == 1


WRITER = """
import sys
from mardoc.models.cache import CallStore
store = CallStore(sys.argv[1])
for i in range(int(sys.argv[3])):
    store.put(f"{sys.argv[2]}-{i}", "m", "reply " * 50, {"calls": 1, "prompt_tokens": 10, "completion_tokens": 2, "seconds": 0.5})
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "300"], stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    for p in procs:
        _, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr.decode()
    store = CallStore(path)
    assert store.count() == 600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.get("b-299") is not None
