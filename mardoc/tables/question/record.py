"""A question read once into a typed record: what the table step's code paths need to know.

:func:`read_question` is the only place where the table step looks at a question's wording.
It names the operation (a count of the document's figures, tables or pages; one value; a
sum; a difference; how much one value changed; a rate of change; a ratio by a standard
formula; the rows a numeric condition picks), the question's content words (matched against
row labels and column titles), the years it names, the rows it lists, its numeric condition,
the unit it asks for, the scope of a count, and the metrics it defines itself
(:mod:`mardoc.tables.question.definitions`). Every solver (:mod:`mardoc.tables.solvers`)
takes the record, never the raw string; the record is kept in the agents' state and shown
in the trace (:meth:`TableQuestion.trace`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mardoc.tables.question.definitions import Definition, asked_definition, read_definitions
from mardoc.tables.question.lines import FORMULAS, LINES, Formula, line_keys, line_phrases
from mardoc.tables.values import is_year
from mardoc.words import words

# -- the question proper -------------------------------------------------------------------

# sentences of a question that instruct rather than ask ("Answer in USD millions.", "Round your
# answer to two decimal places.", "Base your judgments on the balance sheet.", "Please help us
# compute it"): their unit is read, their words name no row
# a sentence ends after a word (not an initial or a title: "Dr. K. Olsen", "U.S."), a number or a ")"
_SENTENCE = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=[\d)][.!?])|(?<=[?!]))\s+(?=[A-Z(])")
_ASKS = re.compile(r"\?|^\s*(?:what|how|which|who|whom|whose|when|where|why|is|are|was|were|does|do|did|has|have|had|can|list|name)\b", re.I)
# a preface before the question proper inside its sentence: "... answer the following question:",
# "Here's the question:", "By drawing conclusions from the income statement, what is ..."
_PREFACE = re.compile(r"^.*\bquestions?\b[^:?]{0,60}:\s*", re.I)


def question_sentence(text: str) -> str:
    """The sentence of ``text`` that asks (the first with a "?", else the first opening as a
    question does), without a preface naming it "the question:"; the whole text when no
    sentence asks."""
    sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()]
    asking = next((x for x in sentences if "?" in x), None) or next((x for x in sentences if _ASKS.search(x)), None)
    out = asking or text
    cut = _PREFACE.sub("", out)
    return cut if cut.strip() else out


# -- the operation -------------------------------------------------------------------------

# "how many figures / tables / charts / pages ... (in section X, on pages a-b)"
_COUNT = re.compile(
    r"\bhow many (?:(?P<adj>bar|line|pie|flow|data)\s+)?(?P<what>figures?|tables?|charts?|graphs?|images?|pictures?|"
    r"photos?|photographs?|diagrams?|pages?|slides?)\b(?P<rest>[^?]*)",
    re.I,
)
_PAGES = re.compile(r"\bpages?\s+(\d+)\s*(?:-|–|to|and|through)\s*(\d+)", re.I)
_IN_SECTION = re.compile(r"\b(?:in|within|of|under)\s+(?:the\s+)?(?:section|chapter|part)?\s*[\"“']?([^\"”'?,]+?)[\"”']?\s*(?:section|chapter)?\s*$", re.I)
_HAVE = r"(?:have|has|contain|contains|include|includes|hold|holds|show|shows|feature|features)"
# "... does the appendix contain": the part as the subject
_SECTION_HAS = re.compile(
    r"\b(?:does|do)\s+(?:the\s+|this\s+|its\s+)?(?:\w+['’]s\s+)?(?:section|chapter|part)?\s*[\"“']?([^\"”'?,]+?)[\"”']?"
    rf"\s*(?:section|chapter)?\s+{_HAVE}\s*$",
    re.I,
)
_DOCUMENT_WORDS = r"(?:document|report|paper|deck|presentation|slides|guide|book|manual|article|brochure|file)"
# "... does the report have", "... are there in the paper": the whole document, no condition
_WHOLE = re.compile(
    rf"\s*(?:(?:does|do|are|is)\s+(?:there\s+)?(?:in\s+)?(?:the|this)\s+(?:whole\s+|entire\s+)?{_DOCUMENT_WORDS}\s*"
    r"(?:have|has|contain|include|hold|show|feature)?"
    r"|(?:are\s+)?(?:there|shown|included|presented)(?:\s+in\s+(?:the|this)\s+\w+)?)\s*$",
    re.I,
)
_DOCUMENT = re.compile(rf"\b{_DOCUMENT_WORDS}\b", re.I)
_DOC_SCOPE = re.compile(rf"\b(?:in|of|within)\s+(?:the|this)\s+(?:whole\s+|entire\s+)?{_DOCUMENT_WORDS}\b|\bin total\b", re.I)
_FILLER = re.compile(r"(?:(?:are|is|were|there|shown|included|presented|listed|used|given|does|do|have|has|contain|contained|appear|appearing)\s*)+", re.I)

# a question that asks for one value: "what ...", "how much ...", after "According to X," or a
# clause of time ("In 2020,", "As of March 31, 2007,", "For fiscal year 2019,")
_VALUE_Q = re.compile(
    r"^\s*(?:(?:according to|based on|using|by drawing [^,]* from|considering|from|in agreement with|taking into account) [^,]+,\s*|(?:in|for|as of|as at|during|at the end of)\s+(?:the\s+)?(?:fiscal\s+|financial\s+)?"
    r"(?:(?:year|quarter|fy|q[1-4]|h[12])\b[^,?]*|(?:fy\s?)?\d{4}\b[^,?]*|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}),\s*)?"
    r"(?:what|how much)\b",
    re.I,
)
# words that make a question more than one cell's value
_NOT_ONE = re.compile(
    r"\b(?:how many|more|less|fewer|higher|lower|difference|differ|compare|compared|increase|decrease|"
    r"change|growth|sum|average|mean|ratio|between|most|least|highest|lowest|largest|smallest|top|"
    r"which|who|list|rank|each|all|both)\b",
    re.I,
)
_HOW_MANY = re.compile(r"^\s*(?:according to [^,]+,\s*)?how many\s+(?P<noun>[a-z]+)", re.I)
_TOTAL = re.compile(r"\b(?:in total|total|sum|combined|altogether|in all)\b", re.I)
_TOTAL_WORD = re.compile(r"\btotal\b", re.I)
_DIFF = re.compile(r"\b(?:how (?:many|much) (?:more|less|fewer|higher|lower)|difference between)\b", re.I)
_CHANGE = re.compile(
    r"\bhow (?:much|many)\b[^?]*?\b(?:increas|decreas|grow|grew|rise|rose|risen|fall|fell|fallen|declin|drop|chang)\w*"
    r"|\bwhat (?:was|is|were) the (?:increase|decrease|change|rise|fall|decline|drop) in\b",
    re.I,
)
_RATE = re.compile(r"%|\b(?:rate|percent(?:age)?|cagr|times|ratio)\b", re.I)
# a rate of change: "by what percentage did revenue grow", "the year-over-year change (%) in ...", "growth rate"
_GROWTH = re.compile(
    r"\b(?:growth rate|rate of (?:growth|change|increase|decrease)|(?:percent(?:age)?|%)\s+(?:change|increase|decrease|growth|decline)|"
    r"(?:year[- ]over[- ]year|yoy|y/y)\s+(?:change|growth|increase|decrease)|by what (?:percent(?:age)?|%)\b[^?]*?\b"
    r"(?:increas|decreas|grow|grew|rise|rose|fall|fell|declin|drop|chang)\w*)",
    re.I,
)
# a question that defines the metric it asks ("DPO is defined as: 365 * ...", "Define working
# capital ratio as ...", "calculated as"): a computed value, never one printed cell
_DEFINES = re.compile(r"\b(?:is|are|be)\s+(?:defined|calculated|computed)\s+as\b|\bdefine\b[^.?]*?\bas\b|\bcalculated? (?:it )?as\b", re.I)
# an average over a run of years: "the FY2015 - FY2017 3 year average", "three year average ...
# from FY2016 to FY2018", "average ... between 2019 and 2021"
_AVERAGE = re.compile(r"\b(?:average|mean)\b", re.I)
_YEAR_RUN = re.compile(
    r"\b(?:fy\s?|fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)\s*(?:-|–|to|through|and)\s*(?:fy\s?|fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)\b", re.I
)
_NUMBER_Q = re.compile(r"\b(?:how many|how much|total|sum|percentage|percent|share|ratio|margin|average|difference|number of)\b", re.I)
# a yes-or-no question ("Does Adobe have an improving operating margin?", "Did net earnings as a
# percent of sales increase?"): the model's to answer, a value found by code is no answer to it
_YES_NO = re.compile(r"^\s*(?:does|do|did|is|are|was|were|has|have|had|can|could|will|would|should)\b", re.I)
_NAME_Q = re.compile(r"^\s*(?:according to [^,]+,\s*)?(?:which|who|whom|whose|name)\b(?!\s+(?:year|month|day|date))", re.I)
# an amount, not a count of things: "how many dollars", "how many hours"
_AMOUNT = re.compile(r"\b(?:dollars?|usd|rupees|rs|euros?|amount|money|cost|price|revenue|percent(?:age)?|ratio|share|hours?|average)\b", re.I)
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
_ITEMS = re.compile(r",\s*(?:and\s+)?|\s+(?:and|&)\s+", re.I)
# one share of what the question lists ("what percentage ... held by A and B"), not shares of each
_ONE_SHARE = re.compile(r"\b(?:what|which) (?:is |was |were )?(?:the )?(?:percentage|percent|share|proportion)\b(?!s)", re.I)
_SHARE = re.compile(r"%|\b(?:percentages?|percent|share|stakes?|proportions?)\b", re.I)
_UNIT = re.compile(r"\b(?:in|usd|\$|us\$)\s*(thousands|millions|billions)\b|\b(thousands|millions|billions) of\b", re.I)

# words of a question that name no row or column ("the total", "according to the report")
_ASIDE = frozenset(["total", "value", "amount", "number", "report", "table", "shown", "show", "given"])

# -- the record -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A numeric condition on rows: "more than 6", "at least 10%"."""

    op: str  # > >= < <=
    bound: float
    percent: bool

    def meets(self, v: object) -> bool:
        if not isinstance(v, float):
            return False
        b = self.bound
        return v > b if self.op == ">" else v >= b if self.op == ">=" else v < b if self.op == "<" else v <= b


