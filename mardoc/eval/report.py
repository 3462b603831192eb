"""Reports over one or more runs: a rich table, report.md and PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mardoc.eval.metrics import abstention, by_solver, show
from mardoc.eval.paired import paired_report_lines, paired_rows
from mardoc.eval.runner import read_predictions


def load_run(run: Path) -> dict[str, Any]:
    metrics = json.loads((run / "metrics.json").read_text())
    settings = json.loads((run / "settings.json").read_text()) if (run / "settings.json").exists() else {}
    return {
        "name": run.name,
        "path": run,
        "metrics": metrics,
        "settings": settings,
        "rows": list(read_predictions(run).values()),
    }


def _bars(runs: list[dict[str, Any]], key: str, title: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cats = sorted({c for r in runs for c in r["metrics"][key]})
    if not cats:
        return
    width = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(cats) + 2), 4))
    for i, r in enumerate(runs):
        vals = [r["metrics"][key].get(c, {}).get("accuracy", 0.0) for c in cats]
        ns = [r["metrics"][key].get(c, {}).get("n", 0) for c in cats]
        xs = [j + i * width for j in range(len(cats))]
        bars = ax.bar(xs, vals, width, label=r["name"])
        for b, n in zip(bars, ns, strict=True):
            ax.annotate(
                f"n={n}",
                (b.get_x() + b.get_width() / 2, b.get_height()),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks([j + width * (len(runs) - 1) / 2 for j in range(len(cats))])
    ax.set_xticklabels([c[:22] for c in cats], rotation=25, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _recall_curve(runs: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    ks = [1, 3, 5, 10]
    for r in runs:
        if not r["metrics"].get("retrieval"):
            continue  # a benchmark without evidence pages
        ax.plot(ks, [r["metrics"]["retrieval"][f"recall@{k}"] for k in ks], marker="o", label=r["name"])
    ax.set_xlabel("k (pages)")
    ax.set_ylabel("evidence-page recall@k")
    ax.set_ylim(0, 1)
    ax.set_title("Page retrieval recall")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _judge_cell(m: dict) -> str:
    j = m.get("judge")
    return f"{j['accuracy']:.3f} (n={j['n']})" if j else "-"


def _cell(text: Any, n: int = 40) -> str:
    t = " ".join(str(text).split()).replace("|", "/")
    return t if len(t) <= n else t[: n - 1] + "…"


def _per_question(runs: list[dict[str, Any]], limit: int = 80) -> list[str]:
    """Gold and every run's short answer (score) side by side, for small runs."""
    by_run = [{row["qid"]: row for row in r["rows"]} for r in runs]
    qids = list(dict.fromkeys(q for rows in by_run for q in rows))
    if not qids or len(qids) > limit:
        return []
    lines = ["## Per question", "", "| doc | question | gold | " + " | ".join(r["name"] for r in runs) + " |"]
    lines.append("|---|---|---|" + "---|" * len(runs))
    for q in qids:
        first = next(rows[q] for rows in by_run if q in rows)
        cells = []
        for rows in by_run:
            row = rows.get(q)
            if row is None:
                cells.append("-")
            elif row.get("error"):
                cells.append("error")
            else:
                cells.append(f"{_cell(row.get('short', ''), 30)} ({row.get('score', 0):.2g})")
        lines.append(
            f"| {_cell(first.get('doc', ''), 24)} | {_cell(first['question'], 60)} | {_cell(first['gold'], 30)} | "
            + " | ".join(cells)
            + " |"
        )
    return [*lines, ""]


def _abstention_lines(runs: list[dict[str, Any]]) -> list[str]:
    """"Not answerable" by the step that said it, and the answerable questions refused, per run
    (recomputed from the rows, so runs scored before this breakdown existed show it too)."""
    lines = ['## "Not answerable": who said it', "",
             "| run | said by | said | right | precision | recall |", "|---|---|---|---|---|---|"]  # fmt: skip
    refused: list[str] = []
    for r in runs:
        na = abstention([row for row in r["rows"] if not row.get("error")])
        lines.append(f"| {r['name']} | all | {na['predicted']} | {sum(c['right'] for c in na['by'].values())} | "
                     f"{show(na['precision'])} | {show(na['recall'])} |")  # fmt: skip
        for who, c in na["by"].items():
            lines.append(f"| {r['name']} | {who} | {c['said']} | {c['right']} | {show(c['precision'])} | {show(c['recall'])} |")
        refused += [f"| {r['name']} | {x['qid']} | {x['by']} | {_cell(x['reason'], 90)} | {_cell(x['gold'], 30)} |"
                    for x in na["refused_answerable"]]  # fmt: skip
    lines.append("")
    if refused:
        lines += ["Answerable questions refused:", "", "| run | qid | by | reason | gold |", "|---|---|---|---|---|", *refused, ""]
    return lines


