"""MMLongBench-Doc's rule-based scorer, reimplemented faithfully (pure functions).

Deviations from the upstream script, none of which changes a score it computes:
* list literals are parsed with ``ast.literal_eval`` (upstream uses ``eval``); a prediction
  that starts with ``[`` but is not a valid literal is split on commas instead of crashing;
* a gold answer the rules cannot parse (e.g. an ``Int`` gold that is not an integer)
  scores 0 instead of raising.
"""

from __future__ import annotations

import ast
import re
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
