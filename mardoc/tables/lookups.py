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
# "what ...", "how much ...", after "According to X," or a clause of time ("In 2020,", "As of March
# 31, 2007,", "For fiscal year 2019,"): not after a clause naming a part of the document
_VALUE_Q = re.compile(
    r"^\s*(?:according to [^,]+,\s*|(?:in|for|as of|as at|during|at the end of)\s+(?:the\s+)?(?:fiscal\s+|financial\s+)?"
    r"(?:(?:year|quarter|fy|q[1-4]|h[12])\b[^,?]*|(?:fy\s?)?\d{4}\b[^,?]*|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}),\s*)?"
    r"(?:what|how much)\b",
    re.I,
)
_NOT_LOOKUP = re.compile(
    r"\b(?:how many|more|less|fewer|higher|lower|difference|differ|compare|compared|increase|decrease|"
    r"change|growth|sum|average|mean|ratio|between|most|least|highest|lowest|largest|smallest|top|"
    r"which|who|list|rank|each|all|both)\b",
    re.I,
)


_FISCAL = re.compile(r"fy(\d{4})")  # "FY2018": the year a table's column prints


def words_of(text: str) -> set[str]:
    """The content words of a cell, a title or a question, as the code paths match them (a
    plural's "s" dropped; a fiscal year "FY2018" also its year)."""
    out = set()
    for w in _WORD.findall(text.lower()):
        if w in _STOP or len(w) < 2:
            continue
        out.add(w[:-1] if len(w) > 4 and w.endswith("s") else w)
        if m := _FISCAL.fullmatch(w):
            out.add(m.group(1))
    return out


