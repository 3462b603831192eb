"""MMLongBench-Doc's rule-based scorer, reimplemented faithfully (pure functions), and FinanceBench's
numeric grader (:func:`financebench_grade`).

Deviations from the upstream script, none of which changes a score it computes:
* list literals are parsed with ``ast.literal_eval`` (upstream uses ``eval``); a prediction
  that starts with ``[`` but is not a valid literal is split on commas instead of crashing;
* a gold answer the rules cannot parse (e.g. an ``Int`` gold that is not an integer)
  scores 0 instead of raising.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from math import isclose
from typing import Any


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def anls(gold: str, pred: str, threshold: float = 0.5) -> float:
    length = max(len(gold), len(pred))
    value = 0.0 if length == 0 else levenshtein(gold, pred) / length
    score = 1.0 - value
    return 0.0 if score <= threshold else score


def clean(s: Any) -> str:
    s = str(s).lower().strip()
    for unit in ("miles", "mile", "million"):
        if s.endswith(unit):
            s = s[: -len(unit)].strip()
    s = re.sub(r"\s*\([^)]*\)", "", s).strip()
    s = re.sub(r"^['\"]|['\"]$", "", s).strip()
    s = s.strip().lstrip("$").strip()
    s = s.strip().rstrip("%").strip()
    return s


def is_exact_match(s: str) -> bool:
    return bool(
        "https://" in s
        or s.endswith((".py", "ipynb"))
        or s.startswith("page")
        or re.fullmatch(r"\b\d+(-\d+|\s\d+)?\b", s)
        or "a.m." in s
        or "p.m." in s
        or re.fullmatch(r"\b\d{4}[-\s]\d{2}[-\s]\d{2}\b", s)
        or re.fullmatch(r"\b\d{4}[-\s]\d{2}\b", s)
        or re.fullmatch(r"[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}", s)
    )


def _isfloat(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def _precision(x: float) -> int:
    text = str(x)
    return len(text.split(".")[-1]) if "." in text else 3


def is_float_equal(gold: float, pred: Any) -> bool:
    try:
        p = float(str(pred).strip().rstrip("%").strip())
    except ValueError:
        return False
    for item in (gold / 100, gold, gold * 100):
        if isclose(item, p, rel_tol=0.01):
            return True
        digits = max(min(_precision(p), _precision(item)), 2)
        if round(p, digits) == round(item, digits):
            return True
    return False


def _as_list(x: Any) -> list[Any]:
    if isinstance(x, str) and x.strip().startswith("["):
        try:
            val = ast.literal_eval(x.strip())
        except (ValueError, SyntaxError):
            val = [p.strip() for p in x.strip()[1:].rstrip("]").split(",")]
        x = val
    return list(x) if isinstance(x, (list, tuple)) else [x]


def score_answer(gold: Any, pred: Any, answer_format: str) -> float:
    """Score one extracted answer against gold using the gold's answer format."""
    if answer_format == "Int":
        try:
            return float(int(gold) == int(float(str(pred).replace(" ", ""))))
        except (ValueError, TypeError, OverflowError):
            return 0.0
    if answer_format == "Float":
        try:
            g = float(clean(gold))
        except ValueError:
            return 0.0
        try:
            p: Any = float(clean(pred))
        except ValueError:
            p = ""
        return float(is_float_equal(g, p))
    if answer_format in ("Str", "None"):
        gold_s, pred_s = clean(gold), clean(pred)
        return float(gold_s == pred_s) if is_exact_match(gold_s) else anls(gold_s, pred_s)
    gl, pl = _as_list(gold), _as_list(pred)
    if len(gl) != len(pl):
        return 0.0
    if not gl:
        return 0.0  # a gold [] (a known quirk of the data): nothing can match it
    gs = sorted(clean(a) for a in gl)
    ps = sorted(clean(a) for a in pl)
    if _isfloat(gs[0]) or is_exact_match(gs[0]):
        return float("-".join(gs) == "-".join(ps))
    return min(anls(g, p) for g, p in zip(gs, ps, strict=True))


# -- FinanceBench: answers are numbers with units, or sentences -----------------------------------

