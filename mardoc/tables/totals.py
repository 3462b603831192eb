"""Values a question asks of cells it names, computed by code: a total or a difference of named
cells, how much one value changed, its rate of change, the total of the rows a question lists,
and a standard ratio as the quotient of two lookups."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mardoc.tables.lookups import (
    Candidates,
    CellHit,
    col_score,
    label,
    lookup,
    number_text,
    percent_column,
    row_score,
    total_row,
    value_title_words,
)
from mardoc.tables.question import LINES, Formula, TableQuestion
from mardoc.tables.sql import SqlTable
from mardoc.words import unique_best, words


@dataclass(frozen=True)
class Combined:
    """Cells added, subtracted or divided by code; ``formula`` names what was computed."""

    op: str  # sum | difference | change | growth | ratio
    cells: tuple[CellHit, ...]
    value: float
    formula: str = ""
    percent: bool = False

    def describe(self) -> str:
        if self.formula:
            parts = "; ".join(c.describe() for c in self.cells)
            return f"{self.formula} = {number_text(round(self.value, 4))}{'%' if self.percent else ''} ({parts})"
        sign = " + " if self.op == "sum" else " - "
        return f"{self.op} of {sign.join(c.describe() for c in self.cells)} = {number_text(self.value)}"


def _has_values(t: SqlTable, i: int) -> bool:
    return any(isinstance(v, float) for v in t.rows[i])


def _top(scores: list[tuple[int, float]]) -> list[int]:
    best = max((s for _, s in scores), default=0)
    return [i for i, s in scores if s == best and s > 0]


def combine(q: TableQuestion, tables: list[SqlTable]) -> Combined | None:
    """A total or a difference the question asks of cells it names: the one row its words
    name best, across the two or more numeric columns they name best (or one column across
    rows); how much one value changed is the difference of its two columns (of the total row
    when the question says "total" and names no row). None when the question is not of that
    shape or the cells are not clear."""
    op = {"sum": "sum", "difference": "difference", "change": "difference"}.get(q.op, "")
    if not op:
        return None
    found: list[tuple[float, Combined]] = []
    for t in tables:
        titles = value_title_words(t)
        # a heading row without values ("Revenue:") names no cells to combine
        rows = [(i, row_score(q, label(t, i), titles) if _has_values(t, i) else 0.0) for i in range(len(t.texts))]
        if q.op == "change" and not any(s for _, s in rows) and q.says_total:
            rows = [(i, float(total_row(t, i))) for i in range(len(t.texts))]
        cols = [(j, float(col_score(q, title))) for j, title in enumerate(t.titles) if t.numeric[j]]
        top_rows, top_cols = _top(rows), _top(cols)
        any_rows = [i for i, s in rows if s > 0]
        any_cols = [j for j, s in cols if s > 0]
        if op == "sum" and any("total" in t.titles[j].lower() for j in top_cols):
            return None  # the table prints the total: a lookup's question
        by_row = top_cols if op == "sum" else any_cols
        by_col = top_rows if op == "sum" else any_rows
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
            score = sum(s for i, s in rows if i in {p[0] for p in places}) + sum(s for j, s in cols if j in {p[1] for p in places})
            found.append((score, Combined(op, hits, value)))
    best = unique_best(found, lambda f: f[0])
    return best[1] if best else None


def _asked_column(t: SqlTable, q: TableQuestion) -> tuple[int, int] | None:
    """The numeric column of ``t`` whose title shares most of the question's words (its
    percentage column first when the question asks a share), with its score."""
    cols = [j for j in range(len(t.titles)) if t.numeric[j]]
    percent = {j for j in cols if q.share and percent_column(t, j)}
    cols = [j for j in cols if j in percent] or cols
    scored = [(j, col_score(q, t.titles[j]) + (2 if j in percent else 0)) for j in cols]
    best = unique_best(scored, lambda s: s[1])
    return best


def named_total(q: TableQuestion, tables: list[SqlTable]) -> Combined | None:
    """The total of the rows a question lists ("the percentage of sales made by the online and
    wholesale channels", "how many patents do A, B and C hold in total"): each listed item
    names one row of a table best, two or more rows of one table, added in the numeric column
    the question names. None when the rows or the column are not clear, or two tables fit as
    well."""
    if q.op != "sum" or len(q.items) < 2:
        return None
    found: list[tuple[float, Combined]] = []
    for t in tables:
        body = [i for i in range(len(t.texts)) if not total_row(t, i)]
        labels = {i: words(label(t, i)) for i in body}
        picked: list[tuple[int, int]] = []
        for item in q.items:
            row = unique_best(body, lambda i, item=item, labels=labels: len(item & labels[i]))  # type: ignore[misc]
            if row is not None and row not in {i for i, _ in picked}:
                picked.append((row, len(item & labels[row])))
        asked = _asked_column(t, q) if len(picked) >= 2 else None
        if asked is None:
            continue
        j, score = asked
        values = [v for i, _ in picked if isinstance(v := t.rows[i][j], float)]
        if len(values) < len(picked):
            continue  # an empty or text cell: not this reading
        cells = tuple(CellHit(t, i, j, 0, t.texts[i][j]) for i, _ in picked)
        found.append((sum(s for _, s in picked) + score, Combined("sum", cells, sum(values))))
    best = unique_best(found, lambda f: f[0])
    return best[1] if best else None


def growth(q: TableQuestion, tables: list[SqlTable]) -> Combined | None:
    """A rate of change the question asks of one row between two years: (later - earlier) /
    earlier x 100, the row its words name best, the two columns of the years it names (one
    year named: from the year before it). None unless one row is clearly best and each year is
    the title of exactly one column."""
    if q.op != "growth" or not 1 <= len(q.years) <= 2:
        return None
    # "the growth rate in FY2018": from the year before (year over year)
    early, late = q.years if len(q.years) == 2 else (str(int(q.years[0]) - 1), q.years[0])
    found: list[tuple[float, Combined]] = []
    for t in tables:
        ys = {y: [j for j in range(len(t.titles)) if t.numeric[j] and y in words(t.titles[j])] for y in (early, late)}
        if len(ys[early]) != 1 or len(ys[late]) != 1:
            continue
        a, b = ys[early][0], ys[late][0]
        for i in range(len(t.texts)):
            r = row_score(q, label(t, i), value_title_words(t))
            va, vb = t.rows[i][a], t.rows[i][b]
            if r and isinstance(va, float) and isinstance(vb, float) and va:
                cells = (CellHit(t, i, a, r, t.texts[i][a]), CellHit(t, i, b, r, t.texts[i][b]))
                value = (vb - va) / abs(va) * 100
                found.append((r, Combined("growth", cells, value, f"change from {early} to {late} = ({late} - {early}) / {early} x 100", True)))
    best = unique_best(found, lambda f: f[0])
    return best[1] if best else None


def statement_line(line: str, years: tuple[str, ...], tables: list[SqlTable]) -> CellHit | None:
    """The cell of a statement line (a key of LINES) in ``years`` (the year asked): the row
    printed under one of the line's names, in the order the names are tried, and not under a
    word that makes it another line of its family (:attr:`Line.not_words`)."""
    spec = LINES[line]
    avoid = frozenset(w for n in spec.not_words for w in words(n))
    for name in spec.names:
        if (hit := named_line(name, years, tables, avoid)) is not None:
            return hit
    return None


def named_line(name: str, years: tuple[str, ...], tables: list[SqlTable], avoid: frozenset[str] = frozenset()) -> CellHit | None:
    """The cell in ``years`` of the one row whose label holds every word of ``name`` (and none
    of ``avoid``), read as its own one-value question."""
    want = frozenset(words(name))
    if not want:
        return None
    sub = TableQuestion(text=f"{name} {' '.join(years)}", op="value", answer="number", words=want | frozenset(years), years=years)
    fit = [t for t in tables if any(_is_line(t, i, name, avoid) for i in range(len(t.texts)))]
    hit = lookup(sub, [_only_line_rows(t, name, avoid) for t in fit])
    return hit if isinstance(hit, CellHit) else None


def _is_line(t: SqlTable, i: int, name: str, avoid: frozenset[str]) -> bool:
    mine = words(label(t, i))
    return words(name) <= mine and not (avoid & mine)


def _only_line_rows(t: SqlTable, name: str, avoid: frozenset[str]) -> SqlTable:
    """The table with only the rows printed under the line's ``name`` (others blanked), so the
    lookup chooses among them alone."""
    keep = [_is_line(t, i, name, avoid) for i in range(len(t.texts))]
    texts = [r if k else [""] * len(r) for r, k in zip(t.texts, keep, strict=True)]
    rows: list[list[object]] = [r if k else [None] * len(r) for r, k in zip(t.rows, keep, strict=True)]
    return replace(t, texts=texts, rows=rows)


def ratio(q: TableQuestion, tables: list[SqlTable]) -> Combined | None:
    """A standard ratio the question names (:data:`mardoc.tables.question.FORMULAS`): each of
    its lines looked up as its own question in the year the question names, then divided; for
    an average over a run of years, the ratio of each year, then their mean. None when a line
    is not found in a year."""
    f = q.formula
    if q.op != "ratio" or f is None or (len(q.years) > 1 and not q.average):
        return None
    each = [_ratio_in(replace(q, years=(y,)), f, tables) for y in q.years] if q.average else [_ratio_in(q, f, tables)]
    got = [r for r in each if r is not None]
    if not got or len(got) < len(each):
        return None
    if len(got) == 1:
        return got[0]
    value = sum(r.value for r in got) / len(got)
    cells = tuple(c for r in got for c in r.cells)
    parts = ", ".join(f"{y}: {number_text(round(r.value, 4))}" for y, r in zip(q.years, got, strict=True))
    return Combined("ratio", cells, value, f"average over {q.years[0]}-{q.years[-1]} of {f.describe()} ({parts})", f.percent)


def _ratio_in(q: TableQuestion, f: Formula, tables: list[SqlTable]) -> Combined | None:
    top, bottom = statement_line(f.numerator, q.years, tables), statement_line(f.denominator, q.years, tables)
    less = statement_line(f.less, q.years, tables) if f.less else None
    if top is None or bottom is None or (f.less and less is None):
        return None
    vals = [top.table.rows[top.row][top.col], bottom.table.rows[bottom.row][bottom.col]]
    if less is not None:
        vals.append(less.table.rows[less.row][less.col])
    if any(not isinstance(v, float) for v in vals) or not vals[1]:
        return None
    num = float(vals[0]) - (float(vals[2]) if less is not None else 0.0)  # type: ignore[arg-type]
    value = num / float(vals[1]) * (100 if f.percent else 1)  # type: ignore[arg-type]
    cells = tuple(c for c in (top, bottom, less) if c is not None)
    return Combined("ratio", cells, value, f.describe(), f.percent)


__all__ = ["Candidates", "Combined", "combine", "growth", "named_line", "named_total", "ratio", "statement_line"]
