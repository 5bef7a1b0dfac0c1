"""Every dependency pyproject.toml declares is imported by the code that needs it (or is named here with why it
is installed unimported), and every third-party package the package imports is declared: nothing installed on
a unit's PC for nothing, nothing working only because another package happens to pull it in."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# Installed for what they bring, never imported by name.
UNIMPORTED = {
    "python-multipart": "FastAPI reads the upload form's multipart body with it",
    "xlwings-server": "its files only: the Office.js client and office.js the task pane loads",
    "uvicorn": "`xlgoals serve` runs the app with it (imported inside the command, by name)",
    "types-openpyxl": "mypy's stubs",
    "pandas-stubs": "mypy's stubs",
    "ruff": "the linter `make test` runs",
    "mypy": "the type checker `make test` runs",
    "pytest": "the test runner",
}
# A module a declared distribution provides under another distribution's name.
PROVIDED_BY = {"ms_dtyp": "ms-cfb", "distributed": "dask"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> dict[str, set[str]]:
    """Each declared distribution (by the part of pyproject that declares it) with its top-level modules."""
    groups = {"dependencies": PYPROJECT["project"]["dependencies"]}
    groups |= {f"optional {k}": v for k, v in PYPROJECT["project"]["optional-dependencies"].items()}
    modules = importlib.metadata.packages_distributions()
    out: dict[str, set[str]] = {}
    for requirements in groups.values():
        for requirement in requirements:
            name = _name(requirement)
            if name == "xlgoals":
                continue
            out[name] = {m for m, dists in modules.items() if name in {_name(d) for d in dists}}
    return out


def _imported(*folders: str) -> set[str]:
    """Top-level names of every module imported in these folders, inside functions too."""
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    found.add(node.module.split(".")[0])
    return found


def test_every_declared_dependency_is_imported() -> None:
    used = _imported("xlgoals", "tests", "benchmarks", "docs")
    unused = sorted(
        name
        for name, modules in _declared().items()
        if name not in UNIMPORTED and not modules & used and name not in PROVIDED_BY.values()
    )
    assert unused == [], "declared but never imported: drop them, or say in UNIMPORTED why they are installed"


def test_every_third_party_import_of_the_package_is_declared() -> None:
    declared = _declared()
    provided = {m for modules in declared.values() for m in modules} | set(PROVIDED_BY)
    third_party = _imported("xlgoals") - set(sys.stdlib_module_names) - {"xlgoals", "__future__"}
    assert sorted(third_party - provided) == []


def test_the_unit_install_declares_no_department_package() -> None:
    lean = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not lean & {"pandas", "numpy", "pyarrow", "duckdb", "dask"}
