"""A metric the question defines itself, read into typed terms (evaluated by :mod:`mardoc.tables.formulas`).

Analysts write the formula into the question: "Define working capital ratio as total current
assets divided by total current liabilities", "DPO is defined as: 365 * (average accounts payable
between FY2019 and FY2020) / (FY2020 COGS + change in inventory between FY2019 and FY2020)", a
metric defined from others defined after it ("CCC is defined as: DIO + DSO - DPO. DIO is defined
as: ..."), or a margin of a defined line ("the 3 year average EBITDA % margin ... Define EBITDA as
operating income + depreciation and amortization").

:func:`read_definitions` reads every definition of the text into a :class:`Definition`: its
expression as tokens (numbers, ``+ - * /`` with "divided by", "times", "plus", "minus", "over",
parentheses, and terms). A term is a statement line in a year (:class:`Term`): "average X between
FY a and FY b" (the mean of the two), "change in X between FY a and FY b" (the later less the
earlier), "FY2020 X" (that year), else the year the question asks; or another defined metric
(:class:`Ref`). Where the line is printed ("from the cash flow statement") names no line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DEFINED = re.compile(
    r"(?:\b(?P<name>[A-Za-z][\w&'’ -]{0,50}?)\s+(?:is|are)\s+(?:defined|calculated|computed)\s+as"
    r"|\bdefine\s+(?P<name2>[A-Za-z][\w&'’ -]{0,50}?)\s+as)\s*:?\s*(?P<expr>[^.?;]+(?:\.\d[^.?;]*)*)",
    re.I,
)
_LEAD = re.compile(r"^(?:and|the|where|with|a|an)\s+", re.I)
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)(?![\w])|(?P<op>divided by|times|plus|minus|over|[-+*/×()])|(?P<text>[^-+*/×()]+?)(?=\s*(?:divided by|times|plus|minus|\bover\b|[-+*/×()]|$)))", re.I)
_OPS = {"divided by": "/", "over": "/", "times": "*", "×": "*", "plus": "+", "minus": "-"}
_AVERAGE = re.compile(r"^(?:the\s+)?(?:average|mean)\s+(?:of\s+)?(?P<what>.+?)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)
_CHANGE = re.compile(r"^(?:the\s+)?change\s+in\s+(?P<what>.+?)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)
_YEAR_OF = re.compile(r"\b(?:fy\s?|fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)\b", re.I)
# words of a term that name no line: where it is printed, and "unadjusted" (as reported)
_NOISE = re.compile(r"\b(?:from|in|on|of) the (?:cash flows? statement|income statement|balance sheet|statement of \w+( \w+)?|p&l( statement)?)\b|\bunadjusted\b|\btotal\b(?= cash dividends)", re.I)
_MARGIN = re.compile(r"%?\s*margin\b", re.I)


@dataclass(frozen=True)
class Term:
    """A statement line in a year: ``how`` "" (``years`` empty: the year asked; one year:
    that year), "average" (the mean of the two ``years``), "change" (the later less the earlier),
    "unread" (an average or change between years the text does not name: no value)."""

    line: str
    years: tuple[str, ...] = ()
    how: str = ""

    def __str__(self) -> str:
        if self.how:
            return f"{self.how} in {self.line} between {' and '.join(self.years)}"
        return f"{self.years[0]} {self.line}" if self.years else self.line


@dataclass(frozen=True)
class Ref:
    """Another metric the text defines, in a year (empty: the year asked)."""

    name: str
    year: str = ""


Token = float | str | Term | Ref  # a number, an operator or parenthesis, a term


@dataclass(frozen=True)
class Definition:
    """One metric the text defines: its name (lower case) and its expression."""

    name: str
    tokens: tuple[Token, ...]
    text: str  # the expression as written

    def __str__(self) -> str:
        return f"{self.name} = {self.text}"


def _defined(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _DEFINED.finditer(text):
        name = _LEAD.sub("", (m.group("name") or m.group("name2") or "").strip()).strip()
        if name:
            out.setdefault(name.lower(), m.group("expr").strip())
    return out


def _term(text: str, names: set[str]) -> Token:
    t = _NOISE.sub(" ", text).strip(" ,")
    for pattern, how in ((_AVERAGE, "average"), (_CHANGE, "change")):
        if m := pattern.match(t):
            a, b = _YEAR_OF.search(m.group("a")), _YEAR_OF.search(m.group("b"))
            if a is None or b is None:
                return Term(t, (), "unread")  # between what years: no value
            years = (a.group(1), b.group(1)) if how == "average" else tuple(sorted((a.group(1), b.group(1))))
            return Term(_NOISE.sub(" ", m.group("what")).strip(" ,"), years, how)
    year = ""
    if (m := _YEAR_OF.match(t)) is not None:
        year, t = m.group(1), t[m.end() :].strip()
    if t.lower() in names:
        return Ref(t.lower(), year)
    return Term(t, (year,) if year else ())


def _tokens(expr: str, names: set[str]) -> tuple[Token, ...]:
    out: list[Token] = []
    for m in _TOKEN.finditer(expr):
        if m.group("num"):
            out.append(float(m.group("num")))
        elif m.group("op"):
            op = m.group("op").lower()
            out.append(_OPS.get(op, op))
        elif m.group("text") and m.group("text").strip():
            out.append(_term(m.group("text").strip(), names))
    return tuple(out)


def read_definitions(text: str) -> tuple[Definition, ...]:
    """Every metric ``text`` defines, in order of writing (see the module docstring)."""
    defs = _defined(text)
    names = set(defs)
    return tuple(Definition(name, _tokens(expr, names), expr) for name, expr in defs.items())


def asked_definition(defs: tuple[Definition, ...], asking: str) -> tuple[str, bool]:
    """The defined metric the asking sentence names (else the first defined), and whether it
    asks that metric's % margin ("the EBITDA % margin")."""
    low = asking.lower()
    name = next((d.name for d in defs if d.name in low), defs[0].name if defs else "")
    at = low.find(name) if name else -1
    return name, bool(at >= 0 and _MARGIN.search(low[at + len(name) :][:20]))


__all__ = ["Definition", "Ref", "Term", "Token", "asked_definition", "read_definitions"]
