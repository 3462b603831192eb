"""Helpers on OpenAI-shaped chat messages."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from mardoc.models.protocols import Message


def text_of(content: Any) -> str:
    """The text of a message content: a string, or the text parts of a part list."""
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content if p.get("type") == "text")


def text_only(messages: list[Message]) -> list[Message]:
    """Messages with image parts removed, for models that read text only."""
    return [{**m, "content": text_of(m["content"])} for m in messages]


def image_part(png: bytes | Path) -> dict[str, Any]:
    """An OpenAI ``image_url`` content part holding a PNG as a data URL."""
    data = png.read_bytes() if isinstance(png, Path) else png
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    return {"type": "image_url", "image_url": {"url": url}}


def with_images(messages: list[Message], parts: list[dict[str, Any]]) -> list[Message]:
    """``messages`` with image ``parts`` after the text of the last one (unchanged without parts)."""
    if not parts:
        return messages
    last = messages[-1]
    return [*messages[:-1], {**last, "content": [{"type": "text", "text": text_of(last["content"])}, *parts]}]


def approx_tokens(text: str) -> int:
    """A tokenizer-free estimate (about four characters a token for English)."""
    return max(1, len(text) // 4) if text else 0