def _solver_lines(runs: list[dict[str, Any]]) -> list[str]:
    """Which table solver answered, right or wrong, per run (recomputed from the rows' traces)."""
    lines = ["## Who answered: the table step's solvers", "", "| run | answered by | n | right |", "|---|---|---|---|"]
    for r in runs:
        for solver, c in by_solver([row for row in r["rows"] if not row.get("error")]).items():
            lines.append(f"| {r['name']} | {solver} | {c['n']} | {c['right']} |")
    for r in runs:
        text = [row for row in r["rows"] if str(row.get("grader", "")).startswith("text")]
        if text:
            lines += [f"Graded by a text proxy in {r['name']} (for a judge or a person: gold beside):", "",
                      "| qid | short answer | gold | proxy score |", "|---|---|---|---|"]  # fmt: skip
            lines += [f"| {x['qid']} | {_cell(x.get('short'), 60)} | {_cell(x['gold'], 80)} | {show(x.get('score'))} |" for x in text]
            lines.append("")
    return [*lines, ""]


def write_report(
    runs_paths: list[Path], out: Path | None = None, *, paired: bool = False
) -> tuple[Path, list[dict[str, Any]]]:
    """Write ``report.md`` and its charts; ``paired`` adds the paired comparison of the
    second run against the first, on the questions both answered."""
    runs = [load_run(p) for p in runs_paths]
    out = out or runs_paths[0]
    out.mkdir(parents=True, exist_ok=True)
    charts = {
        "by_answer_format": "accuracy by answer format",
        "by_evidence_source": "accuracy by evidence source",
        "by_doc_type": "accuracy by document type",
        "by_page_type": "accuracy by evidence pages",
    }
    lines = ["# mardoc evaluation report", ""]
    lines += [
        'Scoring: "accuracy" and "F1" always come from the MMLongBench-Doc rule-based scorer '
        "(for DocBench and FinanceBench, whose official protocol is an LLM judge, it is a cheap proxy); "
        '"judge acc." is the LLM judge\'s accuracy, when the run used one (model named per run below).',
        "",
    ]
    lines += [
        "| run | mode | n | errors | accuracy | F1 | judge acc. | NA precision / recall | page R@5 | cited-page precision "
        "| s/question median / p90 | LLM calls/q | prompt / completion tokens/q |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        m = r["metrics"]
        o = m["overall"]
        ret = m.get("retrieval") or {}
        na = m.get("not_answerable") or {}
        lines.append(
            f"| {r['name']} | {m.get('mode', '')} | {o['n']} | {m['errors']} | {o['accuracy']:.3f} | {o['f1']:.3f} | "
            f"{_judge_cell(m)} | {show(na.get('precision'))} / {show(na.get('recall'))} | "
            f"{show(ret.get('recall@5'))} | {show(ret.get('cited_precision'))} | "
            f"{show(m.get('seconds_median'), 1)} / {show(m.get('seconds_p90'), 1)} | "
            f"{m['llm_calls_per_question']:.1f} | "
            f"{m.get('prompt_tokens_per_question', 0):.0f} / {m.get('completion_tokens_per_question', 0):.0f} |"
        )
    lines.append("")
    lines += _abstention_lines(runs)
    lines += _solver_lines(runs)
    if paired:
        if len(runs) != 2:
            raise ValueError("a paired report compares exactly two runs")
        a, b = ({row["qid"]: row for row in r["rows"]} for r in runs)
        pairs = paired_rows(a, b)
        lines += paired_report_lines(runs[0]["name"], runs[1]["name"], pairs)
    judges = [(r["name"], (r["metrics"].get("scoring") or {}).get("judge")) for r in runs]
    if any(j for _, j in judges):
        lines += ["Judges: " + "; ".join(f"{n}: {j or 'none'}" for n, j in judges), ""]
    for key, title in charts.items():
        png = out / f"{key}.png"
        _bars(runs, key, title, png)
        lines += [f"## {title.capitalize()}", "", f"![{title}]({png.name})", ""]
        cats = sorted({c for r in runs for c in r["metrics"][key]})
        lines += ["| category | " + " | ".join(r["name"] for r in runs) + " |", "|---|" + "---|" * len(runs)]
        for c in cats:
            cells = []
            for r in runs:
                v = r["metrics"][key].get(c)
                cells.append(f"{v['accuracy']:.3f} (n={v['n']})" if v else "-")
            lines.append(f"| {c} | " + " | ".join(cells) + " |")
        lines.append("")
    _recall_curve(runs, out / "recall_at_k.png")
    lines += ["## Retrieval", "", "![recall@k](recall_at_k.png)", ""]
    lines += _per_question(runs)
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path, runs
