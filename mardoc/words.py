"""Words as the code paths compare them: one tokeniser, one stem, one squash, one "unique best".

A question's words are matched against a table's row labels and column titles, a page's
lines, the evidence in the memory; every such match reads text through :func:`words` (content
words: lower case, function words dropped, a plural's "s" dropped, a fiscal year "FY2018"
also its year) or :func:`squash` (letters and digits only, for text PDF extraction split or
joined), and picks a winner with :func:`unique_best` (the best, and None on a tie).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
STOP = frozenset(
    ["a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "and", "or", "is", "are", "was", "were", "be",
     "been", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many", "does", "did",
     "do", "this", "that", "these", "those", "as", "per", "with", "from", "into", "its", "it", "their", "there",
     "they", "them", "than", "then", "has", "have", "had", "can", "could", "would", "should", "will", "may", "might",
     "must", "not", "any", "all", "each", "also", "just", "only", "some", "such", "very", "our", "your", "his",
     "her", "she", "you", "we", "us", "about", "according"]
)  # fmt: skip
_FISCAL = re.compile(r"fy(\d{4})")
T = TypeVar("T")


def stem(word: str) -> str:
    """A word's plural "s" dropped ("revenues" -> "revenue", "totals" -> "total", "inventories"
    -> "inventory"); short words and "-ss" words ("loss", "gross") are kept."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def tokens(text: str) -> list[str]:
    """The lower-case word tokens of ``text`` (a decimal number is one token)."""
    return _WORD.findall(text.lower())


def words(text: str, keep_short: bool = False, stemmed: bool = True) -> set[str]:
    """The content words of ``text``, stemmed unless not ``stemmed``; a fiscal year "FY2018"
    also counts as "2018". Words of one character are dropped unless ``keep_short``."""
    out = set()
    for w in tokens(text):
        if w in STOP or (len(w) < 2 and not keep_short):
            continue
        out.add(stem(w) if stemmed else w)
        if m := _FISCAL.fullmatch(w):
            out.add(m.group(1))
    return out


def squash(text: str) -> str:
    """Letters and digits only, lower case: "Depot A" and "DepotA", "MODEL-LING" and
    "modelling" alike (PDF text loses and gains spaces)."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def unique_best(items: Iterable[T], score: Callable[[T], float], floor: float = 0.0, same: Callable[[T, T], bool] | None = None) -> T | None:
    """The item with the highest score above ``floor``, or None when there is none or when
    another item scores as high (unless ``same`` says the two are the same answer)."""
    scored = sorted(((score(i), n, i) for n, i in enumerate(items)), key=lambda s: (-s[0], s[1]))
    if not scored or scored[0][0] <= floor:
        return None
    best = scored[0]
    for other in scored[1:]:
        if other[0] < best[0]:
            break
        if same is None or not same(best[2], other[2]):
            return None
    return best[2]


__all__ = ["STOP", "squash", "stem", "tokens", "unique_best", "words"]
