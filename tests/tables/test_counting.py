"""Counts over a document's inventory: the numbers it prints in its captions, else what ingest detected."""

from __future__ import annotations

from mardoc.tables import count_answer, inventory, read_question
from mardoc.tables.question import ItemCount
from mardoc.types import Chunk


def chunk(kind: str, page: int, text: str, ordinal: int = 0) -> Chunk:
    return Chunk(id=f"{kind}{page}{ordinal}", doc_id="d", doc_name="p.pdf", kind=kind, page=page, pages=(page,),
                 bboxes=(), text=text, ordinal=ordinal)  # fmt: skip


PAPER_OUTLINE = [[1, "1 Introduction", 1], [1, "2 Method", 2], [1, "References", 4],
                 [1, "A Annotation Guide", 5], [1, "B Prompts", 6]]  # fmt: skip


def paper() -> list[Chunk]:
    pages = {
        1: "List of Figures\nFigure 1: Overview ..... 2\nFigure 2: Interface ..... 5",
        2: "The method.\nFigure 1: Overview of the pipeline.",
        5: "Figure 2: The annotation interface.\nFigure 3. A second screen.",
        6: "Prompts used.\nFigure 4: The few-shot prompt.\nAs Figure 4: shows nothing new",
    }
    out = [chunk("page", p, t) for p, t in pages.items()]
    # ingest detected five pictures: a figure cut in two tiles on page 5, one more on page 6
    out += [chunk("figure", 2, "[figure]", 1), chunk("figure", 5, "[figure]", 1), chunk("figure", 5, "[figure]", 2),
            chunk("figure", 5, "[figure]", 3), chunk("figure", 6, "[figure]", 1)]  # fmt: skip
    return out


def test_figures_are_counted_by_their_printed_numbers() -> None:
    inv = inventory(paper(), 6, PAPER_OUTLINE)
    got = count(read_question("How many figures does the paper contain?"), inv)
    assert got is not None and got.value == 4 and got.pages == [2, 5, 6]  # the list of figures is not a figure page


def test_a_section_is_counted_by_the_outline_and_an_unnamed_one_is_not_guessed() -> None:
    inv = inventory(paper(), 6, PAPER_OUTLINE)
    got = count(read_question("How many figures are in the B Prompts section?"), inv)
    assert got is not None and got.value == 1 and got.pages == [6]
    # the outline names no appendix: no count (the pages are read), whatever follows the references
    assert inv.section_pages("appendix") is None
    assert count(read_question("How many figures does the Appendix hold?"), inv) is None


def test_a_document_printing_no_captions_counts_what_ingest_detected() -> None:
    slides = [chunk("page", p, f"Slide {p} title") for p in (1, 2)] + [chunk("figure", 2, "[figure]", 1)]
    got = count(read_question("How many figures does the deck show?"), inventory(slides, 2))
    assert got is not None and got.value == 1


def test_a_condition_on_the_items_is_no_plain_count() -> None:
    inv = inventory(paper(), 6, PAPER_OUTLINE)
    for q in ("How many charts and tables are sourced from the Harbour Survey?",
              "How many figures show a bar chart with more than three bars?",
              "How many tables and charts does the report hold?"):  # fmt: skip
        asked = read_question(q)
        assert asked.op != "count items" and asked.count is None, q  # a table's cell may hold it; no inventory count
    assert count_answer(ItemCount("figure", "", None, "", condition=True), inv) is None


def count(q, inv):  # noqa: ANN001, ANN201
    assert q.count is not None, q.text
    return count_answer(q.count, inv)
