"""The Refiner: distils this round's observations into evidence and reasoning memory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.explorer import SHOWN_CHARS
from mardoc.agents.llm import budget_left, call, new_nonce
from mardoc.agents.prompting import fence, load_prompt
from mardoc.agents.state import AgentDeps, AgentState, RefinerOutput
from mardoc.ingest.document import Chunk
from mardoc.memory import Source, quote_found
from mardoc.models.messages import image_part

log = logging.getLogger(__name__)
MAX_IMAGES = 4


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
    chunks = [Chunk.model_validate(o) for o in state.get("observations", [])]
    rnd = state.get("round", 1)
    event: dict[str, Any] = {"agent": "refiner", "round": rnd, "added": 0, "rejected": 0}
    if not chunks or not budget_left(state, deps):
        event["note"] = "no new observations" if not chunks else "budget exhausted"
        if deps.on_event:
            deps.on_event(event)
        return {"memory": memory, "trace": [event]}
    nonce = new_nonce("refiner", state["question"], rnd)
    blocks = []
    for i, c in enumerate(chunks, start=1):
        label = f"O{i}: {c.doc_name} page {c.page} ({c.kind}, id {c.id})"
        blocks.append(fence(label, c.text[:SHOWN_CHARS], nonce))
    prompt = load_prompt("refiner").render(
        question=state["question"],
        memory=memory.render(state["question"], deps.settings.agents.memory_tokens),
        observations="\n\n".join(blocks),
    )
    images = _images(chunks, deps) if deps.chat.supports_images else None
    res = call(deps, prompt, RefinerOutput, nonce, max_tokens=600, images=images)
    if res.value is None:
        event["error"] = res.error
    else:
        out: RefinerOutput = res.value
        by_label: dict[str, str] = {}
        unverified: list[str] = []
        before_rejected = memory.rejected
        for f in out.facts:
            idx = _locate(f.source, f.quote, chunks)
            if idx is None:
                memory.rejected += 1
                unverified.append(f"{f.source}: {f.quote[:80]}")
                continue
            c = chunks[idx]
            src = Source(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, chunk_id=c.id, kind=c.kind,
                         bbox=c.bboxes[0] if c.bboxes and c.kind != "page" else None)  # fmt: skip
            item = memory.add_evidence(f.statement, f.quote, src, rnd, c.text)
            if item is not None:
                event["added"] += 1
                by_label.setdefault(f.source.strip().upper(), item.id)
            else:
                unverified.append(f"{f.source}: {f.quote[:80]}")
        for s in out.steps:
            deps_ids = [by_label.get(u.strip().upper(), u.strip()) for u in s.uses]
            memory.link(s.inference, deps_ids, s.conclusion)
        for g in out.gaps[:3]:
            memory.add_gap(g)
        event["rejected"] = memory.rejected - before_rejected
        if unverified:
            event["unverified"] = unverified[:5]
    event["images"] = len(images or [])
    if deps.on_event:
        deps.on_event(event)
    return {
        "memory": memory,
        "calls": state.get("calls", 0) + res.calls,
        "tokens": state.get("tokens", 0) + res.tokens,
        "trace": [event],
    }


def _obs_index(label: str, n: int) -> int | None:
    digits = "".join(ch for ch in label if ch.isdigit())
    if not digits:
        return None
    i = int(digits) - 1
    return i if 0 <= i < n else None


def _locate(label: str, quote: str, chunks: list[Chunk]) -> int | None:
    """The observation holding ``quote``: the one the model named, else the one that has it.

    Small models often copy a quote correctly but number its observation wrongly; the quote
    itself is the ground truth. A quote found in no observation is rejected.
    """
    named = _obs_index(label, len(chunks))
    if named is not None and quote_found(quote, chunks[named].text):
        return named
    for i, c in enumerate(chunks):
        if quote_found(quote, c.text):
            return i
    return None
