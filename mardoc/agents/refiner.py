"""The Refiner: judges each page read, one narrow call per page, and keeps what it found.

Its slot is a yes/no judgement with a confidence (with a model that reads images, beside the
page's picture): does this page state what the question asks
for? The model writes no text at all: code reads the probability of "yes" from the next-token
probabilities (one prompt evaluation, no sampling; :mod:`mardoc.models.judging`). A small
model asked to pick lines picked runs of lines on almost every page, so "nothing found"
meant nothing; a probability can be thresholded, and the thresholds are settings chosen on
the dev set by a stated rule (results/RESULTS.md).

A page judged to answer (probability >= ``agents.found``) leaves evidence in the memory: for
each part of the question, the page's line that shares the most words with that part,
verbatim, with its page and chunk. A page judged not to answer leaves only its judgement.

The judgements are made only where a setting in force decides something by them
(:func:`judgements_decide`: a second round, abstaining, asking again); with the defaults none
does, so the Refiner makes no call and the turn's evidence is the answer's cited lines
(``agents.judge_pages``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, emit, spent_since
from mardoc.agents.prompting import SHOWN_CHARS, fenced_parts, load_prompt, new_nonce
from mardoc.agents.questions import asked_part, content_words, question_parts
from mardoc.agents.reading import PICTURE_SCALES, answer_head, split_units
from mardoc.agents.state import AgentDeps, AgentState, Judged, judged_rows, turn_evidence
from mardoc.errors import CallError
from mardoc.memory import Source
from mardoc.models import RequestRejected, image_part, with_images, yes_probability
from mardoc.render import page_picture
from mardoc.types import Chunk

log = logging.getLogger(__name__)
PAGE_CHARS = 2000  # characters of one page (its text, then tables and figures) a judgement reads


def source_of(c: Chunk, bbox: tuple[float, float, float, float] | None) -> Source:
    """Where a piece of evidence was read: chunk ``c``, at ``bbox`` on its page (None: the page)."""
    return Source(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, chunk_id=c.id, kind=c.kind, bbox=bbox)


@dataclass
class PageReading:
    """One page as the Refiner reads it: its lines, each the verbatim unit of a chunk."""

    doc_id: str
    doc_name: str
    page: int
    lines: list[tuple[Chunk, str]]

    def text(self) -> str:
        return "\n".join(unit for _, unit in self.lines)


def pages_of(chunks: list[Chunk], budget: int = PAGE_CHARS) -> list[PageReading]:
    """The observations grouped by page (in the order read), each cut into lines within
    ``budget`` characters: the page's text first, then its tables and figures."""
    pages: dict[tuple[str, int], PageReading] = {}
    used: dict[tuple[str, int], int] = {}
    for c in chunks:
        key = (c.doc_id, c.page)
        reading = pages.setdefault(key, PageReading(c.doc_id, c.doc_name, c.page, []))
        for unit in split_units(c.text[:SHOWN_CHARS]):  # a chunk cut where rag cuts it
            if used.get(key, 0) + len(unit) > budget and reading.lines:
                break
            used[key] = used.get(key, 0) + len(unit)
            reading.lines.append((c, unit))
    return list(pages.values())


def judgements(chunks: list[Chunk], question: str, deps: AgentDeps, part: str = "",
               before: list[Chunk] | None = None) -> list[tuple[tuple[str, int], list[dict[str, Any]]]]:  # fmt: skip
    """The judgement call of each page read, in order: the answering call's own prompt (rag's
    prompt, rag's fence), cut after that page's excerpts, then the question about that page.

    So the calls over pages 1..k share their prefix with each other and with every answering
    call over the same pages (the draft, each part asked alone): llama.cpp evaluates a page
    once for all of them, and a judgement costs its question's few tokens. Each page is judged
    having read the pages before it, as the answer will read them. ``before``: pages an
    earlier round read, shown first (the pages the answer reads, so a later round leaves their
    prefix evaluated). ``part``: the part of ``question`` a later round reads for, named in
    the judgement's last lines.
    """
    nonce = new_nonce("rag", question)
    budget = deps.settings.agents.observation_chars
    prior = fenced_parts(before or [], nonce, budget)
    shown = {(c.doc_id, c.page) for c in (before or [])[: len(prior)]}
    again = list(dict.fromkeys((c.doc_id, c.page, c.doc_name) for c in chunks if (c.doc_id, c.page) in shown))
    new = [c for c in chunks if (c.doc_id, c.page) not in shown]
    parts = fenced_parts(new, nonce, budget, start=len(prior) + 1)
    head = answer_head(question, nonce)
    last: dict[tuple[str, int, str], int] = {key: 0 for key in again}  # a page shown before: judged after it
    for i, c in enumerate(new[: len(parts)]):
        last[(c.doc_id, c.page, c.doc_name)] = i + 1
    focus = f"Only this part of the question matters here: {part}?\n" if part else ""
    out = []
    for (doc_id, page, doc_name), n in sorted(last.items(), key=lambda kv: kv[1]):
        ask = load_prompt("page_judge").render(focus=focus, page=page, document=doc_name)
        content = head[1]["content"] + "\n\n".join(prior + parts[:n]) + "\n\n" + ask
        out.append(((doc_id, page), [head[0], {"role": "user", "content": content}]))
    return out


