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
