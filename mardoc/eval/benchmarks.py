"""Benchmark loaders: MMLongBench-Doc, DocBench and FinanceBench formats -> Samples."""

from __future__ import annotations

import ast
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mardoc.errors import ConfigError
from mardoc.types import NOT_ANSWERABLE

log = logging.getLogger(__name__)


class Sample(BaseModel):
    model_config = ConfigDict(frozen=True)

    qid: str
    question: str
    doc_path: str
    answer: str
    answer_format: str = "Str"  # Int | Float | Str | List | None
    evidence_pages: list[int] = Field(default_factory=list)  # 1-based
    evidence_sources: list[str] = Field(default_factory=list)
    doc_type: str = ""
    benchmark: str = ""
    qtype: str = ""  # DocBench/FinanceBench question type


def _qid(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def _literal_list(text: Any) -> list[Any]:
    if isinstance(text, list):
        return text
    try:
        val = ast.literal_eval(str(text))
    except (ValueError, SyntaxError):
        return []
    return list(val) if isinstance(val, (list, tuple)) else [val]


def load_mmlongbench(root: Path) -> tuple[list[Sample], list[str]]:
    """``samples.json`` + ``documents/``. Returns samples and the skipped (missing PDFs)."""
    data = json.loads((root / "samples.json").read_text())
    samples, skipped = [], []
    for rec in data:
        pdf = root / "documents" / rec["doc_id"]
        if not pdf.exists():
            skipped.append(rec["doc_id"])
            continue
        samples.append(
            Sample(
                qid=_qid(rec["doc_id"], rec["question"]),
                question=rec["question"],
                doc_path=str(pdf),
                answer=str(rec["answer"]),
                answer_format=rec.get("answer_format", "Str"),
                evidence_pages=[int(p) for p in _literal_list(rec.get("evidence_pages", "[]"))],
                evidence_sources=[str(s) for s in _literal_list(rec.get("evidence_sources", "[]"))],
                doc_type=rec.get("doc_type", ""),
                benchmark="mmlongbench",
            )
        )
    return samples, sorted(set(skipped))


DOCBENCH_FORMAT = {"una": "None"}


def load_docbench(root: Path) -> tuple[list[Sample], list[str]]:
    """Numbered folders, each with one PDF and ``<n>_qa.jsonl`` (question, answer, type, evidence)."""
    samples, skipped = [], []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: (len(p.name), p.name)):
        pdfs = sorted(folder.glob("*.pdf"))
        qa = folder / f"{folder.name}_qa.jsonl"
        if not qa.exists():
            continue
        if not pdfs:
            skipped.append(folder.name)
            continue
        for i, line in enumerate(qa.read_text().splitlines()):
            if not line.strip():
                continue
            rec = json.loads(line)
            qtype = rec.get("type", "")
            answer = NOT_ANSWERABLE if qtype == "una" else str(rec.get("answer", ""))
            samples.append(
                Sample(
                    qid=_qid(folder.name, str(i), rec["question"]),
                    question=rec["question"],
                    doc_path=str(pdfs[0]),
                    answer=answer,
                    answer_format=DOCBENCH_FORMAT.get(qtype, "Str"),
                    evidence_sources=[qtype] if qtype else [],
                    doc_type=folder.name,
                    benchmark="docbench",
                    qtype=qtype,
                )
            )
    return samples, skipped


