"""eval: benchmarks, their scoring (pure functions), the resumable runner, and reports."""

from mardoc.eval.benchmarks import DECISION_SEED, Sample, decision_set, load, load_set, stratified
from mardoc.eval.judge import LlmJudge
from mardoc.eval.metrics import recall_at, show, summarise
from mardoc.eval.paired import compare, paired_rows
from mardoc.eval.report import write_report
from mardoc.eval.runner import Runner, evaluate, read_predictions
from mardoc.eval.scoring import financebench_grade, score_answer

__all__ = [
    "DECISION_SEED",
    "LlmJudge",
    "Runner",
    "Sample",
    "compare",
    "decision_set",
    "evaluate",
    "financebench_grade",
    "load",
    "load_set",
    "paired_rows",
    "read_predictions",
    "recall_at",
    "score_answer",
    "show",
    "stratified",
    "summarise",
    "write_report",
]
