"""The workbook package (OPC): parts, relationships, content types, sheets' code names, the atomic write."""

from __future__ import annotations

import os
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree as SafeET

from xlgoals.macro.vba import (
    IDENTIFIER,
    WORKBOOK_CODE_NAME,
)
from xlgoals.macro.xmledit import scan_xml

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_V = "urn:schemas-microsoft-com:vml"
NS_O = "urn:schemas-microsoft-com:office:office"
NS_X = "urn:schemas-microsoft-com:office:excel"

_REL_OFFICE_DOC = NS_REL + "/officeDocument"
_REL_WORKSHEET = NS_REL + "/worksheet"
REL_STYLES = NS_REL + "/styles"
REL_VML = NS_REL + "/vmlDrawing"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

_CT_VBA = "application/vnd.ms-office.vbaProject"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
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

# CT_Worksheet children that must come after legacyDrawing (ECMA-376 schema order).
AFTER_LEGACY_DRAWING = frozenset(
    {
        "legacyDrawingHF",
        "drawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
        "extLst",
    }
)

CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

ButtonSpec = tuple[str, str, str]


@dataclass
class Sheet:
    name: str
    part: str
    code_name: str = ""


@dataclass
class Package:
    data: dict[str, bytes]
    added: list[str] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)

    def set(self, part: str, content: bytes) -> None:
        if part not in self.data and part not in self.added:
            self.added.append(part)
        self.removed.discard(part)
        self.data[part] = content

    def remove(self, part: str) -> None:
        self.removed.add(part)
        self.data.pop(part, None)

    def xml(self, part: str) -> ET.Element:
        root: ET.Element = SafeET.fromstring(self.data[part])
        return root

    def rels(self, part: str) -> ET.Element:
        path = _rels_path(part)
        if path in self.data:
            return self.xml(path)
        return ET.Element(f"{{{_NS_PKG_REL}}}Relationships")

    def set_rels(self, part: str, rels: ET.Element) -> None:
        self.set(_rels_path(part), serialize_flat(rels, _NS_PKG_REL))

    def office_document(self) -> str:
        for rel in self.rels(""):
            if rel.get("Type") == _REL_OFFICE_DOC:
                return resolve("", rel.get("Target", ""))
        raise ValueError("package has no officeDocument relationship")


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def serialize_flat(root: ET.Element, namespace: str) -> bytes:
    """Serialise a [Content_Types].xml or .rels tree: one default namespace, childless children."""

    def local(name: str) -> str:
        uri, _, tail = name[1:].partition("}") if name.startswith("{") else ("", "", name)
        if uri not in ("", namespace):
            raise ValueError(f"unexpected namespace {uri} in a flat part")
        return tail

    items = [f"<{local(root.tag)} xmlns={quoteattr(namespace)}>"]
    for child in root:
        attrs = "".join(f" {local(k)}={quoteattr(v)}" for k, v in child.attrib.items())
        items.append(f"<{local(child.tag)}{attrs}/>")
    items.append(f"</{local(root.tag)}>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + "".join(items)).encode("utf-8")


def content_type_of(types: ET.Element, part: str) -> str:
    for node in types.iter(f"{{{NS_CT}}}Override"):
        if node.get("PartName", "").lstrip("/") == part:
            return node.get("ContentType", "")
    ext = part.rpartition(".")[2].lower()  # OPC: after the last dot, so "_rels/.rels" is "rels"
    for node in types.iter(f"{{{NS_CT}}}Default"):
        if node.get("Extension", "").lower() == ext:
            return node.get("ContentType", "")
    return ""


def register_content_types(types: ET.Element, wb_part: str, macro_ct: str, vba_part: str) -> None:
    override = next(
        (n for n in types.iter(f"{{{NS_CT}}}Override") if n.get("PartName", "").lstrip("/") == wb_part), None
    )
    if override is None:
        override = ET.SubElement(types, f"{{{NS_CT}}}Override", {"PartName": "/" + wb_part})
    override.set("ContentType", macro_ct)
    defaults = {n.get("Extension", "").lower(): n for n in types.iter(f"{{{NS_CT}}}Default")}
    if "vml" not in defaults:
        _insert_default(types, "vml", _CT_VML)
    if "bin" not in defaults:
        _insert_default(types, "bin", _CT_VBA)  # how Excel itself registers vbaProject.bin
    elif defaults["bin"].get("ContentType") != _CT_VBA:  # e.g. printer settings already own .bin
        ET.SubElement(types, f"{{{NS_CT}}}Override", {"PartName": "/" + vba_part, "ContentType": _CT_VBA})


def _insert_default(types: ET.Element, ext: str, content_type: str) -> None:
    # Defaults precede Overrides in every writer's output; keep that shape.
    position = sum(1 for child in types if child.tag == f"{{{NS_CT}}}Default")
    node = ET.Element(f"{{{NS_CT}}}Default", {"Extension": ext, "ContentType": content_type})
    types.insert(position, node)


def add_relationship(rels: ET.Element, rel_type: str, target: str) -> str:
    used = {rel.get("Id") for rel in rels}
    number = len(used) + 1
    while f"rId{number}" in used:
        number += 1
    rel_id = f"rId{number}"
    ET.SubElement(rels, f"{{{_NS_PKG_REL}}}Relationship", {"Id": rel_id, "Type": rel_type, "Target": target})
    return rel_id


def worksheets(pkg: Package, wb_part: str, wb_rels: ET.Element) -> list[Sheet]:
    targets = {rel.get("Id"): rel for rel in wb_rels}
    sheets: list[Sheet] = []
    for node in pkg.xml(wb_part).iter(f"{{{NS_MAIN}}}sheet"):
        rel = targets.get(node.get(f"{{{NS_REL}}}id"))
        # Chart and dialog sheets get no document module: nothing here calls into them.
        if rel is not None and rel.get("Type") == _REL_WORKSHEET:
            sheets.append(Sheet(node.get("name", ""), resolve(wb_part, rel.get("Target", ""))))
    return sheets


def assign_code_names(pkg: Package, sheets: list[Sheet]) -> None:
    """Keep usable code names already in the file; name the rest Sheet<n> like Excel and XlsxWriter."""
    taken = {WORKBOOK_CODE_NAME.lower()}
    for sheet in sheets:
        existing = scan_xml(pkg.data[sheet.part]).child_attrs("sheetPr").get("codeName", "")
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


def write_zip_atomically(out_path: Path, infos: Sequence[zipfile.ZipInfo], pkg: Package) -> None:
    from xlgoals.io.outputs import place, temp_beside

    with temp_beside(out_path, keep_suffix=True) as tmp:
        try:
            with tmp.open("wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in infos:
                    if info.filename not in pkg.removed:
                        # Reusing the ZipInfo keeps each entry's timestamp and compression as they were.
                        zout.writestr(info, pkg.data[info.filename])
                for name in pkg.added:
                    entry = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    entry.external_attr = 0o644 << 16
                    zout.writestr(entry, pkg.data[name])
            # The temp file is 0600; an overwritten file keeps its mode, a new one gets the usual 0644.
            os.chmod(tmp, out_path.stat().st_mode & 0o7777 if out_path.exists() else 0o644)
        except OSError as e:
            from xlgoals.core.oserrors import fault

            raise fault(e, out_path, "写入") from None
        place(tmp, out_path)