@dataclass(frozen=True)
class ItemCount:
    """What a "how many figures / tables / pages" question counts, and where."""

    what: str  # figure, table, chart, page, slide, ...
    adj: str  # bar, line, pie ... ("" for none)
    pages: tuple[int, int] | None  # "on pages a-b"
    section: str  # "in the appendix" ("" for the whole document)
    condition: bool  # the question adds a condition on the items code does not read


@dataclass(frozen=True)
class TableQuestion:
    """A question as the table step reads it (see :func:`read_question`)."""

    text: str
    op: str  # count items | value | sum | difference | change | growth | ratio | defined | rows | "" (none: the model's query)
    answer: str  # number | count | name | yes/no | "" : what kind of value it asks
    words: frozenset[str]  # content words (rows and columns are matched against them)
    years: tuple[str, ...] = ()
    says_total: bool = False  # "total": with no other row named, a table's total row
    noun: frozenset[str] = frozenset()  # "how many X": the column of X
    items: tuple[frozenset[str], ...] = ()  # the rows it lists ("A, B and C")
    condition: Condition | None = None
    share: bool = False  # asks a percentage, share or stake
    unit: str = ""  # thousands | millions | billions asked for ("" for none)
    formula: Formula | None = None
    lines: tuple[str, ...] = ()  # statement lines it names by another name (keys of LINES)
    count: ItemCount | None = None
    average: bool = False  # an average over the run of years ``years`` (each year of it)
    defs: tuple[Definition, ...] = ()  # the metrics it defines itself (op "defined")
    asks: str = ""  # the defined metric it asks
    margin: bool = False  # asks the % margin of the defined metric (its value over revenue)
    rest: str = field(default="", repr=False)  # the wording after a "how many X" (the lookup's own words)

    @property
    def line_words(self) -> frozenset[str]:
        """The words of the statement lines the question names by another name."""
        return frozenset(w for k in self.lines for n in LINES[k].names for w in words(n)) - _ASIDE

    @property
    def line_names(self) -> tuple[frozenset[str], ...]:
        """The words of each name of the statement lines the question names by another name."""
        return tuple(frozenset(words(n)) - _ASIDE for k in self.lines for n in LINES[k].names)

    @property
    def magnitude_words(self) -> frozenset[str]:
        return frozenset(w for k in self.lines if LINES[k].magnitude for n in LINES[k].names for w in words(n))

    def trace(self) -> dict[str, Any]:
        """The record as the trace shows it (only what is set)."""
        out: dict[str, Any] = {"op": self.op or "none", "answer": self.answer or "any"}
        if self.years:
            out["years"] = list(self.years)
        if self.items:
            out["items"] = [sorted(i) for i in self.items]
        if self.condition:
            out["condition"] = f"{self.condition.op} {self.condition.bound:g}{'%' if self.condition.percent else ''}"
        if self.formula:
            out["formula"] = self.formula.describe()
        if self.lines:
            out["lines"] = list(self.lines)
        if self.unit:
            out["unit"] = self.unit
        if self.average:
            out["average over"] = list(self.years)
        if self.defs:
            out["defines"] = [str(d) for d in self.defs]
            out["asks"] = self.asks + (" % margin" if self.margin else "")
        if self.count:
            out["count"] = {"what": self.count.what, "pages": self.count.pages, "section": self.count.section}
        return out


