"""Cells of a table named by a question's record: rows by their labels, columns by their titles.

A row is named by the content words its label shares with the question (and the words of a
statement line the question names by another name, :data:`mardoc.tables.question.LINES`);
a label the question writes whole (spaces and signs aside: "Depot A", "DepotA") and a label
more fully named break a tie. A column is named by the words of its title, and by the year the
question names. :func:`lookup` answers only when one cell is clearly best; when several fit as
well it returns them as candidates, for the reading call to choose from.
"""

from __future__ import annotations

from dataclasses import dataclass

from mardoc.tables.question import TableQuestion
from mardoc.tables.sql import SqlTable
from mardoc.tables.values import TOTAL_LABEL
from mardoc.words import squash, words

MAX_CANDIDATES = 6


def label(t: SqlTable, i: int) -> str:
    """Body row ``i``'s label: its text cells joined."""
    return " ".join(c for j, c in enumerate(t.texts[i]) if not t.numeric[j] and c)


def row_score(q: TableQuestion, text: str, titles: frozenset[str] = frozenset()) -> float:
    """How well the question names a row by its label ``text``: the words they share (a word
    only of a statement line the question names by another name counts half, and so does a
    word only of the heading the label carries, "Cash flows from operating activities: Net
    income"), and for a tie, whether the question writes the whole label (a label told apart
    by a letter, "Depot A" / "Depot B", or printed without its space) and how much of the
    label it names. A word of the value columns' ``titles`` names a column, not a row; the other
    names of a line count only for a label that prints one of them whole."""
    _, sep, own_label = text.partition(": ")
    mine = words(text) - titles
    child = words(own_label) - titles if sep else mine
    # a line's other names count only for a label that prints one of them whole: "net" of "net
    # sales" names no "Property and equipment, net"
    named_line = any(n and n <= mine for n in q.line_names)
    ask = q.words | q.line_words if named_line else q.words
    shared_words = ask & mine
    own = len(q.words & mine)
    line_words = q.line_words if named_line else frozenset()
    shared = sum((1.0 if w in q.words else 0.5) * (1.0 if w in child else 0.5) for w in shared_words)
    whole = squash(text)
    written = len(whole) >= 6 and whole in squash(q.text)
    if not shared:
        return 1.0 if written else 0.0
    return shared + 0.5 * written + 0.1 * (own + len(line_words & mine)) / max(1, len(mine))


def value_title_words(t: SqlTable) -> frozenset[str]:
    """The words of the titles of a table's number columns (years aside): they name columns."""
    return frozenset(w for j, title in enumerate(t.titles) if t.numeric[j] for w in words(title) if not w.isdigit())


def col_score(q: TableQuestion, title: str, label_words: set[str] | None = None) -> int:
    """How well the question names a column by its title: the words they share, and the year
    it names in the title (or in the row's label, for a table with years as rows)."""
    mine = words(title)
    return len(q.words & mine) + len(set(q.years) & (mine | (label_words or set())))


def total_row(t: SqlTable, i: int) -> bool:
    """Whether body row ``i`` is a total row (a text cell that says total, grand or sub-total)."""
    return any(TOTAL_LABEL.match(t.texts[i][k]) for k in range(len(t.columns)) if not t.numeric[k])


def total_rows(tables: list[SqlTable]) -> list[tuple[SqlTable, int]]:
    return [(t, i) for t in tables for i in range(len(t.texts)) if total_row(t, i)]


def label_column(t: SqlTable) -> int | None:
    """The table's first text column: its row labels (None for a table of numbers only)."""
    return next((k for k in range(len(t.columns)) if not t.numeric[k]), None)


@dataclass(frozen=True)
class CellHit:
    table: SqlTable
    row: int  # body row
    col: int
    score: float
    value: str  # the cell as printed
    magnitude: bool = False  # the question means the value without its sign (an outflow's amount)

    def describe(self) -> str:
        return f"{self.table.name} row {label(self.table, self.row)!r}, column {self.table.titles[self.col]!r}: {self.value}"


@dataclass(frozen=True)
class Candidates:
    """Cells that fit the question as well as one another: no code answer, a small table for
    the reading call."""

    cells: tuple[CellHit, ...]

    def describe(self) -> str:
        return "; ".join(c.describe() for c in self.cells)


