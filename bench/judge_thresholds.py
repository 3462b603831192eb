"""Choose the agents' two judgement thresholds from one agents run, by a stated rule.

Usage: python bench/judge_thresholds.py RUN_DIR [--json OUT]

RUN_DIR holds an agents run's predictions.jsonl, made with ``agents.abstain_below = 0`` (never
abstain by judgement) and a low ``agents.insist_above`` (ask again whenever the model said "Not
answerable" over a page judged to answer at least that much). The run's traces hold, per
question, every page's judged probability, the answer, and (where it was asked again) the first
answer, so the outcome under any higher thresholds is known without calling the model again:

* ``abstain_below = a``: "Not answerable" when the best page judged is below ``a`` (the
  Reflector's decision in the last round; it changes nothing else in the run);
* ``insist_above = i``: the first answer ("Not answerable") stands when the best page is below ``i``.

The rule: the judgement is used only if it separates answerable from unanswerable questions
(AUC of the best page's probability >= 0.7); then, over the grids below, the pair with the
highest accuracy among those that lose no right answer on an answerable question (recall not
below the run's without thresholds: abstaining on most questions raises this benchmark's
accuracy for a model that rarely answers right, and is no use to a person); ties go to the
smaller ``abstain_below`` (abstain less) and then the larger ``insist_above`` (ask again less).
Otherwise both stay off (0 and 1.0). The choice is made on the dev questions it is printed
for; a two-fold cross-fit (choose on one half, score the other) shows how optimistic that is.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mardoc.types import NOT_ANSWERABLE

# The judged probabilities of this model lie between about 0.40 and 0.70 (the first 33 rows of
# an earlier run of the decision set; a grid of 0.05 steps up to 0.5, set before, never abstained): the
# grids cover that range in 0.01 steps, and 1.0 (never).
GRID_ABSTAIN = [0.0] + [round(0.40 + 0.01 * i, 2) for i in range(0, 31)]  # 0, 0.40 .. 0.70
GRID_INSIST = [round(0.50 + 0.01 * i, 2) for i in range(0, 21)] + [1.0]  # 0.50 .. 0.70, 1.0


def facts(row: dict[str, Any]) -> dict[str, Any]:
    """What the thresholds act on, from one prediction row's trace."""
    trace = row.get("trace") or []
    best = max((float(j.get("p", 0.0)) for t in trace if t.get("agent") == "refiner"
                for j in (t.get("pages") or {}).values() if isinstance(j, dict)), default=0.0)  # fmt: skip
    answerer = next((t for t in reversed(trace) if t.get("agent") == "answerer"), {})
    absent = any(t.get("absent") for t in trace if t.get("agent") == "explorer")
    return {"best": best, "absent": absent, "asked_again": "first_short" in answerer,
            "gold_na": row["gold"] == NOT_ANSWERABLE, "score": float(row.get("score") or 0.0),
            "said_na": str(row.get("short", "")).strip() == NOT_ANSWERABLE}  # fmt: skip


def first_page_hits(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """On answerable questions with gold pages: how often the page judged most probable is a
    gold page, against the retrieval's first page (both among the pages judged in round 1)."""
    out = {"questions": 0, "judge_first_is_gold": 0, "rank_first_is_gold": 0, "any_judged_is_gold": 0}
    for r in rows:
        gold = set(r.get("evidence_pages") or [])
        refiner = next((t for t in r.get("trace") or [] if t.get("agent") == "refiner"), None)
        if r["gold"] == NOT_ANSWERABLE or not gold or not refiner or not refiner.get("pages"):
            continue
        judged = [(int(k.rsplit("p.", 1)[1]), float(v["p"])) for k, v in refiner["pages"].items()]
        out["questions"] += 1
        out["rank_first_is_gold"] += judged[0][0] in gold
        out["judge_first_is_gold"] += max(judged, key=lambda pv: pv[1])[0] in gold
        out["any_judged_is_gold"] += any(p in gold for p, _ in judged)
    return out


def separation(fs: Sequence[dict[str, Any]]) -> dict[str, float]:
    """AUC of the best judged probability for telling answerable from unanswerable questions."""
    pos = [f["best"] for f in fs if not f["gold_na"] and not f["absent"]]
    neg = [f["best"] for f in fs if f["gold_na"] and not f["absent"]]
    if not pos or not neg:
        return {"auc_answerable_vs_not": float("nan")}
    auc = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))
    return {"auc_answerable_vs_not": auc, "mean_best_answerable": sum(pos) / len(pos),
            "mean_best_unanswerable": sum(neg) / len(neg)}  # fmt: skip


