import json
import shutil
from pathlib import Path

import pytest

from mardoc.errors import ConfigError
from mardoc.eval.benchmarks import load, stratified
from tests.conftest import DEMO_PDF, SHARED


def test_mmlongbench_dev_set_and_missing_pdfs(tmp_path: Path) -> None:
    root = SHARED / "data" / "mmlongbench-dev"
    if not root.exists():
        pytest.skip("shared dev set not available")
    samples, skipped = load("mmlongbench", root)
    assert len(samples) == 159 and skipped == []
    s = next(x for x in samples if x.answer == "18.29%")
    assert (
        s.evidence_pages == [3, 5]
        and s.answer_format == "Float"
        and s.evidence_sources == ["Pure-text (Plain-text)"]
    )
    assert len({x.qid for x in samples}) == 159
    # a copy with one PDF missing: its questions are reported and skipped
    (tmp_path / "documents").mkdir()
    shutil.copy(root / "samples.json", tmp_path / "samples.json")
    for pdf in (root / "documents").glob("*.pdf"):
        if pdf.name != "3M_2018_10K.pdf":
            (tmp_path / "documents" / pdf.name).symlink_to(pdf)
    part, skipped = load("mmlongbench", tmp_path)
    assert skipped == ["3M_2018_10K.pdf"] and 0 < len(part) < 159


def test_docbench_fixture(tmp_path: Path) -> None:
    for n, qa in ((1, [{"question": "What is the default glob weight?", "answer": "50", "type": "text-only", "evidence": "p4"},
                       {"question": "Who wrote Hamlet?", "answer": "", "type": "una", "evidence": ""}]),
                  (2, [{"question": "Which year?", "answer": "2022", "type": "meta-data", "evidence": ""}])):  # fmt: skip
        d = tmp_path / str(n)
        d.mkdir()
        shutil.copy(DEMO_PDF, d / f"doc{n}.pdf")
        (d / f"{n}_qa.jsonl").write_text("\n".join(json.dumps(q) for q in qa) + "\n")
    samples, skipped = load("docbench", tmp_path)
    assert len(samples) == 3 and skipped == []
    una = [s for s in samples if s.qtype == "una"][0]
    assert una.answer == "Not answerable" and una.answer_format == "None"
    assert samples[0].doc_path.endswith("doc1.pdf") and samples[-1].doc_type == "2"


def test_financebench_fixture_pages_become_1_based(tmp_path: Path) -> None:
    (tmp_path / "pdfs").mkdir()
    shutil.copy(DEMO_PDF, tmp_path / "pdfs" / "SPEC_2022.pdf")
    recs = [
        {"financebench_id": "fb1", "question": "Default weight?", "answer": "50", "doc_name": "SPEC_2022",
         "question_type": "metrics-generated", "evidence": [{"evidence_page_num": 3, "evidence_text": "..."}]},
        {"financebench_id": "fb2", "question": "x?", "answer": "y", "doc_name": "MISSING_2020", "evidence": []},
    ]  # fmt: skip
    (tmp_path / "financebench_open_source.jsonl").write_text("\n".join(json.dumps(r) for r in recs))
    samples, skipped = load("financebench", tmp_path)
    assert [s.qid for s in samples] == ["fb1"] and samples[0].evidence_pages == [4]
    assert skipped == ["MISSING_2020"]


def test_unknown_benchmark_and_stratified_subset(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mmlongbench, docbench, financebench"):
        load("squad", tmp_path)
    root = SHARED / "data" / "mmlongbench-dev"
    if not root.exists():
        pytest.skip("shared dev set not available")
    samples, _ = load("mmlongbench", root)
    sub = stratified(samples, 20)
    assert len(sub) == 20 and len({s.doc_type for s in sub}) == 7
    assert [s.qid for s in sub] == [s.qid for s in stratified(samples, 20)]
