"""models: backends behind small protocols (chat LLMs, embedders) and offline provisioning."""

from mardoc.models.bundled import BUNDLED
from mardoc.models.embedders import HashingEmbedder, SentenceTransformerEmbedder, truncate_normalize
from mardoc.models.factory import build_chat_model, build_embedder, embedder_vectors
from mardoc.models.judging import YesNo, yes_probability
from mardoc.models.llama_runtime import load_cpu_backend
from mardoc.models.messages import image_part, with_images
from mardoc.models.onnx_embed import OnnxEmbedder, onnx_model_path
from mardoc.models.onnx_export import INT8_EXCLUDE, INT8_INCLUDE, quantize_matmuls
from mardoc.models.openai_compat import RequestRejected
from mardoc.models.protocols import ChatModel, Embedder, Message, Usage
from mardoc.models.provision import Provisioner

__all__ = [
    "BUNDLED",
    "ChatModel",
    "Embedder",
    "HashingEmbedder",
    "INT8_EXCLUDE",
    "INT8_INCLUDE",
    "Message",
    "OnnxEmbedder",
    "Provisioner",
    "RequestRejected",
    "SentenceTransformerEmbedder",
    "Usage",
    "YesNo",
    "build_chat_model",
    "build_embedder",
    "embedder_vectors",
    "image_part",
    "with_images",
    "load_cpu_backend",
    "onnx_model_path",
    "quantize_matmuls",
    "truncate_normalize",
    "yes_probability",
]
