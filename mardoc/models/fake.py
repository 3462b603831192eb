"""A scripted chat model for tests: replays canned replies and records every prompt."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from mardoc.errors import ModelOutputError
from mardoc.models.messages import approx_tokens, text_of
from mardoc.models.protocols import Message, T, Usage
from mardoc.models.structured import complete_via

# A reply is a string, a pydantic object (serialised to JSON), an exception to raise,
# or a function of (messages, schema) returning one of those.
Reply = str | BaseModel | Exception | Callable[[list[Message], Any], Any]


class ScriptedChatModel:
    """Replays ``replies`` in order (the last one repeats when ``repeat_last``)."""

    def __init__(
        self,
        replies: list[Reply] | None = None,
        *,
        repeat_last: bool = True,
        supports_images: bool = False,
        name: str = "fake:scripted",
    ) -> None:
        self.replies = list(replies or [])
        self.repeat_last = repeat_last
        self.supports_images = supports_images
        self.name = name
        self.usage = Usage()
        self.calls: list[dict[str, Any]] = []
        self._i = 0
        self._lock = threading.Lock()

    @property
    def prompts(self) -> list[str]:
        """Every received conversation, flattened to text (for assertions)."""
        return [
            "\n".join(f"[{m['role']}] {text_of(m['content'])}" for m in c["messages"]) for c in self.calls
        ]

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def _next(self, messages: list[Message], schema: Any) -> str:
        with self._lock:
            self.calls.append({"messages": copy.deepcopy(messages), "schema": schema})
            if not self.replies:
                raise RuntimeError("ScriptedChatModel has no replies scripted")
            if self._i < len(self.replies):
                reply = self.replies[self._i]
                self._i += 1
            elif self.repeat_last:
                reply = self.replies[-1]
            else:
                raise RuntimeError("ScriptedChatModel ran out of replies")
        if callable(reply) and not isinstance(reply, BaseModel):
            reply = reply(messages, schema)
        if isinstance(reply, Exception):
            raise reply
        text = reply.model_dump_json() if isinstance(reply, BaseModel) else str(reply)
        prompt = sum(approx_tokens(text_of(m["content"])) for m in messages)
        self.usage.add(prompt, approx_tokens(text), 0.0)
        return text

    def yes_probability(self, messages: list[Message]) -> float:
        """The next scripted reply as a probability: a number, or "yes" (1.0) / "no" (0.0)."""
        text = self._next(messages, "yes_probability").strip().lower()
        if text in ("yes", "no"):
            return 1.0 if text == "yes" else 0.0
        try:
            return float(text)
        except ValueError:
            raise ModelOutputError(f"model output is not a yes/no judgement: {text[:80]!r}") from None

    def complete(
        self,
        messages: list[Message],
        *,
        schema: type[T] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Any:
        return complete_via(lambda m, sch: self._next(m, sch), messages, schema)
