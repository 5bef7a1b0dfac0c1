"""What a macro-enabled package adds to io.package: its content types and the sheets' code names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from xlgoals.io.package import CT_VML, NS_CT, Package, Sheet, ensure_default, set_override
from xlgoals.io.xmledit import scan_xml
from xlgoals.macro.vba import IDENTIFIER, WORKBOOK_CODE_NAME

REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

_CT_VBA = "application/vnd.ms-office.vbaProject"
CT_MACRO_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ".xlsm",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
        ".xltm",
    ),
}

CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})")

ButtonSpec = tuple[str, str, str]


def register_content_types(types: ET.Element, wb_part: str, macro_ct: str, vba_part: str) -> None:
    set_override(types, wb_part, macro_ct)
    defaults = {n.get("Extension", "").lower(): n for n in types.iter(f"{{{NS_CT}}}Default")}
    ensure_default(types, "vml", CT_VML)
    if "bin" not in defaults:
        ensure_default(types, "bin", _CT_VBA)  # how Excel itself registers vbaProject.bin
    elif defaults["bin"].get("ContentType") != _CT_VBA:  # e.g. printer settings already own .bin
        ET.SubElement(types, f"{{{NS_CT}}}Override", {"PartName": "/" + vba_part, "ContentType": _CT_VBA})


def assign_code_names(pkg: Package, sheets: list[Sheet]) -> None:
    """Keep usable code names already in the file; name the rest Sheet<n> like Excel and XlsxWriter."""
    taken = {WORKBOOK_CODE_NAME.lower()}
    for sheet in sheets:
        existing = scan_xml(pkg.read(sheet.part)).child_attrs("sheetPr").get("codeName", "")
        if IDENTIFIER.fullmatch(existing) and existing.lower() not in taken:
            sheet.code_name = existing
            taken.add(existing.lower())
    for position, sheet in enumerate(sheets, 1):
        if sheet.code_name:
            continue
        number = position
        while f"sheet{number}" in taken:
            number += 1
        sheet.code_name = f"Sheet{number}"
        taken.add(sheet.code_name.lower())
