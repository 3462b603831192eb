"""A table's cells as values: numbers parsed the way reports print them, columns named.

One rule for each concept, used by ingest (how many header rows), by the SQL tables
(column names and types) and by the lookup by code (row labels and values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mardoc.types import TableGrid

_DASHES = {"-", "–", "—", "−", "--", "n/a", "na", "n.a.", "nil", "—%", "-%"}
_NUMBER = re.compile(
    r"""^(?P<neg>[-−–(])?\s*(?P<cur>[$€£¥₹]|rs\.?|usd|eur|inr)?\s*(?P<neg2>[-−–])?\s*
    (?P<num>\d{1,3}(?:[,\u00a0 ]\d{3})+(?:\.\d+)?|\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*
    (?P<unit>%|percent|pp|bps|x|k|m|mn|bn|million|billion|thousand|crore|lakh)?\s*(?P<close>\))?$""",
    re.I | re.X,
)
_TRAILING_SIGN = re.compile(r"(?<=[\d)])\s+[$€£¥₹]$")
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9,
           "crore": 1e7, "lakh": 1e5}  # fmt: skip
_HEADER_SCALE = re.compile(r"\bin\s+(thousands|millions|billions|crores|lakhs)\b|\((?:[$€£₹]\s*)?(?:in\s+)?(000s|'000|thousands|millions|billions)(?:\)|,)", re.I)
TOTAL_LABEL = re.compile(r"^\s*(?:grand\s+|sub-?\s*)?total\b", re.I)  # a total row's label: "Total", "Sub-total"
_YEAR = re.compile(r"^(?:fy\s*)?(?:19|20)\d\d(?:[-/]\d{2,4})?$", re.I)


@dataclass(frozen=True)
class Number:
    """A cell's number: ``value`` as printed (no header scale applied), ``percent`` when a %."""

    value: float
    percent: bool = False


def parse_number(text: str) -> Number | None:
    """The number a cell prints, or None: thousands separators (and the Indian lakh grouping,
    "1,23,45,678"), currency signs (also one run in from the next column), %, parentheses
    or a leading minus as negatives, a unit word ("12 million") applied; dashes are empty."""
    t = " ".join(text.replace("\u2009", " ").split()).strip().strip("*†‡")
    t = _TRAILING_SIGN.sub("", t)  # the next column's currency sign run into the cell ("213,105 $")
    if not t or t.lower() in _DASHES:
        return None
    m = _NUMBER.match(t)
    if not m:
        return None
    if bool(m.group("neg") == "(") != bool(m.group("close")):
        return None  # one parenthesis only: not an accounting negative
    value = float(re.sub(r"[,\u00a0 ]", "", m.group("num")))
    unit = (m.group("unit") or "").lower()
    value *= _SCALES.get(unit, 1.0)
    if m.group("neg") or m.group("neg2"):
        value = -value
    return Number(value, percent=unit in ("%", "percent"))


def is_year(text: str) -> bool:
    return bool(_YEAR.match(text.strip()))


def header_scale(*texts: str) -> float:
    """The scale a caption or header names ("in thousands", "($ millions)"), else 1."""
    for text in texts:
        m = _HEADER_SCALE.search(text or "")
        if m:
            word = (m.group(1) or m.group(2) or "").lower()
            return 1e3 if word.startswith(("thousand", "000", "'000")) else 1e6 if word.startswith("million") else 1e9 if word.startswith("billion") else 1e7 if word.startswith("crore") else 1e5
    return 1.0


def _numeric(cell: str) -> bool:
    return parse_number(cell) is not None and not is_year(cell)


def header_rows(cells: list[list[str]]) -> int:
    """How many leading rows are the header: the first row, and a second one that holds no
    number but years when either the first spans columns (repeated or empty cells) or the
    second continues the titles of number columns (words over a column of numbers: "No. of"
    over "Shares held")."""
    if len(cells) < 3:
        return 1
    first, second = cells[0], cells[1]
    rest = cells[2:]
    body_numeric = any(_numeric(c) for row in rest for c in row[1:])
    spans = len({c for c in first[1:] if c}) < len([c for c in first[1:]]) or any(not c for c in first[1:])
    second_plain = not any(_numeric(c) for c in second[1:]) and any(c for c in second[1:])
    return 2 if body_numeric and second_plain and (spans or _continues_titles(second, rest)) else 1


def _continues_titles(second: list[str], rest: list[list[str]]) -> bool:
    """Whether a second row holds the rest of the titles: words (not numbers run together, as
    in rows the parser merged) over columns of numbers, and no row label of its own (its
    first cell empty, or over serial numbers "1.", "2." rather than labels)."""
    width = max(len(r) for r in [second, *rest])
    number_cols = [j for j in range(1, width) if _mostly_numbers([r[j] for r in rest if j < len(r)])]
    labelled = not _mostly_numbers([r[0].rstrip(".") for r in rest if r])
    if second[0].strip() and labelled:
        return False  # a row with its own label is a body row ("Domain | Wiki Tables | ...")
    if len({c.strip() for c in second if c.strip()}) <= 1 and len(second) > 2:
        return False  # one text across the row: a group label, not titles

    def words(cell: str) -> bool:
        c = cell.strip()
        return bool(c) and c.lower() not in _DASHES and not all(_numeric(w) or is_year(w) for w in c.split())

    return any(j < len(second) and words(second[j]) for j in number_cols)


def _mostly_numbers(column: list[str]) -> bool:
    filled = [c for c in column if c.strip() and c.strip().lower() not in _DASHES]
    return bool(filled) and sum(_numeric(c) for c in filled) >= 0.6 * len(filled)


def column_titles(grid: TableGrid) -> list[str]:
    """One title a column: its header rows' texts joined (a spanning cell said once)."""
    titles = []
    for j in range(grid.n_cols):
        parts: list[str] = []
        for row in grid.cells[: grid.header_rows]:
            text = row[j] if j < len(row) else ""
            if text and text not in parts:
                parts.append(text)
        titles.append(" ".join(parts))
    return titles


def identifier(title: str, taken: set[str], index: int) -> str:
    """A SQL column name from a title: lower case, words joined by underscores, unique."""
    name = re.sub(r"[^0-9a-z]+", "_", title.lower()).strip("_")[:40] or ("label" if index == 0 else f"col{index + 1}")
    if name[0].isdigit():
        name = f"c_{name}"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def body(grid: TableGrid) -> list[list[str]]:
    """The rows under the header, padded to the table's width."""
    width = grid.n_cols
    return [list(r) + [""] * (width - len(r)) for r in grid.cells[grid.header_rows :]]


def numeric_columns(grid: TableGrid) -> list[bool]:
    """Columns whose non-empty body cells are mostly numbers."""
    return numeric_of(body(grid))


def numeric_of(rows: list[list[str]]) -> list[bool]:
    """Columns of ``rows`` whose non-empty cells are mostly numbers."""
    out = []
    for j in range(max((len(r) for r in rows), default=0)):
        filled = [r[j] for r in rows if r[j].strip() and r[j].strip().lower() not in _DASHES]
        nums = sum(parse_number(c) is not None for c in filled)
        out.append(bool(filled) and nums >= 0.6 * len(filled))
    return out


def to_markdown(grid: TableGrid) -> str:
    """The table as GitHub markdown: the joined header, then the body rows."""
    titles = [t or f"Col{j + 1}" for j, t in enumerate(column_titles(grid))]
    if not titles:
        return ""
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    lines += ["| " + " | ".join(r) + " |" for r in body(grid)]
    return "\n".join(lines)


_FOOTNOTE = re.compile(r"(?<=\S)\s*(?:\((?:[a-z]|\d)\)|\[\d{1,2}\]|[*†‡§¹²³⁴⁵⁶⁷⁸⁹]+)$")
CURRENCY = frozenset({"$", "€", "£", "¥", "₹", "us$", "rs", "rs."})  # a currency sign printed as a cell of its own
_CLOSERS = {"%", ")", "%)", "pp", "bps", "x"}


def drop_footnote(cell: str) -> str:
    """A cell without its footnote mark ("Revenue (1)", "1,234*", "12.5%†", "Net sales[2]")."""
    return _FOOTNOTE.sub("", cell).strip() if cell else cell


@dataclass(frozen=True)
class Tidy:
    """A table's body as its values read: ``titles`` and ``texts`` of the kept columns,
    ``cols`` the grid column each came from."""

    titles: list[str]
    texts: list[list[str]]
    cols: list[int]


def tidy(titles: list[str], rows: list[list[str]]) -> Tidy:
    """A table's columns and rows as a reader takes them: footnote marks dropped; a column of
    currency signs only (``$`` printed in a column of its own) and an empty spacer column
    dropped; a column of "%" or ")" only joined to the number on its left ("(1,020" and ")",
    "12.5" and "%"); a row label under a heading row (a label with no values, "Americas:")
    carrying that heading ("Americas: Operating income") until a total row or the next heading."""
    width = max([len(titles), *(len(r) for r in rows)], default=0)
    grid = [[drop_footnote(r[j]) if j < len(r) else "" for j in range(width)] for r in rows]
    heads = [drop_footnote(titles[j]) if j < len(titles) else "" for j in range(width)]
    keep = list(range(width))
    for j in range(1, width):
        cells = {grid[i][j].strip().lower() for i in range(len(grid))} - {""}
        if not cells or not cells <= _CLOSERS | CURRENCY:
            continue
        if heads[j] and cells <= CURRENCY and not (j + 1 < width and heads[j] == heads[j + 1]):
            continue  # a titled column of its own (a currency code per row)
        for i in range(len(grid)):  # "%" or ")" printed in its own column: part of the number before it
            mark = grid[i][j].strip()
            left = next((k for k in range(j - 1, -1, -1) if k in keep and grid[i][k].strip()), None)
            if mark.lower() in _CLOSERS and left is not None:
                grid[i][left] = grid[i][left].strip() + mark
        keep.remove(j)  # and a currency sign's own column, or an empty spacer, is no column
    texts = [[grid[i][j] for j in keep] for i in range(len(grid))]
    numeric = numeric_of(texts)
    first = next((k for k, n in enumerate(numeric) if not n), None)
    if first is not None:
        parent = ""
        for row in texts:
            label = row[first].strip()
            others = [c for k, c in enumerate(row) if k != first and c.strip()]
            if label and not others:
                # a heading row ("Revenue:", "Current assets:"): the rows under it are its lines; a
                # label with no values and no colon may be a wrapped line, and names no group
                parent = label.rstrip(":").strip() if label.endswith(":") else ""
                continue
            if not label or not parent:
                continue
            total = bool(TOTAL_LABEL.match(label))
            if parent.lower() not in label.lower():
                row[first] = f"{parent}: {label}"
            if total:
                parent = ""  # a total closes its group
    return Tidy([heads[j] for j in keep], texts, keep)