def _count(question: str) -> ItemCount | None:
    m = _COUNT.search(question)
    if not m:
        return None
    raw = m.group("what").lower()
    what = raw[:-1] if raw.endswith("s") else raw
    rest = _DOC_SCOPE.sub("", m.group("rest")).strip(" ,")
    pages = None
    section = ""
    pr = _PAGES.search(rest)
    sec = _IN_SECTION.search(rest) or _SECTION_HAS.search(rest)
    if pr:
        pages = (int(pr.group(1)), int(pr.group(2)))
        rest = rest[: pr.start()] + rest[pr.end() :]
    elif sec and not _DOCUMENT.search(sec.group(1)):
        section = sec.group(1).strip()
        rest = rest[: sec.start()]
    rest = rest.strip(" ,")
    condition = bool(rest) and not _WHOLE.fullmatch(rest) and not _FILLER.fullmatch(rest)
    return ItemCount(what, (m.group("adj") or "").lower(), pages, section, condition)


def _condition(question: str) -> tuple[Condition | None, str]:
    m = _CONDITION.search(question)
    if not m or not _ASKS_ROWS.search(question):
        return None, question
    cond = Condition(_OPS[m.group("op").lower()], float(m.group("num").replace(",", "")), bool(m.group("pct")))
    return cond, question[: m.start()] + " " + question[m.end() :]


