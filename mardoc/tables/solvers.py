"""One dispatcher from a question's record to the code path that answers it, and the answer
as a frozen record.

:func:`solve` takes a :class:`mardoc.tables.question.TableQuestion` and the tables of the pages
read, and returns a :class:`CodeAnswer` (the short answer, its format, the cells it came from
and how it was computed), :class:`mardoc.tables.lookups.Candidates` (cells that fit as well as
one another: for the reading call, not a code answer), or None. :func:`result_answer` makes
the model's query result a :class:`CodeAnswer` the same way; :func:`check` says by code why an
answer cannot stand (a share over 100%, a ratio of a cell with itself, a count that is not a
whole number, a number for a "which" question ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mardoc.tables.formulas import defined_metric
from mardoc.tables.lookups import Candidates, CellHit, filter_rows, lookup, number_text, percent_column
from mardoc.tables.question import TableQuestion
from mardoc.tables.sql import QueryResult, SqlTable
from mardoc.tables.totals import Combined, combine, growth, named_total, ratio


@dataclass(frozen=True)
class CellRef:
    table: str  # the SQL table's name (t1, t2, ...)
    row: int  # body row
    col: int


@dataclass(frozen=True)
class CodeAnswer:
    """An answer computed by code from table cells: the short answer and its format, the cells
    it read, what was done (for the trace and the answer's text), and which solver did it."""

    short: str
    format: str  # Int | Float | Str | List
    cells: tuple[CellRef, ...]
    how: str
    solver: str  # lookup | sum | difference | growth | ratio | defined | rows | count rows | query
    percent: bool = False
    values: tuple[float, ...] = ()  # the numbers it read, in the order of ``cells``
    same_cell: bool = False  # a ratio or a difference of a cell with itself


def _ref(h: CellHit) -> CellRef:
    return CellRef(h.table.name, h.row, h.col)


def _number(value: float, percent: bool) -> tuple[str, str]:
    text = number_text(round(value, 4)) + ("%" if percent else "")
    fmt = "Int" if abs(value - round(value)) < 1e-9 and not percent else "Float"
    return text, fmt


_UNITS = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}


def in_unit(q: TableQuestion, t: SqlTable, value: float) -> tuple[float, str]:
    """A value of table ``t`` in the unit the question asks for ("in millions"), from the unit
    the table states ("in thousands"); as printed when either says none. With what was done."""
    if not q.unit or t.scale == 1.0 or q.unit not in _UNITS:
        return value, ""
    factor = t.scale / _UNITS[q.unit]
    if factor == 1.0:
        return value, ""
    return value * factor, f" (x {factor:g}: the table is in {t.scale:g}s, the question asks {q.unit})"


def _from_hit(q: TableQuestion, hit: CellHit) -> CodeAnswer:
    value = hit.table.rows[hit.row][hit.col]
    percent = percent_column(hit.table, hit.col) or (q.share and "%" in hit.value)
    if isinstance(value, float):
        if hit.magnitude:
            value = abs(value)  # an outflow's amount ("capital expenditure": the purchases of PP&E)
        value, scaled = in_unit(q, hit.table, value) if not percent else (value, "")
        short, fmt = _number(value, percent)
        return CodeAnswer(short, fmt, (_ref(hit),), f"looked up {hit.describe()}{scaled}", "lookup", percent, (value,))
    return CodeAnswer(str(value).strip(), "Str", (_ref(hit),), f"looked up {hit.describe()}", "lookup")


def _from_combined(q: TableQuestion, c: Combined) -> CodeAnswer:
    first = c.cells[0]
    percent = c.percent or (c.op in ("sum", "difference") and percent_column(first.table, first.col))
    value, scaled = in_unit(q, first.table, c.value) if c.op in ("sum", "difference") and not percent else (c.value, "")
    short, fmt = _number(value, percent)
    refs = tuple(_ref(h) for h in c.cells)
    vals = tuple(float(v) for h in c.cells if isinstance(v := h.table.rows[h.row][h.col], float))
    return CodeAnswer(short, fmt, refs, c.describe() + scaled, c.op, percent, vals, same_cell=len(set(refs)) < len(refs))


