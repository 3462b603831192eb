"""The index fingerprint: which settings change what is stored, hashed into the index's name."""

from __future__ import annotations

import hashlib
import json

from mardoc.models import embedder_vectors
from mardoc.settings import Settings

# ingest settings that change nothing stored: limits that refuse a whole document, and how
# many processes parse it
NOT_STORED = ("max_pages", "max_chunks", "parse_workers")


def index_fingerprint(settings: Settings) -> str:
    """Short hash of every setting that changes what is stored in the index.

    It names the index (folder or collection), so an index made with another embedder,
    other vectors or other chunking is never reused by accident.
    """
    relevant: dict[str, object] = {
        "embedder": settings.models.embedder,
        "embed_max_tokens": settings.models.embed_max_tokens,
        "low_dim": settings.retrieval.low_dim,
        # every ingest setting but those that only refuse a document or spread the work
        "ingest": settings.ingest.model_dump(exclude=set(NOT_STORED)),
        # what the parser and chunker make of a page; 2: layout reading order, whole
        # units, normalised text, a figure chunk for every picture, page figures; 3: a
        # text-only grid read as columns when the stream says so, figure text in page
        # order, raster slices merged before the size cut; 4: tables kept as cell grids
        # (text, boxes, header rows), their markdown with a joined multi-row header; 5: a
        # second header row that continues the titles of number columns ("No. of" over
        # "Shares held"), numbers in the lakh grouping ("4,31,952"); 6: a tall row of a table
        # without row rules is split by its number columns when its label wraps; 7: tables
        # in pictures (a page without a text layer: OCR lines laid out in columns); 8: a found
        # table's cells rebuilt from its words' alignment (mardoc/ingest/aligned.py); 9: the
        # header lines a table finder leaves above a table that starts at a body row taken in,
        # the title lines over a table kept as its caption (the unit they print); 10: printed
        # cells put back together (mardoc/ingest/cells.py: currency signs with their numbers, a
        # title's two lines, wrapped labels and text cells)
        "schema": 10,
    }
    vectors = embedder_vectors(settings)
    if vectors != "fp32":  # fp32 indexes keep the fingerprint they had before int8 existed
        relevant["vectors"] = vectors
    blob = json.dumps(relevant, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:10]
