"""Short answers in the form scoring expects, decided by code, not by the model's word.

The model writes a short answer and names its type (Int, Float, Str, List, None). A small
model often writes the right value in the wrong shape: "13 people" for a count, "1,204.5" for
a number, "HX3310, HX2104" for a list. This module puts the value in its type's shape:

* Int: the one integer of the answer ("13 people" -> "13", "1,234" -> "1234", "twelve" -> "12");
* Float: the number with thousands separators removed, a percent sign kept ("18.3%");
* List: a JSON list of its items (split on commas, semicolons, " and ", new lines);
* Str: without surrounding quotes and a final full stop.

The type is the model's, except that a question asking "how many" is a count whenever the
answer holds exactly one number, and a question asking for several values ("... respectively",
"in list format") gets a list whenever the answer holds several items, and so does a question
asked in the plural ("What are the four activities?", "Which courses were ...") whenever the
answer separates several items with commas or semicolons. Anything that does not fit its type is left as written.
"""

from __future__ import annotations

import json
import re

from mardoc.types import NOT_ANSWERABLE

_SILENT = {NOT_ANSWERABLE.lower(), "none", "n/a", "unknown", "not answerable."}
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|(?<![\w.])[-+]?\d+(?:\.\d+)?%?")
_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_SPLIT = re.compile(r"\s*(?:;|\n|,\s*(?:and\s+)?|\s+and\s+)\s*")
_COUNT = re.compile(r"\bhow\s+many\b", re.I)
# a question that asks for several values: "... respectively", "in list format", "list the ..."
# a question asked in the plural: "what are the ...", "which ... were ..."
_PLURAL = re.compile(r"\b(?:what|which)\s+(?:[\w/-]+\s+){0,4}?(?:are|were)\b", re.I)
_LISTY = re.compile(r"\brespectively\b|\b(?:in|as)\s+(?:a\s+|the\s+)?list\b|\blist\s+(?:format|form|the|all)\b|^\s*list\b", re.I)


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text``, thousands separators removed ("1,204.5" -> "1204.5")."""
    return [m.group(0).replace(",", "") for m in _NUMBER.finditer(text)]


def _as_int(s: str) -> str | None:
    nums = numbers_in(s)
    if len(nums) == 1 and not nums[0].endswith("%"):
        value = float(nums[0])
        return str(int(value)) if value == int(value) else None
    if not nums:
        words = [w for w in re.findall(r"[a-z]+", s.lower()) if w in _WORDS]
        if len(words) == 1:
            return str(_WORDS[words[0]])
    return None


def _as_float(s: str) -> str | None:
    nums = numbers_in(s)
    return nums[0] if len(nums) == 1 else None


def _as_list(s: str) -> str:
    text = s.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            items = [p.strip(" '\"") for p in text[1:].rstrip("]").split(",")]
    else:
        items = [p.strip(" '\".") for p in _SPLIT.split(text)]
    out: list[object] = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:  # numbers stay numbers: [50, 100], not ["50", "100"]
            out.append(int(item) if re.fullmatch(r"[-+]?\d+", item) else float(item) if re.fullmatch(r"[-+]?\d+\.\d+", item) else item)
        except ValueError:
            out.append(item)
    return json.dumps(out, ensure_ascii=False)


def normalise_short(short: str, fmt: str, question: str = "") -> tuple[str, str]:
    """``(short answer, format)`` in the shape of its type; "none"-like answers become the sentinel."""
    s = (short or "").strip()
    if not s or s.lower().rstrip(".") in _SILENT:
        return NOT_ANSWERABLE, "None"
    fmt = fmt if fmt != "None" else "Str"
    if fmt != "List" and _LISTY.search(question) and len([p for p in _SPLIT.split(s.strip("[]")) if p.strip()]) >= 2:
        fmt = "List"  # the question asks for several values and the answer gives several
    elif fmt == "Str" and _PLURAL.search(question) and re.search(r"[,;]", s.strip("[]")) and len(_SPLIT.split(s.strip("[]"))) >= 2:
        fmt = "List"  # asked in the plural, answered with a separated enumeration
    if fmt in ("Str", "Float") and _COUNT.search(question):
        as_int = _as_int(s)
        if as_int is not None:
            return as_int, "Int"
    if fmt == "Int":
        as_int = _as_int(s)
        return (as_int, "Int") if as_int is not None else (s, "Str")
    if fmt == "Float":
        as_float = _as_float(s)
        return (as_float, "Float") if as_float is not None else (s, "Str")
    if fmt == "List":
        return _as_list(s), "List"
    return s.rstrip(".").strip().strip("\"'").strip() or s, "Str"


def answer_items(short: str, fmt: str) -> list[str]:
    """The items of a short answer: a list's items, else the answer itself."""
    if fmt == "List":
        try:
            value = json.loads(short)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, list):
            return [str(v) for v in value]
    return [short]
