"""The package's shape: no import circle among its modules, and the library never reaches up into
the shells (the CLI, the web app, the pytest plugin) that are built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import citelog
from citelog.checks import strongly_connected

PACKAGE = Path(citelog.__file__).resolve().parent
SHELLS = ("cli", "web", "pytest_plugin")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] == "kb":
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that a module imports when it runs (at its top or inside a function);
    imports only for type checkers are not run, so they make no circle."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [p for p in package if p]
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0 or id(node) in typing_only:
            continue
        base = package[:len(package) - node.level + 1] + ([node.module] if node.module else [])
        named = [".".join(base + [alias.name]) for alias in node.names]
        submodules = [m for m in named if m in modules]
        found |= set(submodules) if submodules else {".".join(base)}
    return (found & modules.keys()) - {name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of more than one module that import each other, through others or directly."""
    members: dict[int, list[str]] = {}
    for name, component in strongly_connected(graph).items():
        members.setdefault(component, []).append(name)
    return sorted(sorted(group) for group in members.values() if len(group) > 1)


def test_the_finder_sees_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back():
    graph = _graph()
    assert {"proofs", "provenance", "explanations", "render", "knowledge_base"} <= graph.keys()
    assert "provenance" in graph["absence"] and "absence" in graph["proofs"]  # the graph is read
    assert _circles(graph) == []


def test_the_library_never_imports_a_shell():
    for name, imported in _graph().items():
        if name.split(".")[0] in SHELLS or name == "":
            continue
        reached = {m for m in imported if m.split(".")[0] in SHELLS}
        assert not reached, f"{name} imports {sorted(reached)}"
