"""A metric the question defines itself, computed from the statement lines it names.

The question's definitions are read into typed terms when the question is read
(:mod:`mardoc.tables.question.definitions`); :func:`defined_metric` evaluates the one the question
asks as arithmetic over them: each term a statement line in a year (the mean of two years for an
average, the later less the earlier for a change), looked up by a standard name (COGS, revenue,
net income as the bottom line: :data:`mardoc.tables.question.LINES`,
:func:`mardoc.tables.totals.statement_line`) or by its own words; a term naming another defined
metric is that metric's value. Any term not found, or found twice as well, makes no answer (the
reading call's then).
"""

from __future__ import annotations

from dataclasses import dataclass

from mardoc.tables.lookups import CellHit
from mardoc.tables.question import Ref, TableQuestion, Term, line_keys
from mardoc.tables.question.definitions import Definition, Token
from mardoc.tables.sql import SqlTable
from mardoc.tables.totals import named_line, statement_line
from mardoc.tables.values import is_year


@dataclass(frozen=True)
class Defined:
    """A metric computed by its definition: the value, the cells read, and how."""

    name: str
    value: float
    cells: tuple[CellHit, ...]
    how: str
    percent: bool = False


class _Unresolved(Exception):
    pass


@dataclass
class _Evaluator:
    tables: list[SqlTable]
    defs: dict[str, Definition]
    year: str
    cells: list[CellHit]
    depth: int = 0

    def value(self, d: Definition) -> float:
        value, rest = self._sum(list(d.tokens))
        if rest:
            raise _Unresolved(f"cannot read {d.text!r}")
        return value

    def _sum(self, ts: list[Token]) -> tuple[float, list[Token]]:
        value, ts = self._product(ts)
        while ts and ts[0] in ("+", "-"):
            op = ts[0]
            right, ts = self._product(ts[1:])
            value = value + right if op == "+" else value - right
        return value, ts

    def _product(self, ts: list[Token]) -> tuple[float, list[Token]]:
        value, ts = self._atom(ts)
        while ts and ts[0] in ("*", "/"):
            op = ts[0]
            right, ts = self._atom(ts[1:])
            if op == "/" and not right:
                raise _Unresolved("a division by zero")
            value = value * right if op == "*" else value / right
        return value, ts

    def _atom(self, ts: list[Token]) -> tuple[float, list[Token]]:
        if not ts:
            raise _Unresolved("an expression ends early")
        t = ts[0]
        if isinstance(t, float):
            return t, ts[1:]
        if t == "(":
            value, rest = self._sum(ts[1:])
            if not rest or rest[0] != ")":
                raise _Unresolved("unbalanced parentheses")
            return value, rest[1:]
        if t == "-":
            value, rest = self._atom(ts[1:])
            return -value, rest
        if isinstance(t, Ref) and self.depth < 4:
            inner = _Evaluator(self.tables, self.defs, t.year or self.year, self.cells, self.depth + 1)
            return inner.value(self.defs[t.name]), ts[1:]
        if isinstance(t, Term):
            return self.term(t), ts[1:]
        raise _Unresolved(f"unexpected {t!r}")

    def term(self, t: Term) -> float:
        if t.how == "average":
            return (self.line(t.line, t.years[0]) + self.line(t.line, t.years[1])) / 2
        if t.how == "change":
            return self.line(t.line, t.years[1]) - self.line(t.line, t.years[0])
        if t.how:
            raise _Unresolved(f"cannot read {t.line!r}")
        return self.line(t.line, t.years[0] if t.years else self.year)

    def line(self, name: str, year: str) -> float:
        """The value of the statement line ``name`` in ``year``: by a standard name the
        words map to, else by its own words, the one row that holds them all."""
        years = (year,) if year else ()
        for find in [*(lambda k=k: statement_line(k, years, self.tables) for k in line_keys(name)),
                     lambda: named_line(name, years, self.tables)]:  # fmt: skip
            hit = find()
            if hit is not None and isinstance(v := hit.table.rows[hit.row][hit.col], float):
                self.cells.append(hit)
                return v
        raise _Unresolved(f"no line {name!r} in {year}")


def defined_metric(q: TableQuestion, tables: list[SqlTable]) -> Defined | None:
    """The metric the question defines and asks (``q.defs``, ``q.asks``), computed in the year
    asked or as the mean over a run of years; of revenue x 100 for its % margin. None when the
    question defines none, or a term of it is not found in the tables."""
    defs = {d.name: d for d in q.defs}
    if q.asks not in defs or not tables:
        return None
    years = q.years if q.average else tuple(y for y in q.years if is_year(y))[-1:] or ("",)
    values: list[float] = []
    cells: list[CellHit] = []
    try:
        for year in years:
            ev = _Evaluator(tables, defs, year, cells)
            v = ev.value(defs[q.asks])
            if q.margin:
                v = v / ev.line("revenue", year) * 100
            values.append(v)
    except _Unresolved:
        return None
    value = sum(values) / len(values)
    how = f"{defs[q.asks]}" + (" / revenue x 100" if q.margin else "")
    if q.average:
        how = f"average over {years[0]}-{years[-1]} of {how}"
    return Defined(q.asks, value, tuple(cells), how, q.margin)


__all__ = ["Defined", "defined_metric"]
