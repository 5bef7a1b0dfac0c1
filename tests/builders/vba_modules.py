"""The VBA modules a workbook should carry (ours in macros/, xlwings' own) and olevba's reading of a project."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from oletools.olevba import VBA_Parser

from tests.builders.paths import ROOT
from xlgoals.macro import vbatext

MACROS = ROOT / "macros"
_spec = importlib.util.find_spec("xlwings")
assert _spec is not None and _spec.submodule_search_locations
XLWINGS = Path(next(iter(_spec.submodule_search_locations)))


# xlwings' modules the workbook carries: RunPython's standalone pair and RunServerPython's client.
XLWINGS_MODULES = {
    "xlwings": "xlwings.bas",
    "Dictionary": "addin/Dictionary.cls",
    "Remote": "addin/Remote.bas",
    "IWebAuthenticator": "addin/IWebAuthenticator.cls",
    "WebClient": "addin/WebClient.cls",
    "WebRequest": "addin/WebRequest.cls",
    "WebResponse": "addin/WebResponse.cls",
    "WebHelpers": "addin/WebHelpers.bas",
}


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def file_text(path: Path) -> str:
    return path.read_bytes().decode("ascii")


def olevba_modules(path: Path | None = None, data: bytes | None = None) -> dict[str, str]:
    """Module name -> source exactly as olevba decompresses and decodes it (no filtering)."""
    parser = VBA_Parser(str(path) if path else "vbaProject.bin", data=data)
    try:
        return {stream.rsplit("/", 1)[-1]: code for _f, stream, _n, code in parser.extract_macros()}
    finally:
        parser.close()


def assert_our_modules(modules: dict[str, str], docs: list[str]) -> None:
    """The stored text of every module is exactly its source file with CRLF line endings."""
    bas = {p.stem: p for p in MACROS.glob("*.bas")}
    assert set(modules) == set(docs) | set(bas) | set(XLWINGS_MODULES) | {vbatext.MODULE}
    for stem, path in bas.items():
        assert modules[stem] == crlf(file_text(path)), stem
    assert modules["xlwings"] == crlf(file_text(XLWINGS / "xlwings.bas"))
