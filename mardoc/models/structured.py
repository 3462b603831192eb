"""Parsing model text into pydantic objects, tolerant of the usual wrappers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mardoc.errors import ModelOutputError

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
