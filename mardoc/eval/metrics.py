"""Aggregate metrics over scored predictions (pure functions over plain dicts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from mardoc.types import NOT_ANSWERABLE


def acc_f1(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Accuracy, and MMLongBench's precision / recall / F1 over answerable questions."""
    scored = [r for r in rows if r.get("score") is not None]
    if not scored:
        return {"n": 0, "accuracy": 0.0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    acc = sum(r["score"] for r in scored) / len(scored)
    answerable = [r for r in scored if r["gold"] != NOT_ANSWERABLE]
    hit = sum(r["score"] for r in answerable)
    recall = hit / len(answerable) if answerable else 0.0
    answered = [r for r in scored if str(r.get("short", "")).strip() != NOT_ANSWERABLE]
    precision = hit / len(answered) if answered else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
    return {"n": len(scored), "accuracy": acc, "precision": precision, "recall": recall, "f1": f1}


def breakdown(rows: Sequence[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        values = r.get(key)
        for v in values if isinstance(values, list) else [values]:
            groups[str(v)].append(r)
    return {k: acc_f1(v) for k, v in sorted(groups.items())}


def page_type(row: dict[str, Any]) -> str:
    if row["gold"] == NOT_ANSWERABLE:
        return "unanswerable"
    return "single-page" if len(row.get("evidence_pages", [])) == 1 else "cross-page"


def recall_at(
    rows: Sequence[dict[str, Any]], k: int, field: str = "pages_ranked", all_pages: bool = False
) -> float:
    """Share of answerable questions with any (or all) evidence pages in the top k."""
    subset = [r for r in rows if r.get("evidence_pages") and r.get(field) is not None]
    if not subset:
        return 0.0
    hits = 0
    for r in subset:
        top = set(r[field][:k])
        found = [p in top for p in r["evidence_pages"]]
        hits += all(found) if all_pages else any(found)
    return hits / len(subset)


def cited_precision_recall(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    subset = [r for r in rows if r.get("evidence_pages")]
    if not subset:
        return {"cited_precision": None, "cited_recall": None}
    precisions, recalls = [], []
    for r in subset:
        cited, gold = set(r.get("cited_pages", [])), set(r["evidence_pages"])
        if cited:
            precisions.append(len(cited & gold) / len(cited))
        recalls.append(len(cited & gold) / len(gold))
    return {
        "cited_precision": sum(precisions) / len(precisions) if precisions else None,
        "cited_recall": sum(recalls) / len(recalls),
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-quantile (0..1) by linear interpolation; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


ABSTAINERS = ("code before reading", "nothing to read", "reading call", "draft check")


def who_abstained(row: dict[str, Any]) -> tuple[str, str]:
    """Which step of a row that says "Not answerable" decided it, and its reason, from the
    trace: the named-terms check by code before anything is read, no page to read, the draft
    check (a draft answer written on none of the pages read), else the reading call."""
    trace = [e for e in row.get("trace") or [] if isinstance(e, dict)]
    for e in trace:
        if e.get("absent"):
            notes = [n for n in e.get("notes", []) if "never mention" in n]
            return ABSTAINERS[0], notes[0] if notes else f"never mentioned: {e['absent']}"
    for e in trace:
        if e.get("step") == "draft" and e.get("unsupported"):
            return ABSTAINERS[3], str(e.get("note", ""))
    if any(e.get("note") == "nothing found to read" for e in trace):
        return ABSTAINERS[1], "nothing found to read"
    return ABSTAINERS[2], " ".join(str(row.get("prediction", "")).split())[:160]


def abstention(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall of answering "Not answerable" (None where there is nothing to
    count), overall and by the step that said it, and the answerable questions refused."""
    scored = [r for r in rows if r.get("score") is not None]
    said = [r for r in scored if str(r.get("short", "")).strip() == NOT_ANSWERABLE]
    gold = [r for r in scored if r["gold"] == NOT_ANSWERABLE]
    both = [r for r in said if r["gold"] == NOT_ANSWERABLE]
    by: dict[str, dict[str, Any]] = {}
    refused = []
    for r in said:
        who, why = who_abstained(r)
        cell = by.setdefault(who, {"said": 0, "right": 0})
        cell["said"] += 1
        cell["right"] += r["gold"] == NOT_ANSWERABLE
        if r["gold"] != NOT_ANSWERABLE:
            refused.append({"qid": r["qid"], "by": who, "reason": why, "gold": str(r["gold"])[:60]})
    for cell in by.values():
        cell["precision"] = cell["right"] / cell["said"]
        cell["recall"] = cell["right"] / len(gold) if gold else None
    return {
        "predicted": len(said),
        "gold": len(gold),
        "precision": len(both) / len(said) if said else None,
        "recall": len(both) / len(gold) if gold else None,
        "by": {k: by[k] for k in ABSTAINERS if k in by},
        "refused_answerable": refused,
    }


def by_solver(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Which table solver gave the answer (from the trace's table step: a lookup, a sum, a
    ratio, the model's query, a count of the inventory ...), with how many were right (score
    >= 0.5); answers the table step did not give are "read by the model"."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.get("score") is None:
            continue
        steps = [e for e in r.get("trace") or [] if isinstance(e, dict) and e.get("agent") == "tables"]
        solver = next((str(e["solver"]) for e in steps if e.get("solver")), "")
        if not solver:
            solver = "read by the model (candidate cells given)" if any(e.get("candidates") for e in steps) else "read by the model"
        cell = out.setdefault(solver, {"n": 0, "right": 0})
        cell["n"] += 1
        cell["right"] += float(r["score"]) >= 0.5
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["n"]))


def _usage_mean(rows: Sequence[dict[str, Any]], key: str) -> float:
    return sum(r.get("usage", {}).get(key, 0) for r in rows) / max(len(rows), 1)


def cost_by_agent(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """LLM calls and prompt / completion tokens per question, by agent, from the rows' traces."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"calls": 0.0, "prompt_tokens": 0.0, "completion_tokens": 0.0})
    for r in rows:
        for event in r.get("trace") or []:
            cost = event.get("cost") if isinstance(event, dict) else None
            if cost:
                for k in ("calls", "prompt_tokens", "completion_tokens"):
                    totals[str(event.get("agent", "?"))][k] += cost.get(k, 0)
    n = max(len(rows), 1)
    return {a: {k: v / n for k, v in t.items()} for a, t in sorted(totals.items())}


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if not r.get("error")]
    errors = [r for r in rows if r.get("error")]
    seconds = [r["seconds"] for r in ok if r.get("seconds") is not None]
    with_pages = [r for r in ok if r.get("evidence_pages")]
    out: dict[str, Any] = {
        "overall": acc_f1(ok),
        "questions": len(rows),
        "errors": len(errors),
        "accuracy_counting_errors_as_wrong": (sum(r["score"] or 0 for r in ok) / len(rows)) if rows else 0.0,
        "not_answerable": abstention(ok),
        "by_page_type": breakdown([{**r, "page_type": page_type(r)} for r in ok], "page_type"),
        "by_answer_format": breakdown(ok, "answer_format"),
        "by_evidence_source": breakdown(ok, "evidence_sources"),
        "by_doc_type": breakdown(ok, "doc_type"),
        # a benchmark without evidence pages has no retrieval figures (n/a, not 0)
        "retrieval": (
            {f"recall@{k}": recall_at(ok, k) for k in (1, 3, 5, 10)}
            | {f"all_recall@{k}": recall_at(ok, k, all_pages=True) for k in (1, 3, 5, 10)}
            | cited_precision_recall(ok)
        )
        if with_pages
        else None,
        "seconds_per_question": sum(seconds) / len(seconds) if seconds else 0.0,
        "seconds_median": percentile(seconds, 0.5),
        "seconds_p90": percentile(seconds, 0.9),
        "llm_calls_per_question": _usage_mean(ok, "calls"),
        "prompt_tokens_per_question": _usage_mean(ok, "prompt_tokens"),
        "completion_tokens_per_question": _usage_mean(ok, "completion_tokens"),
        "rounds_per_question": _usage_mean(ok, "rounds"),
        "cost_by_agent": cost_by_agent(ok),
    }
    caches = [r["cache"] for r in rows if r.get("cache")]
    if caches:
        out["cache"] = {k: round(sum(c.get(k, 0) for c in caches), 3) for k in ("hits", "misses", "seconds_saved")}
        # what the questions would have taken with every call paid: a run that replays some
        # calls from the cache (the agents' fallback is rag's own call) is timed by this
        cold = [r["seconds"] + (r.get("cache") or {}).get("seconds_saved", 0.0) for r in ok if r.get("seconds") is not None]
        out["seconds_cold_median"] = percentile(cold, 0.5)
        out["seconds_cold_p90"] = percentile(cold, 0.9)
    judged = [r["judge_score"] for r in ok if r.get("judge_score") is not None]
    if any("judge_score" in r for r in ok):
        out["judge"] = {
            "n": len(judged),
            "accuracy": sum(judged) / len(judged) if judged else 0.0,
            "failed": sum(1 for r in ok if "judge_score" in r and r["judge_score"] is None),
        }
    return out


def show(value: float | None, digits: int = 3) -> str:
    """A metric for a table: ``n/a`` when there was nothing to measure, never 0."""
    return "n/a" if value is None else f"{value:.{digits}f}"
