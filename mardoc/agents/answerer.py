"""The Answerer: the pages judged to answer, read whole in one call, as rag reads its pages.

* The Reflector found the question unanswerable (it names something the documents never
  mention, or no page read was judged to answer well enough): "Not answerable", no call.
* Otherwise the answer reads, whole, the pages the Refiner judged to answer (probability at
  least ``agents.found``), most probable first, with the pages of earlier turns' evidence for
  a follow-up; when no page was judged so, the pages judged most probable. At most
  ``agents.read_pages`` pages. The call is rag's own (same prompt, same fence), so where the
  pages are rag's pages in rag's order it is the same call: the loop changes which pages are
  read, not how.
* A small model says "Not answerable" over pages that state the answer (issue 16's oracle
  rows). When it does and a page was judged to answer with probability at least
  ``agents.insist_above``, it is asked once more, told that a reader judged the pages to
  state the answer.
Citations are the lines of the pages shown that state the short answer, the closest to the
question first; else the excerpts the model cited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import emit
from mardoc.agents.prompting import SHOWN_CHARS
from mardoc.agents.questions import content_words
from mardoc.agents.rag import ExcerptAnswer, answer_from_excerpts
from mardoc.agents.refiner import split_units
from mardoc.agents.reflector import turn_evidence
from mardoc.agents.state import AgentDeps, AgentState
from mardoc.render import locate_quote
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk, Citation

Page = tuple[str, int]


def answer_pages(state: AgentState, deps: AgentDeps) -> tuple[list[Page], float]:
    """The pages the answer reads, and the best probability a page answers."""
    a = deps.settings.agents
    best: dict[Page, float] = {}
    for doc_id, page, p in state.get("judged") or []:
        key = (str(doc_id), int(page))
        best[key] = max(best.get(key, 0.0), float(p))
    rank = {tuple(p): i for i, p in enumerate(state.get("pages_ranked") or [])}
    order = sorted(best, key=lambda k: (-best[k], rank.get(k, len(rank))))
    sure = [k for k in order if best[k] >= a.found]
    earlier = [(e.source.doc_id, e.source.page) for e in turn_evidence(state)]
    pages = list(dict.fromkeys(sure + earlier if sure else earlier + order))[: a.read_pages]
    if not pages:  # nothing judged (a spent budget): the best-ranked pages, as rag reads them
        pages = [(str(d), int(p)) for d, p in (state.get("given_pages") or state.get("pages_ranked") or [])][: a.read_pages]
    return pages, max(best.values(), default=0.0)


def _items(short: str) -> list[str]:
    """The items of a short answer ("[a, b]" -> a, b), lower-cased."""
    items = [i.strip(" \"'[]").lower() for i in short.strip("[]").split(",")]
    return [i for i in items if i]


def _line_citation(c: Chunk, line: str, deps: AgentDeps) -> Citation:
    """A citation of one line of a chunk, boxed on the page where it can be found."""
    path = deps.doc_paths.get(c.doc_id)
    bbox = c.bboxes[0] if c.bboxes and c.kind != "page" else None
    if path and (bbox is None or c.kind == "block"):
        bbox = locate_quote(Path(path), c.page, line) or bbox
    return Citation(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, bbox=bbox, quote=line, chunk_id=c.id)


def citations(got: ExcerptAnswer, shown: list[Chunk], question: str, deps: AgentDeps) -> list[Citation]:
    """The lines shown that hold every item of the short answer, the closest to the question
    first (two lines may both say "50": the one about the weight answers a weight question);
    else the excerpts the model cited."""
    if got.short == NOT_ANSWERABLE:
        return []
    items = _items(got.short)
    words = content_words(question)
    lines = [(c, u) for c in shown for u in split_units(c.text[:SHOWN_CHARS])]
    stating = [(c, u) for c, u in lines if items and all(i in u.lower() for i in items)]
    stating.sort(key=lambda cu: -len(words & content_words(cu[1])))
    out = [_line_citation(c, u, deps) for c, u in stating[:2]] or list(got.citations)
    return list({(c.doc_id, c.page, c.quote): c for c in out}.values())


def answer(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    question = state["question"]
    verdict = state.get("verdict", "")
    event: dict[str, Any] = {"agent": "answerer", "round": state.get("round", 0)}
    pages, best = answer_pages(state, deps)
    if verdict == "unanswerable" or not pages:
        event["note"] = state.get("feedback") if verdict == "unanswerable" else "nothing found to read"
        event.update(short=NOT_ANSWERABLE, citations=0)
        emit(event)
        text = "The documents do not contain the answer" + (f": {state.get('feedback')}." if verdict == "unanswerable" else ".")
        reply = Answer(question=question, text=text, short=NOT_ANSWERABLE, format="None")
        return {"answer": reply, "calls": 0, "tokens": 0, "trace": [event]}
    before = deps.chat.usage.snapshot()
    chunks = deps.retriever.read_pages(pages)
    got = answer_from_excerpts(question, chunks, deps.chat, deps.settings, emit, agent="answerer")
    event["note"] = f"read pages {[p for _, p in pages]} whole (best judged {best:.2f})"
    if got.short == NOT_ANSWERABLE and best >= deps.settings.agents.insist_above:
        event["first_short"] = got.short
        got = answer_from_excerpts(question, chunks, deps.chat, deps.settings, emit, agent="answerer",
                                   prompt="answer_insist")  # fmt: skip
        event["note"] += f"; said '{NOT_ANSWERABLE}', asked again (a page judged {best:.2f})"
    after = deps.chat.usage.snapshot()
    cited = citations(got, chunks[: got.shown], question, deps)
    cost = {k: int(after[k] - before[k]) for k in ("calls", "prompt_tokens", "completion_tokens")}
    event.update(short=got.short, citations=len(cited), dropped=got.dropped, cost=cost)
    if got.error:
        event["error"] = got.error
    emit(event)
    reply = Answer(question=question, text=got.text, short=got.short, format=got.format,  # type: ignore[arg-type]
                   citations=cited, error=got.error)  # fmt: skip
    spent = {"calls": cost["calls"], "tokens": cost["prompt_tokens"] + cost["completion_tokens"]}
    return {"answer": reply, **spent, "trace": [event]}


__all__ = ["answer", "answer_pages", "citations"]
