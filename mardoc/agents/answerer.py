"""The Answerer: the pages judged to answer, read whole in one call, as rag reads its pages.

* The Reflector found the question unanswerable (it names something the documents never
  mention, or no page read was judged to answer well enough): "Not answerable", no call.
* Otherwise the answer reads round 1's pages whole, in their ranking order, with rag's own
  prompt and fence: it is rag's call, and its prompt prefix is the one the Refiner's
  judgements already evaluated (llama.cpp reuses it). Pages of a later round judged to answer
  better than round 1's come first; for a follow-up with nothing found, the pages of earlier
  turns' evidence. At most ``agents.read_pages`` pages (the ranking puts a page stating the
  answer first more often than the judgement does, results/RESULTS.md).
* The table step answered (a lookup, a count, a query's result): that is the answer.
* A small model says "Not answerable" over pages that state the answer. When it does and a page was judged to answer with probability at least
  ``agents.insist_above``, it is asked once more, told that a reader judged the pages to
  state the answer. With ``agents.narrow_ask``, a "Not answerable" over several pages is asked
  once more over the one page read that holds most of the question's words, when that page
  holds at least ``agents.narrow_cover`` of them, shown as the runs of its lines that hold them
  (:func:`narrow_page`): a reader is shown the first 1,500 characters of a page, and the answer is
  often one line lower down a long page (a statement, a results table), or lost among three.
Three nodes of the graph: :func:`answer` drafts, :func:`complete_parts` asks each part of a
multi-part question alone when the draft answers fewer parts, and :func:`verify_draft` (the
Reflector on the draft) turns a name or phrase written on none of the pages shown
(:func:`mardoc.agents.reflector.unsupported_items`) into "Not answerable", naming the draft
(``agents.verify_answer``), and cites. Citations are the lines of the pages shown that state the short answer, the closest to the
question first; else the excerpts the model cited.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import emit, spent_since
from mardoc.agents.normalise import answer_items, normalise_short
from mardoc.agents.prompting import SHOWN_CHARS
from mardoc.agents.questions import question_parts
from mardoc.agents.reading import answer_from_excerpts
from mardoc.agents.state import AgentDeps, AgentState, ExcerptAnswer
from mardoc.tables import question_sentence
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk
from mardoc.words import words

# words that name where to look, not what is asked: a page need not print them
_PERIOD = re.compile(r"(?:fy|cy)\d{2,4}|[1-4]?q[1-4]?|h[12]|[12]h")
_WHERE = frozenset(["page", "document", "report", "slide", "figure", "table", "chart", "section", "chapter", "paper", "image", "picture"])


def question_cover(question: str, text: str) -> tuple[float, list[str]]:
    """The share of the content words (stemmed, :func:`mardoc.words.words`) of the question's
    asking sentence (not its preface or instructions: :func:`mardoc.tables.question_sentence`)
    that ``text`` holds, and the words it lacks; words naming where to look, and a period's
    written form ("FY2022", "Q2": its year counts), do not count."""
    asked = {w for w in words(question_sentence(question)) - _WHERE if not _PERIOD.fullmatch(w)}
    if not asked:
        return 0.0, []
    held = words(text)
    lacks = sorted(asked - held)
    return 1 - len(lacks) / len(asked), lacks


def question_window(question: str, text: str, chars: int = SHOWN_CHARS, skip: tuple[int, int] = (0, 0)) -> tuple[str, tuple[int, int]]:
    """The run of whole lines of ``text``, at most ``chars`` long, that holds most of the
    question's words (the earliest on a tie), and its line span; lines in ``skip`` not reused.
    A reader shown the first ``chars`` of a long page (a statement, a results table) misses a line
    lower down; this is the part of the page the question is about."""
    lines = text.splitlines()
    asked = words(question) - _WHERE
    held = [words(line) & asked for line in lines]
    best: tuple[int, int, int] = (-1, 0, 0)
    for i in range(len(lines)):
        if skip[0] <= i < skip[1]:
            continue
        got: set[str] = set()
        size, j = 0, i
        while j < len(lines) and not (skip[0] <= j < skip[1]) and size + len(lines[j]) + 1 <= chars:
            got |= held[j]
            size += len(lines[j]) + 1
            j += 1
        if j > i and len(got) > best[0]:
            best = (len(got), i, j)
    got_any, i, j = best
    if got_any < 0:  # no line short enough: the text's head
        return text[:chars], (0, 0)
    return "\n".join(lines[i:j]), (i, j)


def narrow_page(question: str, chunks: list[Chunk], cover: float) -> tuple[list[Chunk], float, list[str]] | None:
    """The one page read (its page chunk with its figures and tables) that holds most of the
    question's words, if it holds at least ``cover`` of them (the earlier page on a tie), as
    excerpts cut around the question's words (:func:`question_window`: the two best runs of a
    long page's text, the best of a long table's). None when that asks what was asked: one page
    read, and no chunk of it longer than a reader is shown."""
    pages: dict[tuple[str, int], list[Chunk]] = {}
    for c in chunks:
        if c.kind in ("page", "figure", "table"):
            pages.setdefault((c.doc_id, c.page), []).append(c)
    # the file name counts: a filing need not print its company's name on every page
    scored = [(question_cover(question, " ".join([cs[0].doc_name.replace("_", " "), *(c.text for c in cs)])), cs)
              for cs in pages.values()]  # fmt: skip
    if not scored:
        return None
    (share, lacks), best = max(scored, key=lambda s: s[0][0])  # max keeps the first of equals
    if share < cover or (len(pages) == 1 and all(len(c.text) <= SHOWN_CHARS for c in best)):
        return None
    out: list[Chunk] = []
    for c in best:
        if len(c.text) <= SHOWN_CHARS:
            out.append(c)
            continue
        first, span = question_window(question, c.text)
        out.append(c.model_copy(update={"text": first}))
        if c.kind == "page" and len(c.text) > 2 * SHOWN_CHARS:
            second, _ = question_window(question, c.text, skip=span)
            if second.strip():
                out.append(c.model_copy(update={"text": second}))
    return out, share, lacks


def _complete_parts(question: str, got: ExcerptAnswer, chunks: list[Chunk], deps: AgentDeps,
                    event: dict[str, Any]) -> ExcerptAnswer:  # fmt: skip
    """A multi-part question whose draft gives fewer items than it has parts (a small model
    answers the first part and stops) is asked again part by part over the same pages; the
    answer lists each part's answer and names the parts the pages do not answer."""
    parts = question_parts(question)
    drafted = len(answer_items(got.short, got.format))
    if len(parts) < 2 or got.short == NOT_ANSWERABLE or drafted >= len(parts):
        return got
    # each part's call is the draft's up to its last lines (llama.cpp reuses the evaluated pages)
    alone = [answer_from_excerpts(question, chunks, deps.chat, deps.settings, emit, agent="answerer",
                                  doc_paths=deps.doc_paths, part=part) for part in parts]  # fmt: skip
    found = [a.short for a in alone if a.short != NOT_ANSWERABLE]
    event["parts"] = {part: a.short for part, a in zip(parts, alone, strict=True)}
    if len(found) <= drafted:  # asked alone, no more than the draft
        unanswered = [part for part, a in zip(parts, alone, strict=True) if a.short == NOT_ANSWERABLE]
        return replace(got, text=f"{got.text} Not stated on the pages read: {'; '.join(unanswered)}.") if unanswered else got
    short, fmt = normalise_short(json.dumps(found, ensure_ascii=False), "List", question)
    text = "; ".join(f"{part}: {a.short if a.short != NOT_ANSWERABLE else 'not stated on the pages read'}"
                     for part, a in zip(parts, alone, strict=True))  # fmt: skip
    event["note"] += f"; the draft {got.short!r} answered fewer parts than asked: each part asked alone"
    cited = [c for a in alone for c in a.citations]
    return replace(got, short=short, format=fmt, text=text, citations=cited or got.citations,
                   shown=max(a.shown for a in alone), error=got.error or next((a.error for a in alone if a.error), ""))  # fmt: skip


