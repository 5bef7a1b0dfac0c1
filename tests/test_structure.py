"""The tree as the README describes it: every module small, with a docstring, and in the module table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xlgoals"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    """Every module as the README's table names it: its path under xlgoals/, a package as its folder."""
    out: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name != "__init__.py":
            name = name.removesuffix("__init__.py")
        out[name] = path
    return out


MODULES = _modules()


def _table(head: str = "| module | job |") -> list[str]:
    """The first column of one of the README's tables (by its head row), one module per row."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(head) + 2
    names: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cell = line.split("|")[1]
        found = re.findall(r"`([^`]+)`", cell)
        assert found and re.fullmatch(r"\s*(`[^`]+`,?\s*)+", cell), (
            f"README table: module paths in backticks, not {cell!r}"
        )
        names.extend(found)
    return names


def test_readme_module_table_matches_the_tree() -> None:
    names = _table()
    assert len(names) == len(set(names)), "a module listed twice"
    assert sorted(set(MODULES) - set(names)) == [], "modules missing from README's table"
    assert sorted(set(names) - set(MODULES)) == [], "README's table names modules that do not exist"


def test_readme_module_table_follows_the_layers() -> None:
    """The module table reads as the layers stack (README's layer table, lowest first), a folder's rows together."""
    rank = {name.rstrip("/").removesuffix(".py"): i for i, name in enumerate(_table("| layer | what it holds |"))}
    rank |= {"__init__": -1, "__main__": -1}
    assert sorted(rank) == sorted({n.split("/")[0].removesuffix(".py") for n in MODULES}), "a layer missing or extra"
    tops = [n.split("/")[0].removesuffix(".py") for n in _table()]
    ranks = [rank[t] for t in tops]
    assert ranks == sorted(ranks), [t for t, r, nxt in zip(tops, ranks, ranks[1:], strict=False) if nxt < r]
    folders = [n.rsplit("/", 1)[0] if n.count("/") > 1 or not n.endswith("/") else n.rstrip("/") for n in _table()]
    seen: list[str] = []
    for folder in folders:
        if not seen or seen[-1] != folder:
            assert folder not in seen, f"README's module table lists {folder}/ in two places"
            seen.append(folder)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_has_a_one_line_docstring(name: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc, f"xlgoals/{name} has no docstring"
    summary = doc.split("\n\n")[0]
    assert summary.strip(), f"xlgoals/{name}: the docstring opens with an empty line"
    assert "\n" not in summary, f"xlgoals/{name}: the docstring's summary is one line (details after a blank line)"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_at_most_400_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"xlgoals/{name} has {lines} lines: split it into modules named for what they do"
