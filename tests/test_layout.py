"""The tests laid out like the package: tests/<package>/ mirrors xlgoals/<package>/, every module of xlgoals is
imported by name by at least one test module, and no test module imports another (shared code is in builders)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.builders.paths import ROOT

PACKAGE = ROOT / "xlgoals"
TESTS = ROOT / "tests"
SHARED = TESTS / "builders"


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _has_code(path: Path) -> bool:
    """More than a docstring: a package whose __init__ only says what the folder is has nothing to test."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return len(body) > 1 or (len(body) == 1 and not isinstance(body[0], ast.Expr))


MODULES = sorted(_module_name(p, PACKAGE) for p in PACKAGE.rglob("*.py") if _has_code(p))
TEST_MODULES = sorted(p for p in TESTS.rglob("test_*.py") if SHARED not in p.parents)


def _imports(path: Path) -> set[str]:
    """The modules a file imports by name: `import a.b`, `from a.b import c` (and a.b.c when c is a module);
    a relative import is resolved against the file's own package."""
    package = _module_name(path, TESTS).rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


IMPORTS = {path: _imports(path) for path in TEST_MODULES}


def test_every_module_is_imported_by_a_test_module() -> None:
    named = set().union(*IMPORTS.values())
    untested = [m for m in MODULES if m not in named]
    assert untested == [], f"modules no test module imports by name (write a test that names each): {untested}"


def test_no_test_module_imports_another() -> None:
    shared = [p for p in SHARED.rglob("*.py")] + list(TESTS.rglob("conftest.py"))
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if m.rsplit(".", 1)[-1].startswith("test_"))
        for path in [*TEST_MODULES, *shared]
    }
    assert {k: v for k, v in offenders.items() if v} == {}, "shared code belongs in tests/builders/ or a conftest.py"


def test_test_folders_mirror_the_package() -> None:
    """Each folder of tests (but builders/) stands for a package of xlgoals, and is a package itself: test
    modules keep their short names (tests/io/test_reader.py) without shadowing the standard library's io."""
    for folder in sorted({p.parent for p in TESTS.rglob("*.py")} - {TESTS}):
        if folder == SHARED or SHARED in folder.parents:
            continue
        relative = folder.relative_to(TESTS)
        assert (PACKAGE / relative / "__init__.py").is_file(), f"tests/{relative.as_posix()} has no xlgoals package"
        assert (folder / "__init__.py").is_file(), f"tests/{relative.as_posix()} lacks __init__.py"


def test_the_checks_above_see_what_they_check() -> None:
    # A walk that found nothing would pass every test above: the tree and a known import must be seen.
    assert {"xlgoals", "xlgoals.core.layout", "xlgoals.io.reader"} <= set(MODULES)
    assert _has_code(PACKAGE / "__init__.py") and not _has_code(TESTS / "builders" / "__init__.py")
    assert TESTS / "io" / "test_reader.py" in IMPORTS
    assert "xlgoals.io.reader" in IMPORTS[TESTS / "io" / "test_reader.py"]
    assert _imports(TESTS / "builders" / "units.py") >= {"xlgoals.core.model", "xlgoals.core.model.Unit"}
