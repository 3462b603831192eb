import pytest

from mardoc.errors import ConfigError, ModelNotInstalledError
from mardoc.models.embedders import HashingEmbedder
from mardoc.models.factory import build_chat_model, build_embedder
from mardoc.models.fake import ScriptedChatModel
from mardoc.models.openai_compat import OpenAICompatChatModel
from mardoc.settings import Settings


@pytest.mark.parametrize("spec", ["gpt4", "anthropic:claude", "", ":x"])
def test_chat_factory_lists_valid_providers(spec: str) -> None:
    with pytest.raises(ValueError) as info:
        build_chat_model(spec)
    msg = str(info.value)
    for provider in ("local", "openai", "fake"):
        assert provider in msg


def test_embedder_factory_lists_valid_providers() -> None:
    with pytest.raises(ConfigError, match="local, hash"):
        build_embedder("clip:vit")


def test_factory_builds_each_provider(tmp_path) -> None:
    s = Settings(home=tmp_path, models={"openai_base_url": "http://127.0.0.1:9/v1"})
    assert isinstance(build_chat_model("fake:", s), ScriptedChatModel)
    m = build_chat_model("openai:qwen2.5", s)
    assert isinstance(m, OpenAICompatChatModel)
    assert m.url == "http://127.0.0.1:9/v1/chat/completions"
    emb = build_embedder("hash:128", s)
    assert isinstance(emb, HashingEmbedder) and emb.dim == 128


def test_missing_bundled_model_says_how_to_install(tmp_path) -> None:
    s = Settings(home=tmp_path)
    with pytest.raises(ModelNotInstalledError, match="mardoc models install"):
        build_chat_model("local:qwen2.5-coder-1.5b-instruct", s)
    with pytest.raises(ModelNotInstalledError, match="mardoc models install"):
        build_embedder("local:embeddinggemma-300m", s)


def test_local_gguf_path_must_exist(tmp_path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        build_chat_model(f"local:{tmp_path / 'x.gguf'}", Settings(home=tmp_path))
    with pytest.raises(ConfigError, match="neither a bundled model"):
        build_chat_model("local:some-model", Settings(home=tmp_path))
