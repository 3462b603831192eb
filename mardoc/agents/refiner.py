"""The Refiner: distils this round's observations into evidence and reasoning memory.

Observations are shown line by line with labels (``O2.3`` = observation 2, line 3), and a
fact cites the label(s) of the lines that state it. The quote stored with the evidence is
those lines, copied from the chunk, so a small model never has to re-type a quote (it did
so badly enough that most true facts were rejected). Hallucination is still kept out: the
cited lines must exist, and every number in the fact's statement must appear in them (or
in the question); otherwise the fact moves to the one shown line that holds all its numbers
and shares its words (``_relocate``), or is rejected.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, call, emit, memory_text, turn_nonce
from mardoc.agents.prompting import SHOWN_CHARS, fence, load_prompt
from mardoc.agents.state import AgentDeps, AgentState, Fact, RefinerOutput
from mardoc.memory import Source, quote_found
from mardoc.models import image_part
from mardoc.types import Chunk

log = logging.getLogger(__name__)
MAX_IMAGES = 4
MIN_UNIT = 40  # shorter lines are joined to the next one (fewer labels for slide/OCR text)
MAX_UNIT = 260  # longer lines are split into sentences
MAX_SPAN = 5  # a cited range longer than this keeps only its first line
_SENT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(\[])")
_LABEL = re.compile(r"O?\s*(\d+)\s*(?:[.:]\s*(\d+))?(?:\s*(?:-|–|to)\s*(?:O?\s*\d+\s*[.:]\s*)?(\d+))?", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


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


@dataclass
class Observation:
    chunk: Chunk
    units: list[str]


def observations_text(chunks: list[Chunk], nonce: str) -> tuple[str, list[Observation]]:
    """Fenced, line-labelled observations and what each label points to."""
    blocks, obs = [], []
    for i, c in enumerate(chunks, start=1):
        units = split_units(c.text[:SHOWN_CHARS])
        obs.append(Observation(c, units))
        body = "\n".join(f"[O{i}.{j}] {u}" for j, u in enumerate(units, start=1))
        blocks.append(fence(f"O{i}: {c.doc_name} page {c.page} ({c.kind})", body, nonce))
    return "\n\n".join(blocks), obs


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def resolve_fact(fact: Fact, obs: list[Observation], question: str) -> tuple[int, str] | str:
    """``(observation index, verbatim quote)`` for a fact, or the reason it is rejected."""
    m = _LABEL.search(fact.source or "")
    named = int(m.group(1)) - 1 if m else -1
    if not 0 <= named < len(obs):
        named = -1
    quote = ""
    idx = named
    if named >= 0 and m and m.group(2):
        units = obs[named].units
        first = int(m.group(2)) - 1
        last = int(m.group(3)) - 1 if m.group(3) else first
        if 0 <= first < len(units):
            last = min(max(first, last), len(units) - 1)
            if last - first >= MAX_SPAN:
                last = first
            quote = " ".join(units[first : last + 1])
    if not quote and fact.quote.strip():
        # No usable line label: fall back to a verbatim quote, wherever it really is.
        found = _locate(named, fact.quote, [o.chunk for o in obs])
        if found is not None:
            idx, quote = found, fact.quote.strip()
    needed = _numbers(fact.statement) - _numbers(question)
    if quote and needed <= _numbers(quote):
        return idx, quote
    # Small models often state a fact right but cite the wrong line: the line of the shown
    # text that holds every number of the statement, and shares most words with it, is
    # where the fact was read. Without numbers to anchor it, nothing is relocated.
    moved = _relocate(fact.statement, needed, obs, prefer=named)
    if moved is not None:
        return moved
    if not quote:
        return f"no such line {fact.source!r}" if not fact.quote else f"quote not found: {fact.quote[:60]!r}"
    return f"numbers {sorted(needed - _numbers(quote))} not in the cited line {fact.source!r}"


def _relocate(
    statement: str, needed: set[str], obs: list[Observation], prefer: int
) -> tuple[int, str] | None:
    if not needed:
        return None
    words = {w for w in re.findall(r"[a-z]{4,}", statement.lower())}
    best: tuple[int, int, int, str] | None = None  # (overlap, preferred, -observation, line)
    for i, o in enumerate(obs):
        for unit in o.units:
            if not needed <= _numbers(unit):
                continue
            overlap = len(words & set(re.findall(r"[a-z]{4,}", unit.lower())))
            key = (overlap, int(i == prefer), -i, unit)
            if best is None or key[:3] > best[:3]:
                best = key
    if best is None or (best[0] == 0 and words):
        return None
    return -best[2], best[3]


def _images(chunks: list[Chunk], deps: AgentDeps) -> list[dict[str, Any]]:
    """Rendered crops (figures, tables) and pages for a vision-language model."""
    parts: list[dict[str, Any]] = []
    for c in chunks:
        if len(parts) >= MAX_IMAGES:
            break
        if c.image_path and Path(c.image_path).is_file():
            parts.append(image_part(Path(c.image_path)))
        elif c.kind == "page" and c.doc_id in deps.doc_paths and Path(deps.doc_paths[c.doc_id]).is_file():
            from mardoc.render import render_highlights

            parts.append(image_part(render_highlights(Path(deps.doc_paths[c.doc_id]), c.page, [], dpi=80)))
    return parts


def refine(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    memory = state["memory"].model_copy(deep=True)
    chunks = list(state.get("observations", []))
    rnd = state.get("round", 1)
    question = state["question"]
    event: dict[str, Any] = {"agent": "refiner", "round": rnd, "added": 0, "rejected": 0}
    if not chunks or not budget_left(state, deps):
        event["note"] = "no new observations" if not chunks else "budget exhausted"
        emit(event)
        return {"memory": memory, "added": 0, "trace": [event]}
    nonce = turn_nonce(question)
    text, obs = observations_text(chunks, nonce)
    prompt = load_prompt("refiner").render(
        question=question,
        memory=memory_text(memory, question, deps, nonce),
        observations=text,
    )
    images = _images(chunks, deps) if deps.chat.supports_images else None
    where = ", ".join(sorted({f"p.{c.page}" for c in chunks}, key=lambda p: int(p[2:])))
    res = call(deps, prompt, RefinerOutput, nonce, max_tokens=500, images=images, agent="refiner",
               what=f"reading {len(chunks)} excerpt{'s' if len(chunks) != 1 else ''} ({where})")  # fmt: skip
    if res.value is None:
        event["error"] = res.error
    else:
        out: RefinerOutput = res.value
        by_label: dict[str, str] = {}
        rejected: list[str] = []
        for f in out.facts:
            resolved = resolve_fact(f, obs, question)
            if isinstance(resolved, str):
                memory.rejected += 1
                rejected.append(f"{f.statement[:80]} ({resolved})")
                continue
            idx, quote = resolved
            c = chunks[idx]
            src = Source(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, chunk_id=c.id, kind=c.kind,
                         bbox=c.bboxes[0] if c.bboxes and c.kind != "page" else None)  # fmt: skip
            known = len(memory.evidence)
            item = memory.add_evidence(f.statement, quote, src, rnd, c.text)
            if item is None:
                rejected.append(f"{f.statement[:80]} (quote not in chunk)")
                continue
            event["added"] += len(memory.evidence) > known  # a fact already known is no progress
            label = f.source.strip().upper()
            by_label.setdefault(label, item.id)
            by_label.setdefault(label.split(".")[0], item.id)
        for s in out.steps:
            deps_ids = [by_label.get(u.strip().upper(), u.strip()) for u in s.uses]
            memory.link(s.inference, deps_ids, s.conclusion)
        for g in out.gaps[:3]:
            memory.add_gap(g)
        event["rejected"] = len(rejected)
        if rejected:
            event["rejections"] = rejected[:5]
    event["images"] = len(images or [])
    emit(event)
    event["cost"] = res.cost()
    return {"memory": memory, "added": event["added"], **res.spent(), "trace": [event]}


def _locate(named: int, quote: str, chunks: list[Chunk]) -> int | None:
    """The observation holding ``quote``: the one the model named, else the one that has it.

    Small models often copy a quote correctly but number its observation wrongly; the quote
    itself is the ground truth. A quote found in no observation is rejected.
    """
    if 0 <= named < len(chunks) and quote_found(quote, chunks[named].text):
        return named
    for i, c in enumerate(chunks):
        if quote_found(quote, c.text):
            return i
    return None