def load_financebench(root: Path) -> tuple[list[Sample], list[str]]:
    """``financebench_open_source.jsonl`` + ``pdfs/``; evidence pages are 0-based there."""
    samples, skipped = [], []
    for line in (root / "financebench_open_source.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        pdf = root / "pdfs" / f"{rec['doc_name']}.pdf"
        if not pdf.exists():
            skipped.append(rec["doc_name"])
            continue
        pages = sorted(
            {int(e["evidence_page_num"]) + 1 for e in rec.get("evidence", []) if "evidence_page_num" in e}
        )
        samples.append(
            Sample(
                qid=str(rec.get("financebench_id") or _qid(rec["doc_name"], rec["question"])),
                question=rec["question"],
                doc_path=str(pdf),
                answer=str(rec.get("answer", "")),
                answer_format="Str",
                evidence_pages=pages,
                evidence_sources=[rec.get("question_type", "")] if rec.get("question_type") else [],
                doc_type=rec.get("doc_type", "") or rec.get("company", ""),
                benchmark="financebench",
                qtype=rec.get("question_type", ""),
            )
        )
    return samples, sorted(set(skipped))


LOADERS = {"mmlongbench": load_mmlongbench, "docbench": load_docbench, "financebench": load_financebench}


def load(bench: str, root: Path) -> tuple[list[Sample], list[str]]:
    if bench not in LOADERS:
        raise ConfigError(f"unknown benchmark {bench!r}; choose one of {', '.join(LOADERS)}")
    if not root.exists():
        raise ConfigError(f"benchmark data not found: {root}")
    return LOADERS[bench](root)


def stratified(samples: list[Sample], n: int) -> list[Sample]:
    """Up to ``n`` samples spread over document types, then answer formats; stable.

    Round-robin across document types; inside each type, round-robin across answer
    formats (Int/Float/Str/List/None), each ordered by qid.
    """
    if n <= 0 or n >= len(samples):
        return list(samples)
    per_type: dict[str, list[Sample]] = {}
    for doc_type in sorted({s.doc_type for s in samples}):
        by_fmt: dict[str, list[Sample]] = {}
        for s in sorted((x for x in samples if x.doc_type == doc_type), key=lambda x: x.qid):
            by_fmt.setdefault(s.answer_format, []).append(s)
        order: list[Sample] = []
        while any(by_fmt.values()):
            for fmt in sorted(by_fmt):
                if by_fmt[fmt]:
                    order.append(by_fmt[fmt].pop(0))
        per_type[doc_type] = order
    out: list[Sample] = []
    while len(out) < n:
        for doc_type in sorted(per_type):
            if per_type[doc_type] and len(out) < n:
                out.append(per_type[doc_type].pop(0))
    return out


DECISION_SEED = 20261201


def decision_set(samples: list[Sample], n: int = 100, seed: int = DECISION_SEED) -> list[str]:
    """The qids of a fixed, stratified "decision set": chosen once by this seeded rule and
    committed, so every later comparison runs on the same questions.

    Strata are (document type, answer format); each gets ``n`` x its share of the samples,
    rounded by largest remainder; inside a stratum questions are drawn by a seeded shuffle
    of their sorted qids. The result is sorted by qid.
    """
    import random

    if n >= len(samples):
        return sorted(s.qid for s in samples)
    strata: dict[tuple[str, str], list[str]] = {}
    for s in samples:
        strata.setdefault((s.doc_type, s.answer_format), []).append(s.qid)
    quotas = {k: n * len(v) / len(samples) for k, v in strata.items()}
    take = {k: int(q) for k, q in quotas.items()}
    for k in sorted(quotas, key=lambda k: (-(quotas[k] - take[k]), k))[: n - sum(take.values())]:
        take[k] += 1
    rng = random.Random(seed)
    chosen: list[str] = []
    for k in sorted(strata):
        ids = sorted(strata[k])
        rng.shuffle(ids)
        chosen.extend(ids[: take[k]])
    return sorted(chosen)


def load_set(name_or_path: str) -> list[str]:
    """The qids of a named question set shipped with mardoc (``decision``) or of a JSON file."""
    from importlib import resources

    path = Path(name_or_path)
    if path.suffix == ".json" and path.is_file():
        data = json.loads(path.read_text())
    else:
        res = resources.files("mardoc.eval").joinpath("sets", f"{name_or_path}.json")
        if not res.is_file():
            raise ConfigError(f"unknown question set {name_or_path!r}: use decision or a JSON file of qids")
        data = json.loads(res.read_text("utf-8"))
    return [str(q) for q in (data["qids"] if isinstance(data, dict) else data)]

