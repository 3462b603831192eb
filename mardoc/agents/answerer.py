"""The Answerer: the verified lines, in their pages' order, answered in one short call.

* The question names something the documents never mention: "Not answerable", no call.
* The Refiner verified lines: the answer reads those lines, each with the line before and
  after it (and the header row of a table row), grouped by page, one excerpt a page. A small
  model reads a few relevant lines better than three whole pages.
* Nothing was verified: the best-ranked pages are read whole, exactly as ``rag`` reads them
  (the same call, so the loop never reads worse than one call where it found nothing).
Citations are the verified lines of the cited pages, those that state the short answer first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import emit, turn_nonce
from mardoc.agents.prompting import SHOWN_CHARS
from mardoc.agents.questions import content_words
from mardoc.agents.rag import ExcerptAnswer, answer_from_excerpts
from mardoc.agents.refiner import split_units
from mardoc.agents.reflector import turn_evidence
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.memory import Evidence
from mardoc.render import locate_quote
from mardoc.retrieval import Retriever
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk, Citation

MAX_PAGES = 3  # pages whose lines the answer reads
CONTEXT = 1  # lines shown before and after each verified line (a small model's choice of a run
# of lines often stops one line short of the one that answers)
_COUNT = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b|\bcount\b", re.I)


def focused_excerpts(evidence: list[Evidence], retriever: Retriever,
                     order: list[tuple[str, int]]) -> tuple[list[Chunk], list[tuple[Chunk, str]]]:  # fmt: skip
    """One excerpt per page holding evidence: its verified lines with their neighbours, in
    the page's order, "..." where lines are left out; pages in ``order`` first. Also returns
    every line shown, with its chunk (a neighbour may be the line that states the answer)."""
    by_page: dict[tuple[str, int], list[Evidence]] = {}
    for e in evidence:
        by_page.setdefault((e.source.doc_id, e.source.page), []).append(e)
    rank = {p: i for i, p in enumerate(order)}
    pages = sorted(by_page, key=lambda p: (rank.get(p, len(rank)), p))[:MAX_PAGES]
    out: list[Chunk] = []
    shown: list[tuple[Chunk, str]] = []
    for key in pages:
        items = by_page[key]
        pieces: list[str] = []
        first: Chunk | None = None
        for chunk_id in dict.fromkeys(e.source.chunk_id for e in items):
            c = retriever.get_chunk(chunk_id)
            if c is None:
                continue
            first = first or c
            units = split_units(c.text[:SHOWN_CHARS])  # the lines as the Refiner saw them
            wanted = {e.quote for e in items if e.source.chunk_id == chunk_id}
            keep: set[int] = set()
            for i, u in enumerate(units):
                if u in wanted:
                    keep.update(range(max(0, i - CONTEXT), min(len(units), i + CONTEXT + 1)))
                    if u.startswith("|") and units and units[0].startswith("|"):
                        keep.update({0, 1})  # a table row with its header
            last = -2
            for i in sorted(keep):
                if i != last + 1 and pieces:
                    pieces.append("...")
                pieces.append(units[i])
                shown.append((c, units[i]))
                last = i
            if keep and pieces[-1] != "...":
                pieces.append("...")
        if first is not None and pieces:
            out.append(first.model_copy(update={"text": "\n".join(pieces[:-1] if pieces[-1] == "..." else pieces)}))
    return out, shown


def _closest(evidence: list[Evidence], question: str) -> list[Evidence]:
    """``evidence`` ordered by the words its line shares with the question, most first."""
    words = content_words(question)
    return sorted(evidence, key=lambda e: -len(words & content_words(e.quote)))


def _stating(evidence: list[Evidence], short: str, question: str) -> list[Evidence]:
    """Verified lines that hold every item of the short answer, the closest to the question
    first (two lines may both say "50": the one about the weight answers a weight question)."""
    items = [i.strip(" \"'[]").lower() for i in short.strip("[]").split(",")]
    items = [i for i in items if i]
    if not items:
        return []
    return _closest([e for e in evidence if all(i in e.quote.lower() for i in items)], question)


def _evidence_citation(e: Evidence, deps: AgentDeps) -> Citation:
    s = e.source
    bbox = s.bbox
    path = deps.doc_paths.get(s.doc_id)
    if path and (bbox is None or s.kind == "block"):
        bbox = locate_quote(Path(path), s.page, e.quote) or bbox  # the exact lines quoted
    return Citation(doc_id=s.doc_id, doc_name=s.doc_name, page=s.page, bbox=bbox, quote=e.quote,
                    chunk_id=s.chunk_id, evidence_id=e.id)  # fmt: skip


def _line_citation(c: Chunk, line: str, deps: AgentDeps) -> Citation:
    path = deps.doc_paths.get(c.doc_id)
    bbox = c.bboxes[0] if c.bboxes and c.kind != "page" else None
    if path and (bbox is None or c.kind == "block"):
        bbox = locate_quote(Path(path), c.page, line) or bbox
    return Citation(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, bbox=bbox, quote=line, chunk_id=c.id)


def _citations(got: ExcerptAnswer, evidence: list[Evidence], question: str, deps: AgentDeps,
               shown: list[tuple[Chunk, str]] | None = None) -> list[Citation]:  # fmt: skip
    """The lines shown that state the short answer (verified lines or their neighbours), the
    closest to the question first; then the closest verified line of each cited page."""
    if got.short == NOT_ANSWERABLE:
        return []
    items = [i.strip(" \"'[]").lower() for i in got.short.strip("[]").split(",")]
    items = [i for i in items if i]
    words = content_words(question)
    stating = [(c, line) for c, line in shown or [] if items and all(i in line.lower() for i in items)]
    stating.sort(key=lambda cl: -len(words & content_words(cl[1])))
    if stating:
        first = [_line_citation(c, line, deps) for c, line in stating[:2]]
        rest = _citations(got, evidence, question, deps)
        return list({(c.doc_id, c.page, c.quote): c for c in first + rest}.values())
    cited = _stating(evidence, got.short, question)[:2]
    for c in got.citations:
        cited += _closest([e for e in evidence if (e.source.doc_id, e.source.page) == (c.doc_id, c.page)], question)[:1]
    out = [_evidence_citation(e, deps) for e in dict.fromkeys(cited)]
    if not out:  # fell back to whole pages: the pages the model cited
        out = list(got.citations)
    return list({(c.doc_id, c.page, c.quote): c for c in out}.values())


def answer(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    question = state["question"]
    verdict = state.get("verdict", "")
    event: dict[str, Any] = {"agent": "answerer", "round": state.get("round", 0)}
    evidence = turn_evidence(state)
    ranked = [tuple(p) for p in state.get("pages_ranked") or []]
    read = [tuple(p) for p in state.get("pages_read") or []]
    if verdict == "unanswerable" or not (evidence or read):
        event["note"] = state.get("feedback") if verdict == "unanswerable" else "nothing found to read"
        event.update(short=NOT_ANSWERABLE, citations=0)
        emit(event)
        text = "The documents do not contain the answer" + (f": {state.get('feedback')}." if verdict == "unanswerable" else ".")
        reply = Answer(question=question, text=text, short=NOT_ANSWERABLE, format="None")
        return {"answer": reply, "calls": 0, "tokens": 0, "trace": [event]}
    before = deps.chat.usage.snapshot()
    if evidence:
        excerpts, shown = focused_excerpts(evidence, deps.retriever, ranked + read)  # type: ignore[arg-type]
        count = ("\nTo count, count the matching items in the lines, each once.\n" if _COUNT.search(question) else "")
        got = answer_from_excerpts(question, excerpts, deps.chat, deps.settings, emit, agent="answerer",
                                   nonce=turn_nonce(question), prompt="answer", fields={"count": count})  # fmt: skip
        event["note"] = f"answered from {len(evidence)} verified line(s) on {len(excerpts)} page(s)"
    else:
        shown = []
        # nothing verified: read the best pages whole, the same call as rag's
        first = list(state.get("given_pages") or ranked)[: deps.settings.agents.read_pages]
        got = answer_from_excerpts(question, deps.retriever.read_pages(first), deps.chat, deps.settings, emit)  # type: ignore[arg-type]
        event["note"] = f"no verified lines: read pages {[p for _, p in first]} whole"
    after = deps.chat.usage.snapshot()
    citations = _citations(got, evidence, question, deps, shown)
    cost = {k: int(after[k] - before[k]) for k in ("calls", "prompt_tokens", "completion_tokens")}
    event.update(short=got.short, citations=len(citations), dropped=got.dropped, cost=cost)
    if got.error:
        event["error"] = got.error
    emit(event)
    reply = Answer(question=question, text=got.text, short=got.short, format=got.format,  # type: ignore[arg-type]
                   citations=citations, error=got.error)  # fmt: skip
    spent = {"calls": cost["calls"], "tokens": cost["prompt_tokens"] + cost["completion_tokens"]}
    return {"answer": reply, **spent, "trace": [event]}


__all__ = ["answer", "focused_excerpts"]
