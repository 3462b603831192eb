"""agents: the Explorer / Refiner / Reflector graph over the evidence memory, and the one-call rag baseline."""

from mardoc.agents.graph import build_graph, run_agents
from mardoc.agents.prompting import fence, load_prompt, new_nonce, system_prompt
from mardoc.agents.rag import answer_rag
from mardoc.agents.state import AgentDeps, AgentState

__all__ = [
    "AgentDeps",
    "AgentState",
    "answer_rag",
    "build_graph",
    "fence",
    "load_prompt",
    "new_nonce",
    "run_agents",
    "system_prompt",
]
