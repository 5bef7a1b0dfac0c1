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


def _table() -> list[str]:
    """The first column of the README's module table, one module per row."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| module | job |") + 2
    names: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cell = line.split("|")[1]
        m = re.fullmatch(r"\s*`([^`]+)`\s*", cell)
        assert m is not None, f"README module table: one module path in backticks per row, not {cell!r}"
        names.append(m[1])
    return names


def test_readme_module_table_matches_the_tree() -> None:
    names = _table()
    assert len(names) == len(set(names)), "a module listed twice"
    assert sorted(set(MODULES) - set(names)) == [], "modules missing from README's table"
    assert sorted(set(names) - set(MODULES)) == [], "README's table names modules that do not exist"


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
