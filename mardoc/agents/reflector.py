"""The Reflector: is the evidence enough? If not, what is missing and where to look.

The verdict is decided by code against the memory (the lines the Refiner kept, and the cells
of a table answer the table step checked) and the Refiner's judgements, so it can be held to
account:
* the question names something the documents never mention -> ``unanswerable``;
* no page read was judged to answer (probability < ``agents.found``) -> ``insufficient``: the
  next-ranked pages; in the last round, ``unanswerable`` when even the best page's probability
  is below ``agents.abstain_below``, else ``exhausted``;
* a page answers but a part of the question has no evidence sharing its own words ->
  ``insufficient``: the next round reads the best pages for that part, and the Refiner judges
  them for that part alone;
* every part has evidence -> ``sufficient``.
A small model's own "sufficient" or "unanswerable" over-abstained and passed wrong counts
(measured on the dev set), so the model is not asked for a verdict at all.

The Reflector also holds the drafted answer to account (:func:`unsupported_items`): a name or
phrase the answer gives must be written in the text the answering call was shown. A small
model asked about something the pages do not hold tends to answer with a plausible name that
is on none of them; such a draft becomes "Not answerable". Numbers are not checked (a count
or a computed value is not written in the text), nor yes/no.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, emit
from mardoc.agents.normalise import answer_items
from mardoc.agents.prompting import shown_text
from mardoc.agents.questions import part_question, uncovered_parts
from mardoc.agents.reading import line_citations
from mardoc.agents.state import AgentDeps, AgentState, judged_rows, turn_evidence
from mardoc.memory import Evidence, EvidenceMemory, Source
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk, Citation
from mardoc.words import squash, stem, tokens

_UNCHECKED = frozenset(["yes", "no", "true", "false", "none"])
SUPPORT_SHARE = 0.75  # of an item's words that must be in the text when the item is not written as is


def _stems(text: str) -> set[str]:
    return {stem(t) for t in tokens(text)}


def unsupported_items(short: str, fmt: str, shown: str) -> list[str]:
    """The items of a short answer with words that the text ``shown`` does not hold.

    An item is supported when it is written in the text (ignoring case, spaces and
    punctuation: PDF text often loses spaces) or when at least ``SUPPORT_SHARE`` of its
    words are (plural "s" ignored). Items without letters (numbers: counts and computed
    values are not written) and yes/no answers are not checked.
    """
    if short == NOT_ANSWERABLE:
        return []
    text = squash(shown)
    words = _stems(shown)
    out = []
    for item in answer_items(short, fmt):
        if not re.search(r"[A-Za-z]", item) or item.strip(" .").lower() in _UNCHECKED:
            continue
        if squash(item) in text:
            continue
        mine = _stems(item)
        if mine and len(mine & words) / len(mine) >= SUPPORT_SHARE:
            continue
        out.append(item)
    return out


def reflect(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    rnd = state.get("round", 1)
    max_rounds = state.get("max_rounds", deps.settings.agents.max_rounds)
    question = state["question"]
    event: dict[str, Any] = {"agent": "reflector", "round": rnd}
    absent = state.get("absent", [])
    evidence = turn_evidence(state)
    a = deps.settings.agents
    best = max((j.p for j in judged_rows(state)), default=0.0)
    queries: list[str] = []
    focus = ""
    last = rnd >= max_rounds or not budget_left(state, deps)
    if absent:
        verdict = "unanswerable"
        feedback = "the documents never mention " + ", ".join(repr(t) for t in absent)
    elif not evidence:  # no page judged to answer (pages that are leave evidence), in this turn or before
        read = [p for _, p in state.get("pages_read", [])]
        verdict = "insufficient" if not last else ("unanswerable" if best < a.abstain_below else "exhausted")
        feedback = f"no page of {read} judged to answer (best {best:.2f})" + (
            "; reading the next-ranked pages" if not last else
            f" < {a.abstain_below:.2f}: not answerable from the documents" if verdict == "unanswerable" else "")  # fmt: skip
    else:
        missing = uncovered_parts(question, _with(state, evidence))
        if missing and not last:
            verdict = "insufficient"
            feedback = "no evidence yet for: " + "; ".join(missing)
            queries = missing[:2]
            # the next pages are read for the missing part, in the words of the whole question
            focus = part_question(missing[0], question)
        else:
            verdict = "sufficient" if not missing else "exhausted"
            feedback = f"{len(evidence)} verified line(s)" + (f"; still missing: {'; '.join(missing)}" if missing else "")
    event.update(verdict=verdict, feedback=feedback, queries=queries)
    emit(event)
    if focus:
        event["focus"] = focus
    return {"verdict": verdict, "feedback": feedback, "queries": queries, "focus": focus,
            "trace": [event]}  # fmt: skip


def _with(state: AgentState, evidence: list[Evidence]) -> Any:
    """A memory holding only ``evidence`` (for the coverage check)."""
    return state["memory"].model_copy(update={"evidence": evidence})


def verify_draft(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    """The Reflector on the draft: a name or phrase written on none of the pages read makes it
    "Not answerable" (``agents.verify_answer``); then the lines that state it are cited."""
    deps = runtime.context
    got = state.get("draft")
    if got is None:  # answered without reading (no pages, unanswerable, the table step)
        return {}
    question = state["question"]
    pages = state.get("draft_pages") or []
    chunks = [*(state.get("table_cells") or []), *deps.retriever.read_pages(pages)]  # as the draft read them
    event: dict[str, Any] = {"agent": "reflector", "step": "draft", "round": state.get("round", 0)}
    if deps.settings.agents.verify_answer and got.short != NOT_ANSWERABLE:
        missing = unsupported_items(got.short, got.format, shown_text(chunks, got.shown))
        if missing:
            event.update(draft=got.short, unsupported=missing)
            event["note"] = f"draft {got.short!r} is on none of the pages read: not answerable"
            pages_read = ", ".join(str(p) for _, p in pages)
            got = replace(got, short=NOT_ANSWERABLE, format="None", citations=[],
                          text=f"The documents read do not state the answer: the draft answer "
                               f"{', '.join(repr(m) for m in missing)} is written on none of the pages read "
                               f"(pages {pages_read}).")  # fmt: skip
    cited = line_citations(got, chunks[: got.shown], question, deps.doc_paths, {e.quote for e in turn_evidence(state)})
    memory, added = cited_evidence(state, got.short, cited, chunks)
    event.update(short=got.short, citations=len(cited), evidence=added)
    emit(event)
    reply = Answer(question=question, text=got.text, short=got.short, format=got.format,  # type: ignore[arg-type]
                   citations=cited, error=got.error)  # fmt: skip
    return {"answer": reply, "memory": memory, "trace": [event]}


def cited_evidence(state: AgentState, short: str, cited: list[Citation], chunks: list[Chunk]) -> tuple[EvidenceMemory, int]:
    """The memory with the answer's cited lines added as evidence (each verified against its
    chunk's text): what a follow-up in the thread reads. Returns the memory and how many items
    it gained."""
    memory = state["memory"].model_copy(deep=True)
    known = len(memory.evidence)
    by_id = {c.id: c for c in chunks}
    for c in cited:
        chunk = by_id.get(c.chunk_id or "")
        if chunk is None or not c.quote:
            continue
        src = Source(doc_id=chunk.doc_id, doc_name=chunk.doc_name, page=chunk.page, chunk_id=chunk.id, kind=chunk.kind, bbox=c.bbox)
        memory.add_evidence(f"{short}: {c.quote}"[:300], c.quote, src, state.get("round", 1), chunk.text)
    return memory, len(memory.evidence) - known
