"""models: backends behind small protocols (chat LLMs, embedders) and offline provisioning."""

from mardoc.models.embedders import HashingEmbedder, truncate_normalize
from mardoc.models.factory import build_chat_model, build_embedder, embedder_vectors
from mardoc.models.judging import YesNo, yes_probability
from mardoc.models.messages import image_part
from mardoc.models.protocols import ChatModel, Embedder, Message, Usage
from mardoc.models.provision import BUNDLED, Provisioner

__all__ = [
    "BUNDLED",
    "ChatModel",
    "Embedder",
    "HashingEmbedder",
    "Message",
    "Provisioner",
    "Usage",
    "YesNo",
    "build_chat_model",
    "build_embedder",
    "embedder_vectors",
    "image_part",
    "truncate_normalize",
    "yes_probability",
]
