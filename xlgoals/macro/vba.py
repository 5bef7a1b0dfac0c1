"""Build the workbook's VBA project (vbaProject.bin) from the .bas sources on Linux."""

from __future__ import annotations

import contextlib
import importlib.util
import random
import re
import threading
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ms_dtyp.filetime import Filetime
from ms_ovba.Models.Entities.doc_module import DocModule
from ms_ovba.Models.Entities.module_base import ModuleBase
from ms_ovba.Models.Entities.reference import Reference
from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
from ms_ovba.Models.Entities.std_module import StdModule
from ms_ovba.Models.Fields.libid_reference import LibidReference
from ms_ovba.vbaProject import VbaProject
from ms_ovba.Views.dirStream import DirStream
from ms_ovba.Views.project import Project
from ms_ovba.Views.project_view import ProjectView
from ms_ovba.Views.projectWm import ProjectWm

from xlgoals.macro import vbatext
from xlgoals.macro.cfb import compound_file
from xlgoals.macro.compression import compress

__all__ = [
    "BUTTONS",
    "BUTTONS_MODULE",
    "WORKBOOK_CODE_NAME",
    "build_vba_project",
    "button_subs",
    "macro_sources",
]

WORKBOOK_CODE_NAME = "ThisWorkbook"
BUTTONS_MODULE = "XlgoalsButtons"

# (caption, Sub in macros/XlgoalsButtons.bas, function in xlgoals.excel). Captions are Chinese, so they
# cannot live in the VBA source (see _stored_text); tests check this table against the .bas file.
BUTTONS: tuple[tuple[str, str, str], ...] = (
    ("校验本表", "ValidateActiveSheet", "validate_active"),
    ("校验全部", "ValidateAll", "validate_all"),
    ("新增项目", "AddProject", "add_project"),
    ("汇总", "RollUp", "rollup"),
    ("导出汇总", "ExportSummary", "export_summary"),
    ("汇总文件夹", "ConsolidateFolder", "consolidate_folder"),
)

# xlwings' own standalone set with its server client (`xlwings quickstart --standalone --server`): the
# RunPython module, the Dictionary class, and RunServerPython (Remote.bas) with the VBA-Web modules it posts
# the workbook through (Windows uses Scripting.Dictionary late-bound, so no project reference is needed).
XLWINGS_MODULE_FILES: tuple[str, ...] = (
    "xlwings.bas",
    "addin/Dictionary.cls",
    "addin/Remote.bas",
    "addin/IWebAuthenticator.cls",
    "addin/WebClient.cls",
    "addin/WebRequest.cls",
    "addin/WebResponse.cls",
    "addin/WebHelpers.bas",
)

_MACROS_DIR_IN_CHECKOUT = Path(__file__).resolve().parents[2] / "macros"
_MACROS_DIR_IN_PACKAGE = Path(__file__).resolve().parent / "vba"

# A fixed project ID and encryption seed make the output a pure function of the sources.
_PROJECT_ID = "{5A4247D4-D37C-4AE1-86CB-E9A88508D06F}"
_CRYPTO_SEED = 0x584C47  # "XLG"

