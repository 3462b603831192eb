"""Short answers in the form scoring expects, decided by code, not by the model's word."""

from __future__ import annotations

from mardoc.types import NOT_ANSWERABLE

_SILENT = {NOT_ANSWERABLE.lower(), "none", "n/a", "unknown"}


def normalise_short(short: str, fmt: str) -> tuple[str, str]:
    """``(short answer, format)``: empty or "none"-like answers become the sentinel."""
    s = (short or "").strip()
    if not s or s.lower().rstrip(".") in _SILENT:
        return NOT_ANSWERABLE, "None"
    return s, fmt if fmt != "None" else "Str"
