"""Model-written SQL is untrusted: every hostile query is refused or stopped within its limits.

Each protection is tested on its own layer (the statement check, the authorizer, the time
limit, the size limits), so a test fails when its protection is removed even where another
layer would also have caught the query."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from mardoc.tables import QueryRefused, run_select
from mardoc.tables import sql as sandbox
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def tables(rows: int = 30) -> list:
    grid = TableGrid(cells=(("Name", "Value"), *((f"n{i}", str(i)) for i in range(rows))))
    return page_tables(grid, page=3)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative ATTACH would create its file here


def test_a_plain_select_runs_and_names_its_cells() -> None:
    r = run_select("SELECT name, value FROM t1 WHERE value > 27 ORDER BY value", tables())
    assert r.rows == [("n28", 28.0), ("n29", 29.0)] and r.columns == ["name", "value"]
    assert ("t1", 28, 0) in r.cells and ("t1", 29, 1) in r.cells


@pytest.mark.parametrize(
    "sql",
    ["ATTACH DATABASE 'x.db' AS x", "PRAGMA table_info(t1)", "DROP TABLE t1", "INSERT INTO t1 VALUES ('a', 1)",
     "CREATE TABLE y (a)", "SELECT 1; DROP TABLE t1", "VACUUM INTO 'copy.db'"],
)  # fmt: skip
def test_the_statement_check_runs_one_select_only(sql: str, tmp_path: Path) -> None:
    with pytest.raises(QueryRefused, match="one SELECT|one complete|one statement"):
        sandbox._check_text(sql)
    with pytest.raises(QueryRefused):
        run_select(sql, tables())
    assert os.listdir(tmp_path) == []


def _authorized(sql: str) -> None:
    """Run ``sql`` under the sandbox's authorizer alone (no statement check), as run_select does."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t1 (name TEXT, value REAL)")
    conn.set_authorizer(sandbox._authorizer({"t1"}))
    try:
        conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "sql",
    ["ATTACH DATABASE 'x.db' AS x", "PRAGMA writable_schema = 1", "INSERT INTO t1 VALUES ('a', 1)",
     "WITH a AS (SELECT 1) INSERT INTO t1 SELECT 'a', 1 FROM a", "DELETE FROM t1", "CREATE TABLE y (a)",
     "SELECT load_extension('libevil')", "SELECT * FROM sqlite_master", "SELECT * FROM pragma_table_info('t1')",
     "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
     "SELECT randomblob(100)", "SELECT zeroblob(100)"],
)  # fmt: skip
def test_the_authorizer_allows_only_reading_the_tables(sql: str, tmp_path: Path) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="not authorized|prohibited"):
        _authorized(sql)
    assert os.listdir(tmp_path) == []


def test_hostile_selects_are_refused_through_run_select() -> None:
    for sql in ("SELECT load_extension('libevil')", "SELECT * FROM sqlite_master",
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"):  # fmt: skip
        with pytest.raises(QueryRefused, match="refused"):
            run_select(sql, tables())


def test_a_cross_join_of_every_table_with_itself_is_stopped_by_the_time_limit() -> None:
    start = time.monotonic()
    with pytest.raises(QueryRefused, match="stopped after 0.2 s"):
        run_select("SELECT count(*) FROM t1 a, t1 b, t1 c, t1 d, t1 e, t1 f, t1 g", tables(), max_seconds=0.2)
    assert time.monotonic() - start < 5  # bounded (a generous bound: the limit is 0.2 s)


def test_a_ten_megabyte_literal_is_refused_before_it_runs() -> None:
    with pytest.raises(QueryRefused, match="characters refused"):
        run_select("SELECT '" + "a" * 10_000_000 + "'", tables())


def test_a_huge_computed_value_is_refused() -> None:
    with pytest.raises(QueryRefused, match="result value of 5400 characters"):
        run_select("SELECT replace(printf('%.*c', 900, 'x'), 'x', 'xxxxxx')", tables())


def test_rows_beyond_the_limit_are_cut_and_said() -> None:
    r = run_select("SELECT name FROM t1", tables(), max_rows=5)
    assert len(r.rows) == 5 and r.truncated


def test_each_query_runs_on_a_fresh_database() -> None:
    run_select("SELECT * FROM t1", tables())
    r = run_select("SELECT count(*) FROM t1", tables(3))
    assert r.rows == [(3,)]


def test_a_gigabyte_printf_is_refused_before_sqlite_loops_to_its_width() -> None:
    # the progress handler is not called inside one function's work, and SQLite's printf loops
    # to the width it is given even past the length limit: the width itself is refused
    for sql in ("SELECT length(printf('%.*c', 1000000000, 'x'))", "SELECT printf('%1000000000d', 1)",
                "SELECT printf('%*s', 2000000, 'x')"):  # fmt: skip
        with pytest.raises(QueryRefused, match=f"a printf width over {sandbox.MAX_WIDTH}"):
            run_select(sql, tables())
    r = run_select("SELECT printf('%.2f', value), printf('%5s|%-3d|%%', name, 7) FROM t1 WHERE name = 'n3'", tables())
    assert r.rows == [("3.00", "   n3|7  |%")]  # what SQLite's printf gives


def test_a_value_grown_past_the_length_limit_is_refused() -> None:
    with pytest.raises(QueryRefused, match=f"a value over {sandbox.MAX_VALUE_BYTES} bytes"):
        run_select("SELECT length(replace(printf('%.*c', 900, 'x'), 'x', printf('%.*c', 900, 'y')))", tables())


def test_the_gigabyte_printf_stays_within_a_hundred_megabytes(tmp_path: Path) -> None:
    # in a process of its own, so its peak memory is this query's
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import resource\n"
        "from mardoc.tables import QueryRefused, run_select\n"
        "from mardoc.types import TableGrid\n"
        "from tests.tables.builders import page_tables\n"
        "t = page_tables(TableGrid(cells=(('Name', 'Value'), ('a', '1'))), page=1)\n"
        "run_select('SELECT 1', t)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    run_select(\"SELECT length(printf('%.*c', 1000000000, 'x'))\", t)\n"
        "except QueryRefused:\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, check=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
    assert int(out.stdout.strip()) < 100 * 1024  # KiB


def test_a_result_too_large_in_all_is_refused_although_each_value_is_small() -> None:
    many = tables(rows=40)
    with pytest.raises(QueryRefused, match="a result of .* characters refused"):
        run_select("SELECT printf('%.*c', 900, 'x') FROM t1", many, max_rows=40)
