"""The Refiner: distils the pages read into verified evidence, one narrow call per page.

A page is shown as labelled lines (``[L3]``), each a verbatim unit of the page's text, tables
and figures; the model's only slot is the list of line numbers that state something needed
to answer the question. Code checks each number names a line, and the chosen lines become
evidence, verbatim, with their page and chunk: what the model writes never enters the memory
except as a choice among the page's own lines. A page read but not relevant leaves no trace
but an empty choice in the trace. One focused call per page reads better with a small model
than one wide call over several pages (it answered 2 of 20 answerable held-out questions with
the gold pages in one call), and the calls' outputs are a few tokens each.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, call, emit, turn_nonce
from mardoc.agents.prompting import SHOWN_CHARS, fence, load_prompt
from mardoc.agents.state import AgentDeps, AgentState, PageLines
from mardoc.memory import Source
from mardoc.models import image_part
from mardoc.types import Chunk

log = logging.getLogger(__name__)
MIN_UNIT = 40  # shorter lines are joined to the next one (fewer labels for slide/OCR text)
MAX_UNIT = 260  # longer lines are split into sentences
_SENT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(\[])")


def split_units(text: str) -> list[str]:
    """An observation's lines as the Refiner sees them: short lines joined, long ones split.

    Table rows (markdown ``|`` lines) stay one unit each. Units are contiguous pieces of
    ``text`` (up to whitespace), so any run of them is a verbatim quote of the chunk.
    """
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line) > MAX_UNIT and not line.startswith("|"):
            pieces.extend(p.strip() for p in _SENT.split(line) if p.strip())
        else:
            pieces.append(line)
    units: list[str] = []
    for p in pieces:
        if units and len(units[-1]) < MIN_UNIT and not units[-1].startswith("|") and not p.startswith("|"):
            units[-1] = f"{units[-1]} {p}"
        else:
            units.append(p)
    return units


PAGE_CHARS = 2000  # characters of one page (its text, then tables and figures) a Refiner call reads
MAX_LINES = 8  # lines one page may give as evidence (the slot's bound)


@dataclass
class PageReading:
    """One page as the Refiner shows it: labelled lines, each the verbatim unit of a chunk."""

    doc_id: str
    doc_name: str
    page: int
    lines: list[tuple[Chunk, str]]

    def text(self) -> str:
        return "\n".join(f"[L{i}] {unit}" for i, (_, unit) in enumerate(self.lines, start=1))


def pages_of(chunks: list[Chunk], budget: int = PAGE_CHARS) -> list[PageReading]:
    """The observations grouped by page (in the order read), each cut into labelled lines
    within ``budget`` characters: the page's text first, then its tables and figures."""
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


def _image(reading: PageReading, deps: AgentDeps) -> list[dict[str, Any]]:
    """The rendered page, for a model that reads images."""
    path = deps.doc_paths.get(reading.doc_id)
    if not path or not Path(path).is_file():
        return []
    from mardoc.render import render_highlights

    return [image_part(render_highlights(Path(path), reading.page, [], dpi=80))]


def read_page(reading: PageReading, question: str, deps: AgentDeps, nonce: str) -> tuple[list[int], Any]:
    """The narrow slot: which labelled lines of this page are needed to answer ``question``.

    Returns the valid line numbers (1-based, in page order, at most ``MAX_LINES``) and the
    call's result. Numbers naming no line are dropped: the lines are the evidence, verbatim,
    so nothing the model writes can enter the memory but a choice among the page's lines.
    """
    prompt = load_prompt("refiner").render(
        question=question,
        document=reading.doc_name,
        page=reading.page,
        lines=fence(f"{reading.doc_name} page {reading.page}", reading.text(), nonce),
    )
    images = _image(reading, deps) if deps.chat.supports_images else None
    res = call(deps, prompt, PageLines, nonce, max_tokens=60, images=images, agent="refiner",
               what=f"reading {reading.doc_name} p.{reading.page} ({len(reading.lines)} lines)")  # fmt: skip
    chosen: list[int] = []
    if res.value is not None:
        chosen = sorted({n for n in res.value.lines if 1 <= n <= len(reading.lines)})[:MAX_LINES]
    return chosen, res


def refine(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    """One narrow call per page read: the lines that answer the question become evidence."""
    deps = runtime.context
    memory = state["memory"].model_copy(deep=True)
    chunks = list(state.get("observations", []))
    rnd = state.get("round", 1)
    question = state["question"]
    event: dict[str, Any] = {"agent": "refiner", "round": rnd, "added": 0, "pages": {}}
    if not chunks:
        event["note"] = "nothing to read"
        emit(event)
        return {"memory": memory, "added": 0, "trace": [event]}
    nonce = turn_nonce(question)
    spent = {"calls": 0, "tokens": 0}
    cost = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
    errors: list[str] = []
    for reading in pages_of(chunks):
        so_far = {"calls": state.get("calls", 0) + spent["calls"], "tokens": state.get("tokens", 0) + spent["tokens"]}
        if not budget_left(so_far, deps):  # type: ignore[arg-type]
            event["note"] = "budget exhausted"
            break
        chosen, res = read_page(reading, state.get("focus") or question, deps, nonce)
        spent = {k: spent[k] + v for k, v in res.spent().items()}
        cost = {k: cost[k] + v for k, v in res.cost().items()}
        if res.error:
            errors.append(f"p.{reading.page}: {res.error}")
        for n in chosen:
            c, unit = reading.lines[n - 1]
            src = Source(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, chunk_id=c.id, kind=c.kind,
                         bbox=c.bboxes[0] if c.bboxes and c.kind != "page" else None)  # fmt: skip
            known = len(memory.evidence)
            if memory.add_evidence(unit[:300], unit, src, rnd, c.text) is not None:
                event["added"] += len(memory.evidence) > known
        event["pages"][f"{reading.doc_name} p.{reading.page}"] = chosen
    if errors:
        event["error"] = "; ".join(errors)[:500]
    event["cost"] = cost
    emit(event)
    return {"memory": memory, "added": event["added"], **spent, "trace": [event]}
