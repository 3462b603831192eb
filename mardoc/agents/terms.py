"""What a question names, and whether the documents hold it in any form a reader would accept.

A question that names a year, a quoted phrase or a name the documents never mention cannot be
answered from them (the report covers 2018 and the question asks about 2024; the question names a
company the filing does not). This is decided by code over everything mardoc has of the documents
in scope (page text, OCR of pictures, figure and table text, captions, file names, titles and
outlines: :meth:`mardoc.retrieval.Retriever.doc_text`), before anything is read.

A wrong "never mentioned" throws away an answerable question in 0 seconds, so a term counts as
mentioned when a reader would count it:

* compared lower-cased with everything but letters and digits removed (letter-spaced or hyphenated
  PDF text still matches), a possessive or a plural stripped ("GE's" -> "GE");
* within one edit for a word of five to seven letters, two for a longer one (a typo), of a word
  the documents print capitalised when the question's is ("Apple" is not near "apply");
* as the initials of a name the documents spell out ("G.E." -> "General Electric") and the other
  way round (the question spells out what the document abbreviates); an abbreviation's "N" as the
  "&" it is said for ("PPNE" -> "PP&E");
* a year as any of its printed forms ("FY23", "fiscal 2023", "2023").

A capitalised ordinary word is not a name ("the Net change in Revenue", "Give the answer ..."):
a word that is common English (wordfreq's Zipf frequency of at least :data:`ORDINARY_ZIPF`) and a
lower-case dictionary word, itself or its base form (Webster's Second, where names are
capitalised), is a name only in a run of capitalised words that also holds a word that is not
ordinary, or a company suffix ("Apple Inc."). Every check returns what it tried, for the trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from mardoc.words import squash

# Zipf 4: ten times a million words of ordinary English (wordfreq's blend of sources) - "net",
# "largest", "answer", "revenue", "segment"; rare words and most names lie below it.
ORDINARY_ZIPF = 4.0

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# fiscal and period forms with a two-digit year: FY23, FY'23, Q4'23, 4Q23, H1 23
_SHORT_YEAR = re.compile(r"\b(?:FY|CY|Q[1-4]|[1-4]Q|H[12]|[12]H)\s?['’]?(\d\d)\b", re.I)
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,80})[\"“”]")
_CAPITAL = re.compile(r"\b[A-Z][A-Za-z0-9&'’.-]*[A-Za-z0-9]\b")
_POSSESSIVE = re.compile(r"['’]s?$", re.I)
_SUFFIX = frozenset(["inc", "corp", "corporation", "co", "ltd", "llc", "plc", "group", "holdings", "company", "limited", "ag", "sa", "nv"])
# capitalised words that name a part of any document, a unit of time or a form of the answer
_GENERIC = frozenset(
    ["figure", "figures", "fig", "table", "tables", "page", "pages", "chapter", "chapters", "section", "sections", "appendix", "slide", "slides", "chart", "charts", "image", "images", "picture", "pictures", "document", "documents", "report", "paper", "article", "part", "step", "answer", "list", "format", "int", "float", "str", "string", "yes", "no", "please", "give", "write", "return", "directly", "according", "round", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
_STARTS = (".", "?", "!", ":", ";", "(", "[", '"', "“")
_INSTRUCTION = re.compile(r"\bformat|\be\.g\.|\bfor example\b|\bsuch as\b.*\[", re.I)
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")  # examples and asides name nothing asked about


_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("est", ""), ("est", "e"), ("er", ""), ("er", "e"),
             ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""))  # fmt: skip


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """The lower-case head words of Webster's Second (proper nouns there are capitalised)."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


def _bases(low: str) -> list[str]:
    out = [low]
    for suffix, repl in _SUFFIXES:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            stem = low[: -len(suffix)]
            out += [stem + repl] + ([stem[:-1]] if len(stem) > 3 and stem[-1] == stem[-2] else [])
    return out


@lru_cache(maxsize=4096)
def ordinary(word: str) -> bool:
    """Whether ``word`` (any case) is a common English word rather than a name: frequent in
    English (wordfreq) and, itself or its base form, a lower-case dictionary word ("Largest",
    "Revenue", "Apple"; not "Youtube", "Obama", nor "Lincoln", a dictionary name)."""
    from wordfreq import zipf_frequency

    low = word.lower()
    if zipf_frequency(low, "en") < ORDINARY_ZIPF:
        return False
    words = _dictionary()
    return any(b in words for b in _bases(low))


