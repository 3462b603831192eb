"""eval: benchmarks, their scoring (pure functions), the resumable runner, and reports."""

from mardoc.eval.benchmarks import Sample, load, stratified
from mardoc.eval.judge import LlmJudge
from mardoc.eval.metrics import show, summarise
from mardoc.eval.paired import compare, paired_rows
from mardoc.eval.report import write_report
from mardoc.eval.runner import Runner, evaluate, read_predictions
from mardoc.eval.scoring import score_answer

__all__ = [
    "LlmJudge",
    "Runner",
    "Sample",
    "compare",
    "evaluate",
    "load",
    "paired_rows",
    "read_predictions",
    "score_answer",
    "show",
    "stratified",
    "summarise",
    "write_report",
]
