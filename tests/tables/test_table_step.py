"""The agents' table step with a scripted model on a drawn PDF with a table: counts and
lookups by code (no call), the model's SELECT run in the sandbox, hostile queries refused
and the question still answered by reading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mardoc import Library, Settings
from tests.conftest import copy_library
from tests.fakes import ScriptedChatModel, tiny_embedder
from tests.tables.builders import other_table_then_table, table_after_text, table_pdf

NA = json.dumps({"answer": "Not stated.", "short_answer": "Not answerable", "format": "None", "cited": []})


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tables")
    pdf = table_pdf(root / "segments.pdf", ruled=True)
    s = Settings(home=root / "home", models={"embedder": "hash:256", "chat": "fake:"})
    with Library(root / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(["{}"])) as lib:
        lib.ingest([pdf])
    return root


def library(indexed: Path, tmp_path: Path, sql: list[str], answer: str = NA, **agents: Any) -> Library:
    copy_library(indexed / "lib", tmp_path / "lib")
    queries = iter(sql)

    def reply(messages: list, schema: Any) -> str:
        name = getattr(schema, "__name__", schema)
        if name == "yes_probability":
            return "0.9"
        if name == "SqlReply":
            return json.dumps({"sql": next(queries, "")})
        return answer

    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents=agents)
    return Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel([reply]))


def kinds(lib: Library) -> list[str]:
    return [getattr(c["schema"], "__name__", c["schema"]) for c in lib.chat.calls]  # type: ignore[attr-defined]


def step(answer: Any) -> dict:
    return next(e for e in answer.trace if e.get("agent") == "tables")


def test_the_models_select_is_run_and_its_cells_cited(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, ["SELECT SUM(revenue_2020) FROM t1"])
    a = lib.ask("What was the total revenue of all segments in 2020?", mode="agents")
    assert a.short == "3692" and a.format == "Int"
    assert "RagReply" not in kinds(lib)  # the table answered: the pages were not read by the model
    s = step(a)
    assert s["queries"] == [{"sql": "SELECT SUM(revenue_2020) FROM t1", "columns": ["SUM(revenue_2020)"], "rows": [[3692.0]]}]
    assert a.citations and all(c.page == 1 and c.bbox is not None for c in a.citations)


def test_a_single_cell_is_looked_up_by_code_without_a_query(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, [])
    a = lib.ask("What was the revenue of the Industrial segment in 2020?", mode="agents")
    assert a.short == "-1020" and "SqlReply" not in kinds(lib) and "RagReply" not in kinds(lib)
    assert "Industrial" in step(a)["how"] and a.citations[0].quote.startswith("Industrial")


def test_the_cells_of_a_table_answer_become_evidence_in_the_memory(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, [])
    a = lib.ask("What was the revenue of the Industrial segment in 2020?", mode="agents")
    cell = a.citations[0]
    (e,) = [e for e in a.memory["evidence"] if e["source"]["bbox"] == cell.bbox]  # the cell's box, not a line's
    assert e["quote"] == cell.quote and e["quote"].startswith("Industrial") and e["source"]["page"] == 1
    assert e["source"]["chunk_id"] == cell.chunk_id and "-1020" in e["statement"]
    assert step(a)["evidence"] == 1


def test_a_count_over_the_inventory_needs_no_call(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, [])
    a = lib.ask("How many tables are in the document?", mode="agents")
    assert a.short == "1" and step(a)["count"]["what"] == "tables"
    assert "SqlReply" not in kinds(lib) and "RagReply" not in kinds(lib)


def test_a_failing_query_is_shown_its_error_once(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, ["SELECT SUM(revenue) FROM t1", "SELECT SUM(revenue_2019) FROM t1"])
    a = lib.ask("What was the total revenue of all segments in 2019?", mode="agents")
    assert a.short == "3722"
    second = [c["messages"][1]["content"] for c in lib.chat.calls if kinds(lib)[lib.chat.calls.index(c)] == "SqlReply"][1]  # type: ignore[attr-defined]
    assert "Your previous query failed: SQL error: no such column: revenue" in second


@pytest.mark.parametrize(
    "hostile",
    ["ATTACH DATABASE 'stolen.db' AS s", "SELECT load_extension('evil')", "SELECT 1; DROP TABLE t1",
     "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"],
)  # fmt: skip
def test_a_hostile_query_is_refused_recorded_and_the_pages_read(indexed: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch, hostile: str) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    before = set(Path(tmp_path).rglob("*"))
    answer = json.dumps({"answer": "It is 3692.", "short_answer": "3692", "format": "Int", "cited": [1]})
    lib = library(indexed, tmp_path, [hostile, hostile], answer=answer)
    a = lib.ask("What was the total revenue of all segments in 2020?", mode="agents")
    errors = [q["error"] for q in step(a)["queries"]]
    assert len(errors) == 2 and all("refused" in e or "one complete" in e or "one SELECT" in e for e in errors)
    assert "RagReply" in kinds(lib) and a.short == "3692"  # answered by reading, as before
    assert not [p for p in set(Path(tmp_path).rglob("*")) - before if p.name.startswith("stolen")]


def test_a_result_of_the_wrong_type_is_not_the_answer(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, ["SELECT segment FROM t1 LIMIT 1"])
    a = lib.ask("What was the total revenue of all segments in 2020?", mode="agents")
    assert a.short == "Not answerable" and "is not one" in step(a)["note"]


def test_the_table_step_can_be_turned_off(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, ["SELECT SUM(revenue_2020) FROM t1"], tables=False)
    a = lib.ask("What was the total revenue of all segments in 2020?", mode="agents")
    assert "SqlReply" not in kinds(lib) and not [e for e in a.trace if e.get("agent") == "tables"]


def test_rows_picked_by_a_condition_are_answered_by_code(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, [])
    a = lib.ask("Which segments had a margin of more than 10%?", mode="agents")
    assert json.loads(a.short) == ["Consumer", "Health Care"] and a.format == "List"
    assert "SqlReply" not in kinds(lib) and "RagReply" not in kinds(lib)
    assert {c.page for c in a.citations} == {1} and "Margin" in step(a)["how"]


def test_a_table_on_a_ranked_page_the_answer_does_not_read_is_queried(tmp_path: Path) -> None:
    pdf = table_after_text(tmp_path / "review.pdf")
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents={"read_pages": 1})
    with Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(["0.9", NA])) as lib:
        lib.ingest([pdf])
        a = lib.ask("What was the revenue of the Industrial segment in 2020?", mode="agents")
    explorer = a.trace[0]
    assert explorer["pages"] == [["review.pdf", 1]]  # the words page ranks first and is read alone
    s_ = step(a)
    assert s_["question"]["op"] == "value" and s_["question"]["years"] == ["2020"]  # the record, in the trace
    assert "page 2" in s_["also"] and "Industrial" in s_["how"]
    assert a.short == "-1020" and a.citations[0].page == 2


def test_a_ranked_table_page_not_read_answers_when_the_tables_read_do_not(tmp_path: Path) -> None:
    pdf = other_table_then_table(tmp_path / "review.pdf")
    s = Settings(home=tmp_path / "home", models={"embedder": "hash:256", "chat": "fake:"}, agents={"read_pages": 1})
    with Library(tmp_path / "lib", settings=s, embedder=tiny_embedder(), chat=ScriptedChatModel(["0.9", NA])) as lib:
        lib.ingest([pdf])
        a = lib.ask("What was the revenue of the Industrial segment in 2020?", mode="agents")
        calls = [getattr(c["schema"], "__name__", c["schema"]) for c in lib.chat.calls]  # type: ignore[attr-defined]
    assert a.trace[0]["pages"] == [["review.pdf", 1]]  # the page of words and staff ranks first, read alone
    s_ = step(a)
    assert "page 2" in s_["widened"] and "Industrial" in s_["how"]
    assert a.short == "-1020" and a.citations[0].page == 2
    assert "SqlReply" not in calls  # no query is written over a page the answer does not read


def test_a_question_of_no_tables_shape_looks_for_no_table_pages(indexed: Path, tmp_path: Path) -> None:
    lib = library(indexed, tmp_path, [])
    a = lib.ask("Who prepared the segment review?", mode="agents")
    steps = [e for e in a.trace if e.get("agent") == "tables"]
    assert all("also" not in e and "widened" not in e for e in steps)