@dataclass(frozen=True)
class TermCheck:
    """One named term and how the documents were searched for it."""

    term: str
    found: bool
    how: str  # "as written", "near 'adobe' (1 edit)", "initials of ...", or what was tried


@dataclass
class Vocabulary:
    """The forms a document's text offers to the check: its squashed text, its words, the
    initials of its runs of capitalised words, and its number tokens."""

    squashed: str
    words: list[str]
    names: list[str]  # the words printed with a capital somewhere (lower-cased)
    initials: frozenset[str]
    numbers: frozenset[str]
    raw: str = field(repr=False)

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        return _vocabulary(text)


@lru_cache(maxsize=8)
def _vocabulary(text: str) -> Vocabulary:
    words = sorted({w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3})
    initials: set[str] = set()
    for run in re.finditer(r"(?:\b[A-Z][a-zA-Z]+(?:\s+(?:of|and|&|for|the)\s+|\s+)){1,5}\b[A-Z][a-zA-Z]+", text):
        caps = [w for w in re.split(r"\s+", run.group(0)) if w[:1].isupper()]
        if len(caps) >= 2:
            initials.add("".join(w[0] for w in caps).lower())
    # capitalised where a sentence or a line does not start: a name, not "Apply ..." opening a sentence
    names = sorted({m.group(0).lower() for m in re.finditer(r"(?<![.!?:]\s)(?<![.!?:])(?<!\n)(?<!^)\b[A-Z][A-Za-z0-9]{2,}", text)})
    return Vocabulary(squash(text), words, names, frozenset(initials), frozenset(re.findall(r"\d+", text)), text)


def _asking_text(question: str) -> str:
    """The question without its instructions on the answer's form ("Write the day as
    YYYY-MM-DD", "a list like ['1999', '2031']"): what they name is not asked about."""
    sentences = re.split(r"(?<=[?.!])\s+", question.strip())
    kept = [s for s in sentences if not _INSTRUCTION.search(s)] or sentences[:1]
    return _BRACKETS.sub(" ", " ".join(kept))


def _caps_run(words: list[str], i: int) -> bool:
    near = [words[j] for j in (i - 1, i + 1) if 0 <= j < len(words)]
    return any(w.strip(".,?!:;'\"").isupper() and len(w.strip(".,?!:;'\"")) > 3 for w in near)


def _bare(raw: str) -> str:
    return raw.strip(".,?!:;\"“”()[]")


def _name_run(words: list[str], i: int) -> list[str]:
    """The run of capitalised words around position ``i`` (the word itself included)."""
    lo = hi = i
    while lo > 0 and _bare(words[lo - 1])[:1].isupper() and not words[lo - 1].endswith(_STARTS):
        lo -= 1
    while hi + 1 < len(words) and _bare(words[hi + 1])[:1].isupper() and not words[hi].endswith((",", *_STARTS)):
        hi += 1
    return [_POSSESSIVE.sub("", _bare(w)) for w in words[lo : hi + 1]]


def _is_name(word: str, run: list[str]) -> bool:
    if not ordinary(word):
        return True
    others = [w for w in run if w.lower() != word.lower()]
    return any(w.lower().rstrip(".") in _SUFFIX for w in others) or any(
        not ordinary(w) and len(w) >= 4 and w.lower() not in _GENERIC for w in others
    )


def named_terms(question: str) -> list[str]:
    """The years, quoted phrases and names a question names (each once, in order).

    Capitalised words count as names only in a question written in mixed case (in one
    written all in capitals every word is capitalised)."""
    terms: list[str] = []
    question = _asking_text(question)
    letters = [ch for ch in question if ch.isalpha()]
    shouting = bool(letters) and sum(ch.isupper() for ch in letters) > 0.6 * len(letters)
    terms += _YEAR.findall(question)
    terms += [f"20{m}" if int(m) < 70 else f"19{m}" for m in _SHORT_YEAR.findall(question)]
    terms += [q.strip() for q in _QUOTED.findall(question)]
    question = _QUOTED.sub(" ", question)  # a quoted phrase is checked whole, not word by word
    words = [] if shouting else question.split()
    for i, raw in enumerate(words):
        for m in _CAPITAL.finditer(raw):
            word = _POSSESSIVE.sub("", m.group(0).strip(".'’"))
            low = word.lower()
            if len(word) < 4 or low in _GENERIC or _YEAR.search(word) or _SHORT_YEAR.fullmatch(word):
                continue
            if word.isupper() and (len(word) > 5 or _caps_run(words, i)):
                continue  # words in capitals are emphasis; an acronym is short and stands alone
            # the first word of the question, or of a sentence or bracket in it, is capitalised anyway
            if i == 0 or words[i - 1].endswith(_STARTS) or raw.startswith(("(", "[", '"', "“")):
                continue
            if not _is_name(word, _name_run(words, i)):
                continue  # an ordinary word the question happens to capitalise
            terms.append(word)
    return list(dict.fromkeys(t for t in terms if t))


