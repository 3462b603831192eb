"""What a question asks, read by code: its parts, and whether the memory holds evidence for each.

A multi-part question ("What is the default weight of a glob pattern, and what is the maximum?")
must be answered part by part; a small model tends to answer the first part and stop. Parts are
split at a comma or "and" followed by a new question word, or at a question mark followed by
another question. A part is covered when some active evidence shares one of its content words
(words of three letters or more that are not function words and are not shared by every part).
"""

from __future__ import annotations

import re

from mardoc.memory import EvidenceMemory

_SPLIT = re.compile(
    r"(?:\?\s+(?:and\s+)?|[,;]\s*(?:and\s+|but\s+)?|\s+and\s+)(?=(?:what|which|who|whom|whose|when|where|how|why|is|are|does|do|did)\b)",
    re.I,
)
_WORD = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset(
    ["the", "and", "for", "are", "was", "were", "what", "which", "who", "whom", "whose", "when", "where", "how", "why", "does", "did", "this", "that", "these", "those", "with", "from", "into", "onto", "about", "than", "then", "there", "their", "they", "them", "its", "it's", "has", "have", "had", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "not", "any", "all", "each", "per", "also", "just", "only", "more", "most", "many", "much", "some", "such", "very", "our", "your", "his", "her", "him", "she", "you"]
)


_ASKS = re.compile(r"^(?:what|which|who|whom|whose|when|where|how|why|is|are|was|were|does|do|did|can|could|list|name|give)\b", re.I)


def question_parts(question: str) -> list[str]:
    """The sub-questions of ``question`` (one item when it asks one thing).

    A leading clause that asks nothing ("According to the report, which ...", "In Figure 1,
    what ...") belongs to the question after it: it is not a part of its own."""
    pieces = _split_pieces(question)
    parts: list[str] = []
    asks = False  # whether the last part holds a piece that asks something
    for piece in pieces:
        if parts and not asks:
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
        asks = bool(_ASKS.match(piece))
    if len(parts) < 2:
        return [question.strip()]
    return parts


def _split_pieces(question: str) -> list[str]:
    parts = [p.strip(" ,;?") for p in _SPLIT.split(question.strip())]
    if len(parts) < 2 or any(len(_WORD.findall(p.lower())) < 2 for p in parts):
        return [question.strip()]  # a fragment is not a question of its own: one question
    return parts


def parts_text(question: str) -> str:
    """A prompt line naming the parts of a multi-part question ("" for a single one)."""
    parts = question_parts(question)
    if len(parts) < 2:
        return ""
    listed = "\n".join(f"{i}. {p}?" for i, p in enumerate(parts, start=1))
    return (
        f"The question has {len(parts)} parts; answer every one of them (in the answer and in the short "
        f"answer), and say which part is not stated if one is missing:\n{listed}\n"
    )


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def uncovered_parts(question: str, memory: EvidenceMemory) -> list[str]:
    """The parts of a multi-part question without any evidence sharing their own words."""
    parts = question_parts(question)
    if len(parts) < 2:
        return []
    words = [content_words(p) for p in parts]
    common = set.intersection(*words) if words else set()
    evidence = set().union(*(content_words(f"{e.statement} {e.quote}") for e in memory.active()))
    return [p for p, w in zip(parts, words, strict=True) if (w - common) and not ((w - common) & evidence)]


