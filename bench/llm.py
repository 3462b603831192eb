"""llama.cpp builds side by side: prefill and decode tokens/s, and whether greedy output agrees.

    python bench/llm.py [--runs 3] [--prompts 500 2500] [--json runs/llm.json]

Each build is a llama-cpp-python wheel unpacked into its own folder (from
``$MARDOC_HOME/wheels/llama-cpp-<build>``; ``scripts/build-llama.sh avx2`` makes the older
AVX2-only one, ``make setup`` the default dispatch one) and measured in a fresh process with
that folder first on ``PYTHONPATH``. Builds alternate run by run (A B A B ...), so drift of
the machine's speed hits both alike; the table quotes medians. Timings are llama.cpp's own
(``llama_perf_context``) for a prompt of exactly N tokens of document text and 64 greedy
tokens after it, same model, 2 threads, flash attention, as mardoc runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
HOME = Path(os.environ.get("MARDOC_HOME", "~/.mardoc")).expanduser()
DEMO = REPO / "examples" / "shared-mime-info-spec.pdf"

WORKER = r"""
import json, sys, time
import pymupdf
from mardoc.models import load_cpu_backend
import llama_cpp
from llama_cpp import Llama
variant = load_cpu_backend()
model, sizes, decode, pdf = sys.argv[1], [int(x) for x in sys.argv[2].split(",")], int(sys.argv[3]), sys.argv[4]
t0 = time.perf_counter()
llm = Llama(model_path=model, n_ctx=4096, n_threads=2, n_threads_batch=2, flash_attn=True, verbose=False)
load = time.perf_counter() - t0
text = " ".join(page.get_text() for page in pymupdf.open(pdf))
all_tokens = llm.tokenize(text.encode(), add_bos=False)
out = {"variant": variant, "load_s": load, "lib": llama_cpp.__file__, "sizes": {}, "checks": []}
for n in sizes:
    toks = all_tokens[:n]
    llm.reset()
    llama_cpp.llama_perf_context_reset(llm.ctx)
    res = llm.create_completion(toks, max_tokens=decode, temperature=0.0)
    perf = llama_cpp.llama_perf_context(llm.ctx)
    out["sizes"][n] = {
        "prefill_tps": perf.n_p_eval / (perf.t_p_eval_ms / 1000) if perf.t_p_eval_ms else None,
        "decode_tps": perf.n_eval / (perf.t_eval_ms / 1000) if perf.t_eval_ms else None,
        "prefill_tokens": perf.n_p_eval, "decoded": perf.n_eval, "text": res["choices"][0]["text"],
    }
for q in ("What is the default weight of a glob pattern, and what is the maximum?",
          "Which element gives a MIME type a human-readable description?",
          "Summarise in one sentence what the shared MIME-info database is."):
    msgs = [{"role": "system", "content": "Answer from the document text."},
            {"role": "user", "content": text[:3000] + "\n\nQuestion: " + q}]
    llm.reset()
    r = llm.create_chat_completion(messages=msgs, max_tokens=48, temperature=0.0)
    out["checks"].append(r["choices"][0]["message"]["content"])
