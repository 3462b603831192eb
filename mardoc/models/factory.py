"""One factory from ``provider:model`` strings to backends."""

from __future__ import annotations

from pathlib import Path

from mardoc.errors import ConfigError
from mardoc.files import sha256_file
from mardoc.models.bundled import BUNDLED
from mardoc.models.embedders import HashingEmbedder, SentenceTransformerEmbedder
from mardoc.models.onnx_embed import OnnxEmbedder, int8_model_path, int8_refused, onnx_model_path
from mardoc.models.protocols import ChatModel, Embedder
from mardoc.models.provision import Provisioner
from mardoc.settings import Settings

CHAT_PROVIDERS = ("local", "openai", "fake")
EMBEDDER_PROVIDERS = ("local", "hash")


def split_spec(spec: str, valid: tuple[str, ...], what: str) -> tuple[str, str]:
    """Split ``provider:model``; raise ConfigError listing the valid providers."""
    provider, sep, model = spec.partition(":")
    if not sep or provider not in valid:
        raise ConfigError(
            f"invalid {what} {spec!r}: expected provider:model with provider one of "
            f"{', '.join(valid)} (e.g. {valid[0]}:...)"
        )
    return provider, model


def build_chat_model(spec: str, settings: Settings | None = None, *, cache: bool | None = None) -> ChatModel:
    """A chat model from ``local:NAME|PATH.gguf``, ``openai:MODEL`` or ``fake:``.

    With ``cache`` (default: ``settings.models.cache``) its deterministic calls go through
    the persistent LLM-call cache (:mod:`mardoc.models.cache`).
    """
    settings = settings or Settings()
    chat, identity = _chat_model(spec, settings)
    if not (settings.models.cache if cache is None else cache):
        return chat
    from mardoc.models.cache import CachedChatModel, CallStore

    return CachedChatModel(chat, CallStore(settings.llm_cache_path), identity, sampled=settings.models.cache_sampled)


def _chat_model(spec: str, settings: Settings) -> tuple[ChatModel, str]:
    """The model and its identity for the cache (a local model: the SHA-256 of its weights)."""
    provider, model = split_spec(spec, CHAT_PROVIDERS, "chat model")
    m = settings.models
    if provider == "local":
        from mardoc.models.llamacpp import LlamaCppChatModel

        if model in BUNDLED:
            path = Provisioner(settings.home_dir).require(model)
            identity = f"gguf:{BUNDLED[model].sha256}"  # verified at install
        elif model.endswith(".gguf"):
            path = Path(model).expanduser()
            if not path.is_file():
                raise ConfigError(f"GGUF file not found: {path}")
            identity = f"gguf:{sha256_file(path)}"
        else:
            raise ConfigError(
                f"local chat model {model!r} is neither a bundled model "
                f"({', '.join(n for n, s in BUNDLED.items() if s.kind == 'chat')}) "
                "nor a path to a .gguf file"
            )
        return LlamaCppChatModel(
            path, n_ctx=m.n_ctx, n_threads=m.n_threads, name=spec, cpu_variant=m.llama_cpu_variant
        ), identity
    if provider == "openai":
        from mardoc.models.openai_compat import OpenAICompatChatModel

        if not model:
            raise ConfigError("openai chat model needs a model name, e.g. openai:qwen2.5:7b")
        chat = OpenAICompatChatModel(
            model,
            base_url=m.openai_base_url,
            api_key=m.openai_api_key,
            timeout_s=m.timeout_s,
            max_retries=m.max_retries,
            supports_images=m.vision,
        )
        # a server's model is known by its name only: a re-deployed model needs a new cache
        return chat, f"openai:{m.openai_base_url.rstrip('/')}:{model}"
    from mardoc.models.fake import ScriptedChatModel

    return ScriptedChatModel(name=spec), spec


def embedder_vectors(settings: Settings, spec: str | None = None) -> str:
    """Which vectors an embedder (default: the configured one) makes: "int8" (the bundled
    embedder's int8 variant on ONNX Runtime) or "fp32". Part of the index fingerprint:
    the two never mix in one index."""
    m = settings.models
    try:
        provider, model = split_spec(spec or m.embedder, EMBEDDER_PROVIDERS, "embedder")
    except ConfigError:
        return "fp32"  # building the embedder reports the bad spec
    bundled = BUNDLED.get(model)
    if provider == "local" and bundled is not None and bundled.onnx_export and m.embedder_int8:
        if m.embedder_runtime == "torch" or int8_refused(Provisioner(settings.home_dir).model_dir(model)):
            return "fp32"  # the install step kept fp32 on this CPU (its int8 vectors drift)
        return "int8"
    return "fp32"


def build_embedder(spec: str, settings: Settings | None = None) -> Embedder:
    """An embedder from ``local:NAME|FOLDER|HF-ID`` or ``hash:DIM``.

    A local model folder that holds an ONNX export (``mardoc models install`` makes one for
    the bundled embedder) runs on ONNX Runtime unless ``embedder_runtime`` says torch; the
    bundled embedder runs its int8 variant unless ``embedder_int8`` is off.
    """
    settings = settings or Settings()
    provider, model = split_spec(spec, EMBEDDER_PROVIDERS, "embedder")
    if provider == "hash":
        try:
            return HashingEmbedder(int(model or 256))
        except ValueError as exc:
            raise ConfigError(f"invalid hash embedder {spec!r}: {exc}") from exc
    m = settings.models
    if model in BUNDLED:
        path: str | Path = Provisioner(settings.home_dir).require(model)
        local_only = True
    elif Path(model).expanduser().is_dir():
        path, local_only = Path(model).expanduser(), True
    else:
        path, local_only = model, False  # a Hugging Face id, for users with hub access
    runtime = m.embedder_runtime
    has_export = isinstance(path, Path) and onnx_model_path(path) is not None
    if runtime == "onnx" and not has_export:
        raise ConfigError(
            f"embedder runtime onnx needs an ONNX export in {path}/onnx; run `mardoc models "
            "install` (it exports the bundled embedder) or set MARDOC_MODELS__EMBEDDER_RUNTIME=torch"
        )
    int8 = embedder_vectors(settings, spec) == "int8"
    if int8 and not has_export:
        raise ConfigError(
            f"the int8 embedder needs the ONNX export of {model}; run `mardoc models install`, "
            "or set MARDOC_MODELS__EMBEDDER_INT8=false to run it on PyTorch (fp32)"
        )
    if runtime == "onnx" or (runtime == "auto" and has_export):
        model_file = None
        if int8:
            model_file = int8_model_path(Path(path))
            if model_file is None:
                raise ConfigError(
                    f"the int8 variant of {model} is not installed; run `mardoc models install`, "
                    "or set MARDOC_MODELS__EMBEDDER_INT8=false"
                )
        return OnnxEmbedder(
            path, model_file=model_file, max_seq_length=m.embed_max_tokens, n_threads=m.n_threads
        )
    return SentenceTransformerEmbedder(
        path,
        batch_size=m.embed_batch_size,
        n_threads=m.n_threads,
        local_only=local_only,
        max_seq_length=m.embed_max_tokens,
    )
