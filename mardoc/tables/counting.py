"""The document's inventory as data: its pages, sections, figures and tables, and counts over it.

Built from what ingest already stores (the chunks' kinds, pages and section paths, the
catalogue's outline); no model. :func:`count_answer` answers "how many figures / tables /
charts / pages ... (in section X, on pages a-b)" when a question has that shape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mardoc.types import Chunk

_COUNT = re.compile(
    r"\bhow many (?:(?P<adj>bar|line|pie|flow|data)\s+)?(?P<what>figures?|tables?|charts?|graphs?|images?|pictures?|photos?|photographs?|diagrams?|pages?|slides?)\b"
    r"(?P<rest>[^?]*)",
    re.I,
)
_PAGES = re.compile(r"\bpages?\s+(\d+)\s*(?:-|–|to|and|through)\s*(\d+)", re.I)
_IN_SECTION = re.compile(r"\b(?:in|within|of|under)\s+(?:the\s+)?(?:section|chapter|part)?\s*[\"“']?([^\"”'?,]+?)[\"”']?\s*(?:section|chapter)?\s*$", re.I)
_HAVE = r"(?:have|has|contain|contains|include|includes|hold|holds|show|shows|feature|features)"
# "... does the appendix contain", "... does the paper's appendix show": the part as the subject
_SECTION_HAS = re.compile(
    r"\b(?:does|do)\s+(?:the\s+|this\s+|its\s+)?(?:\w+['’]s\s+)?(?:section|chapter|part)?\s*[\"“']?([^\"”'?,]+?)[\"”']?"
    rf"\s*(?:section|chapter)?\s+{_HAVE}\s*$",
    re.I,
)
# "... does the report have", "... are there in the paper": the whole document, no condition
_WHOLE = re.compile(
    r"\s*(?:(?:does|do|are|is)\s+(?:there\s+)?(?:in\s+)?(?:the|this)\s+(?:whole\s+|entire\s+)?"
    r"(?:document|report|paper|deck|presentation|slides|guide|book|manual|article|brochure|file)\s*(?:have|has|contain|include|hold|show|feature)?"
    r"|(?:are\s+)?(?:there|shown|included|presented)(?:\s+in\s+(?:the|this)\s+\w+)?)\s*$",
    re.I,
)
_DOCUMENT = re.compile(r"\b(?:document|report|paper|deck|presentation|slides|guide|book|manual|article|brochure|file)\b", re.I)
_DOC_SCOPE = re.compile(r"\b(?:in|of|within)\s+(?:the|this)\s+(?:whole\s+|entire\s+)?(?:document|report|paper|deck|presentation|slides|guide|book|manual|article|brochure|file)\b|\bin total\b", re.I)
_FILLER = re.compile(r"(?:(?:are|is|were|there|shown|included|presented|listed|used|given|does|do|have|has|contain|contained|appear|appearing)\s*)+", re.I)
_KIND_OF = {"figure": "figure", "chart": "figure", "graph": "figure", "image": "figure", "picture": "figure",
            "photo": "figure", "photograph": "figure", "diagram": "figure", "table": "table"}  # fmt: skip
_CHART = re.compile(r"\b(chart|graph|plot|bar|pie|histogram|axis)\b", re.I)


@dataclass
class Item:
    kind: str  # figure | table
    page: int
    section: str
    caption: str


# a printed caption at the start of a line: "Figure 3: ...", "Fig. 3.", "Table 2 |"
_CAPTION = re.compile(r"^\s*(?P<kind>figure|fig\.?|table)\s*(?P<n>[A-Z]?\d+(?:\.\d+)?)\s*[:.|]", re.I | re.M)
# the source line a report prints under a chart or table ("Source: Annual survey 2016, ...")
# (also after a note on the same line: "Note: ... Source: ...")
_SOURCE_LINE = re.compile(r"(?:^|\s)(?:data\s+)?sources?\s*:\s*(?P<text>.+)$", re.I)
_SOURCED = re.compile(r"\b(?:are\s+|is\s+)?(?:sourced|taken|drawn|compiled)\s+from\s+(?P<src>[^?]+)$", re.I)
_ALSO = re.compile(r"^\s*(?:and|or|,)\s*(?:the\s+)?(?:figures?|tables?|charts?|graphs?)\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_SMALL = frozenset(["the", "of", "a", "an", "and", "or", "in", "on", "for", "to", "by", "from", "data", "this", "that"])
_REFERENCES = re.compile(r"^\W*(?:\d+\.?\s*)?(?:references|bibliography|works cited)\W*$", re.I)


@dataclass
class Inventory:
    pages: int
    sections: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, first page)
    items: list[Item] = field(default_factory=list)
    captions: list[tuple[str, str, int]] = field(default_factory=list)  # (figure|table, number, page) as printed
    sources: list[tuple[str, int]] = field(default_factory=list)  # (source line, page) as printed under charts and tables

    def section_pages(self, name: str) -> tuple[int, int] | None:
        """The page range of the outline section whose title holds ``name``; an appendix with
        no such title is what follows the references (as in papers)."""
        name = name.lower().strip()
        for i, (level, title, first) in enumerate(self.sections):
            if name and name in title.lower():
                last = next((p - 1 for lv, _, p in self.sections[i + 1 :] if lv <= level), self.pages)
                return first, max(first, last)
        if name in ("appendix", "appendices", "the appendix"):
            refs = [i for i, (_, title, _) in enumerate(self.sections) if _REFERENCES.match(title)]
            if refs and refs[-1] + 1 < len(self.sections):
                return self.sections[refs[-1] + 1][2], self.pages
        return None

    def captioned(self, kind: str, lo: int, hi: int) -> list[tuple[str, int]] | None:
        """The distinct figure or table numbers printed as captions on pages ``lo``-``hi``
        (each on the last page that prints it: a list of figures comes before the figures);
        None when the document prints no such captions at all (slides, brochures: then what
        ingest detected is counted)."""
        mine = [(n, p) for k, n, p in self.captions if k == kind]
        if not mine:
            return None
        last: dict[str, int] = {}
        for n, p in mine:
            last[n.upper()] = max(p, last.get(n.upper(), 0))
        return [(n, p) for n, p in last.items() if lo <= p <= hi]


def inventory(chunks: Sequence[Chunk], pages: int, outline: Sequence[Sequence[object]] = ()) -> Inventory:
    """A document's inventory from its stored chunks (figures, tables, and pages for the
    captions they print) and outline."""
    ordered = sorted(chunks, key=lambda c: (c.page, c.ordinal))
    items = [
        Item(c.kind, c.page, c.section, (c.table.caption if c.table else c.text)[:400])
        for c in ordered
        if c.kind in ("figure", "table")
    ]
    captions = [
        ("table" if m.group("kind").lower() == "table" else "figure", m.group("n"), c.page)
        for c in ordered
        if c.kind == "page"
        for m in _CAPTION.finditer(c.text)
    ]
    sources = []
    for c in ordered:
        if c.kind != "page":
            continue
        lines = c.text.splitlines()
        for i, line in enumerate(lines):
            m = _SOURCE_LINE.search(line)
            if m:  # a source line wraps: the next line continues it unless it starts something else
                more = lines[i + 1].strip() if i + 1 < len(lines) else ""
                sources.append((f"{m.group('text')} {more}".strip() if more and not _SOURCE_LINE.search(more) else m.group("text"), c.page))
    sections = [(int(o[0]), str(o[1]), int(o[2])) for o in outline if len(o) >= 3]  # type: ignore[call-overload]
    return Inventory(pages=pages, sections=sections, items=items, captions=captions, sources=sources)


def _content(text: str) -> set[str]:
    """Content words, a plural as its singular ("totals" is "total")."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.lower()) if w not in _SMALL}


