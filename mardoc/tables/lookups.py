"""Questions over tables answered by code: a cell looked up by its row and column words, and a
query result turned into a short answer.

The lookup needs no model: the question's words are matched against each body row's label
(its text cells) and each numeric column's title (years, segments, metrics). It answers only
when one cell is clearly best: the row and the column both match and no other cell ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mardoc.tables.counting import asks_count
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


_TOTAL = re.compile(r"\b(?:in total|total|sum|combined|altogether|in all)\b", re.I)
_DIFF = re.compile(r"\b(?:how (?:many|much) (?:more|less|fewer|higher|lower)|difference between)\b", re.I)


@dataclass(frozen=True)
class Combined:
    """Cells of one row (or one column) added or subtracted by code."""

    op: str  # sum | difference
    cells: tuple[CellHit, ...]
    value: float

    def describe(self) -> str:
        sign = " + " if self.op == "sum" else " - "
        return f"{self.op} of {sign.join(c.describe() for c in self.cells)} = {_number_text(self.value)}"


def _top(scores: list[tuple[int, int]]) -> list[int]:
    best = max((s for _, s in scores), default=0)
    return [i for i, s in scores if s == best and s > 0]


def combine(question: str, tables: list[SqlTable]) -> Combined | None:
    """A total or a difference the question asks of cells it names: the one row its words
    name best, across the two or more numeric columns they name best (or one column across
    rows). None when the question is not of that shape or the cells are not clear."""
    op = "sum" if _TOTAL.search(question) else "difference" if _DIFF.search(question) else ""
    if not op:
        return None
    q = _words(question)
    found: list[tuple[int, Combined]] = []
    for t in tables:
        rows = [(i, len(q & _words(" ".join(c for j, c in enumerate(r) if not t.numeric[j])))) for i, r in enumerate(t.texts)]
        cols = [(j, len(q & _words(title))) for j, title in enumerate(t.titles) if t.numeric[j]]
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


_TOP_N = re.compile(r"\b(?:top|largest|biggest|highest)[- ](?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
_SMALL_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_SHARE_WORDS = re.compile(r"%|\b(?:ratios?|percentages?|percent|share|stakes?|proportions?)\b", re.I)


def top_total(question: str, tables: list[SqlTable]) -> Combined | None:
    """The total of the top N rows the question names ("the sum of the shares held by the top-3
    shareholders"): the rows ranked by the one numeric column the question names (its
    percentage column when it asks a ratio, share or percentage), the total row left out.
    None when the question is not of that shape, or no column, or two tables, fit as well."""
    m = _TOP_N.search(question)
    if not m or not _TOTAL.search(question):
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else _SMALL_NUMBERS[m.group("n").lower()]
    q = _words(question)
    share = bool(_SHARE_WORDS.search(question))
    found: list[tuple[tuple[int, int], Combined]] = []
    for t in tables:
        first = _label_column(t)
        about = len(q & _words(" ".join(t.titles[k] for k in range(len(t.titles)) if not t.numeric[k])))
        if first is None or not about:
            continue  # the rows the question ranks are not this table's kind of row
        cols = [j for j in range(len(t.titles)) if t.numeric[j]]
        percent = {j for j in cols if share and _percent_column([t], t.columns[j])}
        cols = [j for j in cols if j in percent] or cols
        scored = sorted(((len(q & _words(t.titles[j])) + (2 if j in percent else 0), j) for j in cols), reverse=True)
        if not scored or not scored[0][0] or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            continue
        j = scored[0][1]
        ranked = sorted(
            (i for i, r in enumerate(t.rows) if isinstance(r[j], float)
             and not any(_TOTAL_ROW.match(t.texts[i][k]) for k in range(len(r)) if not t.numeric[k])),
            key=lambda i: -float(t.rows[i][j]),  # type: ignore[arg-type]
        )
        if len(ranked) < n + 1:
            continue  # not more rows than the top asked for: not a ranking
        top = ranked[:n]
        picked: list[float] = [v for i in top if isinstance(v := t.rows[i][j], float)]
        value = sum(picked)
        cells = tuple(CellHit(t, i, j, 0, t.texts[i][j]) for i in top)
        found.append(((about, scored[0][0]), Combined("sum", cells, value)))
    if not found:
        return None
    found.sort(key=lambda f: f[0], reverse=True)
    if len(found) > 1 and found[1][0] == found[0][0]:
        return None
    return found[0][1]


_TOTAL_ROW = re.compile(r"^\s*(?:grand\s+|sub-?\s*)?total\b", re.I)


_ASKS_ROWS = re.compile(r"^\s*(?:according to [^,]+,\s*)?(?:which|who|list|name|what are the|how many)\b", re.I)
_CONDITION = re.compile(
    r"\b(?P<op>more than|greater than|higher than|larger than|over|above|exceeding|at least|no less than|"
    r"less than|fewer than|lower than|smaller than|under|below|at most|no more than)\s+"
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<pct>%|percent)?",
    re.I,
)
_OPS = {"more than": ">", "greater than": ">", "higher than": ">", "larger than": ">", "over": ">", "above": ">",
        "exceeding": ">", "at least": ">=", "no less than": ">=", "less than": "<", "fewer than": "<",
        "lower than": "<", "smaller than": "<", "under": "<", "below": "<", "at most": "<=", "no more than": "<="}  # fmt: skip


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
        first = _label_column(self.table)
        return [self.table.texts[i][first or 0] for i in self.rows]

    def describe(self) -> str:
        t = self.table
        return f"{t.name} rows with {t.titles[self.col]!r} {self.op} {_number_text(self.bound)}: {self.labels()}"


def _label_column(t: SqlTable) -> int | None:
    """The table's first text column: its row labels (None for a table of numbers only)."""
    return next((k for k in range(len(t.columns)) if not t.numeric[k]), None)


