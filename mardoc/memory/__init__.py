"""The structured evidence + reasoning memory shared by the agents."""

from mardoc.memory.memory import (
    Evidence,
    EvidenceMemory,
    Gap,
    ReasoningStep,
    Source,
    normalise,
    quote_found,
)

__all__ = ["Evidence", "EvidenceMemory", "Gap", "ReasoningStep", "Source", "normalise", "quote_found"]
