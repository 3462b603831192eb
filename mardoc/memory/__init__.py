"""The structured evidence memory shared by the agents: verified quotes with their sources."""

from mardoc.memory.memory import Evidence, EvidenceMemory, Source, normalise, quote_found

__all__ = ["Evidence", "EvidenceMemory", "Source", "normalise", "quote_found"]