_WORKBOOK_BASE = "{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_VB_NAME = re.compile(r'Attribute VB_Name = "([^"]*)"')
_PUBLIC_SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+([A-Za-z][A-Za-z0-9_]*)\s*\(\s*\)", re.IGNORECASE | re.MULTILINE)

# ms-cfb writes its scratch files into the CWD and ms-ovba draws the CMG/DPB/GC seeds from the global
# `random`: both are process-wide, so builds are serialised.
_BUILD_LOCK = threading.Lock()


def button_subs() -> list[tuple[str, str]]:
    """(caption, Sub name) for every worksheet button, in button order."""
    return [(caption, sub) for caption, sub, _entry in BUTTONS]


def macro_sources() -> dict[str, str]:
    """Module name -> source text (LF line endings): every macros/*.bas, the buttons' messages, xlwings' modules."""
    sources: dict[str, str] = {}
    for path in sorted(_macros_dir().glob("*.bas")):
        text = _read_source(path)
        name = _declared_name(text, path)
        if name != path.stem:
            raise ValueError(f"{path}: VB_Name {name!r} must match the file name")
        sources[name] = text
    sources[vbatext.MODULE] = vbatext.module_source()
    xlwings_dir = _xlwings_dir()
    for rel in XLWINGS_MODULE_FILES:
        path = xlwings_dir / rel
        text = _read_source(path)
        name = _declared_name(text, path)
        if name in sources:
            raise ValueError(f"module {name!r} is defined both in macros/ and by xlwings")
        sources[name] = text
    return sources


def build_vba_project(modules: Mapping[str, str], doc_modules: Sequence[str]) -> bytes:
    """vbaProject.bin bytes holding `modules` plus one document module per code name.

    `doc_modules` are the workbook's code names: "ThisWorkbook" (added when missing) and one per
    worksheet ("Sheet1", ...), exactly as written to workbookPr/sheetPr codeName. Sources must be ASCII;
    a source starting with "VERSION 1.0 CLASS" (a VBE class export) becomes a class module.
    """
    docs = [WORKBOOK_CODE_NAME, *(name for name in doc_modules if name != WORKBOOK_CODE_NAME)]
    entries: list[tuple[ModuleBase, str]] = []
    seen: set[str] = set()
    for name in docs:
        _check_module_name(name, seen)
        base = _WORKBOOK_BASE if name == WORKBOOK_CODE_NAME else _WORKSHEET_BASE
        entries.append((DocModule(name), _document_text(name, base)))
    for name, source in modules.items():
        _check_module_name(name, seen)
        is_class, text = _stored_text(name, source)
        entries.append((_ClassModule(name) if is_class else StdModule(name), text))

    with _scratch_dir(), _seeded_global_random(_CRYPTO_SEED), warnings.catch_warnings():
        # ms-cfb leaves files for the garbage collector to close; the data is complete by then.
        warnings.simplefilter("ignore", ResourceWarning)
        project = VbaProject()
        project.project_id = _PROJECT_ID
        # Filetime(1601, 1, 1) is FILETIME 0 in every time zone; the library default goes through
        # local time and only round-trips to 0 where the zone's 1601 offset happens to cooperate.
        project.default_date = Filetime(1601, 1, 1)
        project.add_attribute("VersionCompatible32", "393222000")
        project.include_projectwm()
        for ref in _default_references():
            project.add_reference(ref)
        streams: dict[str, bytes] = {}
        for module, text in entries:
            project.add_module(module)
            # Source only (MODULEOFFSET 0, no p-code): Excel compiles it on open, as it does for the
            # xlwings module in xlwings' own quickstart_standalone.xlsm.
            streams[f"VBA/{module.name}"] = compress(text.encode("ascii"))
        streams["VBA/dir"] = compress(DirStream(project).to_bytes())
        streams["VBA/_VBA_PROJECT"] = ProjectView(project).to_bytes()
        streams["PROJECTwm"] = ProjectWm(project).to_bytes()
        streams["PROJECT"] = Project(project).to_bytes()  # draws the CMG/DPB/GC seeds from `random`
        return compound_file(streams, project.default_date)


# --- VBA sources ------------------------------------------------------------------------------------


def _macros_dir() -> Path:
    # macros/ at the repository root is the source of truth; a wheel can only carry files inside the
    # package, so an installed copy would have to be placed in xlgoals/macro/vba/ by the build.
    for candidate in (_MACROS_DIR_IN_CHECKOUT, _MACROS_DIR_IN_PACKAGE):
        if any(candidate.glob("*.bas")):
            return candidate
    raise FileNotFoundError(
        f"no VBA sources: neither {_MACROS_DIR_IN_CHECKOUT} nor {_MACROS_DIR_IN_PACKAGE} has *.bas files"
    )


def _xlwings_dir() -> Path:
    # find_spec locates the package without importing it (importing xlwings pulls in pandas).
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("xlwings is not installed; its standalone VBA module ships with it")
    return Path(next(iter(spec.submodule_search_locations)))


def _read_source(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _declared_name(text: str, path: Path) -> str:
    match = _VB_NAME.search(text)
    if match is None:
        raise ValueError(f"{path}: no 'Attribute VB_Name = \"...\"' line")
    return match.group(1)


def _check_module_name(name: str, seen: set[str]) -> None:
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not a VBA module name (ASCII letter first, letters/digits/_, ≤ 31)")
    if name.lower() in seen:  # VBA names are case-insensitive
        raise ValueError(f"module name {name!r} is used twice")
    seen.add(name.lower())


def _document_text(name: str, base: str) -> str:
    # The attribute block Excel stores for an empty sheet/workbook module (compared byte for byte with
    # xlwings' quickstart_standalone.xlsm in the tests).
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "0{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return "\r\n".join(lines) + "\r\n"


def _stored_text(name: str, source: str) -> tuple[bool, str]:
    """(is class module, text as the VBE stores it in the module stream: CRLF, attributes first)."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if not line.isascii():
            # The dir stream declares code page 1252 (ms-ovba hard-codes it), so anything else would
            # be stored as mojibake; keep user-visible Chinese in the workbook instead.
            raise ValueError(f"module {name}, line {number}: VBA source must be ASCII: {line.strip()!r}")
    is_class = is_class_module(source)
    if is_class:
        # The VERSION/BEGIN/END header exists only in .cls export files, never in the stored module.
        end = next((i for i, line in enumerate(lines) if line.strip() == "END"), None)
        if end is None:
            raise ValueError(f"class module {name}: VERSION header without END")
        lines = lines[end + 1 :]
    if lines and lines[0].startswith("Attribute VB_Name"):
        declared = _VB_NAME.fullmatch(lines[0].strip())
        if declared is None or declared.group(1) != name:
            raise ValueError(f"module {name}: first line declares {lines[0].strip()!r}")
    else:
        lines.insert(0, f'Attribute VB_Name = "{name}"')
    if is_class:
        # Excel adds these when it imports a class; mirror its order (VB_Name, VB_Base, ...,
        # VB_Exposed, VB_TemplateDerived, VB_Customizable) as seen in quickstart_standalone.xlsm.
        lines.insert(1, f'Attribute VB_Base = "0{_CLASS_BASE}"')
        header_end = 1
        while header_end + 1 < len(lines) and lines[header_end + 1].startswith("Attribute VB_"):
            header_end += 1
        exposed = next((i for i in range(1, header_end + 1) if lines[i].startswith("Attribute VB_Exposed")), header_end)
        lines[exposed + 1 : exposed + 1] = [
            "Attribute VB_TemplateDerived = False",
            "Attribute VB_Customizable = False",
        ]
    return is_class, "\r\n".join(lines) + "\r\n"


def is_class_module(source: str) -> bool:
    return source.lstrip().startswith("VERSION 1.0 CLASS")


def public_subs(source: str) -> list[str]:
    """Parameterless Subs a button can call (Private ones are excluded by the pattern)."""
    return _PUBLIC_SUB.findall(source)


class _ClassModule(ModuleBase):  # type: ignore[misc]  # ms-ovba ships no type information
    """A class module: "Class=" in the PROJECT stream, MODULETYPE 0x0022 in the dir stream."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.type = "Class"

    def pack(self, endien: str, cp_name: str) -> bytes:
        # ModuleBase.pack emits 0x0022 only for type "Document", although the spec uses it for every
        # non-procedural module; borrow that branch for the duration of the call.
        self.type = "Document"
        try:
            packed: bytes = super().pack(endien, cp_name)
        finally:
            self.type = "Class"
        return packed


def _default_references() -> list[Any]:
    # The two references Excel gives every new project (VBA and the Excel library are implicit).
    stdole = LibidReference(
        uuid.UUID("00020430-0000-0000-C000-000000000046"),
        "2.0",
        "0",
        "C:\\Windows\\System32\\stdole2.tlb",
        "OLE Automation",
    )
    office = LibidReference(
        uuid.UUID("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52"),
        "2.0",
        "0",
        "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
        "Microsoft Office 16.0 Object Library",
    )
    return [
        Reference(ReferenceRegistered(stdole), "stdole"),
        Reference(ReferenceRegistered(office), "Office"),
    ]


@contextlib.contextmanager
def _scratch_dir() -> Iterator[Path]:
    from xlgoals.io.janitor import temp_folder

    with _BUILD_LOCK, temp_folder("xlgoals-vba-") as tmp, contextlib.chdir(tmp):
        yield tmp


@contextlib.contextmanager
def _seeded_global_random(seed: int) -> Iterator[None]:
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)
