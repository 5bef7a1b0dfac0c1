"""The VBA project and the .xlsm conversion, read back by olevba, openpyxl and LibreOffice."""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import olefile
import openpyxl
import pytest
from defusedxml import ElementTree as SafeET
from oletools.olevba import decompress_stream
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from tests.builders.office import convert
from tests.builders.package_parts import NS, buttons_in, read_parts, rels_of, shapes, sheet_parts
from tests.builders.vba_modules import (
    MACROS,
    XLWINGS,
    XLWINGS_MODULES,
    assert_our_modules,
    crlf,
    file_text,
    olevba_modules,
)
from xlgoals.macro import compression, vba, vbatext, xlsmpackage
from xlgoals.shells.addin import WEB_ENTRIES

QUICKSTART = XLWINGS / "quickstart_standalone.xlsm"

# The brief's table, kept independent of vba.BUTTONS so a drift in either shows up.
SPEC = [
    ("校验本表", "ValidateActiveSheet", "validate_active"),
    ("校验全部", "ValidateAll", "validate_all"),
    ("新增项目", "AddProject", "add_project"),
    ("汇总", "RollUp", "rollup"),
    ("导出汇总", "ExportSummary", "export_summary"),
    ("汇总文件夹", "ConsolidateFolder", "consolidate_folder"),
]
BUTTONS = {
    "项目1": [("F2", "校验本表", "ValidateActiveSheet"), ("H2", "新增项目", "AddProject")],
    "汇总": [("B2", "汇总", "RollUp"), ("D2", "导出汇总", "ExportSummary")],
}
CODE_NAMES = ["Sheet1", "Sheet2", "Sheet3"]
DOCS = ["ThisWorkbook", *CODE_NAMES]


@pytest.fixture(scope="module")
def project_bin() -> bytes:
    return vba.build_vba_project(vba.macro_sources(), DOCS)


# --- sources ---------------------------------------------------------------------------------------


def test_button_table_is_the_spec() -> None:
    assert list(vba.BUTTONS) == SPEC
    assert vba.button_subs() == [(caption, sub) for caption, sub, _ in SPEC]


def test_buttons_bas_has_one_entry_per_button() -> None:
    text = file_text(MACROS / "XlgoalsButtons.bas")
    subs = re.findall(r"^(\w+ )?Sub (\w+)\(\)\r\n(.*?)^End Sub\r$", text, re.MULTILINE | re.DOTALL)
    assert [(scope, name) for scope, name, _ in subs] == [("Public ", sub) for _, sub, _ in SPEC]
    for (_, _, body), (_, _, entry) in zip(subs, SPEC, strict=True):
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        # Entries the server offers go there on a desk without Python; the others need the local disk.
        local_only = "" if entry in WEB_ENTRIES else ", onServer:=False"
        assert lines == [f'RunEntry "{entry}"{local_only}']
    # RunEntry hands the entry to RunPython and to the server route that runs the same function.
    assert 'RunPython "import xlgoals.excel as x; x." & entry & "()"' in text
    assert 'RunServerPython server & "/xlwings/vba/" & entry' in text


def test_macro_files_are_ascii_vbe_exports() -> None:
    paths = sorted(MACROS.glob("*.bas"))
    assert paths
    for path in paths:
        raw = path.read_bytes()
        assert raw.isascii(), path.name
        assert raw.count(b"\n") == raw.count(b"\r\n"), f"{path.name}: VBE import needs CRLF"
        assert raw.startswith(f'Attribute VB_Name = "{path.stem}"\r\n'.encode()), path.name


def test_macro_sources_are_our_files_plus_xlwings_standalone() -> None:
    sources = vba.macro_sources()
    expected = {p.stem: file_text(p) for p in MACROS.glob("*.bas")}
    expected |= {name: file_text(XLWINGS / rel) for name, rel in XLWINGS_MODULES.items()}
    expected[vbatext.MODULE] = vbatext.module_source()
    assert {name: crlf(text) for name, text in sources.items()} == {n: crlf(t) for n, t in expected.items()}


def test_excel_entry_points_exist() -> None:
    excel = pytest.importorskip("xlgoals.excel")
    missing = [entry for _, _, entry in SPEC if not callable(getattr(excel, entry, None))]
    assert missing == []


# --- vbaProject.bin ---------------------------------------------------------------------------------


def test_olevba_reads_back_every_module(project_bin: bytes) -> None:
    assert_our_modules(olevba_modules(data=project_bin), DOCS)


