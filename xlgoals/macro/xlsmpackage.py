"""Turn an .xlsx into an .xlsm: VBA project part, code names and form buttons; every other part kept byte for byte."""

from __future__ import annotations

import contextlib
import math
import os
import posixpath
import re
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeET

from xlgoals.macro.vba import (
    IDENTIFIER,
    WORKBOOK_CODE_NAME,
    build_vba_project,
    is_class_module,
    macro_sources,
    public_subs,
)

# --- .xlsx -> .xlsm -------------------------------------------------------------------------------

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_NS_V = "urn:schemas-microsoft-com:vml"
_NS_O = "urn:schemas-microsoft-com:office:office"
_NS_X = "urn:schemas-microsoft-com:office:excel"

_REL_OFFICE_DOC = _NS_REL + "/officeDocument"
_REL_WORKSHEET = _NS_REL + "/worksheet"
_REL_STYLES = _NS_REL + "/styles"
_REL_VML = _NS_REL + "/vmlDrawing"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

_CT_VBA = "application/vnd.ms-office.vbaProject"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_CT_MACRO_MAIN = {
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
_AFTER_LEGACY_DRAWING = frozenset(
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
_BEFORE_WORKBOOK_PR = frozenset({"fileVersion", "fileSharing"})

_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

ButtonSpec = tuple[str, str, str]


def make_xlsm(xlsx_path: Path, out_path: Path, buttons: Mapping[str, Sequence[ButtonSpec]]) -> None:
    """Turn an .xlsx into an .xlsm carrying our VBA project and form-control buttons.

    `buttons` maps a worksheet name to [(anchor cell such as "F2", caption, Sub name)]. Parts of the
    input that need no change are copied byte for byte; the edits are code names on workbookPr and each
    worksheet's sheetPr, xl/vbaProject.bin with its relationship and content types, and per sheet with
    buttons one legacy VML drawing (merged with the sheet's comment shapes when it has notes).
    """
    xlsx_path, out_path = Path(xlsx_path), Path(out_path)
    with zipfile.ZipFile(xlsx_path) as zin:
        infos = zin.infolist()
        pkg = _Package({info.filename: zin.read(info) for info in infos})

    wb_part = pkg.office_document()
    content_types = pkg.xml("[Content_Types].xml")
    main_ct = _content_type_of(content_types, wb_part)
    if main_ct not in _CT_MACRO_MAIN:
        raise ValueError(f"{xlsx_path.name}: not a macro-free workbook (content type {main_ct})")
    macro_ct, suffix = _CT_MACRO_MAIN[main_ct]
    if out_path.suffix.lower() != suffix:
        raise ValueError(f"{out_path.name}: Excel opens this workbook only with the {suffix} extension")
    wb_rels = pkg.rels(wb_part)
    if any(rel.get("Type") == _REL_VBA for rel in wb_rels):
        raise ValueError(f"{xlsx_path.name}: already has a VBA project")

    sources = macro_sources()
    callable_subs = {
        sub.lower() for source in sources.values() if not is_class_module(source) for sub in public_subs(source)
    }
    sheets = _worksheets(pkg, wb_part, wb_rels)
    by_name = {sheet.name: sheet for sheet in sheets}
    for sheet_name, specs in buttons.items():
        if sheet_name not in by_name:
            raise ValueError(f"no worksheet named {sheet_name!r}")
        for cell, _caption, sub in specs:
            if not _CELL_REF.fullmatch(cell):
                raise ValueError(f"{sheet_name}: {cell!r} is not a cell reference")
            if sub.lower() not in callable_subs:
                raise ValueError(f"{sheet_name}: no public Sub {sub!r} in the VBA sources")

    _assign_code_names(pkg, sheets)
    pkg.set(wb_part, _set_code_name(pkg.data[wb_part], WORKBOOK_CODE_NAME, workbook=True))
    for sheet in sheets:
        pkg.set(sheet.part, _set_code_name(pkg.data[sheet.part], sheet.code_name, workbook=False))

    vba_part = posixpath.join(posixpath.dirname(wb_part), "vbaProject.bin")
    pkg.set(vba_part, build_vba_project(sources, [sheet.code_name for sheet in sheets]))
    _add_relationship(wb_rels, _REL_VBA, posixpath.basename(vba_part))
    pkg.set_rels(wb_part, wb_rels)

    font = _default_font(pkg, wb_part, wb_rels)
    vml_count = 0
    for sheet in sheets:
        if _place_legacy_drawing(pkg, sheet, buttons.get(sheet.name, ()), vml_count + 1, font):
            vml_count += 1

    _register_content_types(content_types, wb_part, macro_ct, vba_part)
    pkg.set("[Content_Types].xml", _serialize_flat(content_types, _NS_CT))
    _write_zip_atomically(out_path, infos, pkg)


@dataclass
class _Sheet:
    name: str
    part: str
    code_name: str = ""


@dataclass
class _Package:
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
        self.set(_rels_path(part), _serialize_flat(rels, _NS_PKG_REL))

    def office_document(self) -> str:
        for rel in self.rels(""):
            if rel.get("Type") == _REL_OFFICE_DOC:
                return _resolve("", rel.get("Target", ""))
        raise ValueError("package has no officeDocument relationship")


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def _serialize_flat(root: ET.Element, namespace: str) -> bytes:
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


def _content_type_of(types: ET.Element, part: str) -> str:
    for node in types.iter(f"{{{_NS_CT}}}Override"):
        if node.get("PartName", "").lstrip("/") == part:
            return node.get("ContentType", "")
    ext = part.rpartition(".")[2].lower()  # OPC: after the last dot, so "_rels/.rels" is "rels"
    for node in types.iter(f"{{{_NS_CT}}}Default"):
        if node.get("Extension", "").lower() == ext:
            return node.get("ContentType", "")
    return ""


def _register_content_types(types: ET.Element, wb_part: str, macro_ct: str, vba_part: str) -> None:
    override = next(
        (n for n in types.iter(f"{{{_NS_CT}}}Override") if n.get("PartName", "").lstrip("/") == wb_part), None
    )
    if override is None:
        override = ET.SubElement(types, f"{{{_NS_CT}}}Override", {"PartName": "/" + wb_part})
    override.set("ContentType", macro_ct)
    defaults = {n.get("Extension", "").lower(): n for n in types.iter(f"{{{_NS_CT}}}Default")}
    if "vml" not in defaults:
        _insert_default(types, "vml", _CT_VML)
    if "bin" not in defaults:
        _insert_default(types, "bin", _CT_VBA)  # how Excel itself registers vbaProject.bin
    elif defaults["bin"].get("ContentType") != _CT_VBA:  # e.g. printer settings already own .bin
        ET.SubElement(types, f"{{{_NS_CT}}}Override", {"PartName": "/" + vba_part, "ContentType": _CT_VBA})


def _insert_default(types: ET.Element, ext: str, content_type: str) -> None:
    # Defaults precede Overrides in every writer's output; keep that shape.
    position = sum(1 for child in types if child.tag == f"{{{_NS_CT}}}Default")
    node = ET.Element(f"{{{_NS_CT}}}Default", {"Extension": ext, "ContentType": content_type})
    types.insert(position, node)


def _add_relationship(rels: ET.Element, rel_type: str, target: str) -> str:
    used = {rel.get("Id") for rel in rels}
    number = len(used) + 1
    while f"rId{number}" in used:
        number += 1
    rel_id = f"rId{number}"
    ET.SubElement(rels, f"{{{_NS_PKG_REL}}}Relationship", {"Id": rel_id, "Type": rel_type, "Target": target})
    return rel_id


def _worksheets(pkg: _Package, wb_part: str, wb_rels: ET.Element) -> list[_Sheet]:
    targets = {rel.get("Id"): rel for rel in wb_rels}
    sheets: list[_Sheet] = []
    for node in pkg.xml(wb_part).iter(f"{{{_NS_MAIN}}}sheet"):
        rel = targets.get(node.get(f"{{{_NS_REL}}}id"))
        # Chart and dialog sheets get no document module: nothing here calls into them.
        if rel is not None and rel.get("Type") == _REL_WORKSHEET:
            sheets.append(_Sheet(node.get("name", ""), _resolve(wb_part, rel.get("Target", ""))))
    return sheets


def _assign_code_names(pkg: _Package, sheets: list[_Sheet]) -> None:
    """Keep usable code names already in the file; name the rest Sheet<n> like Excel and XlsxWriter."""
    taken = {WORKBOOK_CODE_NAME.lower()}
    for sheet in sheets:
        existing = _scan(pkg.data[sheet.part]).child_attrs("sheetPr").get("codeName", "")
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


# --- byte-preserving XML edits ---------------------------------------------------------------------


@dataclass
class _Element:
    qname: str
    start: int
    attrs: dict[str, str]


@dataclass
class _Scan:
    """Top-level children of a part's root element, with byte offsets into the original bytes."""

    root: _Element
    children: list[_Element]
    end: int  # offset of the root's end tag
    nested: dict[str, list[dict[str, str]]]

    @property
    def prefix(self) -> str:
        return self.root.qname.rpartition(":")[0]

    def local(self, element: _Element) -> str:
        return element.qname.rpartition(":")[2]

    def find(self, local: str) -> _Element | None:
        return next((child for child in self.children if self.local(child) == local), None)

    def child_attrs(self, local: str) -> dict[str, str]:
        child = self.find(local)
        return child.attrs if child is not None else {}

    def tag(self, local: str) -> str:
        return f"{self.prefix}:{local}" if self.prefix else local

    def ns_prefix(self, uri: str) -> str | None:
        for key, value in self.root.attrs.items():
            if value == uri and key.startswith("xmlns:"):
                return key[len("xmlns:") :]
        return None


def _scan(xml: bytes, nested: Mapping[str, str] | None = None) -> _Scan:
    """Offsets of the root's children; `nested` maps a grandchild name to its parent name to collect."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 parts are not supported")
    parser = expat.ParserCreate()
    depth = 0
    parents: list[str] = []
    root: list[_Element] = []
    children: list[_Element] = []
    end: list[int] = []
    wanted = dict(nested or {})
    collected: dict[str, list[dict[str, str]]] = {name: [] for name in wanted}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        element = _Element(name, parser.CurrentByteIndex, attrs)
        if depth == 0:
            root.append(element)
        elif depth == 1:
            children.append(element)
        else:
            local = name.rpartition(":")[2]
            if local in wanted and parents and parents[-1].rpartition(":")[2] == wanted[local]:
                collected[local].append(attrs)
        parents.append(name)
        depth += 1

    def stop(name: str) -> None:
        nonlocal depth
        depth -= 1
        parents.pop()
        if depth == 0:
            end.append(parser.CurrentByteIndex)

    def forbid(*_args: object) -> None:
        raise ValueError("DTDs are not allowed in workbook parts")

    parser.StartElementHandler = start
    parser.EndElementHandler = stop
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.Parse(xml, True)
    return _Scan(root[0], children, end[0], collected)


_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


def _splice(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for offset, length, text in sorted(edits, key=lambda edit: edit[0], reverse=True):
        xml = xml[:offset] + text + xml[offset + length :]
    return xml


def _set_attribute(xml: bytes, element: _Element, name: str, value: str) -> tuple[int, int, bytes]:
    tag = _START_TAG.match(xml, element.start)
    if tag is None:
        raise ValueError(f"cannot parse <{element.qname}> at byte {element.start}")
    text = tag.group(0)
    attr = re.search(rb"""\s%s\s*=\s*("[^"]*"|'[^']*')""" % re.escape(name.encode()), text)
    new = f" {name}={quoteattr(value)}".encode()
    if attr is not None:
        return element.start + attr.start(), attr.end() - attr.start(), new
    return element.start + 1 + len(element.qname.encode()), 0, new


def _set_code_name(xml: bytes, code_name: str, *, workbook: bool) -> bytes:
    scan = _scan(xml)
    pr_name = "workbookPr" if workbook else "sheetPr"
    existing = scan.find(pr_name)
    if existing is not None:
        return _splice(xml, [_set_attribute(xml, existing, "codeName", code_name)])
    new = f"<{scan.tag(pr_name)} codeName={quoteattr(code_name)}/>".encode()
    if workbook:
        # workbookPr follows fileVersion/fileSharing and precedes everything else.
        after = next((c for c in scan.children if scan.local(c) not in _BEFORE_WORKBOOK_PR), None)
    else:
        after = scan.children[0] if scan.children else None  # sheetPr is the first child
    return _splice(xml, [(after.start if after is not None else scan.end, 0, new)])


# --- buttons ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Font:
    name: str = "Calibri"
    size: float = 11.0


@dataclass
class _Geometry:
    """Column widths and row heights in pixels, as Excel lays the sheet out at 100 % zoom."""

    default_col: int
    default_row: int
    cols: dict[int, int]
    rows: dict[int, int]

    def col(self, index: int) -> int:  # 0-based
        return self.cols.get(index, self.default_col)

    def row(self, index: int) -> int:  # 0-based
        return self.rows.get(index, self.default_row)


def _geometry(scan: _Scan) -> _Geometry:
    fmt = scan.child_attrs("sheetFormatPr")
    if "defaultColWidth" in fmt:
        default_col = _width_px(float(fmt["defaultColWidth"]))
    else:
        default_col = int(float(fmt.get("baseColWidth", "8")) * 7 + 8)  # 64 px for the usual 8
    default_row = _height_px(float(fmt.get("defaultRowHeight", "15")))
    cols: dict[int, int] = {}
    for attrs in scan.nested.get("col", []):
        width = 0 if attrs.get("hidden") in ("1", "true") else _width_px(float(attrs.get("width", "0")))
        for index in range(int(attrs["min"]) - 1, min(int(attrs["max"]), 16384)):
            cols[index] = width
    rows: dict[int, int] = {}
    for attrs in scan.nested.get("row", []):
        if "r" not in attrs:
            continue
        if attrs.get("hidden") in ("1", "true"):
            rows[int(attrs["r"]) - 1] = 0
        elif "ht" in attrs:
            rows[int(attrs["r"]) - 1] = _height_px(float(attrs["ht"]))
    return _Geometry(default_col, default_row, cols, rows)


def _width_px(width: float) -> int:
    # Stored widths count maximum-digit widths (7 px for an 11 pt default font) including padding.
    return int(width * 7 + 0.5)


def _height_px(points: float) -> int:
    return int(points * 4 / 3 + 0.5)


def _button_size(caption: str, font: _Font) -> tuple[int, int]:
    em = font.size * 4 / 3
    text = sum(em if unicodedata.east_asian_width(ch) in "WF" else em * 0.55 for ch in caption)
    return max(64, math.ceil(text + 24)), max(20, math.ceil(em * 1.6))


def _parse_cell(cell: str) -> tuple[int, int]:
    match = _CELL_REF.fullmatch(cell)
    if match is None:
        raise ValueError(f"{cell!r} is not a cell reference")
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + ord(letter) - 64
    return col - 1, int(match.group(2)) - 1


def _anchor(geometry: _Geometry, cell: str, width: int, height: int) -> tuple[str, float, float]:
    """x:Anchor text (cell + pixel offsets of both corners) and the top-left corner in points."""
    col, row = _parse_cell(cell)
    left = sum(geometry.col(i) for i in range(col))
    top = sum(geometry.row(i) for i in range(row))
    while geometry.col(col) == 0 and col < 16383:  # start on a visible cell
        col += 1
    while geometry.row(row) == 0 and row < 1048575:
        row += 1
    end_col, x2 = col, width
    while x2 >= geometry.col(end_col) and end_col < 16383:
        x2 -= geometry.col(end_col)
        end_col += 1
    end_row, y2 = row, height
    while y2 >= geometry.row(end_row) and end_row < 1048575:
        y2 -= geometry.row(end_row)
        end_row += 1
    return f"{col}, 0, {row}, 0, {end_col}, {x2}, {end_row}, {y2}", left * 0.75, top * 0.75


def _default_font(pkg: _Package, wb_part: str, wb_rels: ET.Element) -> _Font:
    rel = next((r for r in wb_rels if r.get("Type") == _REL_STYLES), None)
    if rel is None:
        return _Font()
    part = _resolve(wb_part, rel.get("Target", ""))
    if part not in pkg.data:
        return _Font()
    first = pkg.xml(part).find(f"{{{_NS_MAIN}}}fonts/{{{_NS_MAIN}}}font")
    if first is None:
        return _Font()
    name = first.find(f"{{{_NS_MAIN}}}name")
    size = first.find(f"{{{_NS_MAIN}}}sz")
    return _Font(
        name.get("val", "Calibri") if name is not None else "Calibri",
        float(size.get("val", "11")) if size is not None else 11.0,
    )


def _vml_part_name(pkg: _Package, ordinal: int) -> str:
    # openpyxl (keep_vba=True) carries a VML part over only when its name matches
    # r"xl/drawings/.*vmlDrawing\d\.vml" (one digit), so ten or more need a different stem.
    number = ordinal
    while True:
        name = f"xl/drawings/vmlDrawing{number}.vml" if number < 10 else f"xl/drawings/s{number}_vmlDrawing1.vml"
        if name not in pkg.data:
            return name
        number += 10


def _place_legacy_drawing(pkg: _Package, sheet: _Sheet, specs: Sequence[ButtonSpec], ordinal: int, font: _Font) -> bool:
    """Add the sheet's buttons to its legacy VML drawing; False when the sheet needs no drawing.

    Drawings without buttons (openpyxl's commentsDrawing<n>.vml) are renamed too: openpyxl's keep_vba
    write-back drops any VML not named like vmlDrawing<digit>.vml once the sheet's notes are gone, and
    leaves a relationship to the missing part behind.
    """
    xml = pkg.data[sheet.part]
    scan = _scan(xml, nested={"col": "cols", "row": "sheetData"})
    rels = pkg.rels(sheet.part)
    legacy = scan.find("legacyDrawing")
    if legacy is None and not specs:
        return False
    old_part: str | None = None
    rel_node: ET.Element | None = None
    if legacy is not None:
        rel_id = next((value for key, value in legacy.attrs.items() if key.endswith(":id")), None)
        rel_node = next((r for r in rels if r.get("Id") == rel_id), None)
        if rel_node is None:
            raise ValueError(f"{sheet.name}: legacyDrawing points at a missing relationship")
        old_part = _resolve(sheet.part, rel_node.get("Target", ""))

    if specs:
        existing = pkg.xml(old_part) if old_part is not None else None
        vml = _vml_with_buttons(existing, specs, _geometry(scan), font)
    else:
        assert old_part is not None
        vml = pkg.data[old_part]
    keep_name = old_part is not None and re.fullmatch(r"xl/drawings/vmlDrawing\d\.vml", old_part)
    part = old_part if keep_name and old_part is not None else _vml_part_name(pkg, ordinal)
    if old_part is not None and old_part != part:
        pkg.remove(old_part)  # its only reference is this sheet's legacyDrawing
    pkg.set(part, vml)

    if rel_node is not None:
        rel_node.set("Target", _relative(sheet.part, part))
    else:
        rel_id = _add_relationship(rels, _REL_VML, _relative(sheet.part, part))
        r_prefix = scan.ns_prefix(_NS_REL)
        attr = f"{r_prefix}:id={quoteattr(rel_id)}" if r_prefix else f'xmlns:r="{_NS_REL}" r:id={quoteattr(rel_id)}'
        follower = next((c for c in scan.children if scan.local(c) in _AFTER_LEGACY_DRAWING), None)
        offset = follower.start if follower is not None else scan.end
        pkg.set(sheet.part, _splice(xml, [(offset, 0, f"<{scan.tag('legacyDrawing')} {attr}/>".encode())]))
    pkg.set_rels(sheet.part, rels)
    return True


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _vml_with_buttons(
    existing: ET.Element | None, specs: Sequence[ButtonSpec], geometry: _Geometry, font: _Font
) -> bytes:
    children = list(existing) if existing is not None else []
    layout = next((c for c in children if c.tag == _q(_NS_O, "shapelayout")), None)
    if layout is None:
        # Block 1 like openpyxl's comment drawings, so its later edits keep a single shapelayout.
        layout = ET.Element(_q(_NS_O, "shapelayout"), {_q(_NS_V, "ext"): "edit"})
        ET.SubElement(layout, _q(_NS_O, "idmap"), {_q(_NS_V, "ext"): "edit", "data": "1"})
        children.insert(0, layout)
    idmap = layout.find(_q(_NS_O, "idmap"))
    block_text = re.match(r"\s*(\d+)", idmap.get("data", "1") if idmap is not None else "1")
    block = int(block_text.group(1)) if block_text else 1
    used = {
        int(match.group(1))
        for child in children
        for value in (child.get("id", ""), child.get(_q(_NS_O, "spid"), ""))
        if (match := re.fullmatch(r"_x0000_s(\d+)", value))
    }
    # openpyxl numbers comment shapes upwards from 1026 whenever it rewrites the notes, so buttons
    # take ids from the top of the block downwards.
    free = (n for n in range(1024 * block + 1023, 1024 * block, -1) if n not in used)

    if not any(c.tag == _q(_NS_V, "shapetype") and c.get("id") == "_x0000_t201" for c in children):
        children.insert(children.index(layout) + 1, _button_shapetype())
    z_index = sum(1 for c in children if c.tag == _q(_NS_V, "shape"))
    for cell, caption, sub in specs:
        z_index += 1
        width, height = _button_size(caption, font)
        anchor, left, top = _anchor(geometry, cell, width, height)
        style = (
            f"position:absolute;margin-left:{left:g}pt;margin-top:{top:g}pt;width:{width * 0.75:g}pt;"
            f"height:{height * 0.75:g}pt;z-index:{z_index};mso-wrap-style:tight"
        )
        children.append(_button_shape(next(free), style, anchor, caption, sub, font))
    return _vml_document(children)


def _button_shapetype() -> ET.Element:
    node = ET.Element(
        _q(_NS_V, "shapetype"),
        {
            "id": "_x0000_t201",
            "coordsize": "21600,21600",
            _q(_NS_O, "spt"): "201",
            "path": "m,l,21600r21600,l21600,xe",
        },
    )
    ET.SubElement(node, _q(_NS_V, "stroke"), {"joinstyle": "miter"})
    ET.SubElement(
        node,
        _q(_NS_V, "path"),
        {
            "shadowok": "f",
            _q(_NS_O, "extrusionok"): "f",
            "strokeok": "f",
            "fillok": "f",
            _q(_NS_O, "connecttype"): "rect",
        },
    )
    ET.SubElement(node, _q(_NS_O, "lock"), {_q(_NS_V, "ext"): "edit", "shapetype": "t"})
    return node


def _button_shape(shape_id: int, style: str, anchor: str, caption: str, sub: str, font: _Font) -> ET.Element:
    # Attribute for attribute what XlsxWriter's insert_button() writes: a VML form control, with no
    # ctrlProps part, which Excel has accepted from XlsxWriter files for years.
    shape = ET.Element(
        _q(_NS_V, "shape"),
        {
            "id": f"_x0000_s{shape_id}",
            "type": "#_x0000_t201",
            "style": style,
            _q(_NS_O, "button"): "t",
            "fillcolor": "buttonFace [67]",
            "strokecolor": "windowText [64]",
            _q(_NS_O, "insetmode"): "auto",
        },
    )
    ET.SubElement(shape, _q(_NS_V, "fill"), {"color2": "buttonFace [67]", _q(_NS_O, "detectmouseclick"): "t"})
    ET.SubElement(shape, _q(_NS_O, "lock"), {_q(_NS_V, "ext"): "edit", "rotation": "t"})
    textbox = ET.SubElement(
        shape, _q(_NS_V, "textbox"), {"style": "mso-direction-alt:auto", _q(_NS_O, "singleclick"): "f"}
    )
    div = ET.SubElement(textbox, "div", {"style": "text-align:center"})
    text = ET.SubElement(div, "font", {"face": font.name, "size": str(round(font.size * 20)), "color": "#000000"})
    text.text = caption
    data = ET.SubElement(shape, _q(_NS_X, "ClientData"), {"ObjectType": "Button"})
    for tag, value in (
        ("Anchor", anchor),
        ("PrintObject", "False"),
        ("AutoFill", "False"),
        ("FmlaMacro", f"[0]!{sub}"),
        ("TextHAlign", "Center"),
        ("TextVAlign", "Center"),
    ):
        ET.SubElement(data, _q(_NS_X, tag)).text = value
    return shape


_VML_PREFIXES = {_NS_V: "v", _NS_O: "o", _NS_X: "x"}


def _vml_document(children: Sequence[ET.Element]) -> bytes:
    """Serialise with the v:/o:/x: prefixes Excel writes (ElementTree would invent ns0:, ns1:, ...)."""
    prefixes = dict(_VML_PREFIXES)
    for child in children:
        for node in child.iter():
            for name in (node.tag, *node.attrib):
                if name.startswith("{"):
                    uri = name[1:].partition("}")[0]
                    prefixes.setdefault(uri, f"ns{len(prefixes)}")

    def qname(name: str) -> str:
        if not name.startswith("{"):
            return name
        uri, _, local = name[1:].partition("}")
        return f"{prefixes[uri]}:{local}"

    out: list[str] = []
    emit: Callable[[str], None] = out.append

    def write(node: ET.Element) -> None:
        tag = qname(node.tag)
        emit("<" + tag + "".join(f" {qname(k)}={quoteattr(v)}" for k, v in node.attrib.items()))
        if node.text is None and len(node) == 0:
            emit("/>")
        else:
            emit(">" + escape(node.text or ""))
            for sub in node:
                write(sub)
            emit(f"</{tag}>")
        emit(escape(node.tail or ""))

    decls = "".join(f" xmlns:{prefix}={quoteattr(uri)}" for uri, prefix in prefixes.items())
    emit(f"<xml{decls}>")
    for child in children:
        write(child)
    emit("</xml>")
    return "".join(out).encode("utf-8")


# --- writing ---------------------------------------------------------------------------------------


def _write_zip_atomically(out_path: Path, infos: Sequence[zipfile.ZipInfo], pkg: _Package) -> None:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in infos:
                if info.filename not in pkg.removed:
                    # Reusing the ZipInfo keeps each entry's timestamp and compression as they were.
                    zout.writestr(info, pkg.data[info.filename])
            for name in pkg.added:
                entry = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                zout.writestr(entry, pkg.data[name])
        # mkstemp creates 0600; an overwritten file keeps its mode, a new one gets the usual 0644.
        os.chmod(tmp_name, out_path.stat().st_mode & 0o7777 if out_path.exists() else 0o644)
        os.replace(tmp_name, out_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
