"""Yes/no judgements: the generic path (a schema-constrained reply), the cache, the fake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mardoc.errors import ModelOutputError
from mardoc.models.cache import CachedChatModel, CallStore
from mardoc.models.judging import YesNo, yes_probability
from tests.fakes import ScriptedChatModel

MSGS = [{"role": "user", "content": 'Is the sky green? Reply with JSON: {"answer": "yes"} or {"answer": "no"}'}]


class SchemaOnly:
    """A chat model without next-token probabilities: it can only reply under a schema."""

    name = "fake:schema-only"
    supports_images = False

    def __init__(self, word: str) -> None:
        from mardoc.models.protocols import Usage

        self.word, self.usage, self.schemas = word, Usage(), []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0):  # noqa: ANN001, ANN201
        self.schemas.append(schema)
        self.usage.add(10, 3, 0.0)
        return schema.model_validate_json(json.dumps({"answer": self.word}))


def test_a_model_without_probabilities_answers_under_the_schema() -> None:
    m = SchemaOnly("yes")
    assert yes_probability(m, MSGS) == 1.0 and m.schemas == [YesNo]  # type: ignore[arg-type]
    assert yes_probability(SchemaOnly("no"), MSGS) == 0.0  # type: ignore[arg-type]


def test_the_scripted_model_replays_probabilities_and_rejects_anything_else() -> None:
    chat = ScriptedChatModel(["0.25", "yes", "maybe"])
    assert yes_probability(chat, MSGS) == 0.25 and yes_probability(chat, MSGS) == 1.0
    with pytest.raises(ModelOutputError, match="yes/no judgement"):
        yes_probability(chat, MSGS)


def test_judgements_are_cached_apart_from_replies(tmp_path: Path) -> None:
    inner = ScriptedChatModel(["0.7", json.dumps({"answer": "no"})])
    cached = CachedChatModel(inner, CallStore(tmp_path / "c.sqlite"), "m1")
    assert yes_probability(cached, MSGS) == 0.7
    assert yes_probability(cached, MSGS) == 0.7 and len(inner.calls) == 1  # the second from the cache
    assert cached.stats.hits == 1 and cached.usage.calls == 2  # a hit counts as the same logical call
    # a reply to the same messages is another entry
    assert cached.complete(MSGS, schema=YesNo).answer == "no" and len(inner.calls) == 2