def _row_cells(q: TableQuestion, t: SqlTable, i: int, noun: frozenset[str]) -> list[tuple[int, int, str]]:
    """The numeric cells of row ``i`` whose column the question names (of the year it names,
    and of the noun a "how many X" question counts), each with its column's score."""
    mine = words(label(t, i))
    out = []
    for j, cell in enumerate(t.texts[i]):
        if not t.numeric[j] or not cell.strip():
            continue
        title = words(t.titles[j])
        if not noun <= title:
            continue  # a "how many X" question reads a column of X
        if q.years and not (set(q.years) & title) and not (set(q.years) & mine):
            continue  # the question names a year this cell is not of
        if score := col_score(q, t.titles[j], mine):
            out.append((score, j, cell))
    return out


def cells_named(q: TableQuestion, tables: list[SqlTable], noun: frozenset[str] = frozenset()) -> list[tuple[float, CellHit]]:
    """Every cell the question names by a row and a column, with its score, best first; with no
    row named and "total" said, the cells of the tables' total rows."""
    scored: list[tuple[float, CellHit]] = []
    for t in tables:
        titles = value_title_words(t)
        for i in range(len(t.texts)):
            r = row_score(q, label(t, i), titles)
            if r:
                scored.extend((r + s, CellHit(t, i, j, r + s, cell)) for s, j, cell in _row_cells(q, t, i, noun))
    if not scored and q.says_total:
        scored = [(1 + s, CellHit(t, i, j, 1 + s, cell)) for t, i in total_rows(tables) for s, j, cell in _row_cells(q, t, i, noun)]
    scored.sort(key=lambda s: -s[0])
    return scored


def lookup(q: TableQuestion, tables: list[SqlTable]) -> CellHit | Candidates | None:
    """The one cell a single-value question names by its row and column words; the few that
    fit as well when none is clearly best; None when no cell is named."""
    scored = cells_named(q, tables, q.noun)
    if not scored:
        return None
    best = scored[0][0]
    tied = [h for s, h in scored if s == best]
    if len({h.value for h in tied}) > 1:
        near = [h for s, h in scored if s >= best - 1][:MAX_CANDIDATES]
        return Candidates(tuple(near))
    hit = tied[0]
    magnitude = len(words(label(hit.table, hit.row)) & q.magnitude_words) >= 2
    return CellHit(hit.table, hit.row, hit.col, best, hit.value, magnitude)


@dataclass(frozen=True)
class Filtered:
    """The rows of one table whose value in one numeric column meets the question's condition."""

    table: SqlTable
    col: int
    op: str
    bound: float
    rows: tuple[int, ...]
    count: bool  # "how many": the number of rows, not their labels

    def labels(self) -> list[str]:
        first = label_column(self.table)
        return [self.table.texts[i][first or 0] for i in self.rows]

    def describe(self) -> str:
        t = self.table
        return f"{t.name} rows with {t.titles[self.col]!r} {self.op} {number_text(self.bound)}: {self.labels()}"


def filter_rows(q: TableQuestion, tables: list[SqlTable]) -> Filtered | None:
    """The rows a question picks by its numeric condition: the one numeric column whose title
    shares most of the question's words, compared with the number it names; of the kind of row
    the question names, when a text column says it ("which executive directors ..."). None when
    the question has no condition, or no column, or two columns, fit as well."""
    cond = q.condition
    if cond is None:
        return None
    found = [(len(q.words & words(title)), t, j) for t in tables for j, title in enumerate(t.titles) if t.numeric[j]]
    found.sort(key=lambda f: -f[0])
    if not found or not found[0][0] or (len(found) > 1 and found[1][0] == found[0][0]):
        return None
    _, t, j = found[0]
    first = label_column(t)
    rows = tuple(i for i, r in enumerate(t.rows) if cond.meets(r[j]) and not total_row(t, i))

    def named(i: int) -> bool:  # a text cell, other than the label, whose every word the question says
        cells = [words(t.texts[i][k]) for k in range(len(t.columns)) if k != first and not t.numeric[k]]
        return any(c and c <= q.words for c in cells)

    kind = [i for i in range(len(t.rows)) if named(i)]
    if kind and len(kind) < len(t.rows):
        rows = tuple(i for i in rows if i in kind)
    if not rows:
        return None
    return Filtered(t, j, cond.op, cond.bound, rows, q.answer == "count")


def number_text(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return f"{v:.4f}".rstrip("0").rstrip(".")


def percent_column(t: SqlTable, j: int) -> bool:
    """Whether column ``j`` of ``t`` holds percentages (its cells end in %, or its title says %)."""
    cells = [r[j] for r in t.texts if r[j].strip()]
    return bool(cells) and sum(c.strip().endswith("%") for c in cells) >= 0.5 * len(cells) or "%" in t.titles[j]
