"""The document's inventory as data: its pages, sections, figures and tables, and counts over it.

Built from what ingest already stores (the chunks' kinds, pages and section paths, the
catalogue's outline); no model. :func:`count_answer` answers "how many figures / tables /
charts / pages ... (in section X, on pages a-b)" when a question has that shape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mardoc.tables.question import ItemCount
from mardoc.types import Chunk

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


@dataclass
class Inventory:
    pages: int
    sections: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, first page)
    items: list[Item] = field(default_factory=list)
    captions: list[tuple[str, str, int]] = field(default_factory=list)  # (figure|table, number, page) as printed

    def section_pages(self, name: str) -> tuple[int, int] | None:
        """The page range of the outline section whose title holds ``name``."""
        name = name.lower().strip()
        for i, (level, title, first) in enumerate(self.sections):
            if name and name in title.lower():
                last = next((p - 1 for lv, _, p in self.sections[i + 1 :] if lv <= level), self.pages)
                return first, max(first, last)
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
    sections = [(int(o[0]), str(o[1]), int(o[2])) for o in outline if len(o) >= 3]  # type: ignore[call-overload]
    return Inventory(pages=pages, sections=sections, items=items, captions=captions)


@dataclass(frozen=True)
class Count:
    value: int
    what: str
    scope: str
    pages: list[int]  # the pages the counted items are on


def count_answer(asked: ItemCount, inv: Inventory) -> Count | None:
    """Count what a "how many figures/tables/pages ..." question asks (its record's
    :class:`mardoc.tables.question.ItemCount`) over the inventory; None when it adds a
    condition on the items or names a scope the inventory cannot find."""
    if asked.condition:
        return None  # a condition on the items ("tables sourced from ..."): not a plain count
    what = asked.what
    lo, hi, scope = 1, inv.pages, "the document"
    if asked.pages:
        lo, hi = asked.pages
        scope = f"pages {lo}-{hi}"
    elif asked.section:
        found = inv.section_pages(asked.section)
        if found is None:
            named = asked.section.lower()
            sect = [it for it in inv.items if named in it.section.lower()]
            if not sect:
                return None  # a scope the inventory does not know: not ours to count
            found = (min(it.page for it in sect), max(it.page for it in sect))
        lo, hi = found
        scope = f"section {asked.section!r} (pages {lo}-{hi})"
    if what in ("page", "slide"):
        return Count(hi - lo + 1, what + "s", scope, [])
    kind = _KIND_OF.get(what)
    if kind is None:
        return None
    if what in ("figure", "table") and not asked.adj:
        printed = inv.captioned(kind, lo, hi)  # what the document numbers itself
        if printed is not None:
            return Count(len(printed), what + "s", scope, sorted({p for _, p in printed}))
    chosen = [it for it in inv.items if it.kind == kind and lo <= it.page <= hi]
    if what in ("chart", "graph") or asked.adj:
        chosen = [it for it in chosen if _CHART.search(it.caption)]
    return Count(len(chosen), what + "s", scope, sorted({it.page for it in chosen}))
