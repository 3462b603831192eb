"""Figure descriptions written by a vision model, stored in the figure chunks.

`mardoc ingest --describe-figures` (or :meth:`mardoc.Library.describe_figures`): one call per
figure chunk whose crop was saved at ingest; the description (what is shown, every legible
number and label, the axes and values of a chart) is added to the chunk's text after its
caption and OCR, and the chunk is embedded again, so retrieval finds a chart by what it shows.
A described chunk carries :data:`MARK` and is not described again; descriptions are cached by
the crop's SHA-256 and the model's name, so a re-ingest into a new index costs no call; each
chunk is stored when it is described, so an interrupted pass resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

from mardoc.errors import CallError
from mardoc.models import ChatModel, image_part, with_images
from mardoc.types import Chunk

log = logging.getLogger(__name__)

MARK = "Figure description (vision model):"
PROMPT = (
    "Describe this figure from a document for someone who cannot see it: what kind of figure it "
    "is (chart, diagram, photo, table, map, ...), what it shows, every number, label and legend "
    "entry you can read, the axes of a chart with their units and the values of its bars, lines "
    "or slices. Write plain sentences, no more than 150 words; say only what is visible."
)
MAX_CHARS = 1200


class DescriptionCache:
    """Descriptions by (crop SHA-256, model name) in a SQLite file of the library."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        self.conn.execute("CREATE TABLE IF NOT EXISTS descriptions (digest TEXT, model TEXT, text TEXT, PRIMARY KEY (digest, model))")

    def get(self, digest: str, model: str) -> str | None:
        row = self.conn.execute("SELECT text FROM descriptions WHERE digest = ? AND model = ?", (digest, model)).fetchone()
        return None if row is None else str(row[0])

    def put(self, digest: str, model: str, text: str) -> None:
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO descriptions VALUES (?, ?, ?)", (digest, model, text))

    def close(self) -> None:
        self.conn.close()


def needs_description(chunk: Chunk) -> bool:
    return chunk.kind == "figure" and bool(chunk.image_path) and MARK not in chunk.text and Path(chunk.image_path).is_file()


def describe(chunk: Chunk, chat: ChatModel, cache: DescriptionCache) -> tuple[Chunk, bool]:
    """The chunk with its description added, and whether the model was called (not cached)."""
    png = Path(chunk.image_path).read_bytes()
    digest = hashlib.sha256(png).hexdigest()
    text = cache.get(digest, chat.name)
    called = text is None
    if text is None:
        messages = with_images([{"role": "user", "content": PROMPT}], [image_part(png)])
        try:
            text = str(chat.complete(messages, max_tokens=300)).strip()[:MAX_CHARS]
        except CallError as exc:  # a malformed reply: the figure stays undescribed, said once
            log.warning("figure on page %d of %s not described: %s", chunk.page, chunk.doc_name, exc)
            return chunk, True
        cache.put(digest, chat.name, text)
    if not text:
        return chunk, called
    return chunk.model_copy(update={"text": f"{chunk.text}\n{MARK} {text}"}), called

