"""A metric the question defines itself, computed from the statement lines it names.

Analysts write the formula into the question: "Define working capital ratio as total current
assets divided by total current liabilities", "DPO is defined as: 365 * (average accounts payable
between FY2019 and FY2020) / (FY2020 COGS + change in inventory between FY2019 and FY2020)", a
metric defined from others defined after it ("CCC is defined as: DIO + DSO - DPO. DIO is defined
as: ..."), or a margin of a defined line ("the 3 year average EBITDA % margin ... Define EBITDA as
operating income + depreciation and amortization").

:func:`definitions` reads every definition of the text; :func:`defined_metric` evaluates the one
the asking sentence names as arithmetic (``+ - * /``, "divided by", parentheses, numbers) over
terms, each a statement line looked up in a year: "average X between FY a and FY b" (the mean of
the two), "change in X between FY a and FY b" (the later less the earlier), "FY2020 X" (that
year), else the year the question asks. A line is named by its words or by a standard name
(COGS, revenue: :data:`mardoc.tables.question.LINES`); any term not found, or found twice as
well, makes no answer (the reading call's then).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mardoc.tables.lookups import CellHit, label, lookup
from mardoc.tables.question import LINES, TableQuestion, line_keys, question_sentence
from mardoc.tables.sql import SqlTable
from mardoc.tables.values import is_year
from mardoc.words import words

_DEFINED = re.compile(
    r"(?:\b(?P<name>[A-Za-z][\w&'’ -]{0,50}?)\s+(?:is|are)\s+(?:defined|calculated|computed)\s+as"
    r"|\bdefine\s+(?P<name2>[A-Za-z][\w&'’ -]{0,50}?)\s+as)\s*:?\s*(?P<expr>[^.?;]+(?:\.\d[^.?;]*)*)",
    re.I,
)
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)(?![\w])|(?P<op>divided by|times|plus|minus|over|[-+*/×()])|(?P<text>[^-+*/×()]+?)(?=\s*(?:divided by|times|plus|minus|\bover\b|[-+*/×()]|$)))", re.I)
_OPS = {"divided by": "/", "over": "/", "times": "*", "×": "*", "plus": "+", "minus": "-"}
_AVERAGE = re.compile(r"^(?:the\s+)?(?:average|mean)\s+(?:of\s+)?(?P<what>.+?)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)
_CHANGE = re.compile(r"^(?:the\s+)?change\s+in\s+(?P<what>.+?)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)
_YEAR_OF = re.compile(r"\b(?:fy\s?|fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)\b", re.I)
# words of a term that name no line: where it is printed, and "unadjusted" (as reported)
_NOISE = re.compile(r"\b(?:from|in|on|of) the (?:cash flows? statement|income statement|balance sheet|statement of \w+( \w+)?|p&l( statement)?)\b|\bunadjusted\b|\btotal\b(?= cash dividends)", re.I)
_MARGIN = re.compile(r"%?\s*margin\b", re.I)


def definitions(text: str) -> dict[str, str]:
    """The metrics ``text`` defines: name (lower case, a parenthesised abbreviation kept as
    its own key too) -> the expression's words."""
    out: dict[str, str] = {}
    for m in _DEFINED.finditer(text):
        name = (m.group("name") or m.group("name2") or "").strip()
        name = re.sub(r"^(?:and|the|where|with|a|an)\s+", "", name, flags=re.I).strip()
        if name:
            out.setdefault(name.lower(), m.group("expr").strip())
    return out


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
    defs: dict[str, str]
    year: str
    cells: list[CellHit]
    depth: int = 0

    def expr(self, text: str) -> float:
        tokens = self._tokens(text)
        value, rest = self._sum(tokens)
        if rest:
            raise _Unresolved(f"cannot read {text!r}")
        return value

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for m in _TOKEN.finditer(text):
            if m.group("num"):
                out.append(("num", m.group("num")))
            elif m.group("op"):
                op = m.group("op").lower()
                out.append(("op", _OPS.get(op, op)))
            elif m.group("text") and m.group("text").strip():
                out.append(("term", m.group("text").strip()))
        return out

    def _sum(self, ts: list[tuple[str, str]]) -> tuple[float, list[tuple[str, str]]]:
        value, ts = self._product(ts)
        while ts and ts[0] in (("op", "+"), ("op", "-")):
            op = ts[0][1]
            right, ts = self._product(ts[1:])
            value = value + right if op == "+" else value - right
        return value, ts

    def _product(self, ts: list[tuple[str, str]]) -> tuple[float, list[tuple[str, str]]]:
        value, ts = self._atom(ts)
        while ts and ts[0] in (("op", "*"), ("op", "/")):
            op = ts[0][1]
            right, ts = self._atom(ts[1:])
            if op == "/" and not right:
                raise _Unresolved("a division by zero")
            value = value * right if op == "*" else value / right
        return value, ts

    def _atom(self, ts: list[tuple[str, str]]) -> tuple[float, list[tuple[str, str]]]:
        if not ts:
            raise _Unresolved("an expression ends early")
        kind, text = ts[0]
        if kind == "num":
            return float(text), ts[1:]
        if (kind, text) == ("op", "("):
            value, rest = self._sum(ts[1:])
            if not rest or rest[0] != ("op", ")"):
                raise _Unresolved("unbalanced parentheses")
            return value, rest[1:]
        if (kind, text) == ("op", "-"):
            value, rest = self._atom(ts[1:])
            return -value, rest
        if kind == "term":
            return self.term(text), ts[1:]
        raise _Unresolved(f"unexpected {text!r}")

    def term(self, text: str) -> float:
        t = _NOISE.sub(" ", text).strip(" ,")
        if m := _AVERAGE.match(t):
            a, b = self._year(m.group("a")), self._year(m.group("b"))
            return (self.line(m.group("what"), a) + self.line(m.group("what"), b)) / 2
        if m := _CHANGE.match(t):
            a, b = sorted((self._year(m.group("a")), self._year(m.group("b"))))
            return self.line(m.group("what"), b) - self.line(m.group("what"), a)
        year = self.year
        if (m := _YEAR_OF.match(t)) is not None:
            year, t = m.group(1), t[m.end() :].strip()
        key = t.lower()
        if key in self.defs and self.depth < 4:
            inner = _Evaluator(self.tables, self.defs, year, self.cells, self.depth + 1)
            return inner.expr(self.defs[key])
        return self.line(t, year)

    @staticmethod
    def _year(text: str) -> str:
        m = _YEAR_OF.search(text)
        if not m:
            raise _Unresolved(f"no year in {text!r}")
        return m.group(1)

    def line(self, name: str, year: str) -> float:
        """The value of the statement line ``name`` in ``year``: by a standard name the
        question's words map to, else by its own words, the one row that holds them all."""
        name = _NOISE.sub(" ", name).strip(" ,")
        keys = line_keys(name)
        candidates = [n for k in keys for n in LINES[k].names] + [name]
        for n in candidates:
            want = frozenset(words(n)) - {"the", "a"}
            if not want:
                continue
            sub = TableQuestion(text=f"{n} {year}", op="value", answer="number", words=want | {year}, years=(year,))
            hit = lookup(sub, self.tables)
            if isinstance(hit, CellHit) and want <= words(label(hit.table, hit.row)):
                v = hit.table.rows[hit.row][hit.col]
                if isinstance(v, float):
                    self.cells.append(hit)
                    return v
        raise _Unresolved(f"no line {name!r} in {year}")


def defined_metric(q: TableQuestion, tables: list[SqlTable]) -> Defined | None:
    """The metric the question defines, computed (see the module docstring); None when the
    question defines none, or a term of it is not found in the tables."""
    defs = definitions(q.text)
    if not defs or not tables:
        return None
    asking = question_sentence(q.text).lower()
    name = next((n for n in defs if n in asking), None) or next(iter(defs))
    margin = bool(_MARGIN.search(asking[asking.find(name) + len(name) :][:20])) if name in asking else False
    years = q.years if q.average else tuple(y for y in q.years if is_year(y))[-1:] or ("",)
    values: list[float] = []
    cells: list[CellHit] = []
    try:
        for year in years:
            ev = _Evaluator(tables, defs, year, cells)
            v = ev.expr(defs[name])
            if margin:
                v = v / ev.line("revenue", year) * 100
            values.append(v)
    except _Unresolved:
        return None
    value = sum(values) / len(values)
    how = f"{name} = {defs[name]}" + (" / revenue x 100" if margin else "")
    if q.average:
        how = f"average over {years[0]}-{years[-1]} of {how}"
    return Defined(name, value, tuple(cells), how, margin)


__all__ = ["Defined", "defined_metric", "definitions"]
