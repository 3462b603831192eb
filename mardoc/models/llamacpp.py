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
from mardoc.models.judging import ANSWER_PREFIX
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
        self._formatter: Any = None  # the chat template, for yes/no judgements
        self._yes_no: tuple[list[int], list[int]] | None = None
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

    def _ready(self) -> Any:
        """The loaded model, its threads set for how busy the machine is now (under the lock)."""
        llm = self._load()
        threads = threads_for_now(self.configured_threads)
        if threads != self.n_threads:
            from llama_cpp import llama_set_n_threads

            llama_set_n_threads(llm.ctx, threads, threads)
            self.n_threads = threads
        return llm

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
            llm = self._ready()
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

    def yes_probability(self, messages: list[Message]) -> float:
        """P("yes") / (P("yes") + P("no")) for the word of ``{"answer": "yes"|"no"}`` that
        ``messages`` ask for (see :mod:`mardoc.models.judging`).

        One prompt evaluation and no sampling: the chat template is applied as for a chat
        call, the reply's start is written in, the prompt's longest prefix already in the KV
        cache is kept, and the next-token logits are read. A narrow judgement with a
        confidence code can threshold (a free yes/no reply carries none).
        """
        import numpy as np

        with self._lock:
            llm = self._ready()
            start = time.perf_counter()
            prompt = self._template(llm)(messages=text_only(messages))
            text = prompt.prompt + ANSWER_PREFIX  # the reply so far: the next token is the word
            tokens = llm.tokenize(text.encode("utf-8"), add_bos=not prompt.added_special, special=True)
            if len(tokens) >= llm.n_ctx():
                raise PromptTooLongError(
                    f"local model {self.name}: a prompt of {len(tokens)} tokens exceeds n_ctx={llm.n_ctx()} "
                    "(raise MARDOC_MODELS__N_CTX, or lower the prompt budgets)"
                )
            keep = llm.longest_token_prefix(llm.input_ids[: llm.n_tokens], tokens[:-1])
            llm.n_tokens = keep  # the cached prefix stays; the rest is evaluated (at least one token)
            llm.eval(tokens[keep:])
            from llama_cpp import llama_get_logits_ith

            logits = np.ctypeslib.as_array(llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),)).copy()
            yes, no = self._answer_tokens(llm)
            elapsed = time.perf_counter() - start
        top = float(logits.max())
        p_yes = float(np.exp(logits[yes] - top).sum())
        p_no = float(np.exp(logits[no] - top).sum())
        self.usage.add(len(tokens), 1, elapsed)  # the whole prompt, as a chat call counts it (the seconds show the reuse)
        return p_yes / (p_yes + p_no) if p_yes + p_no > 0 else 0.5

    def _template(self, llm: Any) -> Any:
        """The model's own chat template (as llama-cpp-python applies it for a chat call)."""
        if self._formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            template = llm.metadata.get("tokenizer.chat_template")
            if not template:
                raise BackendError(f"{self.model_path.name} has no chat template; yes/no judgements need one")
            def piece(token: int) -> str:
                return llm.detokenize([token], special=True).decode("utf-8", "ignore") if token >= 0 else ""

            self._formatter = Jinja2ChatFormatter(template=template, eos_token=piece(llm.token_eos()),
                                                  bos_token=piece(llm.token_bos()))  # fmt: skip
        return self._formatter

    def _answer_tokens(self, llm: Any) -> tuple[list[int], list[int]]:
        """The first tokens of "yes" and "no" as the model may write them after the quote."""
        if self._yes_no is None:
            def first(words: tuple[str, ...]) -> list[int]:
                ids = {llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words}
                return sorted(ids)

            self._yes_no = (first(("yes", "Yes", "YES")), first(("no", "No", "NO")))
        return self._yes_no

    def complete(
        self,
        messages: list[Message],
        *,
        schema: type[T] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Any:
        return complete_via(lambda m, sch: self._raw(m, max_tokens, temperature, sch), messages, schema)
