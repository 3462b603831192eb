"""Against a real OpenAI-compatible server on loopback: llama-cpp-python's own, with the bundled GGUF.

That server rejects ``response_format.type = "json_schema"`` (a request validation error
sent as HTTP 500); mardoc must fall back to a format it accepts, not retry the rejected
request, and never show a dead backend as an answer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel

from mardoc import Library, Settings
from mardoc.errors import BackendError
from mardoc.models.openai_compat import OpenAICompatChatModel
from tests.conftest import DEMO_PDF, require_model
from tests.fakes import tiny_embedder

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gguf = require_model("qwen2.5-coder-1.5b-instruct")
    port = free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w+b")  # a pipe would fill and block it
    proc = subprocess.Popen(
        [sys.executable, "-m", "mardoc.models.llama_server", "--model", str(gguf), "--model_alias", "qwen-local",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--flash_attn", "true"],
        stdout=log, stderr=log, env={**os.environ},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"llama_cpp.server exited: {log.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise RuntimeError("llama_cpp.server did not start within 120 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class Sum(BaseModel):
    answer: int


def test_structured_output_falls_back_to_a_format_the_server_accepts(server: str) -> None:
    chat = OpenAICompatChatModel("qwen-local", base_url=server, backoff_s=0.01)
    msgs = [{"role": "user", "content": 'What is 2 + 3? Reply with JSON {"answer": <number>}.'}]
    out = chat.complete(msgs, schema=Sum, max_tokens=20)
    assert out == Sum(answer=5)
    assert chat._format == 1  # json_schema was rejected once; json_object with the schema works
    assert chat.usage.calls == 1


def test_rag_answers_through_the_real_server(server: str, tmp_path: Path) -> None:
    s = Settings(
        home=tmp_path / "home",
        models={"embedder": "hash:256", "chat": "openai:qwen-local", "openai_base_url": server},
        retrieval={"top_k": 2},
    )
    with Library(tmp_path / "lib", settings=s, embedder=tiny_embedder()) as lib:
        lib.ingest([DEMO_PDF])
        answer = lib.ask("What is the default weight of a glob pattern?", mode="rag")
    assert answer.error == "" and answer.usage["calls"] == 1
    assert answer.short  # an answer (or "Not answerable"), not a failed call shown as one


def test_a_dead_server_is_an_error(tmp_path: Path) -> None:
    s = Settings(
        home=tmp_path / "home",
        models={"embedder": "hash:256", "chat": "openai:qwen-local", "max_retries": 0,
                "openai_base_url": f"http://127.0.0.1:{free_port()}/v1"},
    )  # fmt: skip
    with Library(tmp_path / "lib", settings=s, embedder=tiny_embedder()) as lib:
        lib.ingest([DEMO_PDF])
        with pytest.raises(BackendError, match="unreachable|failed"):
            lib.ask("What is the default weight of a glob pattern?", mode="rag")


def bar_chart_pdf(path: Path) -> Path:
    """A page with a bar chart drawn as vector graphics, its labels as text."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Annual sales", fontsize=18)
    for i, (year, value) in enumerate([("2021", 3100), ("2022", 3900), ("2023", 4711)]):
        x = 100 + 120 * i
        page.draw_rect(pymupdf.Rect(x, 400 - value / 20, x + 60, 400), fill=(0.2, 0.4, 0.8))
        page.insert_text((x + 10, 420), year, fontsize=11)
        page.insert_text((x + 5, 390 - value / 20), str(value), fontsize=11)
    page.insert_text((60, 460), "Figure 1: Sales by year (units).", fontsize=11)
    doc.save(path)
    return path


def test_agents_answer_the_demo_and_a_chart_question_through_the_real_server(server: str, tmp_path: Path) -> None:
    s = Settings(
        home=tmp_path / "home",
        models={"embedder": "hash:256", "chat": "openai:qwen-local", "openai_base_url": server},
    )
    with Library(tmp_path / "lib", settings=s, embedder=tiny_embedder()) as lib:
        lib.ingest([DEMO_PDF, bar_chart_pdf(tmp_path / "sales.pdf")])
        demo = lib.ask("What is the default weight of a glob pattern, and what is the maximum?", mode="agents")
        chart = lib.ask("According to Figure 1, what were the sales in 2023?", mode="agents", docs=["sales.pdf"])
    for a in (demo, chart):
        assert a.error == "" and a.usage["calls"] >= 1 and a.short  # judged and answered through the server
        steps = [t["agent"] for t in a.trace]
        assert "refiner" in steps and "answerer" in steps
        assert not any(t.get("pictures") for t in a.trace)  # vision off: text only