# -- named terms the documents must mention ------------------------------------------------
#
# A question that names a year, a quoted phrase or a proper name the documents never mention
# cannot be answered from them (the report covers 2018 and the question asks about 2024; the
# question names a company or a person the document does not). This is checked by code over
# the whole text of the documents in scope, not by a model's word. The check is lenient so
# that it abstains only on clear absences: text is compared lower-cased with everything but
# letters and digits removed (so letter-spaced or hyphenated words still match), and a name
# counts as mentioned when each of its words of four letters or more appears somewhere.

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,80})[\"“”]")
_CAPITAL = re.compile(r"\b[A-Z][A-Za-z0-9&'.-]*[A-Za-z0-9]\b")
# capitalised words that name a part of any document or a generic notion, not an entity
_GENERIC = frozenset(
    ["figure", "figures", "fig", "table", "tables", "page", "pages", "chapter", "chapters", "section", "sections", "appendix", "slide", "slides", "chart", "charts", "image", "images", "picture", "pictures", "document", "documents", "report", "paper", "article", "part", "step", "answer", "list", "format", "int", "float", "str", "string", "yes", "no", "please", "give", "write", "return", "directly", "according", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
_QUESTION_WORDS = frozenset(
    ["what", "which", "who", "whom", "whose", "when", "where", "how", "why", "is", "are", "was", "were", "does", "do", "did", "can", "could", "should", "would", "will", "in", "on", "at", "of", "for", "from", "to", "by", "as", "among", "between", "the", "a", "an", "and", "or", "if", "please", "according", "list", "give", "write", "tell", "name", "return"]
)


def squash(text: str) -> str:
    """Letters and digits only: "PREDICTIVE  MODEL-LING" and "predictivemodelling" match (PDF text
    loses and gains spaces)."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


_PART_OF = "? (a part of the question: "


def part_question(part: str, question: str) -> str:
    """One part of a multi-part question, asked alone with the whole question as context."""
    return f"{part}{_PART_OF}{question})"


def asked_part(focus: str) -> str:
    """The part a :func:`part_question` asks ("" for a question that is not one)."""
    return focus.split(_PART_OF, 1)[0] if _PART_OF in focus else ""


_INSTRUCTION = re.compile(r"\bformat|\be\.g\.|\bfor example\b|\bsuch as\b.*\[", re.I)
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")


def _asking_text(question: str) -> str:
    """The question without its instructions on the answer's form ("Write the day as
    YYYY-MM-DD", "a list like ['1999', '2031']"): what they name is not asked about."""
    sentences = re.split(r"(?<=[?.!])\s+", question.strip())
    kept = [s for s in sentences if not _INSTRUCTION.search(s)] or sentences[:1]
    return _BRACKETS.sub(" ", " ".join(kept))


def _caps_run(words: list[str], i: int) -> bool:
    near = [words[j] for j in (i - 1, i + 1) if 0 <= j < len(words)]
    return any(w.strip(".,?!:;'\"").isupper() and len(w.strip(".,?!:;'\"")) > 3 for w in near)


def named_terms(question: str) -> list[str]:
    """The years, quoted phrases and proper names a question names (each once, in order).

    Capitalised words count as names only in a question written in mixed case (in one
    written all in capitals every word is capitalised)."""
    terms: list[str] = []
    question = _asking_text(question)
    letters = [ch for ch in question if ch.isalpha()]
    shouting = bool(letters) and sum(ch.isupper() for ch in letters) > 0.6 * len(letters)
    terms += _YEAR.findall(question)
    terms += [q.strip() for q in _QUOTED.findall(question)]
    question = _QUOTED.sub(" ", question)  # a quoted phrase is checked whole, not word by word
    words = [] if shouting else question.split()
    for i, raw in enumerate(words):
        for m in _CAPITAL.finditer(raw):
            word = m.group(0).strip(".'")
            low = word.lower()
            if len(word) < 4 or low in _GENERIC or low in _QUESTION_WORDS:
                continue
            if word.isupper() and (len(word) > 5 or _caps_run(words, i)):
                continue  # words in capitals are emphasis; an acronym is short and stands alone
            # the first word of the question, or of a sentence in it, is capitalised anyway
            if i == 0 or words[i - 1].endswith((".", "?", "!", ":")):
                continue
            if any(ch.isdigit() for ch in word) and _YEAR.search(word):
                continue  # FY2018: its year is checked on its own
            terms.append(word)
    return list(dict.fromkeys(t for t in terms if t))


def absent_terms(question: str, documents_text: str) -> list[str]:
    """The terms of :func:`named_terms` that ``documents_text`` never mentions."""
    text = squash(documents_text)
    if not text:
        return []
    missing = []
    for term in named_terms(question):
        words = [w for w in re.split(r"\s+", term) if len(squash(w)) >= 4] or [term]
        if _YEAR.fullmatch(term):
            words = [term]
        if any(squash(w) not in text for w in words):
            missing.append(term)
    return missing
