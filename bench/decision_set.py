"""Write the decision set: 100 stratified dev questions chosen by a seeded rule.

    python bench/decision_set.py            # writes mardoc/eval/sets/decision.json

The rule is :func:`mardoc.eval.benchmarks.decision_set`; the file is committed so every
later comparison (``mardoc eval run ... --set decision``) uses the same questions.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from mardoc.eval import DECISION_SEED, decision_set, load

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "mmlongbench-dev"
OUT = Path(__file__).resolve().parents[1] / "mardoc" / "eval" / "sets" / "decision.json"


def main() -> None:
    samples, _ = load("mmlongbench", DEV)
    qids = decision_set(samples, 100)
    chosen = [s for s in samples if s.qid in set(qids)]
    blob = {
        "name": "decision",
        "benchmark": "mmlongbench-dev",
        "rule": "mardoc.eval.benchmarks.decision_set(samples, n=100)",
        "seed": DECISION_SEED,
        "n": len(qids),
        "by_doc_type": dict(sorted(Counter(s.doc_type for s in chosen).items())),
        "by_answer_format": dict(sorted(Counter(s.answer_format for s in chosen).items())),
        "qids": qids,
    }
    OUT.write_text(json.dumps(blob, indent=1) + "\n")
    print(f"wrote {OUT}: {len(qids)} questions")
    print(blob["by_doc_type"], blob["by_answer_format"])


if __name__ == "__main__":
    main()
