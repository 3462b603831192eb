import pytest
from pydantic import BaseModel

from mardoc.errors import ModelOutputError
from mardoc.models.fake import ScriptedChatModel
from mardoc.models.structured import extract_json, parse_structured


class Reply(BaseModel):
    answer: str
    pages: list[int] = []


@pytest.mark.parametrize(
    "text",
    ['{"answer": "x"}', '```json\n{"answer": "x"}\n```', 'Sure! {"answer": "x"} hope it helps'],
)
def test_extract_json_variants(text: str) -> None:
    assert parse_structured(text, Reply).answer == "x"


def test_errors_name_the_problem() -> None:
    with pytest.raises(ModelOutputError, match="no JSON object"):
        extract_json("no json here")
    with pytest.raises(ModelOutputError, match="not valid JSON"):
        parse_structured('{"answer": }', Reply)
    with pytest.raises(ModelOutputError, match="Reply: answer"):
        parse_structured('{"pages": [1]}', Reply)


def test_repair_loop_recovers_then_is_bounded() -> None:
    m = ScriptedChatModel(["garbage", '{"answer": "fixed"}'])
    assert m.complete([{"role": "user", "content": "q"}], schema=Reply).answer == "fixed"
    assert len(m.calls) == 2
    assert "invalid" in m.prompts[1]  # the model was shown its error

    bad = ScriptedChatModel(["still garbage"])
    with pytest.raises(ModelOutputError):
        bad.complete([{"role": "user", "content": "q"}], schema=Reply)
    assert len(bad.calls) == 3  # one try + two repairs, then it stops
