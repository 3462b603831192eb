import pytest
from pydantic import BaseModel

from mardoc.agents.state import RagReply
from mardoc.errors import ModelOutputError
from mardoc.models.fake import ScriptedChatModel
from mardoc.models.structured import extract_json, parse_structured, salvage_json


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


# -- replies cut off by a token budget ------------------------------------------------------


CUT = '{"answer": "The default weight is 50, the maximum 100.", "short_answer": "50 and 100", "format": "Str", "cited"'


def test_the_held_out_cut_reply_is_recovered_not_lost() -> None:
    # the shape seen on held-out questions: the reply stops right after its last key
    chat = ScriptedChatModel([CUT, "never needed"])
    reply = chat.complete([{"role": "user", "content": "q"}], schema=RagReply)
    assert reply.short_answer == "50 and 100" and reply.cited == []
    assert len(chat.calls) == 1  # recovered without a repair call


def test_cut_values_are_dropped_never_completed() -> None:
    assert salvage_json('{"answer": "It is 5')[0] == "{}"
    assert salvage_json('{"a": 1, "cited": [1, 2')[0] == '{"a": 1, "cited": [1]}'
    assert salvage_json('{"a": 1}') == [] and salvage_json("no json") == []


def test_a_cut_list_keeps_its_complete_items() -> None:
    text = '{"answer": "a", "short_answer": "b", "format": "Str", "cited": [3, 4, 5, 1'
    chat = ScriptedChatModel([text])
    out = chat.complete([{"role": "user", "content": "q"}], schema=RagReply)
    assert out.cited == [3, 4, 5]  # the cut last number is dropped, never completed
