"""The public API end to end with deterministic fakes, on real PDFs and both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from mardoc import NOT_ANSWERABLE, Library, Settings
from mardoc.errors import DocumentError
from tests.conftest import DEMO_PDF, demo_library_at
from tests.fakes import ScriptedChatModel, tiny_embedder

RAG_REPLY = '{"answer": "The default weight is 50 and the maximum 100.", "short_answer": "[50, 100]", "format": "List", "cited": [1, 42]}'


def library(tmp_path: Path, location: str | Path | None = None, replies: list | None = None) -> Library:
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"})
    return Library(
        location or tmp_path / "lib",
        settings=s,
        embedder=tiny_embedder(),
        chat=ScriptedChatModel(replies or [RAG_REPLY]),
    )


@pytest.mark.slow  # ingests the example PDF into a fresh library: seconds (make test runs it)
@pytest.mark.parametrize("engine", ["edge", "memory"])
def test_ingest_is_idempotent_and_answers_with_citations(tmp_path: Path, engine: str) -> None:
    lib = library(tmp_path, None if engine == "edge" else ":memory:")
    first = lib.ingest([DEMO_PDF])[0]
    assert first.status == "ingested" and first.pages == 17
    count = lib.store.count()
    again = lib.ingest([DEMO_PDF])[0]
    assert again.status == "skipped" and lib.store.count() == count
    docs = lib.documents()
    assert docs[0]["status"] == "complete" and docs[0]["pages"] == 17
    answer = lib.ask("What is the default weight of a glob?", mode="rag")
    assert answer.short == "[50, 100]" and answer.format == "List"
    # E42 does not exist: the invented citation is dropped, E1 survives
    assert len(answer.citations) == 1 and answer.citations[0].doc_name == DEMO_PDF.name
    assert answer.usage["calls"] == 1
    lib.close()


@pytest.mark.slow  # ingests the example PDF into a fresh library: seconds (make test runs it)
def test_duplicate_content_under_another_name(tmp_path: Path) -> None:
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(DEMO_PDF.read_bytes())
    lib = library(tmp_path)
    res = lib.ingest([DEMO_PDF, copy])
    assert [r.status for r in res] == ["ingested", "duplicate"]
    assert len(lib.documents()) == 1
    lib.close()


@pytest.mark.slow  # ingests the example PDF into a fresh library: seconds (make test runs it)
def test_bad_files_are_listed_and_good_ones_kept(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(DEMO_PDF.read_bytes())
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"\x89PNG\r\n\x1a\nxxxxxxxx")
    lib = library(tmp_path)
    res = {r.name: r for r in lib.ingest([folder])}
    assert res["a.pdf"].status == "ingested"
    assert res["empty.pdf"].status == "failed" and "empty" in res["empty.pdf"].error
    assert res["fake.pdf"].status == "failed" and "not a PDF" in res["fake.pdf"].error
    assert [d["name"] for d in lib.documents()] == ["a.pdf"]
    lib.close()


def test_prompts_fence_document_text(tmp_path: Path, demo_index: Path) -> None:
    lib = library(tmp_path, demo_library_at(demo_index, tmp_path / "lib"))
    lib.ask("What is the default weight of a glob?", mode="rag")
    prompt = lib.chat.calls[0]["messages"][1]["content"]  # type: ignore[attr-defined]
    system = lib.chat.calls[0]["messages"][0]["content"]  # type: ignore[attr-defined]
    nonce = system.split("<<DOCUMENT-DATA ")[1].split(" ")[0]
    assert "untrusted" in system
    # every excerpt sits between an opening and a closing fence with this prompt's nonce
    assert prompt.count(f"<<DOCUMENT-DATA {nonce} [E") == prompt.count(f"<</DOCUMENT-DATA {nonce}>>") > 0
    lib.close()


def test_unknown_doc_and_empty_library(tmp_path: Path, demo_index: Path) -> None:
    empty = library(tmp_path, tmp_path / "empty")
    with pytest.raises(DocumentError, match="no documents"):
        empty.ask("anything?")
    empty.close()
    lib = library(tmp_path, demo_library_at(demo_index, tmp_path / "lib"))
    with pytest.raises(DocumentError, match="not in the library"):
        lib.ask("x?", docs=["other.pdf"])
    assert lib.remove(DEMO_PDF.name) == 1
    assert lib.documents() == [] and lib.store.count() == 0
    lib.close()


@pytest.mark.slow  # ingests the example PDF into a fresh library: seconds (make test runs it)
def test_empty_index_names_the_indexes_made_with_other_settings(tmp_path: Path) -> None:
    lib = library(tmp_path)
    lib.ingest([DEMO_PDF])
    lib.close()
    # other index settings (here the block size): a separate index in the same folder
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256"}, ingest={"block_max_chars": 600})
    other = Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel([]))
    assert other.documents() == [] and len(other.other_indexes()) == 1
    with pytest.raises(DocumentError, match="1 index\\(es\\) made with other index settings"):
        other.ask("anything?")
    other.close()
    fresh = library(tmp_path / "fresh")
    assert fresh.other_indexes() == [] and "other index settings" not in fresh.empty_message()
    fresh.close()


def test_not_answerable_has_no_citations(tmp_path: Path, demo_index: Path) -> None:
    reply = '{"answer": "The excerpts do not say.", "short_answer": "Not answerable", "format": "None", "cited": [1]}'
    lib = library(tmp_path, demo_library_at(demo_index, tmp_path / "lib"), replies=[reply])
    a = lib.ask("Who won the 1998 world cup?", mode="rag")
    assert a.short == NOT_ANSWERABLE and not a.answerable and a.citations == []
    lib.close()


@pytest.mark.slow  # ingests the example PDF into a fresh library: seconds (make test runs it)
def test_a_library_opened_with_another_table_setting_asks_for_a_re_ingest(tmp_path: Path) -> None:
    lib = library(tmp_path)
    lib.ingest([DEMO_PDF])
    assert [d["status"] for d in lib.documents()] == ["complete"]
    lib.close()
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, ingest={"tables_layout": False})
    other = Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel([RAG_REPLY]))
    assert other.documents() == []  # another index: the old one is not reused
    other.close()
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents={"max_rounds": 2})
    same = Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel([RAG_REPLY]))
    assert [d["status"] for d in same.documents()] == ["complete"]  # an answering setting keeps the index
    same.close()
