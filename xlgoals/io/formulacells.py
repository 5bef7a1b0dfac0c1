"""Which cells of a worksheet hold formulas, read from the package: the grids carry values only.

A 自评 sheet computes its scores by formula; a value typed over one is told apart from the formula's own (cached)
value only by the file's XML, where a formula cell has an <f> element.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from defusedxml import ElementTree as SafeET

from xlgoals.io.container import Container

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A cell element up to its end, and whether it holds a formula (shared formulas write an empty <f .../>).
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3}[0-9]{1,7})"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The package part of the worksheet named `sheet`."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    workbook = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rel_id = next((s.get(_REL_ID) for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == sheet), None)
    if rel_id is None:
        return None
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(f"{_RELS}Relationship") if r.get("Id") == rel_id), None)
    if not target:
        return None
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return part if part in names else None


def formula_cells(container: Container, sheet: str) -> frozenset[str] | None:
    """Addresses of the cells of `sheet` that hold a formula; None when the package does not say (not found)."""
    try:
        with zipfile.ZipFile(io.BytesIO(container.data)) as zf:
            part = _sheet_part(zf, sheet)
            if part is None:
                return None
            xml = zf.read(part)
    except (zipfile.BadZipFile, KeyError, SafeET.ParseError):
        return None
    return frozenset(m.group(1).decode() for m in _CELL.finditer(xml) if m.group(2) and _FORMULA.search(m.group(2)))