def names_condition(question: str) -> bool:
    """Whether the question asks for rows by a numeric condition ("more than 6", "at least 10%")."""
    return bool(_CONDITION.search(question) and _ASKS_ROWS.search(question))


def filter_rows(question: str, tables: list[SqlTable]) -> Filtered | None:
    """The rows a question picks by a numeric condition ("which ... more than 6 ...", "how
    many ... at least 10% ..."): the one numeric column whose title shares most of the
    question's words, compared with the number it names; of the kind of row the question
    names, when a text column says it ("which executive directors ..."). None when the
    question is not of that shape, or no column, or two columns, fit as well."""
    m = _CONDITION.search(question)
    if not m or not _ASKS_ROWS.search(question):
        return None
    op = _OPS[m.group("op").lower()]
    bound = float(m.group("num").replace(",", ""))
    q = _words(question[: m.start()] + " " + question[m.end() :])
    found: list[tuple[int, SqlTable, int]] = []
    for t in tables:
        for j, title in enumerate(t.titles):
            if t.numeric[j]:
                found.append((len(q & _words(title)), t, j))
    found.sort(key=lambda f: -f[0])
    if not found or not found[0][0] or (len(found) > 1 and found[1][0] == found[0][0]):
        return None
    _, t, j = found[0]
    first = _label_column(t)

    def meets(v: object) -> bool:
        if not isinstance(v, float):
            return False
        return v > bound if op == ">" else v >= bound if op == ">=" else v < bound if op == "<" else v <= bound

    rows = tuple(
        i for i, r in enumerate(t.rows)
        if meets(r[j]) and not (first is not None and t.texts[i][first].lower().startswith("total"))
    )  # fmt: skip
    # a kind of row the question names ("executive directors"): rows with a text cell, other
    # than the label, whose every word the question says, when such cells pick some rows only
    def named(i: int) -> bool:
        cells = [_words(t.texts[i][k]) for k in range(len(t.columns)) if k != first and not t.numeric[k]]
        return any(c and c <= q for c in cells)

    kind = [i for i in range(len(t.rows)) if named(i)]
    if kind and len(kind) < len(t.rows):
        rows = tuple(i for i in rows if i in kind)
    if not rows:
        return None
    counting = bool(re.match(r"^\s*(?:according to [^,]+,\s*)?how many\b", question, re.I))
    return Filtered(t, j, op, bound, rows, counting)


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


_NUMBER_Q = re.compile(r"\b(?:how many|how much|total|sum|percentage|percent|share|ratio|average|difference|number of)\b", re.I)


def asks_number(question: str) -> bool:
    """Whether a question asks for a number ("how many", "total", "percentage", ...)."""
    return _NUMBER_Q.search(question) is not None


def question_shape(question: str) -> str:
    """The shape of a question, as the table step's code paths take it: "count" (figures,
    tables or pages, counted in the inventory), "top total", "total or difference", "rows by
    a condition", "one value" (a cell), "number" (another numeric question: the model's
    query), or "" (none: the pages are read)."""
    if asks_count(question):
        return "count"
    if _TOP_N.search(question) and _TOTAL.search(question):
        return "top total"
    if _TOTAL.search(question) or _DIFF.search(question):
        return "total or difference"
    if names_condition(question):
        return "rows by a condition"
    if _VALUE_Q.search(question) and not _NOT_LOOKUP.search(question):
        return "one value"
    return "number" if asks_number(question) else ""
