"""Paired comparison of two runs on the questions both answered (pure functions).

Two designs are compared only on the same questions: the accuracy difference B - A, with
a percentile bootstrap 95% interval over questions (resampling the pairs), per category,
and the lists of questions B won and lost. With ~100 questions an interval that excludes 0
is the evidence a change helped; a difference inside it is noise.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

BOOTSTRAP = 2000


def paired_rows(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[tuple[dict, dict]]:
    """(row of A, row of B) for every question both runs answered without error, by qid."""
    both = sorted(q for q in a.keys() & b.keys() if not a[q].get("error") and not b[q].get("error"))
    return [(a[q], b[q]) for q in both if a[q].get("score") is not None and b[q].get("score") is not None]


def bootstrap_interval(
    diffs: Sequence[float], *, samples: int = BOOTSTRAP, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``diffs``."""
    if not diffs:
        return (0.0, 0.0)
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(samples))
    lo = means[int((1 - level) / 2 * samples)]
    hi = means[min(samples - 1, int((1 + level) / 2 * samples))]
    return (lo, hi)


def compare(pairs: Sequence[tuple[dict, dict]], *, seed: int = 0) -> dict[str, Any]:
    """Accuracy of A and B, the difference B - A and its 95% interval, wins and losses."""
    diffs = [float(b["score"]) - float(a["score"]) for a, b in pairs]
    n = len(pairs)
    acc_a = sum(float(a["score"]) for a, _ in pairs) / n if n else 0.0
    acc_b = sum(float(b["score"]) for _, b in pairs) / n if n else 0.0
    lo, hi = bootstrap_interval(diffs, seed=seed)
    return {
        "n": n,
        "accuracy_a": acc_a,
        "accuracy_b": acc_b,
        "difference": acc_b - acc_a,
        "ci95": (lo, hi),
        "won": [b["qid"] for a, b in pairs if float(b["score"]) > float(a["score"])],
        "lost": [b["qid"] for a, b in pairs if float(b["score"]) < float(a["score"])],
    }


def compare_by(pairs: Sequence[tuple[dict, dict]], key: str, *, seed: int = 0) -> dict[str, dict[str, Any]]:
    """:func:`compare` per value of ``key`` (a list-valued key counts a pair in each of its values)."""
    groups: dict[str, list[tuple[dict, dict]]] = {}
    for a, b in pairs:
        values = a.get(key)
        for v in values if isinstance(values, list) else [values]:
            groups.setdefault(str(v), []).append((a, b))
    return {k: compare(v, seed=seed) for k, v in sorted(groups.items())}


def paired_report_lines(name_a: str, name_b: str, pairs: Sequence[tuple[dict, dict]]) -> list[str]:
    """The paired section of a report, as markdown lines."""
    total = compare(pairs)
    lo, hi = total["ci95"]
    lines = [
        f"## Paired: {name_b} vs {name_a}",
        "",
        f"On the {total['n']} questions both runs answered: accuracy {total['accuracy_a']:.3f} ({name_a}) vs "
        f"{total['accuracy_b']:.3f} ({name_b}); difference {total['difference']:+.3f}, bootstrap 95% interval "
        f"[{lo:+.3f}, {hi:+.3f}] ({BOOTSTRAP} resamples of the question pairs).",
        "",
        "| category | value | n | " + name_a + " | " + name_b + " | difference [95% interval] |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in (("answer_format", "answer format"), ("evidence_sources", "evidence source"),
                       ("doc_type", "doc type")):  # fmt: skip
        for value, c in compare_by(pairs, key).items():
            clo, chi = c["ci95"]
            lines.append(
                f"| {label} | {value} | {c['n']} | {c['accuracy_a']:.3f} | {c['accuracy_b']:.3f} | "
                f"{c['difference']:+.3f} [{clo:+.3f}, {chi:+.3f}] |"
            )
    by_qid = {b["qid"]: b for _, b in pairs}
    for title, ids in (("won", total["won"]), ("lost", total["lost"])):
        lines += ["", f"Questions {name_b} {title} ({len(ids)}):", ""]
        lines += [f"- `{q}` {str(by_qid[q].get('question', ''))[:90]}" for q in ids]
    lines.append("")
    return lines
