import socket

import pytest
from pydantic import BaseModel

from mardoc.errors import BackendError
from mardoc.models.messages import image_part
from mardoc.models.openai_compat import OpenAICompatChatModel
from tests.fake_server import FakeOpenAIServer

MSG = [{"role": "user", "content": "hi"}]


class Out(BaseModel):
    answer: str


def model(url: str, **kw) -> OpenAICompatChatModel:  # noqa: ANN003
    kw.setdefault("backoff_s", 0.01)
    return OpenAICompatChatModel("test-model", base_url=url, api_key="k", **kw)


def test_success_records_usage_and_sends_key() -> None:
    with FakeOpenAIServer([("ok", "hello")]) as srv:
        m = model(srv.base_url)
        assert m.complete(MSG, max_tokens=7) == "hello"
        req = srv.requests[0]
        assert req["path"] == "/v1/chat/completions"
        assert req["body"]["model"] == "test-model" and req["body"]["max_tokens"] == 7
        assert req["headers"]["Authorization"] == "Bearer k"
        assert m.usage.calls == 1 and m.usage.prompt_tokens == 11 and m.usage.completion_tokens == 3


def test_429_then_success_retries() -> None:
    with FakeOpenAIServer([("status", 429, {"retry-after": "0"}), ("ok", "fine")]) as srv:
        assert model(srv.base_url).complete(MSG) == "fine"
        assert len(srv.requests) == 2


def test_500s_until_giving_up_names_url() -> None:
    with FakeOpenAIServer([("status", 500)]) as srv:
        m = model(srv.base_url, max_retries=2)
        with pytest.raises(BackendError) as info:
            m.complete(MSG)
        assert len(srv.requests) == 3  # one try + two retries
        assert srv.base_url in str(info.value) and "HTTP 500" in str(info.value)


def test_client_error_is_not_retried() -> None:
    with FakeOpenAIServer([("status", 401)]) as srv:
        with pytest.raises(BackendError, match="refused"):
            model(srv.base_url, max_retries=3).complete(MSG)
        assert len(srv.requests) == 1


def test_timeout_is_bounded() -> None:
    with FakeOpenAIServer([("sleep", 2.0, "late")]) as srv:
        m = model(srv.base_url, timeout_s=0.3, max_retries=1)
        with pytest.raises(BackendError, match="timed out"):
            m.complete(MSG)
        assert len(srv.requests) == 2


def test_refused_connection_names_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    m = model(f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(BackendError, match=f"127.0.0.1:{port}"):
        m.complete(MSG)


def test_schema_requests_json_schema_and_validates() -> None:
    with FakeOpenAIServer([("ok", '{"answer": "42"}')]) as srv:
        out = model(srv.base_url).complete(MSG, schema=Out)
        assert out == Out(answer="42")
        rf = srv.requests[0]["body"]["response_format"]
        assert rf["type"] == "json_schema" and rf["json_schema"]["schema"]["properties"]["answer"]


def test_image_parts_sent_only_to_vision_models() -> None:
    content = [{"type": "text", "text": "what is in the chart?"}, image_part(b"\x89PNG fake")]
    with FakeOpenAIServer([("ok", "a bar chart")]) as srv:
        model(srv.base_url, supports_images=True).complete([{"role": "user", "content": content}])
        model(srv.base_url, supports_images=False).complete([{"role": "user", "content": content}])
        sent_vlm = srv.requests[0]["body"]["messages"][0]["content"]
        sent_txt = srv.requests[1]["body"]["messages"][0]["content"]
    assert sent_vlm[1]["type"] == "image_url" and sent_vlm[1]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    assert sent_txt == "what is in the chart?"


def test_rejected_json_schema_falls_back_without_retrying_the_same_request() -> None:
    # llama-cpp-python's server answers json_schema with HTTP 500 and a validation error
    invalid = ("status_body", 500, "1 validation error for CreateChatCompletionRequest response_format")
    with FakeOpenAIServer([invalid, ("ok", '{"answer": "42"}'), ("ok", '{"answer": "43"}')]) as srv:
        m = model(srv.base_url, max_retries=3)
        assert m.complete(MSG, schema=Out) == Out(answer="42")
        assert m.complete(MSG, schema=Out) == Out(answer="43")  # the accepted format is kept
        sent = [r["body"].get("response_format", {}).get("type") for r in srv.requests]
    assert sent == ["json_schema", "json_object", "json_object"]


def test_schema_goes_into_the_prompt_when_no_format_is_accepted() -> None:
    with FakeOpenAIServer([("status", 422), ("status", 422), ("ok", '{"answer": "7"}')]) as srv:
        assert model(srv.base_url).complete(MSG, schema=Out) == Out(answer="7")
        last = srv.requests[-1]["body"]
    assert "response_format" not in last and '"answer"' in last["messages"][-1]["content"]


def test_an_auth_error_is_not_a_format_problem() -> None:
    with FakeOpenAIServer([("status", 401)]) as srv:
        with pytest.raises(BackendError, match="refused"):
            model(srv.base_url).complete(MSG, schema=Out)
        assert len(srv.requests) == 1
