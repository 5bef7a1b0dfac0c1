"""macro/opc.py: what a macro-enabled package adds: the workbook's macro-enabled content type, .bin and .vml
registered (.bin as an override where another part type owns the extension), every sheet a usable code name."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from xlgoals.io.package import NS_CT, Package, content_type_of, worksheets
from xlgoals.io.xmledit import set_code_name
from xlgoals.macro.opc import CT_MACRO_MAIN, assign_code_names, register_content_types

MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA = "application/vnd.ms-office.vbaProject"


def test_content_types_of_a_macro_enabled_book(sample_xlsx: Path) -> None:
    pkg = Package.of(sample_xlsx.read_bytes())
    types = pkg.types()
    assert content_type_of(types, "xl/workbook.xml") == MAIN
    macro_ct, suffix = CT_MACRO_MAIN[MAIN]
    register_content_types(types, "xl/workbook.xml", macro_ct, "xl/vbaProject.bin")
    assert (content_type_of(types, "xl/workbook.xml"), suffix) == (macro_ct, ".xlsm")
    assert content_type_of(types, "xl/vbaProject.bin") == VBA
    assert content_type_of(types, "xl/drawings/vmlDrawing1.vml").endswith("vmlDrawing")


def test_bin_owned_by_another_type_gets_an_override() -> None:
    types = ET.fromstring(
        f'<Types xmlns="{NS_CT}"><Default Extension="bin" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/></Types>'
    )
    register_content_types(types, "xl/workbook.xml", CT_MACRO_MAIN[MAIN][0], "xl/vbaProject.bin")
    assert content_type_of(types, "xl/vbaProject.bin") == VBA
    assert content_type_of(types, "xl/printerSettings/printerSettings1.bin").endswith("printerSettings")


def test_code_names_kept_when_usable_else_sheet_n(sample_xlsx: Path) -> None:
    pkg = Package.of(sample_xlsx.read_bytes())
    book = pkg.office_document()
    sheets = worksheets(pkg, book, pkg.rels(book))
    pkg.set(sheets[0].part, set_code_name(pkg.read(sheets[0].part), "Cover", workbook=False))
    pkg.set(sheets[2].part, set_code_name(pkg.read(sheets[2].part), "Sheet1", workbook=False))
    pkg.set(sheets[3].part, set_code_name(pkg.read(sheets[3].part), "ThisWorkbook", workbook=False))
    assign_code_names(pkg, sheets)
    # Usable names kept; the workbook's own name is not a sheet's; the rest numbered past those taken.
    assert [s.code_name for s in sheets] == ["Cover", "Sheet2", "Sheet1", "Sheet4", "Sheet5", "Sheet6"]