def test_document_and_class_modules_match_what_excel_stored() -> None:
    ours = olevba_modules(data=vba.build_vba_project(vba.macro_sources(), ["Sheet1", "Sheet2"]))
    excel = olevba_modules(QUICKSTART)  # saved by Excel; its Sheet1/Sheet2/ThisWorkbook are empty
    for name in ("ThisWorkbook", "Sheet1", "Sheet2"):
        assert ours[name] == excel[name], name
    # The VBE re-cases identifiers project-wide (xlwings declares `err`, so `Err.Raise` became
    # `err.Raise`); apart from that the class module is stored byte for byte as Excel stored it.
    assert ours["Dictionary"] != excel["Dictionary"]
    assert ours["Dictionary"].lower() == excel["Dictionary"].lower()


def test_project_streams(project_bin: bytes) -> None:
    with olefile.OleFileIO(io.BytesIO(project_bin)) as ole:
        project = ole.openstream("PROJECT").read().decode("ascii").split("\r\n")
        header = ole.openstream("VBA/_VBA_PROJECT").read()
        dir_stream = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
        streams = sorted("/".join(entry) for entry in ole.listdir())
    assert re.fullmatch(r'ID="\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}"', project[0])
    assert project[1:16] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Document=Sheet3/&H00000000",
        "Module=XlgoalsActions",
        "Module=XlgoalsButtons",
        "Module=XlgoalsText",
        "Module=xlwings",
        "Class=Dictionary",
        "Module=Remote",
        "Class=IWebAuthenticator",
        "Class=WebClient",
        "Class=WebRequest",
        "Class=WebResponse",
        "Module=WebHelpers",
    ]
    # Version 0xFFFF: no p-code cache, so Excel compiles from the source streams.
    assert header[:4] == b"\xcc\x61\xff\xff"
    assert b"\x03\x00\x02\x00\x00\x00\xe4\x04" in dir_stream  # PROJECTCODEPAGE 1252
    expected = {f"VBA/{name}" for name in [*DOCS, *vba.macro_sources()]}
    assert streams == sorted(expected | {"VBA/dir", "VBA/_VBA_PROJECT", "PROJECT", "PROJECTwm"})


def test_build_is_deterministic_and_leaves_process_state_alone(project_bin: bytes) -> None:
    random.seed(12345)
    state = random.getstate()
    cwd = os.getcwd()
    again = vba.build_vba_project(vba.macro_sources(), DOCS)
    assert again == project_bin
    assert random.getstate() == state
    assert os.getcwd() == cwd


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a",
        b"abcabcabcabcabc",
        bytes(range(256)) * 40,
        random.Random(7).randbytes(9000),
        b"Sub A()\r\n" + b"    x = x + 1\r\n" * 2000,
    ],
    ids=["empty", "one", "short-repeat", "ramp", "random", "long-runs"],
)
def test_compression_round_trips_through_olevba(data: bytes) -> None:
    packed = compression.compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert compression.decompress(packed) == data


def test_decompress_reads_excels_streams() -> None:
    with zipfile.ZipFile(QUICKSTART) as zf, olefile.OleFileIO(zf.read("xl/vbaProject.bin")) as ole:
        raw = ole.openstream("VBA/dir").read()
        module = ole.openstream("VBA/xlwings").read()  # MODULEOFFSET 0 in this file
    for stream in (raw, module):
        assert compression.decompress(stream) == bytes(decompress_stream(bytearray(stream)))


def test_non_ascii_source_is_rejected() -> None:
    source = 'Attribute VB_Name = "M"\nSub A()\n    MsgBox "校验"\nEnd Sub\n'
    with pytest.raises(ValueError, match="ASCII"):
        vba.build_vba_project({"M": source}, [])