_SCALE_WORDS = {"thousand": 1e3, "thousands": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6,
                "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9}  # fmt: skip
_AMOUNT = re.compile(
    r"(?P<neg>[-−(])?\s*(?:usd|us\$|\$)?\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)(?![\d.])\s*(?P<pct>%|percent)?"
    r"(?:\s*(?P<scale>thousands?|millions?|billions?|mn|bn|[kmb])\b)?\)?",
    re.I,
)
_ONE_AMOUNT = re.compile(
    r"^\s*[-−(]?\s*(?:usd|us\$|\$)?\s*\d[\d,]*(?:\.\d+)?\s*(?:%|percent)?\s*(?:thousands?|millions?|billions?|mn|bn)?\s*\)?\s*(?:usd|dollars)?\s*\.?\s*$",
    re.I,
)
_YES_NO = re.compile(r"^\s*(yes|no)\b", re.I)


@dataclass(frozen=True)
class Amount:
    value: float  # as written, its scale word applied
    percent: bool
    decimals: int  # digits after the point, as written
    scaled: bool  # a scale word was written ("1.6 billion")
    written: str = ""  # as the text writes it


def amounts(text: str) -> list[Amount]:
    """The numbers a text writes, with their %, sign and scale word ("$1.6 billion", "(0.02)")."""
    out = []
    for m in _AMOUNT.finditer(text or ""):
        raw = m.group("num").replace(",", "")
        try:
            v = float(raw)
        except ValueError:
            continue
        scale = _SCALE_WORDS.get((m.group("scale") or "").lower(), 1.0)
        v = -v * scale if m.group("neg") else v * scale
        out.append(Amount(v, bool(m.group("pct")), len(raw.split(".")[1]) if "." in raw else 0, scale != 1.0, m.group(0)))
    return out


def _close(p: float, g: Amount) -> bool:
    tol = max(0.01 * abs(g.value), 0.5 * 10 ** (-g.decimals) if g.decimals else 0.0)
    return abs(p - g.value) <= tol + 1e-12


def numeric_grade(gold: str, pred: str) -> float | None:
    """FinanceBench's numeric answers graded by value (None when the gold is not one number):
    right when a number of the prediction is within 1% of the gold (or equal at the gold's
    rounding), read in the gold's unit — a prediction in millions for a gold in millions, a
    scale word ("1.58 billion" for "$1577.00" millions), a fraction for a percentage (0.346
    for 34.6%)."""
    if not _ONE_AMOUNT.match(gold or ""):
        return None
    g = amounts(gold)
    if len(g) != 1:
        return None
    gold_a = g[0]
    for p in amounts(pred):
        tries = [p.value]
        if p.scaled and not gold_a.scaled:  # the gold is in the unit the question asks (millions, most often)
            tries += [p.value / s for s in (1e3, 1e6, 1e9)]
        if gold_a.percent and not p.percent:
            tries.append(p.value * 100)
        if p.percent and not gold_a.percent:
            tries.append(p.value / 100)
        if any(_close(t, gold_a) for t in tries):
            return 1.0
    return 0.0


def yes_no_grade(gold: str, pred: str) -> float | None:
    """A gold that opens with "Yes" or "No": right when the prediction opens with the same word
    (None when the gold does not)."""
    m = _YES_NO.match(gold or "")
    if not m:
        return None
    p = _YES_NO.match(pred or "")
    return float(p is not None and p.group(1).lower() == m.group(1).lower())


def financebench_grade(gold: str, short: str, text: str) -> tuple[float, str]:
    """FinanceBench's answer graded: by value for a numeric gold (the short answer, else the
    answer's text), by the opening word for a yes/no gold, else by the rule-based text score
    (a proxy: a judge or a person grades these). Returns the score and the grader's name."""
    got = numeric_grade(gold, short)
    if got is not None:
        if not amounts(short) and (first := amounts(text)[:1]):  # a sentence for a short answer: its first number
            got = numeric_grade(gold, first[0].written) or 0.0
        return got, "numeric"
    got = yes_no_grade(gold, short) if _YES_NO.match(short or "") else yes_no_grade(gold, text)
    if got is not None:
        return got, "yes/no"
    return score_answer(gold, short, "Str"), "text (proxy: for a judge or a person)"
