"""The import graph keeps the layers honest: no module imports a layer above its own, and no two modules import
each other, however indirectly — imports inside functions and under TYPE_CHECKING count like any other.

An import inside a function still runs when the function does, and closes a circle as surely as one at the top;
a TYPE_CHECKING import is a dependency mypy reads, and a type named from a higher layer is the same knowledge
running up. A submodule's implicit import of its parent package is not counted: every package would otherwise
be a circle with each of its modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlgoals"

# Lowest first: a module may import its own layer and those before it, never one after it (README, "Layers").
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("io",),
    ("workers",),
    ("validation",),
    ("workbooks",),
    ("macro",),
    ("unit",),
    ("importing",),
    ("department",),
    ("excel", "excelplan", "udfs"),
    ("shells",),
    ("__init__", "__main__"),
)
RANK = {top: rank for rank, tops in enumerate(LAYERS) for top in tops}


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts.pop()
    return ".".join(parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """The xlgoals modules `name` imports anywhere in its text, each as the module file it runs."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{name}: a relative import (the package imports by absolute name only)"
            base = node.module or ""
            # `from package import module` imports the module; `from module import name` the module itself.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
            if base == "xlgoals":
                # The version is the package's own datum, not its lazily loaded public API (any layer reads it).
                targets = [t for t, a in zip(targets, node.names, strict=True) if a.name != "__version__"]
        else:
            continue
        for target in targets:
            if target == "xlgoals":
                target = "xlgoals.__init__"
            if target.startswith("xlgoals."):
                assert target in MODULES, f"{name} imports {target}, which is no module of the package"
                found.add(target)
    found.discard(name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _layer(name: str) -> str:
    return name.split(".")[1]


def test_every_top_level_module_and_package_has_a_layer() -> None:
    assert sorted({_layer(n) for n in MODULES} - set(RANK)) == []
    assert sorted(set(RANK) - {_layer(n) for n in MODULES}) == [], "a layer names nothing in the package"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_runs_up_a_layer(name: str) -> None:
    upward = sorted(t for t in GRAPH[name] if RANK[_layer(t)] > RANK[_layer(name)])
    assert upward == [], f"{name} imports upward: " + ", ".join(
        f"{name} → {t} ({_layer(name)} is below {_layer(t)})" for t in upward
    )


def _circles() -> list[list[str]]:
    """The import graph's strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in sorted(GRAPH):
        if root in index:
            continue
        work = [(root, iter(sorted(GRAPH[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(GRAPH[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))
    return circles


def _edges_within(component: list[str]) -> list[str]:
    members = set(component)
    return [f"{a} → {b}" for a in component for b in sorted(GRAPH[a] & members)]


def test_no_two_modules_import_each_other() -> None:
    circles = _circles()
    assert circles == [], "import circles:\n" + "\n".join("; ".join(_edges_within(c)) for c in circles)


def test_the_graph_sees_imports_inside_functions_and_under_type_checking() -> None:
    # Known edges of each kind, so a parser that missed them would be caught rather than pass every module.
    assert "xlgoals.department.archive.history" in GRAPH["xlgoals.excel"]  # inside a function
    assert "xlgoals.unit.selfeval" in GRAPH["xlgoals.department.archive.units"]  # under TYPE_CHECKING (and inside)
    assert "xlgoals.io.files" in GRAPH["xlgoals.unit.summarysheet"]  # only under TYPE_CHECKING
    assert "xlgoals.core.model" in GRAPH["xlgoals.io.reader"]
    assert any(t.startswith("xlgoals.department") for t in GRAPH["xlgoals.shells.cli.department"])


def test_an_upward_edge_and_a_circle_are_named() -> None:
    global GRAPH
    saved = GRAPH
    try:
        GRAPH = {**saved, "xlgoals.core.values": saved["xlgoals.core.values"] | {"xlgoals.io.reader"}}
        with pytest.raises(AssertionError, match=r"xlgoals\.core\.values → xlgoals\.io\.reader \(core is below io\)"):
            test_no_import_runs_up_a_layer("xlgoals.core.values")
        with pytest.raises(AssertionError, match=r"xlgoals\.core\.values → xlgoals\.io\.reader"):
            test_no_two_modules_import_each_other()
    finally:
        GRAPH = saved


def test_the_readme_states_these_layers() -> None:
    """README's layer table, lowest first, is the order this test holds the imports to."""
    lines = (PACKAGE.parent / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| layer | what it holds |") + 2
    stated: list[tuple[str, ...]] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        stated.append(tuple(n.rstrip("/").removesuffix(".py") for n in re.findall(r"`([^`]+)`", line.split("|")[1])))
    assert stated == list(LAYERS[:-1]), "README's layers and tests/test_layers.py's differ"
