"""Model-written SQL over a page's tables, run read-only in a sandbox.

A query a model writes is untrusted input: the document it read can carry instructions that
end up in it. :func:`run_select` runs one statement on an in-memory SQLite database that holds
only the tables given, behind an authorizer that allows nothing but reading those tables and
calling plain functions (no ATTACH, PRAGMA, writes, schema changes, recursive CTEs or
extensions), with a time limit (a progress handler), a row limit, a length limit on the query,
and SQLite's own limits on what one value may grow to (``Connection.setlimit``: a string or blob
of :data:`MAX_VALUE_BYTES`), on the page cache, and on the total size of the result. The
progress handler is not called inside one function's work, and SQLite's ``printf`` goes on
looping to the width it is given after its value hits the length limit (1e9 of them take
14 s), so ``printf`` is the sandbox's own (``format``, its alias, is not allowed): a width or precision over
:data:`MAX_WIDTH` is refused before SQLite's ``printf`` formats the rest. Every refusal is a :class:`QueryRefused`
with a one-line reason for the trace.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import time
from dataclasses import dataclass, field

from mardoc.tables.values import body, column_titles, header_scale, identifier, numeric_of, parse_number, tidy
from mardoc.types import Chunk

MAX_SQL_CHARS = 2000
MAX_ROWS = 50
MAX_SECONDS = 1.0
MAX_CELL_CHARS = 2000  # a value longer than this in a result row is refused (a giant literal)
MAX_VALUE_BYTES = 32_000  # SQLite's bound on any string or blob the query builds (a cell is far smaller)
MAX_RESULT_CHARS = 20_000  # the whole result, all rows and values together
CACHE_KIB = 2048  # the page cache of the sandbox database (a sort or a join spills no further)
MAX_WIDTH = 1000  # of a printf field ('%.2f' and '%10s' are what a table needs)
_SPEC = re.compile(r"%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])")

# functions a SELECT may call; everything else (load_extension, randomblob, zeroblob, ...) is refused
ALLOWED_FUNCTIONS = frozenset(
    ["abs", "avg", "count", "coalesce", "ifnull", "iif", "instr", "length", "lower", "ltrim", "max", "min", "nullif", "printf", "replace", "round", "rtrim", "substr", "substring", "sum", "total", "trim", "upper", "cast", "like", "glob", "group_concat"]
)


class QueryRefused(Exception):
    """The query was not run, or was stopped: why, in one line."""


@dataclass
class SqlTable:
    """One table of a page as SQL: its name, columns and where each cell came from."""

    name: str
    chunk: Chunk
    columns: list[str]
    titles: list[str]
    numeric: list[bool]
    rows: list[list[object]]  # values as stored (REAL for numeric columns, else TEXT)
    texts: list[list[str]]  # the cells as a reader takes them (see mardoc.tables.values.tidy)
    scale: float = 1.0  # the unit the caption or header states ("in thousands": 1e3)
    cols: list[int] = field(default_factory=list)  # the grid column each column came from

    def box(self, row: int, col: int) -> tuple[float, float, float, float] | None:
        """The page box of body row ``row``, column ``col`` (None when the grid has none)."""
        grid = self.chunk.table
        if grid is None:
            return None
        return grid.box(row + grid.header_rows, self.cols[col] if col < len(self.cols) else col)

    def schema(self, samples: int = 3, all_rows: int = 25) -> str:
        """CREATE TABLE text with the printed titles as comments, then the rows as printed: all
        of them for a table of at most ``all_rows`` rows, else ``samples`` rows and the labels
        of the rest (what a WHERE clause can name)."""
        assert self.chunk.table is not None
        cols = ",\n".join(
            f"  {c} {'REAL' if n else 'TEXT'}  -- {t or '(no title)'}"
            for c, t, n in zip(self.columns, self.titles, self.numeric, strict=True)
        )
        head = f"-- page {self.chunk.page}" + (f": {self.chunk.table.caption}" if self.chunk.table.caption else "")
        if self.scale != 1.0:
            head += f" (numbers as printed; the table states a scale of {self.scale:g})"
        shown = self.texts if len(self.texts) <= all_rows else self.texts[:samples]
        rows = "\n".join("-- " + " | ".join(r) for r in shown)
        text = f"{head}\nCREATE TABLE {self.name} (\n{cols}\n);\n-- its {len(self.rows)} rows" + (
            ":" if len(shown) == len(self.texts) else f", the first {len(shown)}:"
        )
        text += f"\n{rows}"
        if len(shown) < len(self.texts) and not self.numeric[0]:
            labels = ", ".join(r[0] for r in self.texts[len(shown) :] if r[0])
            text += f"\n-- {self.columns[0]} of the other rows: {labels[:1500]}"
        return text


def sql_tables(chunks: list[Chunk]) -> list[SqlTable]:
    """The table chunks among ``chunks`` as SQL tables ``t1``, ``t2``, ... (reading order)."""
    out: list[SqlTable] = []
    for c in chunks:
        grid = c.table
        if grid is None or grid.n_cols < 2 or len(grid.cells) <= grid.header_rows:
            continue
        tidied = tidy(column_titles(grid), body(grid))
        titles, texts = tidied.titles, tidied.texts
        if len(titles) < 2:
            continue
        taken: set[str] = set()
        columns = [identifier(t, taken, j) for j, t in enumerate(titles)]
        numeric = numeric_of(texts)
        rows: list[list[object]] = []
        for r in texts:
            vals: list[object] = []
            for j, cell in enumerate(r):
                num = parse_number(cell) if numeric[j] else None
                vals.append(num.value if num is not None else (None if numeric[j] else cell))
            rows.append(vals)
        scale = header_scale(grid.caption, *titles)
        out.append(SqlTable(f"t{len(out) + 1}", c, columns, titles, numeric, rows, texts, scale, tidied.cols))
    return out


@dataclass(frozen=True)
class QueryResult:
    sql: str
    columns: list[str]
    rows: list[tuple[object, ...]]
    truncated: bool = False
    seconds: float = 0.0
    cells: list[tuple[str, int, int]] = field(default_factory=list)  # (table, body row, col) the values came from


def _authorizer(tables: set[str]):  # noqa: ANN202
    def check(action: int, arg1: str | None, arg2: str | None, db: str | None, _trigger: str | None) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            return sqlite3.SQLITE_OK if (arg1 or "") in tables and db in (None, "main") else sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION:
            return sqlite3.SQLITE_OK if (arg2 or "").lower() in ALLOWED_FUNCTIONS else sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_DENY  # ATTACH, PRAGMA, writes, schema changes, recursive CTEs, ...

    return check


def _check_text(sql: str) -> str:
    sql = sql.strip().rstrip(";").strip()
    if not sql:
        raise QueryRefused("empty query")
    if len(sql) > MAX_SQL_CHARS:
        raise QueryRefused(f"query of {len(sql)} characters refused (at most {MAX_SQL_CHARS})")
    if not sql.lower().startswith(("select", "with")):
        raise QueryRefused("only one SELECT statement is run")
    if not sqlite3.complete_statement(sql + ";") or _has_separator(sql):
        raise QueryRefused("the query is not one complete SQL statement")
    return sql


def _has_separator(sql: str) -> bool:
    """Whether a ``;`` stands outside quotes and comments: a second statement follows."""
    quote = ""
    i = 0
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "[":
            quote = "]"
        elif sql.startswith("--", i):
            nl = sql.find("\n", i)
            i = len(sql) if nl < 0 else nl
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = len(sql) if end < 0 else end + 1
        elif ch == ";":
            return True
        i += 1
    return False


def _bounded_printf(formatter: sqlite3.Connection):  # noqa: ANN202
    def printf(fmt: object, *args: object) -> object:
        if not isinstance(fmt, str):
            return None if fmt is None else str(fmt)
        rest = list(args)
        for m in _SPEC.finditer(fmt):
            for part in m.group(1, 2):
                width = rest.pop(0) if part == "*" and rest else part
                try:
                    too_wide = width is not None and abs(int(float(str(width)))) > MAX_WIDTH
                except ValueError:
                    too_wide = False
                if too_wide:
                    raise ValueError(f"a printf width of {width} refused (at most {MAX_WIDTH})")
            if m.group(3) != "%" and rest:
                rest.pop(0)
        marks = ", ".join("?" for _ in range(len(args) + 1))
        return formatter.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]

    return printf


def run_select(sql: str, tables: list[SqlTable], *, max_rows: int = MAX_ROWS,
               max_seconds: float = MAX_SECONDS) -> QueryResult:  # fmt: skip
    """Run one SELECT over ``tables`` in a fresh in-memory database, read-only and bounded."""
    sql = _check_text(sql)
    conn = sqlite3.connect(":memory:")
    formatter = sqlite3.connect(":memory:")  # SQLite's own printf, called once a format is checked
    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_CHARS + 100)
        conn.setlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 20)
        conn.setlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 100)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 200)
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA temp_store = MEMORY")
        formatter.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.create_function("printf", -1, _bounded_printf(formatter), deterministic=True)
        for t in tables:
            # text compares as a reader compares it: 'Compulsory' = 'compulsory'
            cols = ", ".join(f'"{c}" {"REAL" if n else "TEXT COLLATE NOCASE"}' for c, n in zip(t.columns, t.numeric, strict=True))
            conn.execute(f'CREATE TABLE "{t.name}" ({cols})')
            marks = ", ".join("?" for _ in t.columns)
            conn.executemany(f'INSERT INTO "{t.name}" VALUES ({marks})', t.rows)
        conn.commit()
        conn.set_authorizer(_authorizer({t.name for t in tables}))
        deadline = time.monotonic() + max_seconds
        conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1000)
        start = time.monotonic()
        try:
            cur = conn.execute(sql)
            rows = cur.fetchmany(max_rows + 1)
        except (sqlite3.DatabaseError, sqlite3.Warning, sqlite3.ProgrammingError) as exc:
            text = str(exc)
            if "interrupted" in text:
                raise QueryRefused(f"query stopped after {max_seconds:g} s") from exc
            if "printf width" in text or "user-defined function raised" in text:
                raise QueryRefused(f"query refused: a printf width over {MAX_WIDTH}") from exc
            if "too big" in text:
                raise QueryRefused(f"query refused: a value over {MAX_VALUE_BYTES} bytes ({text})") from exc
            if "not authorized" in text or "prohibited" in text:
                raise QueryRefused(f"query refused: {text}") from exc
            raise QueryRefused(f"SQL error: {text}") from exc
        columns = [d[0] for d in cur.description or ()]
        for row in rows:
            for v in row:
                if isinstance(v, str | bytes) and len(v) > MAX_CELL_CHARS:
                    raise QueryRefused(f"a result value of {len(v)} characters refused")
        size = sum(len(str(v)) for row in rows for v in row)
        if size > MAX_RESULT_CHARS:
            raise QueryRefused(f"a result of {size} characters refused (at most {MAX_RESULT_CHARS})")
        truncated = len(rows) > max_rows
        kept = rows[:max_rows]
        return QueryResult(sql, columns, kept, truncated, round(time.monotonic() - start, 4),
                           source_cells(sql, kept, tables))  # fmt: skip
    finally:
        conn.close()
        formatter.close()


_MISSING_COLUMN = re.compile(r"no such column: (?:(\w+)\.)?(\w+)")
_LIKE_EXACT = re.compile(r"(\bLIKE\s+)'([^'%_]+)'", re.I)
_EQUALS_TEXT = re.compile(r"(?<![<>!=])=\s*'([^']*)'")


def repaired(sql: str, error: str, tables: list[SqlTable]) -> tuple[str, str] | None:
    """A query that failed or matched nothing, mended by code the way its writer meant it, and
    what was changed (None when nothing applies). A column that does not exist is the table's
    column closest in name, when one is clearly closest; a ``LIKE 'words'`` without wildcards, or ``= 'words'`` that matched
    no row, looks for the words inside the cell. The mended query runs in the same sandbox."""
    m = _MISSING_COLUMN.search(error)
    if m:
        alias, name = m.group(1), m.group(2)
        columns = list(dict.fromkeys(c for t in tables for c in t.columns))
        ratio = sorted(((difflib.SequenceMatcher(None, name.lower(), c).ratio(), c) for c in columns), reverse=True)
        words = set(name.lower().split("_"))
        shared = sorted(((len(words & set(c.split("_"))), c) for c in columns), reverse=True)
        close = ""
        if ratio and ratio[0][0] >= 0.6 and (len(ratio) < 2 or ratio[0][0] - ratio[1][0] >= 0.1):
            close = ratio[0][1]
        elif shared and shared[0][0] and (len(shared) < 2 or shared[0][0] > shared[1][0]):
            close = shared[0][1]
        if not close:  # no column, or several alike (revenue_2018, revenue_2019): the model is told
            return None
        prefix = re.escape(alias) + r"\." if alias else ""
        pattern = rf"\b{prefix}{re.escape(name)}\b"
        return re.sub(pattern, close, sql), f"column {name} -> {close}"
    if error:
        return None
    if _LIKE_EXACT.search(sql):
        return _LIKE_EXACT.sub(lambda m: f"{m.group(1)}'%{m.group(2).strip()}%'", sql), "LIKE 'x' -> LIKE '%x%'"
    if _EQUALS_TEXT.search(sql):
        return _EQUALS_TEXT.sub(lambda m: f"LIKE '%{m.group(1).strip()}%'", sql), "= 'x' -> LIKE '%x%'"
    return None


def matched_nothing(result: QueryResult) -> bool:
    """Whether a result is empty in effect: no rows, only NULLs, or one 0 from a COUNT or a
    conditional SUM (``SUM(CASE WHEN ...)``): what they return when their condition matched
    no row."""
    values = [v for row in result.rows for v in row]
    if all(v is None for v in values):
        return True
    return values == [0] and re.search(r"\bcount\s*\(|\bsum\s*\(\s*(?:cast\s*\(\s*)?case\b", result.sql, re.I) is not None


_ORDER_TEXT = re.compile(
    r"\b(?P<col>\w+)\s*(?:(?:not\s+)?between\s*'|(?:<=|>=|<|>)\s*')", re.I
)


def text_by_order(sql: str, tables: list[SqlTable]) -> str:
    """The text column a query compares by order with a quoted text (``year BETWEEN '2002' AND
    '2003'``, ``date > 'May'``), or "": text compares letter by letter, so such a condition picks
    rows by spelling, not by the years, dates or amounts it names."""
    text_columns = {c.lower() for t in tables for c, n in zip(t.columns, t.numeric, strict=True) if not n}
    for m in _ORDER_TEXT.finditer(sql):
        if m.group("col").lower() in text_columns:
            return m.group("col")
    return ""


def run_mended(sql: str, tables: list[SqlTable], tries: int = 2) -> tuple[QueryResult | None, str, str, list[dict[str, str]]]:
    """:func:`run_select`, and a query that fails on a missing column or matches nothing run
    again as :func:`repaired` mends it (at most ``tries`` times). Returns the last result (None
    when it failed), its error, the last query run, and each mended step for the trace."""
    steps: list[dict[str, str]] = []
    for attempt in range(tries + 1):
        try:
            result, error = run_select(sql, tables), ""
        except QueryRefused as exc:
            result, error = None, str(exc)
        if (result is not None and not matched_nothing(result)) or attempt == tries:
            break
        fix = repaired(sql, error, tables)
        if fix is None:
            break
        steps.append({"sql": sql, "error": error or "matched no row", "mended": fix[1]})
        sql = fix[0]
    return result, error, sql, steps


def source_cells(sql: str, rows: list[tuple[object, ...]], tables: list[SqlTable]) -> list[tuple[str, int, int]]:
    """The cells of ``tables`` the result comes from (the evidence to cite): those holding a
    value of the result; for a computed value (a sum, a difference), the cells of the numeric
    columns the query names, in the rows its quoted words pick (all rows when it quotes none)."""
    want_num = {round(float(v), 6) for row in rows for v in row if isinstance(v, int | float)}
    want_text = {v.strip().lower() for row in rows for v in row if isinstance(v, str) and v.strip()}
    out = []
    for t in tables:
        for i, row in enumerate(t.rows):
            for j, v in enumerate(row):
                hit = (isinstance(v, float) and round(v, 6) in want_num) or (
                    isinstance(v, str) and v.strip().lower() in want_text
                )
                if hit:
                    out.append((t.name, i, j))
    if out or not sql:
        return out[:12]
    words = [w.strip("%").lower() for w in re.findall(r"'([^']*)'", sql) if w.strip("%")]
    for t in tables:
        if not re.search(rf"\b{re.escape(t.name)}\b", sql):
            continue
        cols = [j for j, c in enumerate(t.columns) if t.numeric[j] and re.search(rf"\b{re.escape(c)}\b", sql)]
        picked = [i for i, r in enumerate(t.texts) if any(w in " ".join(r).lower() for w in words)] if words else []
        for i in picked or range(len(t.rows)):
            out.extend((t.name, i, j) for j in cols if t.rows[i][j] is not None)
    return out[:12]