@pytest.mark.parametrize(
    ("modules", "docs", "message"),
    [
        ({"sheet1": 'Attribute VB_Name = "sheet1"\n'}, ["Sheet1"], "used twice"),
        ({"A": 'Attribute VB_Name = "B"\n'}, [], "declares"),
        ({"模块": "Sub A()\nEnd Sub\n"}, [], "not a VBA module name"),
        ({}, ["Sheet 1"], "not a VBA module name"),
    ],
)
def test_bad_module_names_are_rejected(modules: dict[str, str], docs: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        vba.build_vba_project(modules, docs)


@pytest.mark.parametrize("kib", [70, 600])
def test_a_project_past_one_fat_sector_reads_back_whole(kib: int) -> None:
    # ms-cfb alone wrote one FAT sector (64 KB of container); RunServerPython's modules take ~120 KB, and
    # 600 KB needs five FAT sectors. Random text barely compresses, so the container is about that size.
    rnd = random.Random(kib)
    lines = ["' " + "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=80)) for _ in range(kib * 12)]
    source = 'Attribute VB_Name = "Big"\n' + "\n".join(lines) + "\n"
    data = vba.build_vba_project({"Big": source}, [])
    assert len(data) >= kib * 1000
    assert olevba_modules(data=data)["Big"] == crlf(source)
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        assert ole.openstream("VBA/Big").read() == compression.compress(crlf(source).encode("ascii"))


# --- .xlsx -> .xlsm ---------------------------------------------------------------------------------


def write_plain_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目1"
    ws["A1"] = "项目名称"
    ws["A1"].font = Font(bold=True, name="宋体")
    ws["A1"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["B2"] = 12.5
    ws["B2"].comment = Comment("请填写金额", "xlgoals")
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("C3:C9")
    ws.protection.sheet = True
    ws.column_dimensions["F"].width = 20
    ws.row_dimensions[2].height = 30
    ws.merge_cells("A5:C5")
    ws.freeze_panes = "A2"
    summary = wb.create_sheet("汇总")
    summary["A1"] = "=SUM('项目1'!B2)"
    hidden = wb.create_sheet("lists")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "是"
    hidden["A2"].comment = Comment("note on a sheet without buttons", "xlgoals")
    wb.defined_names["项目名称"] = DefinedName("项目名称", attr_text="'项目1'!$A$1")
    wb.security = WorkbookProtection(lockStructure=True)
    wb.save(path)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("xlsm")
    xlsx, xlsm = folder / "plain.xlsx", folder / "template.xlsm"
    write_plain_xlsx(xlsx)
    xlsmpackage.make_xlsm(xlsx, xlsm, BUTTONS)
    return xlsx, xlsm


def assert_package_consistent(parts: dict[str, bytes]) -> None:
    """Every internal relationship resolves and every part has a content type."""
    types = SafeET.fromstring(parts["[Content_Types].xml"])
    defaults = {n.get("Extension").lower() for n in types.iter(f"{{{NS['ct']}}}Default")}
    overrides = {n.get("PartName").lstrip("/") for n in types.iter(f"{{{NS['ct']}}}Override")}
    for part in parts:
        if part == "[Content_Types].xml" or part.endswith("/"):
            continue
        assert part in overrides or part.rpartition(".")[2].lower() in defaults, part
        if not part.endswith(".rels"):
            for rel in rels_of(parts, part):
                assert rel.get("part", "") in parts or "part" not in rel, (part, rel)


def expected_buttons(spec: dict[str, list[tuple[str, str, str]]]) -> dict[str, list[tuple[str, str]]]:
    return {sheet: [(caption, f"[0]!{sub}") for _, caption, sub in items] for sheet, items in spec.items()}


def test_xlsm_carries_the_vba_project(converted: tuple[Path, Path]) -> None:
    _, xlsm = converted
    parts = read_parts(xlsm)
    types = SafeET.fromstring(parts["[Content_Types].xml"])
    main = next(n for n in types.iter(f"{{{NS['ct']}}}Override") if n.get("PartName") == "/xl/workbook.xml")
    assert main.get("ContentType") == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    vba_rels = [r for r in rels_of(parts, "xl/workbook.xml") if r["Type"].endswith("/vbaProject")]
    assert [r["part"] for r in vba_rels] == ["xl/vbaProject.bin"]
    assert parts["xl/vbaProject.bin"] == vba.build_vba_project(vba.macro_sources(), DOCS)
    assert_package_consistent(parts)
    assert_our_modules(olevba_modules(xlsm), DOCS)


def test_xlsm_code_names_match_the_document_modules(converted: tuple[Path, Path]) -> None:
    _, xlsm = converted
    parts = read_parts(xlsm)
    pr = SafeET.fromstring(parts["xl/workbook.xml"]).find(f"{{{NS['main']}}}workbookPr")
    assert pr is not None and pr.get("codeName") == "ThisWorkbook"
    names = []
    for part in sheet_parts(parts).values():
        sheet_pr = SafeET.fromstring(parts[part]).find(f"{{{NS['main']}}}sheetPr")
        names.append(sheet_pr.get("codeName") if sheet_pr is not None else None)
    assert names == CODE_NAMES
    with olefile.OleFileIO(parts["xl/vbaProject.bin"]) as ole:
        project = ole.openstream("PROJECT").read().decode("ascii")
    assert re.findall(r"^Document=(\w+)/", project, re.MULTILINE) == DOCS


def test_xlsm_has_a_button_bound_to_each_sub(converted: tuple[Path, Path]) -> None:
    _, xlsm = converted
    assert buttons_in(xlsm) == expected_buttons(BUTTONS)
    parts = read_parts(xlsm)
    kinds = {name: [kind for kind, _ in shapes(parts, part)] for name, part in sheet_parts(parts).items()}
    # The note on 项目1 shares the drawing with the buttons; the hidden sheet keeps its own.
    assert sorted(kinds["项目1"]) == ["Button", "Button", "Note"]
    assert kinds["lists"] == ["Note"]


def test_xlsm_changes_only_the_parts_it_must(converted: tuple[Path, Path]) -> None:
    xlsx, xlsm = converted
    before, after = read_parts(xlsx), read_parts(xlsm)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",  # codeName (its legacyDrawing already existed)
        "xl/worksheets/_rels/sheet1.xml.rels",  # comment drawing renamed to vmlDrawing1.vml
        "xl/drawings/commentsDrawing1.vml",  # merged into vmlDrawing1.vml
        "xl/worksheets/sheet2.xml",  # codeName + legacyDrawing
        "xl/worksheets/sheet3.xml",  # codeName
        "xl/worksheets/_rels/sheet3.xml.rels",  # comment drawing renamed to vmlDrawing3.vml
        "xl/drawings/commentsDrawing2.vml",  # renamed, content unchanged
    }
    added = set(after) - set(before)
    assert added == {
        "xl/vbaProject.bin",
        "xl/drawings/vmlDrawing1.vml",
        "xl/drawings/vmlDrawing2.vml",
        "xl/drawings/vmlDrawing3.vml",
        "xl/worksheets/_rels/sheet2.xml.rels",
    }
    assert after["xl/drawings/vmlDrawing3.vml"] == before["xl/drawings/commentsDrawing2.vml"]


def snapshot(path: Path) -> dict[str, Any]:
    """What openpyxl sees of a workbook: values, styles, validations, protection, names, notes."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    sheets = {}
    for ws in wb.worksheets:
        cells = {
            c.coordinate: (c.value, c.font.b, c.font.name, c.fill.fgColor.rgb, c.comment and c.comment.text)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None or c.comment is not None
        }
        sheets[ws.title] = {
            "state": ws.sheet_state,
            "cells": cells,
            "validations": [(str(dv.sqref), dv.type, dv.formula1) for dv in ws.data_validations.dataValidation],
            "protected": ws.protection.sheet,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        }
    names = {name: dn.attr_text for name, dn in wb.defined_names.items()}
    lock = wb.security.lockStructure if wb.security else None
    return {"sheets": sheets, "order": wb.sheetnames, "names": names, "lock": lock}


def test_openpyxl_sees_the_same_workbook(converted: tuple[Path, Path]) -> None:
    xlsx, xlsm = converted
    before, after = snapshot(xlsx), snapshot(xlsm)
    assert after == before
    assert before["sheets"]["项目1"]["cells"]["B2"][4] == "请填写金额"
    assert before["sheets"]["lists"]["state"] == "hidden"
    assert before["names"] == {"项目名称": "'项目1'!$A$1"}


def test_openpyxl_write_back_keeps_vba_and_buttons(converted: tuple[Path, Path], tmp_path: Path) -> None:
    _, xlsm = converted
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    wb["项目1"]["B2"].comment = None  # its drawing now has only buttons: openpyxl must still copy it
    wb["lists"]["A2"].comment = None  # a notes-only drawing left behind must not dangle either
    wb["汇总"]["C4"].comment = Comment("new note next to the buttons", "xlgoals")
    wb["项目1"]["B3"] = 7
    back = tmp_path / "back.xlsm"
    wb.save(back)

    parts = read_parts(back)
    assert_package_consistent(parts)
    assert_our_modules(olevba_modules(back), DOCS)
    assert buttons_in(back) == expected_buttons(BUTTONS)
    kinds = {name: sorted(kind for kind, _ in shapes(parts, part)) for name, part in sheet_parts(parts).items()}
    assert kinds["汇总"] == ["Button", "Button", "Note"]
    reloaded = openpyxl.load_workbook(back, keep_vba=True)
    assert reloaded["汇总"]["C4"].comment.text == "new note next to the buttons"
    assert reloaded.code_name == "ThisWorkbook"
    assert [ws.sheet_properties.codeName for ws in reloaded.worksheets] == CODE_NAMES


def test_buttons_on_many_sheets_survive_openpyxl(tmp_path: Path) -> None:
    # openpyxl copies legacy drawings only when named like vmlDrawing<one digit>.vml.
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "S1"
    for number in range(2, 13):
        wb.create_sheet(f"S{number}")
    xlsx, xlsm, back = tmp_path / "many.xlsx", tmp_path / "many.xlsm", tmp_path / "back.xlsm"
    wb.save(xlsx)
    spec = {f"S{n}": [("B2", f"按钮{n}", "ValidateAll")] for n in range(1, 13)}
    xlsmpackage.make_xlsm(xlsx, xlsm, spec)
    openpyxl.load_workbook(xlsm, keep_vba=True).save(back)
    assert buttons_in(xlsm) == expected_buttons(spec)
    assert buttons_in(back) == expected_buttons(spec)
    assert_package_consistent(read_parts(back))


def test_make_xlsm_is_deterministic(converted: tuple[Path, Path], tmp_path: Path) -> None:
    xlsx, xlsm = converted
    again = tmp_path / "again.xlsm"
    xlsmpackage.make_xlsm(xlsx, again, BUTTONS)
    assert again.read_bytes() == xlsm.read_bytes()


@pytest.mark.parametrize(
    ("buttons", "out_name", "message"),
    [
        ({"nope": [("A1", "x", "RollUp")]}, "o.xlsm", "no worksheet"),
        ({"汇总": [("A1", "x", "NoSuchSub")]}, "o.xlsm", "no public Sub"),
        ({"汇总": [("A1", "x", "RemoveAll")]}, "o.xlsm", "no public Sub"),  # Dictionary class method
        ({"汇总": [("1A", "x", "RollUp")]}, "o.xlsm", "not a cell reference"),
        ({}, "o.xlsx", "extension"),
    ],
)
def test_make_xlsm_rejects_bad_requests(
    converted: tuple[Path, Path], tmp_path: Path, buttons: dict[str, Any], out_name: str, message: str
) -> None:
    xlsx, _ = converted
    out = tmp_path / out_name
    with pytest.raises(ValueError, match=message):
        xlsmpackage.make_xlsm(xlsx, out, buttons)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temp file


def test_make_xlsm_refuses_a_workbook_with_macros(converted: tuple[Path, Path], tmp_path: Path) -> None:
    _, xlsm = converted
    with pytest.raises(ValueError, match="macro-free"):
        xlsmpackage.make_xlsm(xlsm, tmp_path / "twice.xlsm", {})


# --- LibreOffice ------------------------------------------------------------------------------------


def test_libreoffice_prints_the_xlsm(converted: tuple[Path, Path], soffice: str, tmp_path: Path) -> None:
    _, xlsm = converted
    back = tmp_path / "back.xlsm"
    openpyxl.load_workbook(xlsm, keep_vba=True).save(back)
    for source in (xlsm, back):
        pdf = convert(soffice, source, "pdf", tmp_path / source.stem)
        assert pdf.read_bytes().startswith(b"%PDF-")


def test_libreoffice_binds_each_button_to_its_sub(converted: tuple[Path, Path], soffice: str, tmp_path: Path) -> None:
    # LibreOffice's own importer parses our dir stream and modules and resolves each FmlaMacro to a Sub.
    _, xlsm = converted
    ods = convert(soffice, xlsm, "ods", tmp_path)
    with zipfile.ZipFile(ods) as zf:
        content = zf.read("content.xml").decode("utf-8")
        basic = {name.rsplit("/", 1)[-1] for name in zf.namelist() if name.startswith("Basic/VBAProject/")}
    bound = re.findall(r'<form:button[^>]*form:label="([^"]*)".*?xlink:href="([^"]*)"', content, re.DOTALL)
    expected = [
        (caption, f"vnd.sun.star.script:VBAProject.XlgoalsButtons.{sub}?language=Basic&amp;location=document")
        for items in BUTTONS.values()
        for _, caption, sub in items
    ]
    assert sorted(bound) == sorted(expected)
    assert {f"{name}.xml" for name in [*DOCS, *vba.macro_sources()]} <= basic