def with_picture(messages: list[dict[str, Any]], key: tuple[str, int], deps: AgentDeps,
                 scale: float = 1.0) -> list[dict[str, Any]]:  # fmt: skip
    """The judgement's messages with the judged page's picture (``models.vision_page_pixels``
    times ``scale``) beside its text, for a chat model that reads images; else unchanged."""
    path = deps.doc_paths.get(key[0])
    if not (deps.chat.supports_images and scale and path and Path(path).is_file()):
        return messages
    png = page_picture(Path(path), key[1], int(deps.settings.models.vision_page_pixels * scale))
    return with_images(messages, [image_part(png)])


def judge_page(messages: list[dict[str, Any]], deps: AgentDeps, key: tuple[str, int]) -> tuple[float, str]:
    """The narrow slot: how sure the model is that the page states what the question asks.

    With a chat model that reads images, the page ``key`` goes as a picture too; a server that
    refuses it gets it smaller, then the text alone. Returns the probability and an error (""
    when none); a reply that cannot be read counts as a "no" (0.0) with its error, for the
    trace. A dead backend raises.
    """
    for scale in PICTURE_SCALES if deps.chat.supports_images else (0.0,):
        try:
            return yes_probability(deps.chat, with_picture(messages, key, deps, scale)), ""
        except RequestRejected as exc:
            if not scale:
                raise
            log.warning("page judgement: the model refused the picture (%s)", str(exc)[:120])
        except CallError as exc:
            log.warning("page judgement failed: %s", exc)
            return 0.0, str(exc)
    return 0.0, "no judgement"


def best_lines(reading: PageReading, question: str) -> list[tuple[Chunk, str]]:
    """For each part of ``question``, the page's line sharing the most of that part's words
    (none for a part no line shares a word with): the evidence a relevant page leaves."""
    out: list[tuple[Chunk, str]] = []
    for part in question_parts(question) or [question]:
        words = content_words(part)
        scored = [(len(words & content_words(unit)), i) for i, (_, unit) in enumerate(reading.lines)]
        score, i = max(scored, default=(0, -1))
        if score > 0 and reading.lines[i] not in out:
            out.append(reading.lines[i])
    return out


Page = tuple[str, int]


def answer_pages(state: AgentState, deps: AgentDeps) -> tuple[list[Page], float]:
    """The pages the answer reads, and the best probability a page answers.

    Round 1's pages in their ranking order (rag's pages: the answering call is rag's call,
    and its prompt prefix is what the judgements left evaluated); before them, the page not
    read in round 1 that a later round judged most probable to answer, when it is judged to
    answer better than any of round 1's: read in addition, never instead of a round-1 page
    (with the bundled model the judgement orders pages worse than the ranking does); and, when
    nothing this turn was judged to answer, the pages of earlier turns' evidence (a follow-up),
    which take round 1's places. At most ``read_pages``, plus the later page.
    """
    a = deps.settings.agents
    judged = judged_rows(state)
    first = [(j.doc_id, j.page) for j in judged if j.round == 1]
    ranked = [(str(d), int(p)) for d, p in (state.get("given_pages") or state.get("pages_ranked") or [])][: a.read_pages]
    if not first and state.get("pages_read"):  # read but not judged: the ranking's pages, as rag reads them
        first = [p for p in ranked if p in {(str(d), int(q)) for d, q in state.get("pages_read") or []}] or ranked
    best_first = max((j.p for j in judged if j.round == 1), default=0.0)
    later = [(j.doc_id, j.page) for j in sorted(judged, key=lambda j: -j.p)
             if j.round > 1 and j.p >= a.found and j.p > best_first and (j.doc_id, j.page) not in first]  # fmt: skip
    prior = state["memory"].evidence[: state.get("evidence_from", 0)]  # earlier turns' evidence
    earlier = [(e.source.doc_id, e.source.page) for e in turn_evidence(state) if e in prior] if best_first < a.found else []
    if not judged:  # nothing judged: earlier turns' evidence is read after this turn's pages, not instead
        pages = list(dict.fromkeys(first + earlier))[: a.read_pages + (1 if earlier else 0)]
    else:
        pages = list(dict.fromkeys(later[:1] + earlier + first))[: a.read_pages + (1 if later else 0)]
    if not pages:  # nothing judged (a spent budget): the best-ranked pages, as rag reads them
        pages = ranked
    return pages, max((j.p for j in judged), default=0.0)


