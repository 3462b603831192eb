"""Questions over tables answered by code: a cell looked up by its row and column words, and a
query result turned into a short answer.

The lookup needs no model: the question's words are matched against each body row's label
(its text cells) and each numeric column's title (years, segments, metrics). It answers only
when one cell is clearly best: the row and the column both match and no other cell ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mardoc.tables.sql import QueryResult, SqlTable
from mardoc.tables.values import is_year

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_STOP = frozenset(
    ["a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "and", "or", "is", "are", "was", "were", "be", "been", "what", "which", "who", "how", "much", "many", "does", "did", "do", "this", "that", "these", "those", "as", "per", "with", "from", "its", "their", "total", "value", "amount", "number", "according", "report", "table", "shown", "show", "given"]
)
# a question that asks for one value (not a comparison, a count, a list or a yes/no)
_VALUE_Q = re.compile(r"^\s*(?:according to [^,]+,\s*)?(?:what|how much)\b", re.I)
_NOT_LOOKUP = re.compile(
    r"\b(?:how many|more|less|fewer|higher|lower|difference|differ|compare|compared|increase|decrease|"
    r"change|growth|sum|average|mean|ratio|between|most|least|highest|lowest|largest|smallest|top|"
    r"which|who|list|rank|each|all|both)\b",
    re.I,
)


def _words(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text.lower()):
        if w in _STOP or len(w) < 2:
            continue
        out.add(w[:-1] if len(w) > 4 and w.endswith("s") else w)
    return out


@dataclass(frozen=True)
class CellHit:
    table: SqlTable
    row: int  # body row
    col: int
    score: float
    value: str  # the cell as printed

    def describe(self) -> str:
        label = " ".join(c for j, c in enumerate(self.table.texts[self.row]) if not self.table.numeric[j] and c)
        return f"{self.table.name} row {label!r}, column {self.table.titles[self.col]!r}: {self.value}"


def lookup(question: str, tables: list[SqlTable]) -> CellHit | None:
    """The one cell a single-value question names by its row and column words, or None."""
    if not _VALUE_Q.search(question) or _NOT_LOOKUP.search(question):
        return None
    q = _words(question)
    years = {w for w in q if is_year(w)}
    scored: list[tuple[float, CellHit]] = []
    for t in tables:
        col_words = [_words(title) for title in t.titles]
        for i, row in enumerate(t.texts):
            label = _words(" ".join(c for j, c in enumerate(row) if not t.numeric[j]))
            row_hit = len(q & label)
            if not row_hit:
                continue
            for j, cell in enumerate(row):
                if not t.numeric[j] or not cell.strip():
                    continue
                col_hit = len(q & col_words[j])
                if years and not (years & col_words[j]) and not (years & label):
                    continue  # the question names a year this cell is not of
                if not col_hit:
                    continue
                scored.append((row_hit + col_hit + len(years & (col_words[j] | label)), CellHit(t, i, j, 0, cell)))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    best = scored[0][0]
    if len(scored) > 1 and scored[1][0] == best and scored[1][1].value != scored[0][1].value:
        return None  # two cells fit as well: not confident
    hit = scored[0][1]
    return CellHit(hit.table, hit.row, hit.col, best, hit.value)


def _number_text(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return f"{v:.4f}".rstrip("0").rstrip(".")


def _percent_column(tables: list[SqlTable], name: str) -> bool:
    for t in tables:
        if name in t.columns:
            j = t.columns.index(name)
            cells = [r[j] for r in t.texts if r[j].strip()]
            if cells and sum(c.strip().endswith("%") for c in cells) >= 0.5 * len(cells) or "%" in t.titles[j]:
                return True
    return False


def result_answer(result: QueryResult, tables: list[SqlTable], question: str) -> tuple[str, str] | None:
    """A query's rows as a short answer and its format, or None when they answer nothing
    (no rows, only empty values)."""
    rows = [r for r in result.rows if any(v is not None and str(v).strip() for v in r)]
    if not rows:
        return None
    numeric_q = re.search(r"\b(?:how many|how much|what (?:is|was|were) the (?:total|sum|number|percentage|amount)|percentage|total)\b", question, re.I)
    col = 0
    if len(result.columns) > 1:
        nums = [j for j in range(len(result.columns)) if all(isinstance(r[j], int | float) for r in rows if r[j] is not None)]
        col = nums[-1] if numeric_q and nums else 0
    values = [r[col] for r in rows if r[col] is not None]
    if not values:
        return None
    percent = _percent_column(tables, result.columns[col]) or bool(re.search(r"percent|%", question, re.I))
    texts = []
    for v in values:
        if isinstance(v, int | float):
            texts.append(_number_text(float(v)) + ("%" if percent else ""))
        else:
            texts.append(str(v).strip())
    if len(texts) == 1:
        v = values[0]
        if isinstance(v, int | float):
            fmt = "Int" if abs(float(v) - round(float(v))) < 1e-9 and not percent else "Float"
            return texts[0], fmt
        return texts[0], "Str"
    import json

    return json.dumps(texts, ensure_ascii=False), "List"
