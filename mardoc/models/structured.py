"""Parsing model text into pydantic objects, tolerant of the usual wrappers."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mardoc.errors import ModelOutputError

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> str:
    """Return the JSON object inside ``text``: fenced, bare, or surrounded by prose."""
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    start = text.find("{")
    end = text.rfind("}")
    if start == -1 or end < start:
        raise ModelOutputError(f"model output holds no JSON object: {text[:80]!r}")
    return text[start : end + 1]


def parse_structured(text: str, schema: type[T]) -> T:
    """Parse ``text`` into ``schema``; raise ModelOutputError naming what is wrong."""
    try:
        data = json.loads(extract_json(text))
    except json.JSONDecodeError as exc:
        raise ModelOutputError(f"model output is not valid JSON ({exc.msg})") from exc
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise ModelOutputError(
            f"model output does not fit {schema.__name__}: {where}: {first['msg']}"
        ) from exc


_CLOSE = {"obj": "}", "arr": "]"}


def salvage_json(text: str, limit: int = 64) -> list[str]:
    """A reply cut off mid-JSON (a token budget ran out), closed after a complete value:
    the candidates, the longest first (the caller keeps the first its schema accepts).

    ``{"answer": "It is 50.", "short_answer": "50", "cited"`` becomes
    ``{"answer": "It is 50.", "short_answer": "50"}``: a value cut in the middle (a string, a
    number) is dropped, never completed, so nothing is invented; the schema's defaults fill
    the rest. Empty when the text holds no object or is not cut.
    """
    start = text.find("{")
    if start < 0:
        return []
    stack: list[list[str]] = []  # [container, what it expects next]
    safe: list[tuple[int, list[str]]] = []
    i, n = start, len(text)

    def value_done(end: int) -> None:
        if stack:
            stack[-1][1] = "comma"
            safe.append((end, [c for c, _ in stack]))

    while i < n:
        ch = text[i]
        top = stack[-1] if stack else None
        if ch in " \t\r\n":
            i += 1
            continue
        if ch == '"':
            j, esc = i + 1, False
            while j < n and (esc or text[j] != '"'):
                esc = not esc and text[j] == "\\"
                j += 1
            if j >= n:
                break  # cut inside a string
            if top is not None and top[0] == "obj" and top[1] == "key":
                top[1] = "colon"
            else:
                value_done(j + 1)
            i = j + 1
            continue
        if ch in "{[":
            if top is not None:
                top[1] = "value-open"
            stack.append(["obj" if ch == "{" else "arr", "key" if ch == "{" else "value"])
            if ch == "{" and len(stack) == 1:
                safe.append((i + 1, ["obj"]))
            i += 1
            continue
        if ch in "}]":
            stack.pop()
            if not stack:
                return []  # complete: nothing to salvage
            value_done(i + 1)
            i += 1
            continue
        if ch == ":" and top is not None:
            top[1] = "value"
            i += 1
            continue
        if ch == "," and top is not None:
            top[1] = "key" if top[0] == "obj" else "value"
            i += 1
            continue
        j = i  # a number or a literal: complete only when a delimiter follows it
        while j < n and text[j] not in ",}] \t\r\n":
            j += 1
        if j >= n:
            break
        value_done(j)
        i = j
    out = []
    for end, open_containers in reversed(safe[-limit:]):
        body = text[start:end].rstrip().rstrip(",")
        out.append(body + "".join(_CLOSE[c] for c in reversed(open_containers)))
    return out


def schema_hint(schema: type[BaseModel]) -> str:
    """A compact JSON schema text to show a model that cannot be constrained."""
    return json.dumps(schema.model_json_schema(), separators=(",", ":"))


REPAIR_ATTEMPTS = 2


def complete_with_repair(
    call: Callable[[list[dict[str, Any]]], str],
    messages: list[dict[str, Any]],
    schema: type[T],
    attempts: int = REPAIR_ATTEMPTS,
) -> T:
    """Call a model and parse its reply into ``schema``, with a bounded repair loop.

    On a malformed reply the model is shown its own reply and the parse error once per
    attempt; after ``attempts`` repairs a ModelOutputError is raised. Never loops forever.
    """
    convo = list(messages)
    last_error: ModelOutputError | None = None
    for _ in range(attempts + 1):
        text = call(convo)
        try:
            return parse_structured(text, schema)
        except ModelOutputError as exc:
            last_error = exc
            for salvaged in salvage_json(text):
                try:
                    value = parse_structured(salvaged, schema)
                except ModelOutputError:
                    continue
                log.info("recovered a %s reply cut off mid-JSON (%d chars)", schema.__name__, len(text))
                return value
            convo = [
                *messages,
                {"role": "assistant", "content": text[:2000]},
                {
                    "role": "user",
                    "content": f"That reply was invalid: {exc}. Reply again with only one JSON "
                    f"object that matches this schema: {schema_hint(schema)}",
                },
            ]
    assert last_error is not None
    raise last_error


def complete_via(
    raw: Callable[[list[dict[str, Any]], Any], str], messages: list[dict[str, Any]], schema: type[T] | None
) -> Any:
    """What every backend's ``complete`` does: text without a schema, else a repaired parse."""
    if schema is None:
        return raw(messages, None)
    return complete_with_repair(lambda convo: raw(convo, schema), messages, schema)
