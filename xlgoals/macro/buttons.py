"""Form-control buttons as legacy VML drawings, sized and anchored like Excel's own."""

from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from xlgoals.io.package import (
    AFTER_LEGACY_DRAWING,
    NS_MAIN,
    NS_O,
    NS_REL,
    NS_V,
    NS_X,
    REL_STYLES,
    REL_VML,
    Package,
    Sheet,
    add_relationship,
    relative,
    resolve,
)
from xlgoals.io.vml import Geometry, geometry, legacy_drawing
from xlgoals.io.vml import anchor as box
from xlgoals.io.vml import part_name as vml_part_name
from xlgoals.io.xmledit import scan_xml, splice
from xlgoals.macro.opc import CELL_REF, ButtonSpec


@dataclass(frozen=True)
class _Font:
    name: str = "Calibri"
    size: float = 11.0


def _parse_cell(cell: str) -> tuple[int, int]:
    match = CELL_REF.fullmatch(cell)
    if match is None:
        raise ValueError(f"{cell!r} is not a cell reference")
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + ord(letter) - 64
    return col - 1, int(match.group(2)) - 1


def _button_size(caption: str, font: _Font) -> tuple[int, int]:
    em = font.size * 4 / 3
    text = sum(em if unicodedata.east_asian_width(ch) in "WF" else em * 0.55 for ch in caption)
    return max(64, math.ceil(text + 24)), max(20, math.ceil(em * 1.6))


def default_font(pkg: Package, wb_part: str, wb_rels: ET.Element) -> _Font:
    rel = next((r for r in wb_rels if r.get("Type") == REL_STYLES), None)
    if rel is None:
        return _Font()
    part = resolve(wb_part, rel.get("Target", ""))
    if part not in pkg:
        return _Font()
    first = pkg.xml(part).find(f"{{{NS_MAIN}}}fonts/{{{NS_MAIN}}}font")
    if first is None:
        return _Font()
    name = first.find(f"{{{NS_MAIN}}}name")
    size = first.find(f"{{{NS_MAIN}}}sz")
    return _Font(
        name.get("val", "Calibri") if name is not None else "Calibri",
        float(size.get("val", "11")) if size is not None else 11.0,
    )


def place_legacy_drawing(pkg: Package, sheet: Sheet, specs: Sequence[ButtonSpec], ordinal: int, font: _Font) -> bool:
    """Add the sheet's buttons to its legacy VML drawing; False when the sheet needs no drawing.

    Drawings without buttons (openpyxl's commentsDrawing<n>.vml) are renamed too: openpyxl's keep_vba
    write-back drops any VML not named like vmlDrawing<digit>.vml once the sheet's notes are gone, and
    leaves a relationship to the missing part behind.
    """
    xml = pkg.read(sheet.part)
    scan = scan_xml(xml, nested={"col": "cols", "row": "sheetData"})
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
        old_part = resolve(sheet.part, rel_node.get("Target", ""))

    if specs:
        existing = pkg.xml(old_part) if old_part is not None else None
        shape = geometry(scan.child_attrs("sheetFormatPr"), scan.nested["col"], scan.nested["row"])
        vml = _vml_with_buttons(existing, specs, shape, font)
    else:
        assert old_part is not None
        vml = pkg.read(old_part)
    keep_name = old_part is not None and re.fullmatch(r"xl/drawings/vmlDrawing\d\.vml", old_part)
    part = old_part if keep_name and old_part is not None else vml_part_name(pkg, ordinal)
    if old_part is not None and old_part != part:
        pkg.remove(old_part)  # its only reference is this sheet's legacyDrawing
    pkg.set(part, vml)

    if rel_node is not None:
        rel_node.set("Target", relative(sheet.part, part))
    else:
        rel_id = add_relationship(rels, REL_VML, relative(sheet.part, part))
        element = legacy_drawing(scan.tag("legacyDrawing"), scan.ns_prefix(NS_REL), rel_id)
        pkg.set(sheet.part, splice(xml, [(scan.first_of(AFTER_LEGACY_DRAWING), 0, element)]))
    pkg.set_rels(sheet.part, rels)
    return True


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _vml_with_buttons(existing: ET.Element | None, specs: Sequence[ButtonSpec], shape: Geometry, font: _Font) -> bytes:
    children = list(existing) if existing is not None else []
    layout = next((c for c in children if c.tag == _q(NS_O, "shapelayout")), None)
    if layout is None:
        # Block 1 like openpyxl's comment drawings, so its later edits keep a single shapelayout.
        layout = ET.Element(_q(NS_O, "shapelayout"), {_q(NS_V, "ext"): "edit"})
        ET.SubElement(layout, _q(NS_O, "idmap"), {_q(NS_V, "ext"): "edit", "data": "1"})
        children.insert(0, layout)
    idmap = layout.find(_q(NS_O, "idmap"))
    block_text = re.match(r"\s*(\d+)", idmap.get("data", "1") if idmap is not None else "1")
    block = int(block_text.group(1)) if block_text else 1
    used = {
        int(match.group(1))
        for child in children
        for value in (child.get("id", ""), child.get(_q(NS_O, "spid"), ""))
        if (match := re.fullmatch(r"_x0000_s(\d+)", value))
    }
    # openpyxl numbers comment shapes upwards from 1026 whenever it rewrites the notes, so buttons
    # take ids from the top of the block downwards.
    free = (n for n in range(1024 * block + 1023, 1024 * block, -1) if n not in used)

    if not any(c.tag == _q(NS_V, "shapetype") and c.get("id") == "_x0000_t201" for c in children):
        children.insert(children.index(layout) + 1, _button_shapetype())
    z_index = sum(1 for c in children if c.tag == _q(NS_V, "shape"))
    for cell, caption, sub in specs:
        z_index += 1
        width, height = _button_size(caption, font)
        col, row = _parse_cell(cell)
        anchor, left, top = box(shape, col, row, width, height)
        style = (
            f"position:absolute;margin-left:{left:g}pt;margin-top:{top:g}pt;width:{width * 0.75:g}pt;"
            f"height:{height * 0.75:g}pt;z-index:{z_index};mso-wrap-style:tight"
        )
        children.append(_button_shape(next(free), style, anchor, caption, sub, font))
    return _vml_document(children)