def answer(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    """The draft: "Not answerable" without a call, the table step's answer, or the reading
    call over the answer's pages (asked once more where a page was judged to answer)."""
    deps = runtime.context
    question = state["question"]
    verdict = state.get("verdict", "")
    event: dict[str, Any] = {"agent": "answerer", "round": state.get("round", 0)}
    pages = [(str(d), int(p)) for d, p in state.get("answer_pages") or []]  # the Refiner's choice
    best = state.get("best_judged", 0.0)
    if verdict == "unanswerable" or not pages:
        event["note"] = state.get("feedback") if verdict == "unanswerable" else "nothing found to read"
        event.update(short=NOT_ANSWERABLE, citations=0)
        emit(event)
        text = "The documents do not contain the answer" + (f": {state.get('feedback')}." if verdict == "unanswerable" else ".")
        reply = Answer(question=question, text=text, short=NOT_ANSWERABLE, format="None")
        return {"answer": reply, "draft": None, "calls": 0, "tokens": 0, "trace": [event]}
    table = state.get("table_draft")
    if table is not None:  # answered from the tables or the inventory, checked by code
        event.update(short=table.short, citations=len(table.citations), note="the table step's answer")
        emit(event)
        return {"answer": table, "draft": None, "trace": [event]}
    before = deps.chat.usage.snapshot()
    chunks = [*(state.get("table_cells") or []), *deps.retriever.read_pages(pages)]  # candidate cells first
    got = answer_from_excerpts(question, chunks, deps.chat, deps.settings, emit, agent="answerer",
                               doc_paths=deps.doc_paths)  # fmt: skip
    event["note"] = f"read pages {[p for _, p in pages]} whole (best judged {best:.2f})"
    if state.get("table_cells"):
        op = (state.get("table_question") or {}).get("op", "")
        event["note"] += f"; first the table cells that fit the question as well as one another (a {op} question)"
    if got.short == NOT_ANSWERABLE and best >= deps.settings.agents.insist_above:
        event["first_short"] = got.short
        got = answer_from_excerpts(question, chunks, deps.chat, deps.settings, emit, agent="answerer",
                                   prompt="answer_insist", doc_paths=deps.doc_paths)  # fmt: skip
        event["note"] += f"; said '{NOT_ANSWERABLE}', asked again (a page judged {best:.2f})"
    elif got.short == NOT_ANSWERABLE and deps.settings.agents.narrow_ask and not got.error:
        narrow = narrow_page(question, deps.retriever.read_pages(pages), deps.settings.agents.narrow_cover)
        if narrow is not None:
            one, share, lacks = narrow
            event["first_short"] = got.short
            got = answer_from_excerpts(question, one, deps.chat, deps.settings, emit, agent="answerer",
                                       doc_paths=deps.doc_paths)  # fmt: skip
            pages = [(one[0].doc_id, one[0].page)]
            event["narrowed"] = {"page": one[0].page, "cover": round(share, 2), "lacks": lacks}
            event["note"] += (f"; said '{NOT_ANSWERABLE}', asked again over page {one[0].page} alone, cut around "
                              f"the question's words (it holds {share:.0%} of them)")  # fmt: skip
    spent = spent_since(deps.chat, before)
    event.update(short=got.short, dropped=got.dropped, cost=spent.pop("cost"))
    if got.pictures or got.picture_note:
        event.update(pictures=got.pictures, picture_note=got.picture_note)
    if got.error:
        event["error"] = got.error
    emit(event)
    return {"draft": got, "draft_pages": pages, **spent, "trace": [event]}


def complete_parts(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    """A multi-part question whose draft answers fewer parts than asked: each part asked alone."""
    deps = runtime.context
    got = state.get("draft")
    if got is None:
        return {}
    before = deps.chat.usage.snapshot()
    event: dict[str, Any] = {"agent": "answerer", "step": "parts", "round": state.get("round", 0), "note": ""}
    chunks = [*(state.get("table_cells") or []), *deps.retriever.read_pages(state.get("draft_pages") or [])]
    done = _complete_parts(state["question"], got, chunks, deps, event)
    if done is got:
        return {}
    spent = spent_since(deps.chat, before)
    event.update(short=done.short, cost=spent.pop("cost"), note=event["note"].lstrip("; "))
    emit(event)
    return {"draft": done, **spent, "trace": [event]}


__all__ = ["answer", "complete_parts", "narrow_page", "question_cover", "question_window"]