print("RESULT " + json.dumps(out))
"""


def build_dir(name: str) -> Path:
    """The unpacked wheel of build ``name`` (unpacked once from its cached wheel)."""
    folder = HOME / "llama-builds" / name
    if (folder / "llama_cpp").is_dir():
        return folder
    wheels = sorted((HOME / "wheels" / f"llama-cpp-{name}").glob("llama_cpp_python-*.whl"))
    if not wheels:
        raise SystemExit(f"no {name} wheel in {HOME / 'wheels'}; run scripts/build-llama.sh {name} .venv/bin/python")
    tmp = folder.with_suffix(".tmp")
    with zipfile.ZipFile(wheels[-1]) as z:
        z.extractall(tmp)
    tmp.rename(folder)
    return folder


def measure(folder: Path, model: Path, sizes: list[int], decode: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    res = subprocess.run(
        [sys.executable, "-c", WORKER, str(model), ",".join(map(str, sizes)), str(decode), str(DEMO)],
        capture_output=True, text=True, env=env, timeout=1800,
    )  # fmt: skip
    line = next((x for x in res.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"the {folder.name} build failed:\n{res.stderr[-3000:]}")
    return json.loads(line[len("RESULT ") :])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--builds", nargs="+", default=["avx2", "dispatch"])
    ap.add_argument("--prompts", nargs="+", type=int, default=[500, 2500])
    ap.add_argument("--decode", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--table-from", type=Path, help="print the table of an earlier run's --json, measuring nothing")
    args = ap.parse_args()
    if args.table_from:
        saved = json.loads(args.table_from.read_text())
        args.builds, args.runs = list(saved["runs"]), len(next(iter(saved["runs"].values())))
        args.prompts = [int(n) for n in next(iter(saved["runs"].values()))[0]["sizes"]]
        print_table(args, saved["runs"], saved["summary"]["model"])
        return
    sys.path.insert(0, str(REPO))
    from mardoc.models import Provisioner

    model = Provisioner(HOME).require("qwen2.5-coder-1.5b-instruct")
    folders = {b: build_dir(b) for b in args.builds}
    runs: dict[str, list[dict]] = {b: [] for b in args.builds}
    console = Console()
    for i in range(args.runs):
        order = args.builds if i % 2 == 0 else list(reversed(args.builds))
        for b in order:
            console.print(f"[dim]run {i + 1}/{args.runs}: {b}[/dim]")
            runs[b].append(measure(folders[b], model, args.prompts, args.decode))
    summary = print_table(args, runs, model.name)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1))


def shared_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def print_table(args: argparse.Namespace, runs: dict[str, list[dict]], model: str) -> dict:
    base = args.builds[0]
    table = Table(title=f"llama.cpp builds, {model}, 2 threads, flash attention; medians of {args.runs} runs")
    for col in ("build", "CPU variant", "prompt tokens", "prefill tok/s", "decode tok/s",
                f"prefill vs {base}", f"decode vs {base}", f"64-token continuation = {base}"):  # fmt: skip
        table.add_column(col)
    summary: dict = {"model": model, "runs": args.runs, "builds": {}}

    def med(b: str, n: int, key: str) -> float:
        return statistics.median(r["sizes"][str(n)][key] for r in runs[b])

    checks: list[str] = []
    for b in args.builds:
        # the criterion: the same greedy answers to the chat check prompts, in every run
        same_checks = all(r["checks"] == runs[base][0]["checks"] for r in runs[b])
        checks.append(f"{b}: {'same' if same_checks else 'DIFFERENT'}")
        summary["builds"][b] = {"variant": runs[b][0]["variant"], "same_check_answers": same_checks, "sizes": {}}
        for n in args.prompts:
            pre, dec = med(b, n, "prefill_tps"), med(b, n, "decode_tps")
            mine, theirs = runs[b][0]["sizes"][str(n)]["text"], runs[base][0]["sizes"][str(n)]["text"]
            agree = "same" if mine == theirs else f"same for {shared_prefix(mine, theirs)} chars, then differs"
            summary["builds"][b]["sizes"][n] = {"prefill_tps": pre, "decode_tps": dec,
                                                "prefill_ratio": pre / med(base, n, "prefill_tps"),
                                                "decode_ratio": dec / med(base, n, "decode_tps"),
                                                "continuation": agree}  # fmt: skip
            table.add_row(b, runs[b][0]["variant"], str(n), f"{pre:.1f}", f"{dec:.1f}",
                          f"{pre / med(base, n, 'prefill_tps'):.2f}x", f"{dec / med(base, n, 'decode_tps'):.2f}x",
                          agree)  # fmt: skip
    console = Console(width=160)
    console.print(table)
    console.print(f"greedy answers to the {len(runs[base][0]['checks'])} check prompts vs {base}: " + "; ".join(checks))
    return summary


if __name__ == "__main__":
    main()
