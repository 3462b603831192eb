"""Local GGUF chat model through llama-cpp-python (every CPU variant built in, the best loaded
at run time: see :mod:`mardoc.models.llama_runtime`)."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from mardoc.errors import BackendError, PromptTooLongError
from mardoc.models.llama_runtime import load_cpu_backend, threads_for_now
from mardoc.models.messages import text_only
from mardoc.models.protocols import Message, T, Usage
from mardoc.models.structured import complete_via

log = logging.getLogger(__name__)


class LlamaCppChatModel:
    """A llama.cpp model in-process. JSON-schema-constrained decoding when a schema is given."""

    supports_images = False

    def __init__(
        self,
        model_path: str | Path,
        *,
        n_ctx: int = 8192,
        n_threads: int = 0,
        name: str | None = None,
        cpu_variant: str = "",
    ) -> None:
        self.model_path = Path(model_path)
        self.name = name or f"local:{self.model_path.stem}"
        self.n_ctx = n_ctx
        self.configured_threads = n_threads  # 0: all cores, one fewer while the machine is busy
        self.n_threads = n_threads or (os.cpu_count() or 2)
        self.cpu_variant = cpu_variant
        self.backend = ""
        self.usage = Usage()
        self._llm: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise BackendError(
                    "llama-cpp-python is not installed; run `make setup` (it builds it)"
                ) from exc
            if not self.model_path.is_file():
                raise BackendError(f"GGUF file not found: {self.model_path}; run `mardoc models install`")
            self.backend = load_cpu_backend(self.cpu_variant)
            self._llm = Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                flash_attn=True,  # without it decoding ran at ~1 tok/s on 2 cores
                verbose=False,
            )
        return self._llm

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self._load().tokenize(text.encode("utf-8"), add_bos=False))

    def _raw(self, messages: list[Message], max_tokens: int, temperature: float, schema: Any) -> str:
        kwargs: dict[str, Any] = {}
        if schema is not None:
            kwargs["response_format"] = {
                "type": "json_object",
                "schema": schema.model_json_schema(),
            }
        with self._lock:  # one llama context serves one request at a time
            llm = self._load()
            threads = threads_for_now(self.configured_threads)
            if threads != self.n_threads:
                from llama_cpp import llama_set_n_threads

                llama_set_n_threads(llm.ctx, threads, threads)
                self.n_threads = threads
            start = time.perf_counter()
            try:
                out = llm.create_chat_completion(
                    messages=text_only(messages),
                    max_tokens=max_tokens,
                    temperature=temperature,
                    **kwargs,
                )
            except ValueError as exc:  # llama.cpp raises ValueError when n_ctx is exceeded
                raise PromptTooLongError(
                    f"local model {self.name}: {exc} (raise MARDOC_MODELS__N_CTX, or lower the prompt budgets)"
                ) from exc
            elapsed = time.perf_counter() - start
        usage = out.get("usage") or {}
        if out["choices"][0].get("finish_reason") == "length":
            log.info("local model reply hit max_tokens=%d (%s)", max_tokens, "schema" if schema else "text")
        self.usage.add(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)), elapsed)
        return str(out["choices"][0]["message"].get("content") or "")

    def complete(
        self,
        messages: list[Message],
        *,
        schema: type[T] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Any:
        return complete_via(lambda m, sch: self._raw(m, max_tokens, temperature, sch), messages, schema)
