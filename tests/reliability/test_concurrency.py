"""Two processes on one embedded store; concurrent questions in one process."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mardoc.errors import BackendError, StoreLockedError
from mardoc.retrieval.client import ClientStore
from mardoc.retrieval.edge import EdgeStore
from tests.agents.conftest import make_library

HOLDER = """
import sys, time
from mardoc.retrieval.edge import EdgeStore
s = EdgeStore(sys.argv[1]); s.ensure(8, [4])
print("ready", flush=True)
time.sleep(30)
"""


def test_second_process_gets_a_clear_locked_error(tmp_path: Path) -> None:
    path = tmp_path / "shard"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="in use by another process.*Qdrant server"):
            EdgeStore(path)
    finally:
        holder.kill()
        holder.wait()
    assert EdgeStore(path).count() == 0  # usable again once the holder is gone


def test_concurrent_asks_in_one_process(indexed: Path, tmp_path: Path) -> None:
    def reply(messages: list, schema: object) -> str:
        q = messages[-1]["content"].split("Question: ", 1)[1].split("\n", 1)[0]
        return json.dumps({"answer": q, "short_answer": q[-6:], "format": "Str", "cited": [1]})

    lib = make_library(indexed, tmp_path, [reply])
    questions = [f"What about glob weight number {i}?" for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda q: lib.ask(q, mode="rag"), questions))
    assert [a.question for a in answers] == questions
    assert all(a.text == a.question and a.citations for a in answers)


def test_unreachable_qdrant_server_is_a_clear_error_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from mardoc import Library, Settings
    from tests.conftest import DEMO_PDF
    from tests.fakes import ScriptedChatModel, tiny_embedder

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(BackendError, match=f"127.0.0.1:{port}"):
        store = ClientStore(url, "c")
        store.ensure(8, [4])
    # through the library: the ingest fails naming the server, and nothing is written locally
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    settings = Settings(home=home, models={"embedder": "hash:256", "chat": "fake:"}, store={"url": url})
    with (
        pytest.raises(BackendError, match=f"127.0.0.1:{port}"),
        Library(settings=settings, embedder=tiny_embedder(), chat=ScriptedChatModel(["{}"])) as lib,
    ):
        lib.ingest([DEMO_PDF])
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], written