"""Model backends behind small protocols, and offline provisioning of the bundled models."""

from mardoc.models.embedders import HashingEmbedder, truncate_normalize
from mardoc.models.factory import build_chat_model, build_embedder
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
    "build_chat_model",
    "build_embedder",
    "truncate_normalize",
]
