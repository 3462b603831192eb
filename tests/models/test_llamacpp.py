import pytest
from pydantic import BaseModel

from mardoc.models.llamacpp import LlamaCppChatModel
from tests.conftest import require_model

pytestmark = pytest.mark.slow


class Capital(BaseModel):
    city: str
    country: str


@pytest.fixture(scope="module")
def llm() -> LlamaCppChatModel:
    return LlamaCppChatModel(require_model("qwen2.5-coder-1.5b-instruct"), n_ctx=2048)


def test_real_answer_and_usage(llm: LlamaCppChatModel) -> None:
    out = llm.complete(
        [{"role": "user", "content": "What is the capital of France? Answer with one word."}], max_tokens=8
    )
    assert "paris" in out.lower()
    assert llm.usage.calls >= 1 and llm.usage.prompt_tokens > 5 and llm.usage.completion_tokens >= 1
    assert llm.count_tokens("hello world") >= 2


def test_schema_constrained_output(llm: LlamaCppChatModel) -> None:
    out = llm.complete(
        [{"role": "user", "content": "Name the capital of Italy and its country as JSON."}],
        schema=Capital,
        max_tokens=40,
    )
    assert isinstance(out, Capital)
    assert out.city.lower() == "rome"


def page_question(page: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Question: What is the default weight of a glob pattern?\n\nPage:\n{page}\n\n"
             'Does this page state the answer to the question? Reply with JSON: {"answer": "yes"} or {"answer": "no"}'}]  # fmt: skip


def test_yes_probability_separates_a_page_that_answers_from_one_that_does_not(llm: LlamaCppChatModel) -> None:
    answers = page_question("Globs have a weight. The default weight value is 50, and the maximum is 100.")
    other = page_question("The magic element holds rules matched against the file contents, by offset.")
    before = llm.usage.calls
    p_yes, p_no = llm.yes_probability(answers), llm.yes_probability(other)
    assert 0.0 <= p_no < 0.5 < p_yes <= 1.0
    assert llm.usage.calls == before + 2
    # a chat call after a judgement still decodes normally (the KV cache stays consistent)
    assert "paris" in llm.complete([{"role": "user", "content": "Capital of France? One word."}], max_tokens=8).lower()


VARIANT_RUN = """
import sys
from mardoc.models.llamacpp import LlamaCppChatModel
m = LlamaCppChatModel(sys.argv[1], n_ctx=1024, cpu_variant=sys.argv[2])
out = m.complete([{"role": "user", "content": "What is the capital of France? Answer with one word."}],
                 max_tokens=8)
from mardoc.models.llama_runtime import loaded_variant
print("VARIANT", loaded_variant() or m.backend)
print("OUT", out.strip())
"""


def run_variant(variant: str) -> dict[str, str]:
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-c", VARIANT_RUN, str(require_model("qwen2.5-coder-1.5b-instruct")), variant],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    return dict(line.split(" ", 1) for line in res.stdout.splitlines() if line.startswith(("VARIANT", "OUT")))


def test_the_wheel_loads_its_best_variant_and_an_avx2_one_gives_the_same_answer() -> None:
    best = run_variant("")
    avx2 = run_variant("haswell")  # AVX2, FMA, F16C: no AVX-512, as on an older CPU
    assert best["VARIANT"] and avx2["VARIANT"] in ("haswell", "built-in")
    assert "paris" in best["OUT"].lower() and best["OUT"] == avx2["OUT"]
