"""Whether a reader is shown the gold answer of a question on its gold pages: the head of
each chunk (its first 1,500 characters, what the reading call is shown) against a candidate
cut, the head's first lines and the run of lines below holding most of the question's words
(:func:`shown_part` here, over :func:`mardoc.agents.question_window`). No model call.

Usage: python bench/shown_part.py --bench financebench --data ../shared/data/financebench-dev \
        --library fin [--set all|decision|FILE] [--json OUT]

For each answerable question with gold pages in the library: the gold's numbers (``$1,577
million`` → ``1577``; ``36.8%`` → ``36.8``) and, on FinanceBench, those of its justification
(the printed inputs of a computed answer: ``6098/16388``), or for an answer without numbers
its text (up to 40 characters). Of those, the ones printed on the gold pages; and whether the
heads, and the shown parts, hold all of them. A question none of whose keys is printed (a
paraphrase) is counted apart: neither cut can show it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mardoc import Library, Settings
from mardoc.agents import SHOWN_CHARS, question_window
from mardoc.types import NOT_ANSWERABLE

sys.path.insert(0, str(Path(__file__).parent))
from table_reader import question_args, questions  # noqa: E402 - a sibling script

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def keys(gold: str) -> set[str]:
    """The numbers of ``gold`` as a page prints them (``$11,588.00`` → ``11588``), years and
    one- or two-digit counts left out when it holds other numbers (a page's header prints
    the years; "10" in "10-K" names no value); else its text, lowercased."""
    nums = set()
    for n in _NUM.findall(gold):
        n = n.replace(",", "").rstrip(".")
        if "." in n:
            n = n.rstrip("0").rstrip(".")
        nums.add(n)
    telling = {n for n in nums if not (n.isdigit() and (len(n) <= 2 or 1900 <= int(n) <= 2099))}
    if telling or nums:
        return telling or nums
    text = gold.strip().lower()
    return {text} if 0 < len(text) <= 40 else set()


def holds(text: str, wanted: set[str]) -> bool:
    squashed = re.sub(r"(?<=\d),(?=\d)", "", text.lower())
    return all(re.search(rf"(?<![\d.]){re.escape(k)}(?![\d])" if k[0].isdigit() else re.escape(k), squashed) for k in wanted)


HEAD_CHARS = 400  # of a long chunk: its head, kept for its title and column headers
CUT = "[…]"


def shown_part(question: str, text: str, chars: int = SHOWN_CHARS) -> str:
    """What a reader is shown of ``text`` for ``question``: all of it when it fits ``chars``;
    else its first ``chars`` when the question's words are there as much as anywhere (the
    head wins ties); else its head (whole lines, up to ``HEAD_CHARS``) and, after a cut mark,
    the run of lines below holding most of the question's words (the candidate measured here;
    the reading call shows the head)."""
    if len(text) <= chars or not question:
        return text[:chars]
    _, (i, _j) = question_window(question, text, chars)
    if i == 0:
        return text[:chars]
    lines = text.splitlines()
    head, size = [], 0
    for line in lines:
        if size + len(line) + 1 > HEAD_CHARS:
            break
        head.append(line)
        size += len(line) + 1
    rest = chars - size - len(CUT) - 2
    window, (k, _) = question_window(question, text, rest, skip=(0, len(head)))
    if not head or k < len(head):  # no whole line fits the head, or nothing below it fits
        return text[:chars]
    join = "\n" if k == len(head) else f"\n{CUT}\n"
    return "\n".join(head) + join + window


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    question_args(ap)
    args = ap.parse_args()
    samples = questions(args)
    why: dict[str, str] = {}
    if args.bench == "financebench":  # the printed inputs of a computed answer
        for line in (args.data / "financebench_open_source.jsonl").open():
            r = json.loads(line)
            why[r["financebench_id"]] = r.get("justification") or ""
    lib = Library(settings=Settings(store={"library": args.library}))
    by_name = {d["name"]: d["doc_id"] for d in lib.documents()}
    counts: Counter[str] = Counter()
    rows = []
    for s in samples:
        doc = by_name.get(Path(s.doc_path).name)
        wanted = keys(str(s.answer)) | keys(why.get(s.qid, "")) - {""}
        if doc is None or not s.evidence_pages or s.answer == NOT_ANSWERABLE or not wanted:
            continue
        chunks = lib.retriever.read_pages([(doc, p) for p in s.evidence_pages])
        whole = "\n".join(c.text for c in chunks)
        head = "\n".join(c.text[:SHOWN_CHARS] for c in chunks)
        shown = "\n".join(shown_part(s.question, c.text) for c in chunks)
        counts["questions"] += 1
        wanted = {k for k in wanted if holds(whole, {k})}
        if not wanted:
            counts["gold not printed on its pages"] += 1
            continue
        counts["gold printed"] += 1
        long = any(len(c.text) > SHOWN_CHARS for c in chunks)
        counts["gold printed, a chunk longer than shown"] += long
        h, w = holds(head, wanted), holds(shown, wanted)
        counts["in the head"] += h
        counts["in the shown part"] += w
        counts["gained (shown, not head)"] += w and not h
        counts["lost (head, not shown)"] += h and not w
        rows.append({"qid": s.qid, "doc": Path(s.doc_path).name, "gold": s.answer, "head": h, "shown": w})
    lib.close()
    table = Table(title=f"the gold answer in what a reader is shown: {args.bench} ({args.set})")
    table.add_column("")
    table.add_column("questions", justify="right")
    for k, v in counts.items():
        table.add_row(k, str(v))
    Console().print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"counts": dict(counts), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
