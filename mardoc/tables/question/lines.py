"""The statement lines questions name by another name, and the standard formulas over them.

Reference tables of accounting terms, not question rules: each line with the names statements
print it by (:data:`LINES`), the names questions use for them (:func:`line_keys`), and the
standard ratios as two lookups (:data:`FORMULAS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """A statement line as reports print it: its names (the first is the one shown), and
    whether a question means its magnitude (an outflow printed "(1,577)"); the names are tried in
    order, so a more precise one comes first."""

    names: tuple[str, ...]
    magnitude: bool = False
    not_words: tuple[str, ...] = ()  # a row saying one of these is not the line (another line of its family)


# the lines a question may name by another name than the statement prints: standard accounting
# terms (a reference table, not a question rule), each with the names statements print it by
LINES: dict[str, Line] = {
    "revenue": Line(("total revenue", "revenue", "net revenue", "net sales", "total net sales", "sales")),
    # the bottom line: what is attributable to the company's shareholders, not to noncontrolling
    # interests, not the part from continuing operations
    "net income": Line(("net income attributable", "net earnings attributable", "net income", "net earnings",
                        "profit for the year", "net profit"), not_words=("noncontrolling", "minority", "continuing")),
    "operating income": Line(("operating income", "income from operations", "operating profit", "earnings from operations")),
    "gross profit": Line(("gross profit", "gross margin")),
    "cost of revenue": Line(("cost of revenue", "cost of sales", "cost of goods sold", "total cost of revenue")),
    "capital expenditure": Line(("purchases of property plant and equipment", "capital expenditures",
                                 "purchases of property and equipment", "additions to property plant and equipment"), True),  # fmt: skip
    "total assets": Line(("total assets",)),
    "current assets": Line(("total current assets",)),
    "current liabilities": Line(("total current liabilities",)),
    "inventory": Line(("inventories", "inventory", "merchandise inventories")),
    "accounts receivable": Line(("accounts receivable", "receivables", "trade receivables")),
    "accounts payable": Line(("accounts payable", "trade payables")),
    "total equity": Line(("total equity", "total shareholders equity", "total stockholders equity")),
    "total debt": Line(("total debt", "long-term debt")),
}
# the names questions use for them
_LINE_NAMES = [
    (re.compile(r"\bcapital expenditures?\b|\bcapex\b", re.I), "capital expenditure"),
    (re.compile(r"\b(?:total |net )?revenues?\b|\bnet sales\b|\btop line\b", re.I), "revenue"),
    (re.compile(r"\bnet (?:income|earnings|profit)\b", re.I), "net income"),
    (re.compile(r"\bcost of goods sold\b|\bcogs\b|\bcost of (?:sales|revenue)\b", re.I), "cost of revenue"),
    (re.compile(r"\boperating (?:income|profit)\b|\bincome from operations\b", re.I), "operating income"),
]


def line_keys(text: str) -> list[str]:
    """The statement lines (keys of :data:`LINES`) ``text`` names by a standard name, or
    names as the line itself ("inventory", "accounts payable")."""
    low = " ".join(text.lower().split())
    named = [k for k, spec in LINES.items() if low in (k, *spec.names)]
    return list(dict.fromkeys([*(k for p, k in _LINE_NAMES if p.search(text)), *named]))


def line_phrases(text: str) -> list[str]:
    """The phrases by which ``text`` names a statement line by a standard name ("net sales",
    "COGS"): their words name the line, a row prints one of its names whole."""
    return [m.group(0) for p, _ in _LINE_NAMES for m in p.finditer(text)]


@dataclass(frozen=True)
class Formula:
    """A standard financial ratio: the lines it divides (numerator minus ``less``, over the
    denominator), ×100 when it is a percentage."""

    name: str
    numerator: str
    denominator: str
    percent: bool
    less: str = ""

    def describe(self) -> str:
        top = f"({self.numerator} - {self.less})" if self.less else self.numerator
        return f"{self.name} = {top} / {self.denominator}" + (" x 100" if self.percent else "")


FORMULAS: tuple[tuple[re.Pattern[str], Formula], ...] = (
    (re.compile(r"\bgross (?:profit )?margin\b", re.I), Formula("gross margin", "gross profit", "revenue", True)),
    (re.compile(r"\boperating (?:profit |income )?(?:% )?margin\b", re.I), Formula("operating margin", "operating income", "revenue", True)),
    (re.compile(r"\bnet (?:profit |income )?(?:% )?margin\b", re.I), Formula("net margin", "net income", "revenue", True)),
    (re.compile(r"\b(?:cost of goods sold|cogs|cost of (?:sales|revenue))\s+as an? (?:%|percent(?:age)?)\s+of\s+(?:total\s+)?(?:revenues?|net sales|sales)\b", re.I),
     Formula("cost of revenue as a % of revenue", "cost of revenue", "revenue", True)),
    (re.compile(r"\bcurrent ratio\b", re.I), Formula("current ratio", "current assets", "current liabilities", False)),
    (re.compile(r"\bquick ratio\b", re.I), Formula("quick ratio", "current assets", "current liabilities", False, less="inventory")),
    (re.compile(r"\breturn on (?:total )?assets\b|\broa\b", re.I), Formula("return on assets", "net income", "total assets", True)),
    (re.compile(r"\b(?:total )?asset turnover\b", re.I), Formula("asset turnover", "revenue", "total assets", False)),
    (re.compile(r"\binventory turnover\b", re.I), Formula("inventory turnover", "cost of revenue", "inventory", False)),
    (re.compile(r"\bdebt[- ]to[- ]equity\b", re.I), Formula("debt to equity", "total debt", "total equity", False)),
)


__all__ = ["FORMULAS", "LINES", "Formula", "Line", "line_keys", "line_phrases"]