def squashed(text: str) -> str:
    """Letters and digits only, lower case: "Depot A" and "DepotA" alike."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def row_score(q: set[str], question: str, label: str) -> int:
    """How well a question names a row by its label: the content words they share, and one
    more when the whole label, spaces and signs aside, is written in the question (a label
    told apart by a letter, "Depot A" / "Depot B", or printed without its space)."""
    whole = squashed(label)
    return len(q & words_of(label)) + (len(whole) >= 6 and whole in squashed(question))


_HOW_MANY = re.compile(r"^\s*(?:according to [^,]+,\s*)?how many\s+(?P<noun>[a-z]+)", re.I)


# Lines of financial statements that questions name by another name: the question's term, the
# words statements print the line with, and whether the term means the line's magnitude
# (capital expenditure is the purchases of PP&E, printed as an outflow: "(1,577)").
_CONCEPTS = (
    (re.compile(r"\bcapital expenditures?\b|\bcapex\b", re.I), "purchases property plant equipment", True),
    (re.compile(r"\b(?:total |net )?revenues?\b", re.I), "net sales", False),
    (re.compile(r"\bnet income\b", re.I), "net earnings", False),
    (re.compile(r"\bcost of goods sold\b|\bcogs\b", re.I), "cost sales", False),
)


def concept_words(question: str) -> tuple[set[str], set[str]]:
    """The words of the statement lines the question names by another name (see ``_CONCEPTS``),
    and of those, the words of lines the question means as a magnitude."""
    words: set[str] = set()
    magnitude: set[str] = set()
    for term, line, absolute in _CONCEPTS:
        if term.search(question):
            words |= words_of(line)
            if absolute:
                magnitude |= words_of(line)
    return words, magnitude


@dataclass(frozen=True)
class CellHit:
    table: SqlTable
    row: int  # body row
    col: int
    score: float
    value: str  # the cell as printed
    magnitude: bool = False  # the question means the value without its sign (an outflow's amount)

    def describe(self) -> str:
        label = " ".join(c for j, c in enumerate(self.table.texts[self.row]) if not self.table.numeric[j] and c)
        return f"{self.table.name} row {label!r}, column {self.table.titles[self.col]!r}: {self.value}"


def _cells(t: SqlTable, i: int, col_words: list[set[str]], q: set[str], years: set[str], noun: set[str]) -> list[tuple[int, int, str]]:
    """The numeric cells of row ``i`` whose column (its title's words ``col_words``) the
    question's words name, of the year it names and of the noun a "how many X" question
    counts, each with its column's score."""
    label = words_of(" ".join(c for j, c in enumerate(t.texts[i]) if not t.numeric[j]))
    out = []
    for j, cell in enumerate(t.texts[i]):
        if not t.numeric[j] or not cell.strip() or not noun <= col_words[j]:
            continue  # a "how many X" question reads a column of X
        if years and not (years & col_words[j]) and not (years & label):
            continue  # the question names a year this cell is not of
        if col_hit := len(q & col_words[j]):
            out.append((col_hit + len(years & (col_words[j] | label)), j, cell))
    return out


_TOTAL_WORD = re.compile(r"\btotal\b", re.I)


def says_total(question: str) -> bool:
    """Whether the question says "total": with no other row named, it names a table's total row."""
    return _TOTAL_WORD.search(question) is not None


def total_rows(tables: list[SqlTable]) -> list[tuple[SqlTable, int]]:
    """The total rows of ``tables`` (see :func:`total_row`)."""
    return [(t, i) for t in tables for i in range(len(t.texts)) if total_row(t, i)]


def lookup(question: str, tables: list[SqlTable]) -> CellHit | None:
    """The one cell a single-value question names by its row and column words, or None."""
    counted = _HOW_MANY.search(question)  # "how many pages for X?": a count column's cell
    rest = question[counted.start("noun"):] if counted else question
    if not (_VALUE_Q.search(question) or counted) or _NOT_LOOKUP.search(rest):
        return None
    noun = words_of(counted.group("noun")) if counted else set()
    also, magnitude = concept_words(question)
    q = words_of(question) | also
    years = {w for w in q if is_year(w)}
    scored: list[tuple[float, CellHit]] = []
    col_words = {t.name: [words_of(title) for title in t.titles] for t in tables}
    for t in tables:
        for i, row in enumerate(t.texts):
            text = " ".join(c for j, c in enumerate(row) if not t.numeric[j])
            row_hit = row_score(q, question, text)
            if row_hit:
                scored.extend((row_hit + s, CellHit(t, i, j, 0, cell)) for s, j, cell in _cells(t, i, col_words[t.name], q, years, noun))
    if not scored and says_total(question):
        # "what was the total revenue in 2019?": no row named, the table's total row
        scored = [(1 + s, CellHit(t, i, j, 0, cell)) for t, i in total_rows(tables)
                  for s, j, cell in _cells(t, i, col_words[t.name], q, years, noun)]  # fmt: skip
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    best = scored[0][0]
    if len(scored) > 1 and scored[1][0] == best and scored[1][1].value != scored[0][1].value:
        return None  # two cells fit as well: not confident
    hit = scored[0][1]
    label = words_of(" ".join(c for j, c in enumerate(hit.table.texts[hit.row]) if not hit.table.numeric[j]))
    return CellHit(hit.table, hit.row, hit.col, best, hit.value, len(label & magnitude) >= 2)


TOTAL_Q = re.compile(r"\b(?:in total|total|sum|combined|altogether|in all|collectively|jointly)\b", re.I)
DIFF_Q = re.compile(r"\b(?:how (?:many|much) (?:more|less|fewer|higher|lower)|difference between)\b", re.I)
# how much one value changed ("how much did revenue fall from 2019 to 2020?"): a difference, not a rate
CHANGE_Q = re.compile(
    r"\bhow (?:much|many)\b[^?]*?\b(?:increas|decreas|grow|grew|rise|rose|risen|fall|fell|fallen|declin|drop|chang)\w*"
    r"|\bwhat (?:was|is|were) the (?:increase|decrease|change|rise|fall|decline|drop) in\b",
    re.I,
)
RATE_Q = re.compile(r"%|\b(?:rate|percent(?:age)?|cagr|times|ratio)\b", re.I)


TOP_N = re.compile(r"\b(?:top|largest|biggest|highest)[- ](?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)


_TOTAL_ROW = re.compile(r"^\s*(?:grand\s+|sub-?\s*)?total\b", re.I)


def total_row(t: SqlTable, i: int) -> bool:
    """Whether body row ``i`` is a total row (a text cell that says total, grand or sub-total)."""
    return any(_TOTAL_ROW.match(t.texts[i][k]) for k in range(len(t.columns)) if not t.numeric[k])


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
        first = label_column(self.table)
        return [self.table.texts[i][first or 0] for i in self.rows]

    def describe(self) -> str:
        t = self.table
        return f"{t.name} rows with {t.titles[self.col]!r} {self.op} {number_text(self.bound)}: {self.labels()}"


def label_column(t: SqlTable) -> int | None:
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
    q = words_of(question[: m.start()] + " " + question[m.end() :])
    found: list[tuple[int, SqlTable, int]] = []
    for t in tables:
        for j, title in enumerate(t.titles):
            if t.numeric[j]:
                found.append((len(q & words_of(title)), t, j))
    found.sort(key=lambda f: -f[0])
    if not found or not found[0][0] or (len(found) > 1 and found[1][0] == found[0][0]):
        return None
    _, t, j = found[0]
    first = label_column(t)

    def meets(v: object) -> bool:
        if not isinstance(v, float):
            return False
        return v > bound if op == ">" else v >= bound if op == ">=" else v < bound if op == "<" else v <= bound

    rows = tuple(
        i for i, r in enumerate(t.rows)
        if meets(r[j]) and not total_row(t, i)
    )  # fmt: skip
    # a kind of row the question names ("executive directors"): rows with a text cell, other
    # than the label, whose every word the question says, when such cells pick some rows only
    def named(i: int) -> bool:
        cells = [words_of(t.texts[i][k]) for k in range(len(t.columns)) if k != first and not t.numeric[k]]
        return any(c and c <= q for c in cells)

    kind = [i for i in range(len(t.rows)) if named(i)]
    if kind and len(kind) < len(t.rows):
        rows = tuple(i for i in rows if i in kind)
    if not rows:
        return None
    counting = bool(re.match(r"^\s*(?:according to [^,]+,\s*)?how many\b", question, re.I))
    return Filtered(t, j, op, bound, rows, counting)


def number_text(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return f"{v:.4f}".rstrip("0").rstrip(".")


def percent_column(tables: list[SqlTable], name: str) -> bool:
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
    percent = percent_column(tables, result.columns[col]) or bool(re.search(r"percent|%", question, re.I))
    texts = []
    for v in values:
        if isinstance(v, int | float):
            texts.append(number_text(float(v)) + ("%" if percent else ""))
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
    if TOP_N.search(question) and TOTAL_Q.search(question):
        return "top total"
    if TOTAL_Q.search(question) or DIFF_Q.search(question) or (CHANGE_Q.search(question) and not RATE_Q.search(question)):
        return "total or difference"
    if names_condition(question):
        return "rows by a condition"
    if _VALUE_Q.search(question) and not _NOT_LOOKUP.search(question):
        return "one value"
    return "number" if asks_number(question) else ""
