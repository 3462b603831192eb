"""eval: benchmarks, their scoring (pure functions), the resumable runner, and reports."""

from mardoc.eval.benchmarks import Sample, load, stratified
from mardoc.eval.judge import LlmJudge
from mardoc.eval.metrics import summarise
from mardoc.eval.report import write_report
from mardoc.eval.runner import Runner, evaluate, read_predictions
from mardoc.eval.scoring import score_answer

__all__ = [
    "LlmJudge",
    "Runner",
    "Sample",
    "evaluate",
    "load",
    "read_predictions",
    "score_answer",
    "stratified",
    "summarise",
    "write_report",
]
