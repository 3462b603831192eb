"""Counts over a document's inventory: the numbers it prints in its captions, else what ingest detected."""

from __future__ import annotations

from mardoc.tables import count_answer, inventory
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
    got = count_answer("How many figures does the paper contain?", inv)
    assert got is not None and got.value == 4 and got.pages == [2, 5, 6]  # the list of figures is not a figure page


def test_the_appendix_of_a_paper_is_what_follows_its_references() -> None:
    inv = inventory(paper(), 6, PAPER_OUTLINE)
    assert inv.section_pages("appendix") == (5, 6)
    got = count_answer("How many figures does the Appendix hold?", inv)
    assert got is not None and got.value == 3 and got.pages == [5, 6]


def test_a_document_printing_no_captions_counts_what_ingest_detected() -> None:
    slides = [chunk("page", p, f"Slide {p} title") for p in (1, 2)] + [chunk("figure", 2, "[figure]", 1)]
    got = count_answer("How many figures does the deck show?", inventory(slides, 2))
    assert got is not None and got.value == 1
    assert inventory(slides, 2).section_pages("appendix") is None  # no references, no appendix


def survey_report() -> list[Chunk]:
    pages = {
        1: "Chart: Views by age\nSource: Yearly totals of the Harbour Survey\n2016-2018.",
        2: "Table 1: Views by region\nSource: Yearly totals of the Harbour Survey 2017.\nChart: trend\nSource: City census 2010",
        3: "Note: Shares may not add up. Source: yearly total of the 2018 harbour survey",
    }
    return [chunk("page", p, t) for p, t in pages.items()]


def test_charts_and_tables_sourced_from_a_named_source_are_counted_by_their_source_lines() -> None:
    inv = inventory(survey_report(), 3)
    got = count_answer("How many charts and tables are sourced from yearly totals of the Harbour Survey?", inv)
    assert got is not None and got.value == 3 and got.pages == [1, 2, 3]
    assert "charts and tables sourced from" in got.what
    got = count_answer("How many charts are sourced from the city census?", inv)
    assert got is not None and got.value == 1 and got.pages == [2]
    # two kinds together with no source named: not a plain count
    assert count_answer("How many tables and charts does the report hold?", inv) is None
