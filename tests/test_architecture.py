"""The package's shape, checked from its imports: rooms in layers, doors, no cycles; the
benchmarks under bench/ use the doors too.

Rooms are the subpackages of ``mardoc`` and its top-level modules. A room may import only
rooms on a lower layer, and another subpackage only through its door (its ``__init__``);
no module-level import cycle exists anywhere in the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "mardoc"

# Lower layers first. Shared domain types, errors and settings are the floor; the public
# entry points (the CLI, the package's door) the roof.
LAYERS: dict[str, int] = {
    "mardoc.types": 0, "mardoc.errors": 0, "mardoc.settings": 0, "mardoc.files": 0, "mardoc.words": 0,
    "mardoc.models": 1, "mardoc.memory": 1, "mardoc.render": 1, "mardoc.tables": 1,
    "mardoc.retrieval": 2,
    "mardoc.ingest": 3,
    "mardoc.agents": 4,
    "mardoc.library": 5,
    "mardoc.eval": 6,
    "mardoc.cli": 7, "mardoc": 7,
}  # fmt: skip
SUBPACKAGES = {p.name for p in PKG.iterdir() if (p / "__init__.py").is_file()}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "mardoc"
    return ".".join(parts[:2])


def imports(path: Path, module_level_only: bool) -> list[tuple[str, int]]:
    """(imported mardoc module, line) of a file; ``from a import b`` counts ``a.b`` when
    ``a.b`` is a module of the package, else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    out: list[tuple[str, int]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "mardoc"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mardoc":
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                is_module = (PKG.parent / Path(*sub.split("."))).with_suffix(".py").is_file() or (
                    PKG.parent / Path(*sub.split(".")) / "__init__.py"
                ).is_file()
                out.append((sub if is_module else node.module, node.lineno))
    return out


FILES = sorted(PKG.rglob("*.py"))


def test_the_layers_cover_every_room() -> None:
    rooms = {room(module_name(f)) for f in FILES}
    assert rooms <= set(LAYERS), f"rooms without a layer: {sorted(rooms - set(LAYERS))}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PKG.parent)))
def test_imports_go_down_and_through_doors(path: Path) -> None:
    me = module_name(path)
    mine = room(me)
    bad = []
    for target, line in imports(path, module_level_only=False):
        theirs = room(target)
        if theirs == mine:
            continue
        if LAYERS[theirs] >= LAYERS[mine]:
            bad.append(f"line {line}: {me} imports {target}, a room on the same or a higher layer")
        elif theirs.split(".")[-1] in SUBPACKAGES and target != theirs:
            bad.append(f"line {line}: {me} imports {target}, inside {theirs}: use its door `{theirs}`")
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    graph = {module_name(f): {t for t, _ in imports(f, module_level_only=True)} for f in FILES}
    # importing ``a.b.c`` runs ``a.b``'s door first
    for deps in graph.values():
        for t in list(deps):
            parts = t.split(".")
            deps.update(".".join(parts[:i]) for i in range(2, len(parts)))
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt == node or nxt not in graph:
                continue
            if state.get(nxt) == 1 and not node.startswith(nxt + "."):  # a door imports its own rooms
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_is_a_god_module() -> None:
    long = {str(f.relative_to(PKG.parent)): n for f in FILES if (n := len(f.read_text().splitlines())) > 400}
    assert not long, f"modules over 400 lines: {long}"


BENCH = sorted((PKG.parent / "bench").glob("*.py"))


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.name)
def test_benchmarks_import_mardoc_only_through_its_doors(path: Path) -> None:
    # a benchmark is a user of the package: it sees the doors (a subpackage's __init__, or a
    # top-level module such as mardoc.types), never a room's inner modules
    bad = []
    for target, line in imports(path, module_level_only=False):
        theirs = room(target)
        if theirs.split(".")[-1] in SUBPACKAGES and target != theirs:
            bad.append(f"line {line}: {path.name} imports {target}: use its door `{theirs}`")
    assert not bad, "\n".join(bad)