@dataclass(frozen=True)
class Count:
    value: int
    what: str
    scope: str
    pages: list[int]  # the pages the counted items are on


def asks_count(question: str) -> bool:
    """Whether the question has the shape :func:`count_answer` may answer ("how many figures ...")."""
    return _COUNT.search(question) is not None


def count_answer(question: str, inv: Inventory) -> Count | None:
    """Count what a "how many figures/tables/pages ..." question asks, over the inventory, or
    None when the question is not of that shape or names a scope the inventory cannot find."""
    m = _COUNT.search(question)
    if not m:
        return None
    what = m.group("what").lower().rstrip("s") if m.group("what").lower() not in ("photos", "pages") else m.group("what").lower()[:-1]
    rest = _DOC_SCOPE.sub("", m.group("rest")).strip(" ,")
    also = _ALSO.match(rest)  # "charts and tables ...": counted together
    counted = f"{m.group('what')} {also.group(0).strip()}".lower() if also else f"{what}s"
    rest = rest[also.end() :].strip(" ,") if also else rest
    sourced = _SOURCED.search(rest)
    if sourced:
        rest = rest[: sourced.start()]
    lo, hi, scope = 1, inv.pages, "the document"
    pr = _PAGES.search(rest)
    sec = _IN_SECTION.search(rest) or _SECTION_HAS.search(rest)
    if pr:
        lo, hi = int(pr.group(1)), int(pr.group(2))
        scope = f"pages {lo}-{hi}"
        rest = rest[: pr.start()] + rest[pr.end() :]
    elif sec and not _DOCUMENT.search(sec.group(1)):
        found = inv.section_pages(sec.group(1))
        if found is None:
            named = sec.group(1).strip().lower()
            sect = [it for it in inv.items if named and named in it.section.lower()]
            if not sect:
                return None  # a scope the inventory does not know: not ours to count
            found = (min(it.page for it in sect), max(it.page for it in sect))
        lo, hi = found
        scope = f"section {sec.group(1).strip()!r} (pages {lo}-{hi})"
        rest = rest[: sec.start()]
    if sourced:  # "... sourced from X": the source lines printed under charts and tables that name X
        if not inv.sources:
            return None
        named = _content(sourced.group("src"))
        hits = [(line, p) for line, p in inv.sources if lo <= p <= hi and named
                and len(named & _content(line)) >= 0.75 * len(named)]  # fmt: skip
        return Count(len(hits), f"{counted} sourced from {sourced.group('src').strip()!r}", scope, sorted({p for _, p in hits}))
    if also or (rest and not _WHOLE.fullmatch(rest) and not _FILLER.fullmatch(rest)):
        return None  # a condition on the items ("tables sourced from ..."): not a plain count
    if what in ("page", "slide"):
        return Count(hi - lo + 1, what + "s", scope, [])
    kind = _KIND_OF.get(what)
    if kind is None:
        return None
    if what in ("figure", "table") and not m.group("adj"):
        printed = inv.captioned(kind, lo, hi)  # what the document numbers itself
        if printed is not None:
            return Count(len(printed), what + "s", scope, sorted({p for _, p in printed}))
    chosen = [it for it in inv.items if it.kind == kind and lo <= it.page <= hi]
    if what in ("chart", "graph") or m.group("adj"):
        chosen = [it for it in chosen if _CHART.search(it.caption)]
    return Count(len(chosen), what + "s", scope, sorted({it.page for it in chosen}))
