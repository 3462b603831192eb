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
