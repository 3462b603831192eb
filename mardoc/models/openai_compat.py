"""Chat models behind any OpenAI-compatible HTTP server (vLLM, Ollama, llama.cpp, OpenAI)."""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Any

import httpx

from mardoc.errors import BackendError
from mardoc.models.messages import approx_tokens, text_of, text_only
from mardoc.models.protocols import Message, T, Usage
from mardoc.models.structured import complete_via, schema_hint

log = logging.getLogger(__name__)

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# structured-output formats, most exact first (see OpenAICompatChatModel)
FORMATS = ("json_schema", "json_object", "prompt")
# words of an error body that say the request itself is invalid (some servers send a 500)
_INVALID = ("validation error", "validationerror", "response_format", "json_schema", "unprocessable")


class RequestRejected(BackendError):
    """The server declared the request itself invalid (a format it does not accept, ...)."""


def _has_images(body: dict[str, Any]) -> bool:
    return any(
        isinstance(m.get("content"), list) and any(p.get("type") == "image_url" for p in m["content"])
        for m in body.get("messages", [])
    )


def _invalid_request(resp: httpx.Response) -> bool:
    """A rejection of the request itself (not a passing fault): never worth a retry."""
    if resp.status_code in (400, 422):
        return True
    text = resp.text[:2000].lower()
    return resp.status_code == 500 and any(word in text for word in _INVALID)


class OpenAICompatChatModel:
    """``POST {base_url}/chat/completions`` with bounded retries and exponential backoff.

    Retries connection errors, timeouts, 429 and 5xx up to ``max_retries`` times, honouring
    ``Retry-After`` when the server sends it; any other 4xx, and a 5xx whose body says the
    request itself is invalid, fails at once: sending it again cannot help. Every error
    names the URL.

    With a schema, structured output falls back through what servers accept: OpenAI's
    ``json_schema`` response format; ``json_object`` with the schema beside it (llama.cpp's
    server, which rejects ``json_schema`` with a request validation error); the schema in
    the prompt. The first format the server accepts is kept for later calls; the reply is
    validated whatever the format.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str = "",
        timeout_s: float = 120.0,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        supports_images: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model = model
        self.name = f"openai:{model}"
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.supports_images = supports_images
        self.usage = Usage()
        self._format = 0  # index into FORMATS: the first the server has not rejected
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            headers=headers,
            transport=transport,
        )

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def close(self) -> None:
        self._client.close()

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            resp: httpx.Response | None = None
            try:
                resp = self._client.post(self.url, json=body)
            except httpx.TimeoutException as exc:
                problem = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                problem = f"unreachable ({exc})"
            else:
                if resp.status_code < 400:
                    try:
                        return resp.json()
                    except ValueError as exc:
                        raise BackendError(f"{self.url} returned non-JSON: {exc}") from exc
                problem = f"HTTP {resp.status_code}: {resp.text[:200]!r}"
                if _invalid_request(resp):
                    raise RequestRejected(f"model server {self.url} refused the request as invalid: {problem}")
                if resp.status_code not in _RETRY_STATUS:
                    raise BackendError(f"model server {self.url} refused the request: {problem}")
            if attempt >= self.max_retries:
                raise BackendError(
                    f"model server {self.url} failed after {attempt + 1} attempts: {problem}; "
                    "check that the server is running (MARDOC_MODELS__OPENAI_BASE_URL)"
                )
            delay = self._delay(attempt, resp)
            log.warning("model server %s: %s; retry in %.1fs", self.url, problem, delay)
            time.sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, resp: httpx.Response | None) -> float:
        if resp is not None and resp.headers.get("retry-after"):
            try:
                return min(float(resp.headers["retry-after"]), 60.0)
            except ValueError:
                pass
        return self.backoff_s * (2**attempt) * (0.5 + random.random() / 2)

    def _body(self, messages: list[Message], max_tokens: int, temperature: float, schema: Any) -> dict[str, Any]:
        msgs = messages if self.supports_images else text_only(messages)
        body: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens, "temperature": temperature}
        if schema is not None:
            fmt = FORMATS[self._format]
            json_schema = schema.model_json_schema()
            if fmt == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": schema.__name__, "schema": json_schema},
                }
            elif fmt == "json_object":
                body["response_format"] = {"type": "json_object", "schema": json_schema}
            else:  # the schema in the prompt, after the last message
                hint = f"Reply with only one JSON object that matches this JSON schema: {schema_hint(schema)}"
                msgs = [*msgs, {"role": "user", "content": hint}]
        body["messages"] = msgs
        return body

    def _raw(self, messages: list[Message], max_tokens: int, temperature: float, schema: Any) -> str:
        start = time.perf_counter()
        while True:
            body = self._body(messages, max_tokens, temperature, schema)
            try:
                data = self._post(body)
                break
            except RequestRejected as exc:
                if "response_format" not in body or self._format + 1 >= len(FORMATS):
                    raise
                if _has_images(body) and re.search(r"image|picture|vision|multimodal|pixel", str(exc), re.I):
                    raise  # the pictures were refused, not the output format: the caller sends fewer
                log.info("model server %s refused %s output; trying %s", self.url, FORMATS[self._format],
                         FORMATS[self._format + 1])  # fmt: skip
                self._format += 1
        elapsed = time.perf_counter() - start
        try:
            text = data["choices"][0]["message"].get("content") or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"{self.url} returned an unexpected body: {str(data)[:200]}") from exc
        usage = data.get("usage") or {}
        prompt = usage.get("prompt_tokens")
        if prompt is None:
            prompt = sum(approx_tokens(text_of(m["content"])) for m in body["messages"])
        completion = usage.get("completion_tokens")
        if completion is None:
            completion = approx_tokens(text)
        self.usage.add(int(prompt), int(completion), elapsed)
        return str(text)

    def complete(
        self,
        messages: list[Message],
        *,
        schema: type[T] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Any:
        return complete_via(lambda m, sch: self._raw(m, max_tokens, temperature, sch), messages, schema)
