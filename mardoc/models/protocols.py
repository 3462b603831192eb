"""Small protocols every model backend implements, and the usage record they share."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np
from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)

# A chat message: {"role": "system"|"user"|"assistant", "content": str | list[part]}.
# Content parts follow the OpenAI shape: {"type": "text", "text": ...} or
# {"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}.
Message = dict[str, Any]


@dataclass
class Usage:
    """Accumulated LLM usage: calls, tokens and wall-clock seconds. Thread-safe adds."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, prompt_tokens: int, completion_tokens: int, seconds: float, calls: int = 1) -> None:
        with self._lock:
            self.calls += calls
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.seconds += seconds

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {
                "calls": self.calls,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "seconds": round(self.seconds, 3),
            }

    def since(self, before: dict[str, float]) -> dict[str, float]:
        """What was spent since ``before`` (a :meth:`snapshot`): the same four keys."""
        now = self.snapshot()
        return {k: round(now[k] - before[k], 3) if k == "seconds" else int(now[k] - before[k]) for k in now}


@runtime_checkable
class Embedder(Protocol):
    """A Matryoshka text embedder returning L2-normalised full-dimension vectors."""

    @property
    def dim(self) -> int: ...

    @property
    def matryoshka_dims(self) -> tuple[int, ...]: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


@runtime_checkable
class ChatModel(Protocol):
    """A chat LLM. ``complete`` returns text, or a validated ``schema`` instance."""

    name: str
    usage: Usage
    supports_images: bool

    def complete(
        self,
        messages: list[Message],
        *,
        schema: type[T] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Any: ...

    def count_tokens(self, text: str) -> int: ...
