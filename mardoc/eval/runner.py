"""Resumable batch evaluation: answers every sample through the public API.

``runs/NAME/`` holds ``settings.json``, ``predictions.jsonl`` (one row per question,
appended as answered) and ``metrics.json``. A re-run skips questions already answered
without error; a question that raised is recorded with its error (not as a wrong answer)
and retried on the next run.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mardoc.eval.benchmarks import Sample
from mardoc.eval.judge import LlmJudge, sanity_check
from mardoc.eval.metrics import summarise
from mardoc.eval.scoring import financebench_grade, score_answer
from mardoc.library import Library

log = logging.getLogger(__name__)

PREDICTIONS = "predictions.jsonl"


def read_predictions(out: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    path = out / PREDICTIONS
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a crash mid-write
            rows[row["qid"]] = row  # later rows (retries) replace earlier ones
    return rows


class Runner:
    def __init__(
        self,
        library: Library,
        out: Path,
        *,
        mode: str = "agents",
        concurrency: int = 1,
        retrieval_k: int = 10,
        judge: LlmJudge | None = None,
        oracle_pages: bool = False,
    ) -> None:
        self.library = library
        self.out = Path(out)
        self.mode = mode
        self.concurrency = max(1, concurrency)
        self.retrieval_k = retrieval_k
        self.judge = judge
        self.oracle_pages = oracle_pages
        self._doc_ids: dict[str, str] = {}
        self._lock = threading.Lock()

    def _doc_id(self, path: str) -> str:
        with self._lock:
            if path not in self._doc_ids:
                res = self.library.ingest([path])[0]
                if res.status == "failed":
                    raise RuntimeError(res.error)
                self._doc_ids[path] = res.doc_id
            return self._doc_ids[path]

    def answer_one(self, s: Sample) -> dict[str, Any]:
        row: dict[str, Any] = {
            "qid": s.qid, "question": s.question, "doc": Path(s.doc_path).name, "gold": s.answer,
            "answer_format": s.answer_format, "evidence_pages": s.evidence_pages,
            "evidence_sources": s.evidence_sources, "doc_type": s.doc_type, "mode": self.mode,
            "oracle_pages": self.oracle_pages,
        }  # fmt: skip
        start = time.perf_counter()
        stats = getattr(self.library.chat, "stats", None)  # the LLM-call cache, when on
        before = stats.snapshot() if stats is not None else None
        try:
            doc_id = self._doc_id(s.doc_path)
            pages = self.library.retriever.search_pages(s.question, docs=[doc_id], k=self.retrieval_k)
            given = [(doc_id, p) for p in s.evidence_pages] if self.oracle_pages else None
            answer = self.library.ask(s.question, docs=[doc_id], mode=self.mode, pages=given)
        except Exception as exc:  # recorded, never fatal for the run
            log.warning("question %s failed: %s", s.qid, exc)
            row.update(error=f"{type(exc).__name__}: {exc}", score=None, seconds=time.perf_counter() - start)
            return row
        row.update(
            prediction=answer.text,
            short=answer.short,
            format=answer.format,
            citations=[c.model_dump() for c in answer.citations],
            cited_pages=sorted({c.page for c in answer.citations if c.doc_id == doc_id}),
            pages_ranked=[p.page for p in pages],
            agent_pages=[p for d, p in answer.pages_retrieved if d == doc_id][: self.retrieval_k],
            usage=answer.usage,
            # What the agents kept and why (rejected facts included), for error analysis.
            evidence=[
                {"statement": e["statement"], "page": e["source"]["page"], "quote": e["quote"][:200]}
                for e in (answer.memory or {}).get("evidence", [])
            ],
            trace=answer.trace,
            seconds=time.perf_counter() - start,
            error=answer.error or "",
            score=score_answer(s.answer, answer.short, s.answer_format),
        )
        if s.benchmark == "financebench":  # numbers with units, yes/no, sentences: graded by value
            row["score"], row["grader"] = financebench_grade(s.answer, answer.short, answer.text)
        if stats is not None and before is not None:
            after = stats.snapshot()
            row["cache"] = {k: round(after[k] - before[k], 3) for k in after}
        self._judge(row)
        if answer.error:  # a degraded answer (e.g. model output failure) still counts as answered
            row["warning"], row["error"] = answer.error, ""
        return row

    def _judge(self, row: dict[str, Any]) -> dict[str, Any]:
        """Adds the LLM judge's grade (when a judge is configured) next to the rule score."""
        if self.judge is not None:
            pred = f"{row.get('prediction') or ''} (short answer: {row.get('short', '')})"
            row["judge_score"], row["judge_reason"] = self.judge(row["question"], str(row["gold"]), pred)
        return row

    def run(
        self,
        samples: list[Sample],
        settings_blob: dict[str, Any],
        progress: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "settings.json").write_text(json.dumps(settings_blob, indent=2, default=str))
        done = read_predictions(self.out)
        todo = [s for s in samples if s.qid not in done or done[s.qid].get("error")]
        # Answered before without a judge (or the judge failed): grade them, do not re-answer.
        todo_ids = {s.qid for s in todo}
        unjudged = [
            done[s.qid]
            for s in samples
            if self.judge is not None
            and s.qid in done
            and s.qid not in todo_ids
            and done[s.qid].get("judge_score") is None
        ]
        path = self.out / PREDICTIONS
        with path.open("a", encoding="utf-8") as fh:

            def record(row: dict[str, Any]) -> None:
                with self._lock:
                    fh.write(json.dumps(row, default=str) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                    done[row["qid"]] = row
                    if progress:
                        progress(row, summarise([done[s.qid] for s in samples if s.qid in done]))

            for row in unjudged:
                record(self._judge(dict(row)))
            if self.concurrency == 1:
                for s in todo:
                    record(self.answer_one(s))
            else:
                with ThreadPoolExecutor(self.concurrency) as pool:
                    for row in pool.map(self.answer_one, todo):
                        record(row)
        rows = [done[s.qid] for s in samples if s.qid in done]
        metrics = summarise(rows)
        metrics["mode"] = self.mode
        metrics["scoring"] = {
            "rule": "MMLongBench-Doc rule-based scorer",
            "judge": self.judge.name if self.judge is not None else None,
        }
        metrics.update(extra or {})
        (self.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        return metrics


def evaluate(
    library: Library,
    bench: str,
    data: Path,
    out: Path,
    *,
    limit: int = 0,
    docs: list[str] | None = None,
    mode: str = "agents",
    concurrency: int = 1,
    judge: str = "none",
    question_set: str | None = None,
    oracle_pages: bool = False,
    on_start: Callable[[int, list[str]], None] | None = None,
    progress: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Load a benchmark, pick its questions, answer and score them into ``out`` (resumable).

    ``judge`` is ``none``, ``same`` (the library's chat model) or a ``provider:model`` spec.
    ``question_set`` keeps only the questions of a named set (``decision``) or a JSON file
    of qids; ``oracle_pages`` hands the gold evidence pages to the reading stage. The
    LLM-call cache is the library's (``Settings.models.cache``).
    ``on_start(n_questions, skipped_pdfs)`` is told what will run before the first answer.
    """
    from mardoc.errors import MardocError
    from mardoc.eval.benchmarks import load, load_set, stratified
    from mardoc.models import build_chat_model

    samples, skipped = load(bench, data)
    if question_set:
        wanted = set(load_set(question_set))
        samples = [s for s in samples if s.qid in wanted]
    if docs:
        samples = [s for s in samples if Path(s.doc_path).name in set(docs)]
    samples = stratified(samples, limit)
    if not samples:
        raise MardocError("no questions to evaluate (check --data, --docs and --limit)")
    if on_start is not None:
        on_start(len(samples), skipped)
    settings = library.settings
    blob: dict[str, Any] = {
        "bench": bench, "data": str(data), "limit": limit, "docs": docs, "mode": mode,
        "settings": settings.model_dump(mode="json"), "judge": judge, "set": question_set,
        "oracle_pages": oracle_pages,
    }  # fmt: skip
    grader = None
    extra: dict[str, Any] = {}
    if judge != "none":
        chat = library.chat if judge == "same" else build_chat_model(judge, settings)
        grader = LlmJudge(chat, settings.models.chat if judge == "same" else judge)
        sanity = sanity_check(grader, [(s.question, s.answer) for s in samples])
        extra["judge_sanity"] = sanity
        if not sanity["passed"]:
            log.warning(
                "the judge %s failed its sanity check on the run's gold answers (gold graded correct against "
                "itself: %s; another question's gold graded wrong: %s): not used",
                grader.name, sanity["gold_vs_gold"], sanity["shuffled_vs_gold"],
            )  # fmt: skip
            grader = None
    runner = Runner(library, out, mode=mode, concurrency=concurrency, judge=grader, oracle_pages=oracle_pages)
    return runner.run(samples, blob, progress, extra=extra)