def _year_check(year: str, vocab: Vocabulary) -> TermCheck:
    yy = year[2:]
    if year in vocab.numbers:
        return TermCheck(year, True, "as written")
    if f"fy{yy}" in vocab.squashed or re.search(rf"['’]{yy}\b", vocab.raw):
        return TermCheck(year, True, f"as FY{yy} / '{yy}")
    if re.search(r"(?<!\d)" + r"\s?".join(year) + r"(?!\d)", vocab.raw):
        return TermCheck(year, True, "letter-spaced")
    return TermCheck(year, False, f"tried {year}, FY{yy}, '{yy}")


def _word_check(word: str, vocab: Vocabulary) -> tuple[bool, str]:
    s = squash(word)
    if s in vocab.squashed:
        return True, "as written"
    if len(s) > 4 and s.endswith("s") and s[:-1] in vocab.squashed:
        return True, f"as {s[:-1]!r}"
    if 2 <= len(s) <= 6 and (word.isupper() or "." in word) and s in vocab.initials:
        return True, "as the initials of a name the documents spell out"
    if word.isupper() and "N" in word[1:-1]:  # "&" said as "n" in an abbreviation: RND, PPNE, MNA
        for i in (i for i, ch in enumerate(word) if ch == "N" and 0 < i < len(word) - 1):
            amp = f"{word[:i]}&{word[i + 1 :]}"
            if re.search(rf"(?<![A-Za-z]){re.escape(amp)}(?![A-Za-z])", vocab.raw, re.I):
                return True, f"as {amp!r}"
    if len(s) >= 5:
        limit = 1 if len(s) <= 7 else 2
        # a name misspelt is near a word the documents print as a name ("Apple" is not "apply")
        near = process.extractOne(s, vocab.names if word[:1].isupper() else vocab.words,
                                  scorer=Levenshtein.distance, score_cutoff=limit)  # fmt: skip
        if near is not None:
            return True, f"near {near[0]!r} ({near[1]} edit{'s' if near[1] > 1 else ''})"
        return False, f"no word within {limit} edit{'s' if limit > 1 else ''}"
    return False, "no near form tried (short word)"


def check_term(term: str, vocab: Vocabulary) -> TermCheck:
    """How the documents hold ``term`` (``found`` False when in no form)."""
    if _YEAR.fullmatch(term):
        return _year_check(term, vocab)
    if squash(term) and squash(term) in vocab.squashed:
        return TermCheck(term, True, "as written")
    words = [w for w in re.split(r"[\s/-]+", term) if len(squash(w)) >= 4] or [term]
    results = [(w, *_word_check(w, vocab)) for w in words]
    if all(ok for _, ok, _ in results):
        hows = "; ".join(f"{w!r} {how}" for w, _, how in results if how != "as written")
        return TermCheck(term, True, hows or "as written")
    spelt = [w for w in re.split(r"\s+", term) if w[:1].isupper() and w.lower() not in ("of", "and", "the", "for")]
    if len(spelt) >= 2 and re.search(rf"\b{re.escape(''.join(w[0] for w in spelt).upper())}\b", vocab.raw):
        return TermCheck(term, True, "as its initials")
    return TermCheck(term, False, "; ".join(f"{w!r}: {how}" for w, ok, how in results if not ok))


def check_terms(question: str, documents_text: str) -> list[TermCheck]:
    """Every term :func:`named_terms` finds in ``question``, checked against the documents' text
    (no checks when there is no text: nothing to decide by)."""
    if not squash(documents_text):
        return []
    vocab = Vocabulary.of(documents_text)
    return [check_term(t, vocab) for t in named_terms(question)]


def absent_terms(question: str, documents_text: str) -> list[str]:
    """The terms of :func:`named_terms` that ``documents_text`` holds in no form."""
    return [c.term for c in check_terms(question, documents_text) if not c.found]


def absence_note(checks: list[TermCheck]) -> str:
    """The trace's account of the missing terms: each, and the forms tried."""
    return "; ".join(f"{c.term!r} ({c.how})" for c in checks if not c.found)