def outcome(f: dict[str, Any], abstain: float, insist: float) -> tuple[float, bool]:
    """(score, said "Not answerable") of one question under the thresholds."""
    if f["absent"] or f["best"] < abstain or (f["asked_again"] and f["best"] < insist):
        return (1.0 if f["gold_na"] else 0.0), True
    return f["score"], f["said_na"]


def evaluate(fs: Sequence[dict[str, Any]], abstain: float, insist: float) -> dict[str, float]:
    got = [outcome(f, abstain, insist) for f in fs]
    said = [g for g, f in zip(got, fs, strict=True) if g[1]]
    right_na = sum(1 for g, f in zip(got, fs, strict=True) if g[1] and f["gold_na"])
    gold_na = sum(f["gold_na"] for f in fs)
    right = sum(g[0] for g, f in zip(got, fs, strict=True) if not f["gold_na"])
    return {"accuracy": sum(s for s, _ in got) / max(len(fs), 1), "na_said": len(said),
            "recall": right / max(len(fs) - gold_na, 1),
            "na_precision": right_na / len(said) if said else 0.0,
            "na_recall": right_na / gold_na if gold_na else 0.0}  # fmt: skip


def choose(fs: Sequence[dict[str, Any]]) -> tuple[float, float]:
    if not separation(fs)["auc_answerable_vs_not"] >= 0.7:
        return 0.0, 1.0
    floor = evaluate(fs, 0.0, 1.0)["recall"]
    best: tuple[float, float, float] | None = None
    for a in GRID_ABSTAIN:
        for i in sorted(GRID_INSIST, reverse=True):
            got = evaluate(fs, a, i)
            if got["recall"] < floor - 1e-12:
                continue
            if best is None or got["accuracy"] > best[0] + 1e-12:
                best = (got["accuracy"], a, i)
    assert best is not None  # (0, 1.0) always qualifies
    return best[1], best[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = [json.loads(x) for x in (args.run / "predictions.jsonl").read_text().splitlines() if x.strip()]
    fs = [facts(r) for r in rows if not r.get("error")]
    console = Console()
    table = Table(title=f"{args.run.name}: accuracy (recall on the answerable) by threshold ({len(fs)} questions)")
    table.add_column("abstain_below")
    shown_insist = GRID_INSIST[::4] + ([1.0] if GRID_INSIST[::4][-1] != 1.0 else [])
    for i in shown_insist:
        table.add_column(f"insist {i:.2f}", justify="right")
    for a in GRID_ABSTAIN[::3]:
        cells = [evaluate(fs, a, i) for i in shown_insist]
        table.add_row(f"{a:.2f}", *(f"{c['accuracy']:.3f} ({c['recall']:.3f})" for c in cells))
    console.print(table)
    a, i = choose(fs)
    chosen = evaluate(fs, a, i)
    console.print(f"chosen by the rule: abstain_below={a}, insist_above={i}: " + json.dumps({k: round(v, 3) for k, v in chosen.items()}))
    # two-fold cross-fit, repeated over 20 seeded splits: how much of the gain is choosing on the same questions
    cross = []
    for seed in range(20):
        idx = list(range(len(fs)))
        random.Random(seed).shuffle(idx)
        halves = [[fs[k] for k in idx[: len(idx) // 2]], [fs[k] for k in idx[len(idx) // 2 :]]]
        total = 0.0
        for h in (0, 1):
            ca, ci = choose(halves[h])
            total += evaluate(halves[1 - h], ca, ci)["accuracy"] * len(halves[1 - h])
        cross.append(total / len(fs))
    hits = first_page_hits([r for r in rows if not r.get("error")])
    sep = separation(fs)
    console.print("pages judged in round 1, answerable questions: " + json.dumps(hits))
    console.print("best judgement, answerable vs unanswerable: " + json.dumps({k: round(v, 3) for k, v in sep.items()}))
    base = evaluate(fs, 0.0, 1.0)
    console.print(f"without either threshold: accuracy {base['accuracy']:.3f}; cross-fitted accuracy with the rule "
                  f"(2-fold, 20 splits): mean {sum(cross) / len(cross):.3f}, min {min(cross):.3f}, max {max(cross):.3f}")
    if args.json:
        args.json.write_text(json.dumps({"chosen": {"abstain_below": a, "insist_above": i, **chosen},
                                         "without": base, "cross_fit": cross,
                                         "first_page": hits, "separation": sep}, indent=1))


if __name__ == "__main__":
    main()
