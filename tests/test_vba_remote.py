"""The generated .xlsm carries RunServerPython: xlwings' Remote.bas with VBA-Web, stored as Excel stores them."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
from oletools.olevba import VBA_Parser, VBA_Project

from tests.test_vba import XLWINGS, XLWINGS_MODULES, olevba_modules
from xlgoals import excelplan
from xlgoals.core import layout
from xlgoals.macro import vbatext
from xlgoals.macro.xlsm import write_xlsm_template
from xlgoals.shells.token import authorization

XLAM = XLWINGS / "addin" / "xlwings.xlam"  # saved by Excel: its modules are stored as the VBE stores them
REMOTE = ["Remote", "IWebAuthenticator", "WebClient", "WebRequest", "WebResponse", "WebHelpers", "Dictionary"]
PROCEDURAL, CLASS_OR_DOCUMENT = 0x0021, 0x0022


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("remote") / "模板.xlsm"
    write_xlsm_template(
        path, projects=2, server="https://xlgoals.example.gov.cn", authorization=authorization("t" * 24)
    )
    return path


def module_types(vba_project_bin: bytes) -> dict[str, int]:
    """Module name -> MODULETYPE from the dir stream, as olevba parses it."""
    ole = olefile.OleFileIO(io.BytesIO(vba_project_bin))
    try:
        project = VBA_Project(ole, "", "PROJECT", "VBA/dir")
        project.parse_project_stream()
        for _ in project.parse_modules():  # a generator: each step parses one MODULE record
            pass
        return {module.name: module.type for module in project.modules}
    finally:
        ole.close()


def test_olevba_finds_remote_bas_and_its_modules_stored_as_excel_stores_them(xlsm: Path) -> None:
    ours = olevba_modules(xlsm)
    excel_stored = olevba_modules(XLAM)
    for name in REMOTE:
        # Byte for byte but for the VBE's project-wide re-casing of identifiers and the blank lines it keeps
        # at a module's end: the class modules carry VB_Base, VB_TemplateDerived and VB_Customizable as Excel's.
        assert ours[name].lower().rstrip() == excel_stored[name].lower().rstrip(), name
    assert "Function RunServerPython(" in ours["Remote"]
    header = ours["WebClient"].splitlines()[:8]
    assert header[1] == 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
    assert "Attribute VB_PredeclaredId = False" in header and "Attribute VB_Exposed = True" in header


def test_module_types_match_excels(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as zf:
        ours = module_types(zf.read("xl/vbaProject.bin"))
    with zipfile.ZipFile(XLAM) as zf:
        theirs = module_types(zf.read("xl/vbaProject.bin"))
    for name in REMOTE:
        assert ours[name] == theirs[name], name
    assert {ours[n] for n in ("WebClient", "WebRequest", "WebResponse", "IWebAuthenticator")} == {CLASS_OR_DOCUMENT}
    assert ours["Remote"] == ours["WebHelpers"] == ours["XlgoalsButtons"] == PROCEDURAL


def test_every_xlwings_module_is_the_installed_packages(xlsm: Path) -> None:
    ours = olevba_modules(xlsm)
    for name, rel in XLWINGS_MODULES.items():
        source = (XLWINGS / rel).read_text(encoding="ascii").replace("\r\n", "\n")
        body = source.split("\nEND\n", 1)[1] if source.startswith("VERSION 1.0 CLASS") else source
        # Every code line of the shipped file is in the stored module, in order.
        code = [line for line in body.splitlines() if line.strip() and not line.startswith("Attribute VB_")]
        stored = [line for line in ours[name].splitlines() if line.strip()]
        assert [s.lower() for s in stored if s.lower() in {c.lower() for c in code}] == [c.lower() for c in code]


def _decode(vba: str, name: str, url: str = "") -> str:
    """XlgoalsText.<name>(url) as VBA computes it: Decode's ChrW over the codes, then Replace of {url}."""
    body = re.search(rf"Public Function {name}\(.*?\n(.*?)End Function", vba, re.DOTALL)
    assert body is not None
    codes = "".join(re.findall(r'"([0-9 ]*)"', body.group(1))).split()
    units = b"".join(int(code).to_bytes(2, "little") for code in codes)
    return units.decode("utf-16-le").replace("{url}", url)


def test_the_buttons_messages_are_the_chinese_texts(xlsm: Path) -> None:
    stored = olevba_modules(xlsm)[vbatext.MODULE]
    assert stored.isascii()
    for name, text in vbatext.MESSAGES.items():
        assert _decode(stored, name, "https://x.example") == text.replace("{url}", "https://x.example")
    assert (
        _decode(stored, "Unreachable", "https://x.example")
        == "未安装 Python，也无法连接校验服务器 https://x.example，请联系主管部门。"
    )


def test_vba_and_python_agree_on_column_width_units() -> None:
    source = Path("macros/XlgoalsActions.bas").read_text(encoding="ascii")
    factor = re.search(r"POINTS_PER_CHARACTER As Double = ([0-9.]+)", source)
    assert factor is not None and float(factor.group(1)) == excelplan.POINTS_PER_CHARACTER


def test_the_cover_names_the_server_and_the_hidden_conf_sheet_the_token(xlsm: Path) -> None:
    wb = openpyxl.load_workbook(xlsm)
    spec = layout.COVER_FIELD["server"]
    cover = wb[layout.COVER_SHEET]
    assert (cover[spec.label_cell].value, cover[spec.value_cell].value) == (
        "校验服务器",
        "https://xlgoals.example.gov.cn",
    )
    name = wb.defined_names[layout.SERVER_NAME]
    assert list(name.destinations) == [(layout.COVER_SHEET, "$B$12")]
    conf = wb[layout.XLWINGS_CONF_SHEET]
    assert conf.sheet_state == "veryHidden" and (conf["A1"].value, conf["B1"].value) == ("AUTH", "Bearer " + "t" * 24)


def test_a_workbook_with_the_conf_sheet_validates_as_before(xlsm: Path, tmp_path: Path) -> None:
    from xlgoals.unit.pipeline import check_file

    report = check_file(xlsm).report
    assert not [f for f in report.findings if f.sheet == layout.XLWINGS_CONF_SHEET]


def test_olevba_reads_the_whole_project(xlsm: Path) -> None:
    parser = VBA_Parser(str(xlsm))
    try:
        assert parser.detect_vba_macros()
        names = {stream.rsplit("/", 1)[-1] for _f, stream, _n, _c in parser.extract_macros()}
    finally:
        parser.close()
    assert {*REMOTE, "xlwings", "XlgoalsButtons", "XlgoalsActions", vbatext.MODULE} <= names