def read_question(text: str) -> TableQuestion:
    """The record of ``text`` (see :class:`TableQuestion`): its asking sentence is read
    (:func:`question_sentence`), the unit asked from the whole text."""
    question = question_sentence(text)
    count = _count(question)
    formula = next((f for p, f in FORMULAS if p.search(question)), None)
    lines = tuple(line_keys(question))
    condition, rest = _condition(question)
    # the words of a phrase naming a statement line are the line's ("net" of "net sales" is no
    # word of its own: "Property and equipment, net" is not the line)
    phrased = frozenset(x for p in line_phrases(question) for x in words(p))
    w = frozenset(words(rest)) - _ASIDE - phrased
    years = tuple(sorted(x for x in w if is_year(x) and x.isdigit()))
    run = _YEAR_RUN.search(question)
    average = bool(_AVERAGE.search(question) and run and 0 < int(run.group(2)) - int(run.group(1)) <= 10)
    if average and run:
        years = tuple(str(y) for y in range(int(run.group(1)), int(run.group(2)) + 1))
    how_many = _HOW_MANY.search(question)
    asks_number = bool(_NUMBER_Q.search(question))
    if _YES_NO.search(question):
        answer = "yes/no"
    elif _NAME_Q.search(question):
        answer = "name"
    elif how_many and not _AMOUNT.search(question):
        answer = "count"
    elif asks_number or formula:
        answer = "number"
    else:
        answer = ""
    items: tuple[frozenset[str], ...] = ()
    share = bool(_SHARE.search(question))
    unit_m = _UNIT.search(text)
    unit = (unit_m.group(1) or unit_m.group(2)).lower() if unit_m else ""
    common: dict[str, Any] = {"text": text, "words": w, "years": years, "says_total": bool(_TOTAL_WORD.search(question)),
                              "share": share, "unit": unit, "lines": lines, "answer": answer}  # fmt: skip
    if answer == "yes/no":
        return TableQuestion(op="", **common)
    if count is not None and not count.condition:
        return TableQuestion(op="count items", count=count, **{**common, "answer": "count"})
    if _DEFINES.search(text):
        # the question's own formula (mardoc.tables.formulas), in the years it asks
        defs = read_definitions(text)
        asks, margin = asked_definition(defs, question)
        return TableQuestion(op="defined", average=average, defs=defs, asks=asks, margin=margin, **{**common, "answer": "number"})
    # a count with a condition code does not read ("how many pages for the hatom type"): a
    # table's cell may still hold it (a column of pages), as any "how many X" question
    if formula is not None:
        return TableQuestion(op="ratio", formula=formula, average=average, **common)
    if _GROWTH.search(question):
        return TableQuestion(op="growth", **common)
    if _CHANGE.search(question) and not _RATE.search(question):
        return TableQuestion(op="change", **common)
    if _DIFF.search(question):
        return TableQuestion(op="difference", **common)
    if condition is not None:
        return TableQuestion(op="rows", condition=condition, **common)
    if _TOTAL.search(question) or _ONE_SHARE.search(question):
        items = tuple(frozenset(x) for part in _ITEMS.split(question) if (x := words(part)))
        return TableQuestion(op="sum", items=items if len(items) >= 2 else (), **common)
    noun = frozenset(words(how_many.group("noun"))) if how_many else frozenset()
    rest_after = question[how_many.start("noun") :] if how_many else question
    if (_VALUE_Q.search(question) or how_many) and not _NOT_ONE.search(rest_after):
        return TableQuestion(op="value", noun=noun, rest=rest_after, **common)
    return TableQuestion(op="", **common)


__all__ = ["Condition", "ItemCount", "TableQuestion", "question_sentence", "read_question"]