def solve(q: TableQuestion, tables: list[SqlTable]) -> CodeAnswer | Candidates | None:
    """The question answered from ``tables`` by the code path its operation names, no call;
    candidate cells when a lookup finds no clear best; None when no path fits."""
    if not tables:
        return None
    if q.op == "ratio":
        got = ratio(q, tables)
        return _from_combined(q, got) if got else None
    if q.op == "growth":
        got = growth(q, tables)
        return _from_combined(q, got) if got else None
    if q.op == "defined":
        metric = defined_metric(q, tables)
        if metric is None or not metric.cells:
            return None
        short, fmt = _number(metric.value, metric.percent)
        parts = "; ".join(h.describe() for h in metric.cells)
        return CodeAnswer(short, fmt, tuple(_ref(h) for h in metric.cells), f"{metric.how} = {short} ({parts})", "defined",
                          metric.percent, tuple(float(v) for h in metric.cells if isinstance(v := h.table.rows[h.row][h.col], float)))  # fmt: skip
    if q.op == "rows":
        picked = filter_rows(q, tables)
        if picked is None:
            return None
        labels = picked.labels()
        refs = tuple(CellRef(picked.table.name, i, picked.col) for i in picked.rows)
        if picked.count:
            return CodeAnswer(str(len(picked.rows)), "Int", refs, picked.describe(), "count rows")
        short, fmt = (labels[0], "Str") if len(labels) == 1 else (json.dumps(labels, ensure_ascii=False), "List")
        return CodeAnswer(short, fmt, refs, picked.describe(), "rows")
    if q.op == "sum":
        listed = named_total(q, tables)
        if listed is not None:
            return _from_combined(q, listed)
        hit = lookup(q, tables)  # a total the table prints ("the total revenue in 2019")
        if isinstance(hit, CellHit):
            return _from_hit(q, hit)
        got = combine(q, tables)
        return _from_combined(q, got) if got else hit
    if q.op in ("difference", "change"):
        got = combine(q, tables)
        return _from_combined(q, got) if got else None
    if q.op == "value":
        hit = lookup(q, tables)
        return _from_hit(q, hit) if isinstance(hit, CellHit) else hit
    return None


def result_answer(result: QueryResult, tables: list[SqlTable], q: TableQuestion) -> CodeAnswer | None:
    """A query's rows as a code answer, or None when they answer nothing (no rows, only empty
    values). Its cells are those the result's values came from."""
    rows = [r for r in result.rows if any(v is not None and str(v).strip() for v in r)]
    if not rows:
        return None
    col = 0
    if len(result.columns) > 1:
        nums = [j for j in range(len(result.columns)) if all(isinstance(r[j], int | float) for r in rows if r[j] is not None)]
        col = nums[-1] if q.answer in ("number", "count") and nums else 0
    values = [r[col] for r in rows if r[col] is not None]
    if not values:
        return None
    by_name = {t.name: t for t in tables}
    percent = q.share or any(
        n in by_name and percent_column(by_name[n], c) and by_name[n].columns[c] in result.sql for n, _, c in result.cells
    )
    refs = tuple(CellRef(n, r, c) for n, r, c in result.cells)
    how = f"computed by `{result.sql}`"
    if len(values) == 1:
        v = values[0]
        if isinstance(v, int | float):
            short, fmt = _number(float(v), percent)
            return CodeAnswer(short, fmt, refs, how, "query", percent, (float(v),))
        return CodeAnswer(str(v).strip(), "Str", refs, how, "query")
    texts = [_number(float(v), percent)[0] if isinstance(v, int | float) else str(v).strip() for v in values]
    return CodeAnswer(json.dumps(texts, ensure_ascii=False), "List", refs, how, "query")


def check(q: TableQuestion, a: CodeAnswer) -> str:
    """Why a code answer cannot be the answer ("" when it can): a count must be a whole number,
    a numeric question a number, a "which / who" question no number, a yes-or-no question a
    yes or a no (a query's sum is not whether a line grew); a share is at most 100%;
    a ratio or a difference does not read one cell twice."""
    if q.answer == "count" and a.format != "Int":
        return f"the question asks how many, the result {a.short!r} is not a whole number"
    if q.answer == "number" and a.format not in ("Int", "Float"):
        return f"the question asks for a number, the result {a.short!r} is not one"
    if q.answer == "yes/no" and a.short.strip().lower() not in ("yes", "no"):
        return f"the question asks yes or no, the result {a.short!r} is neither"
    if q.answer == "name" and a.format in ("Int", "Float"):
        return f"the question asks which or who, the result {a.short!r} is a number"
    if a.same_cell:
        return "the result reads one cell twice (a ratio or a difference of a value with itself)"
    if a.percent and q.share and a.solver in ("lookup", "sum", "query") and a.values and abs(a.values[-1] if a.solver == "lookup" else sum(a.values)) > 100.0001:
        return f"the question asks a share, the result {a.short!r} is over 100%"
    if a.solver == "ratio" and q.formula and q.formula.percent and a.values and abs(float(a.short.rstrip("%"))) >= 100:
        return f"a {q.formula.name} of {a.short} is over 100%: the lines read are not the formula's"
    return ""


__all__ = ["Candidates", "CellRef", "CodeAnswer", "check", "result_answer", "solve"]