def _button_shapetype() -> ET.Element:
    node = ET.Element(
        _q(NS_V, "shapetype"),
        {
            "id": "_x0000_t201",
            "coordsize": "21600,21600",
            _q(NS_O, "spt"): "201",
            "path": "m,l,21600r21600,l21600,xe",
        },
    )
    ET.SubElement(node, _q(NS_V, "stroke"), {"joinstyle": "miter"})
    ET.SubElement(
        node,
        _q(NS_V, "path"),
        {
            "shadowok": "f",
            _q(NS_O, "extrusionok"): "f",
            "strokeok": "f",
            "fillok": "f",
            _q(NS_O, "connecttype"): "rect",
        },
    )
    ET.SubElement(node, _q(NS_O, "lock"), {_q(NS_V, "ext"): "edit", "shapetype": "t"})
    return node


def _button_shape(shape_id: int, style: str, anchor: str, caption: str, sub: str, font: _Font) -> ET.Element:
    # Attribute for attribute what XlsxWriter's insert_button() writes: a VML form control, with no
    # ctrlProps part, which Excel has accepted from XlsxWriter files for years.
    shape = ET.Element(
        _q(NS_V, "shape"),
        {
            "id": f"_x0000_s{shape_id}",
            "type": "#_x0000_t201",
            "style": style,
            _q(NS_O, "button"): "t",
            "fillcolor": "buttonFace [67]",
            "strokecolor": "windowText [64]",
            _q(NS_O, "insetmode"): "auto",
        },
    )
    ET.SubElement(shape, _q(NS_V, "fill"), {"color2": "buttonFace [67]", _q(NS_O, "detectmouseclick"): "t"})
    ET.SubElement(shape, _q(NS_O, "lock"), {_q(NS_V, "ext"): "edit", "rotation": "t"})
    textbox = ET.SubElement(
        shape, _q(NS_V, "textbox"), {"style": "mso-direction-alt:auto", _q(NS_O, "singleclick"): "f"}
    )
    div = ET.SubElement(textbox, "div", {"style": "text-align:center"})
    text = ET.SubElement(div, "font", {"face": font.name, "size": str(round(font.size * 20)), "color": "#000000"})
    text.text = caption
    data = ET.SubElement(shape, _q(NS_X, "ClientData"), {"ObjectType": "Button"})
    for tag, value in (
        ("Anchor", anchor),
        ("PrintObject", "False"),
        ("AutoFill", "False"),
        ("FmlaMacro", f"[0]!{sub}"),
        ("TextHAlign", "Center"),
        ("TextVAlign", "Center"),
    ):
        ET.SubElement(data, _q(NS_X, tag)).text = value
    return shape


_VML_PREFIXES = {NS_V: "v", NS_O: "o", NS_X: "x"}


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
