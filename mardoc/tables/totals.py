"""Totals a question asks of cells it names, computed by code: a total or a difference of named
cells, the total of the top N rows by a column, the total of the rows a question lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mardoc.tables.lookups import (
    CHANGE_Q,
    DIFF_Q,
    RATE_Q,
    TOP_N,
    TOTAL_Q,
    CellHit,
    label_column,
    number_text,
    percent_column,
    row_score,
    says_total,
    total_row,
    words_of,
)
from mardoc.tables.sql import SqlTable

_SMALL_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_SHARE_WORDS = re.compile(r"%|\b(?:ratios?|percentages?|percent|share|stakes?|proportions?)\b", re.I)


@dataclass(frozen=True)
class Combined:
    """Cells of one row (or one column) added or subtracted by code."""

    op: str  # sum | difference
    cells: tuple[CellHit, ...]
    value: float

    def describe(self) -> str:
        sign = " + " if self.op == "sum" else " - "
        return f"{self.op} of {sign.join(c.describe() for c in self.cells)} = {number_text(self.value)}"


def _top(scores: list[tuple[int, int]]) -> list[int]:
    best = max((s for _, s in scores), default=0)
    return [i for i, s in scores if s == best and s > 0]


def combine(question: str, tables: list[SqlTable]) -> Combined | None:
    """A total or a difference the question asks of cells it names: the one row its words
    name best, across the two or more numeric columns they name best (or one column across
    rows); how much one value changed ("how much did revenue fall from 2019 to 2020?", not a
    rate) is the difference of its two columns, of the total row when the question says
    "total" and names no row. None when the question is not of that shape or the cells are
    not clear."""
    change = CHANGE_Q.search(question) is not None and not RATE_Q.search(question)
    op = "difference" if change else "sum" if TOTAL_Q.search(question) else "difference" if DIFF_Q.search(question) else ""
    if not op:
        return None
    q = words_of(question)
    found: list[tuple[int, Combined]] = []
    for t in tables:
        rows = [(i, row_score(q, question, " ".join(c for j, c in enumerate(r) if not t.numeric[j]))) for i, r in enumerate(t.texts)]
        if change and not any(s for _, s in rows) and says_total(question):
            rows = [(i, int(total_row(t, i))) for i in range(len(t.texts))]  # "how much did total X grow": its total row
        cols = [(j, len(q & words_of(title))) for j, title in enumerate(t.titles) if t.numeric[j]]
        top_rows, top_cols = _top(rows), _top(cols)
        any_rows = [i for i, s in rows if s > 0]
        any_cols = [j for j, s in cols if s > 0]
        if any("total" in t.titles[j].lower() for j in top_cols):
            return None  # the table prints the total: a lookup's question
        # one row across the columns the question names, or one column across its rows
        by_row = top_cols if op == "sum" else any_cols
        by_col = top_rows if op == "sum" else any_rows  # a total over rows the question names best
        options = []
        if len(top_rows) == 1 and len(by_row) >= 2 and (op == "sum" or len(by_row) == 2):
            options.append([(top_rows[0], j) for j in by_row])
        if len(top_cols) == 1 and len(by_col) >= 2 and (op == "sum" or len(by_col) == 2):
            options.append([(i, top_cols[0]) for i in by_col])
        for places in options:
            values = [t.rows[i][j] for i, j in places]
            if any(not isinstance(v, float) for v in values):
                continue  # an empty or text cell: not this reading
            nums = [float(v) for v in values]  # type: ignore[arg-type]
            hits = tuple(CellHit(t, i, j, 0, t.texts[i][j]) for i, j in places)
            value = sum(nums) if op == "sum" else abs(nums[0] - nums[1])
            score = sum(s for i, s in rows if i in {p[0] for p in places}) + sum(
                s for j, s in cols if j in {p[1] for p in places}
            )
            found.append((score, Combined(op, hits, value)))
    if not found:
        return None
    found.sort(key=lambda f: -f[0])
    if len(found) > 1 and found[1][0] == found[0][0]:
        return None
    return found[0][1]


def top_total(question: str, tables: list[SqlTable]) -> Combined | None:
    """The total of the top N rows the question names ("the sum of the shares held by the top-3
    shareholders"): the rows ranked by the one numeric column the question names (its
    percentage column when it asks a ratio, share or percentage), the total row left out.
    None when the question is not of that shape, or no column, or two tables, fit as well."""
    m = TOP_N.search(question)
    if not m or not TOTAL_Q.search(question):
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else _SMALL_NUMBERS[m.group("n").lower()]
    q = words_of(question)
    share = bool(_SHARE_WORDS.search(question))
    found: list[tuple[tuple[int, int], Combined]] = []
    for t in tables:
        first = label_column(t)
        about = len(q & words_of(" ".join(t.titles[k] for k in range(len(t.titles)) if not t.numeric[k])))
        if first is None or not about:
            continue  # the rows the question ranks are not this table's kind of row
        asked = _asked_column(t, q, share)
        if asked is None:
            continue
        j, col_score = asked
        ranked = sorted(
            (i for i, r in enumerate(t.rows) if isinstance(r[j], float) and not total_row(t, i)),
            key=lambda i: -float(t.rows[i][j]),  # type: ignore[arg-type]
        )
        if len(ranked) < n + 1:
            continue  # not more rows than the top asked for: not a ranking
        top = ranked[:n]
        picked: list[float] = [v for i in top if isinstance(v := t.rows[i][j], float)]
        value = sum(picked)
        cells = tuple(CellHit(t, i, j, 0, t.texts[i][j]) for i in top)
        found.append(((about, col_score), Combined("sum", cells, value)))
    if not found:
        return None
    found.sort(key=lambda f: f[0], reverse=True)
    if len(found) > 1 and found[1][0] == found[0][0]:
        return None
    return found[0][1]


def _asked_column(t: SqlTable, q: set[str], share: bool) -> tuple[int, int] | None:
    """The numeric column of ``t`` whose title shares most of the question's words ``q`` (its
    percentage column first when the question asks a share), with its score; None when no
    column, or two, fit."""
    cols = [j for j in range(len(t.titles)) if t.numeric[j]]
    percent = {j for j in cols if share and percent_column([t], t.columns[j])}
    cols = [j for j in cols if j in percent] or cols
    scored = sorted(((len(q & words_of(t.titles[j])) + (2 if j in percent else 0), j) for j in cols), reverse=True)
    if not scored or not scored[0][0] or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1], scored[0][0]


_ITEMS = re.compile(r",\s*(?:and\s+)?|\s+(?:and|&)\s+", re.I)
# one share of what the question lists ("what percentage ... held by A and B"), not shares of each
_ONE_SHARE = re.compile(r"\b(?:what|which) (?:is |was |were )?(?:the )?(?:percentage|percent|share|proportion|ratio)\b(?!s)", re.I)


def named_total(question: str, tables: list[SqlTable]) -> Combined | None:
    """The total of the rows a question lists ("the percentage of sales made by the online and
    wholesale channels", "how many patents do A, B and C hold in total ..."): each item
    of the list names one row of a table best, two or more rows of one table, added in the
    numeric column the question names (its percentage column when it asks a share). Only for
    a question asking a total, or one share of what it lists; None when the rows or the
    column are not clear, or two tables fit as well."""
    share = bool(_ONE_SHARE.search(question))
    if not (TOTAL_Q.search(question) or share):
        return None
    items = [w for part in _ITEMS.split(question) if (w := words_of(part))]
    if len(items) < 2:
        return None
    q = words_of(question)
    found: list[tuple[int, Combined]] = []
    for t in tables:
        body = [i for i in range(len(t.texts)) if not total_row(t, i)]
        labels = {i: words_of(" ".join(c for k, c in enumerate(t.texts[i]) if not t.numeric[k])) for i in body}
        picked: list[tuple[int, int]] = []
        for words in items:
            scores = [(len(words & labels[i]), i) for i in body]
            best = max((sc for sc, _ in scores), default=0)
            tops = [i for sc, i in scores if sc == best and best > 0]
            if len(tops) == 1 and tops[0] not in {i for i, _ in picked}:
                picked.append((tops[0], best))
        asked = _asked_column(t, q, share or bool(_SHARE_WORDS.search(question))) if len(picked) >= 2 else None
        if asked is None:
            continue
        j, col_score = asked
        values = [v for i, _ in picked if isinstance(v := t.rows[i][j], float)]
        if len(values) < len(picked):
            continue  # an empty or text cell: not this reading
        cells = tuple(CellHit(t, i, j, 0, t.texts[i][j]) for i, _ in picked)
        total = sum(values)
        found.append((sum(sc for _, sc in picked) + col_score, Combined("sum", cells, total)))
    if not found:
        return None
    found.sort(key=lambda f: -f[0])
    if len(found) > 1 and found[1][0] == found[0][0]:
        return None
    return found[0][1]