def judgements_decide(deps: AgentDeps) -> bool:
    """Whether the page judgements can change a route under the settings in force: a second
    round (the Reflector sends the Explorer back for a part without evidence), abstaining below
    a probability, or asking again above one; or they are asked for always."""
    a = deps.settings.agents
    return a.judge_pages == "always" or a.max_rounds > 1 or a.abstain_below > 0 or a.insist_above < 1


def refine(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    """One judgement per page read; pages judged to answer leave their best lines as evidence."""
    deps = runtime.context
    memory = state["memory"].model_copy(deep=True)
    chunks = list(state.get("observations", []))
    rnd = state.get("round", 1)
    question = state["question"]
    asked = state.get("focus") or question
    judged = judged_rows(state)
    event: dict[str, Any] = {"agent": "refiner", "round": rnd, "added": 0, "pages": {}}
    if chunks and not judgements_decide(deps):
        chunks = []
        event["note"] = ("no judgements: under these settings they decide nothing (max_rounds 1, abstain_below 0, "
                         "insist_above 1); the answer's cited lines are the evidence")  # fmt: skip
    elif not chunks:
        event["note"] = "nothing to read"
    if not chunks:
        emit(event)
        return {"memory": memory, "judged": judged, **_reads({**state, "memory": memory, "judged": judged}, deps), "trace": [event]}
    before = deps.chat.usage.snapshot()
    errors: list[str] = []
    lines = {(r.doc_id, r.page): r for r in pages_of(chunks)}
    first = [(j.doc_id, j.page) for j in judged if j.round == 1][: deps.settings.agents.read_pages]
    shown_first = deps.retriever.read_pages(first) if rnd > 1 and first else []
    for key, messages in judgements(chunks, question, deps, asked_part(state.get("focus") or ""), shown_first):
        used = spent_since(deps.chat, before)
        so_far = {"calls": state.get("calls", 0) + used["calls"], "tokens": state.get("tokens", 0) + used["tokens"]}
        if not budget_left(so_far, deps):  # type: ignore[arg-type]
            event["note"] = "budget exhausted"
            break
        reading = lines[key]
        emit({"agent": "refiner", "phase": "call", "what": f"judging {reading.doc_name} p.{reading.page}"})
        p, error = judge_page(messages, deps, key)
        if error:
            errors.append(f"p.{reading.page}: {error}")
        judged.append(Judged(reading.doc_id, reading.page, round(p, 4), rnd))
        kept: list[str] = []
        if p >= deps.settings.agents.found:
            for c, unit in best_lines(reading, asked):
                src = source_of(c, c.bboxes[0] if c.bboxes and c.kind != "page" else None)
                known = len(memory.evidence)
                if memory.add_evidence(unit[:300], unit, src, rnd, c.text) is not None:
                    event["added"] += len(memory.evidence) > known
                    kept.append(unit[:80])
        event["pages"][f"{reading.doc_name} p.{reading.page}"] = {"p": round(p, 3), "kept": kept}
    spent = spent_since(deps.chat, before)
    if errors:
        event["error"] = "; ".join(errors)[:500]
    event["cost"] = spent.pop("cost")
    emit(event)
    return {"memory": memory, "judged": judged, **_reads({**state, "memory": memory, "judged": judged}, deps), **spent,
            "trace": [event]}  # fmt: skip


def _reads(state: AgentState, deps: AgentDeps) -> dict[str, Any]:
    """The state keys saying what the answer reads, from this round's judgements: computed once
    here, read by the table step and the Answerer."""
    pages, best = answer_pages(state, deps)
    return {"answer_pages": pages, "best_judged": best}
