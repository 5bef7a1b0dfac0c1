"""Legacy VML drawings: a sheet's geometry for anchors, and note shapes spliced in beside buttons and the rest."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from xlgoals.io.package import NS_O, NS_REL, NS_V, NS_X, Package, PackageError
from xlgoals.io.xmledit import Element, new_parser, remove, splice

# A note's box when shown: room for two or three messages without covering the whole form.
NOTE_WIDTH_PX, NOTE_HEIGHT_PX = 320, 160
_PREFIXES = {NS_V: "v", NS_O: "o", NS_X: "x"}
_NOTE_SHAPETYPE = "_x0000_t202"


@dataclass
class Geometry:
    """Column widths and row heights in pixels, as Excel lays the sheet out at 100 % zoom."""

    default_col: int
    default_row: int
    cols: dict[int, int]
    rows: dict[int, int]

    def col(self, index: int) -> int:  # 0-based
        return self.cols.get(index, self.default_col)

    def row(self, index: int) -> int:  # 0-based
        return self.rows.get(index, self.default_row)


def geometry(
    format_attrs: Mapping[str, str], cols: Sequence[Mapping[str, str]], rows: Sequence[Mapping[str, str]]
) -> Geometry:
    """From a worksheet's sheetFormatPr, <col> and <row> attributes."""
    if "defaultColWidth" in format_attrs:
        default_col = _width_px(float(format_attrs["defaultColWidth"]))
    else:
        default_col = int(float(format_attrs.get("baseColWidth", "8")) * 7 + 8)  # 64 px for the usual 8
    default_row = _height_px(float(format_attrs.get("defaultRowHeight", "15")))
    widths: dict[int, int] = {}
    for attrs in cols:
        width = 0 if attrs.get("hidden") in ("1", "true") else _width_px(float(attrs.get("width", "0")))
        for index in range(int(attrs["min"]) - 1, min(int(attrs["max"]), 16384)):
            widths[index] = width
    heights: dict[int, int] = {}
    for attrs in rows:
        if "r" not in attrs:
            continue
        if attrs.get("hidden") in ("1", "true"):
            heights[int(attrs["r"]) - 1] = 0
        elif "ht" in attrs:
            heights[int(attrs["r"]) - 1] = _height_px(float(attrs["ht"]))
    return Geometry(default_col, default_row, widths, heights)


def _width_px(width: float) -> int:
    # Stored widths count maximum-digit widths (7 px for an 11 pt default font) including padding.
    return int(width * 7 + 0.5)


def _height_px(points: float) -> int:
    return int(points * 4 / 3 + 0.5)


def anchor(
    geometry: Geometry, col: int, row: int, width: int, height: int, dx: int = 0, dy: int = 0
) -> tuple[str, float, float]:
    """x:Anchor text for a box `width` × `height` px whose top-left corner is (dx, dy) px into the 0-based
    cell (col, row), and that corner's position in points."""
    while geometry.col(col) == 0 and col < 16383:  # start on a visible cell
        col += 1
    while geometry.row(row) == 0 and row < 1048575:
        row += 1
    left = sum(geometry.col(i) for i in range(col)) + dx
    top = sum(geometry.row(i) for i in range(row)) + dy
    end_col, x2 = col, dx + width
    while x2 >= geometry.col(end_col) and end_col < 16383:
        x2 -= geometry.col(end_col)
        end_col += 1
    end_row, y2 = row, dy + height
    while y2 >= geometry.row(end_row) and end_row < 1048575:
        y2 -= geometry.row(end_row)
        end_row += 1
    return f"{col}, {dx}, {row}, {dy}, {end_col}, {x2}, {end_row}, {y2}", left * 0.75, top * 0.75


def part_name(pkg: Package, ordinal: int) -> str:
    """A free name for a sheet's VML drawing."""
    # openpyxl (keep_vba=True) carries a VML part over only when its name matches
    # r"xl/drawings/.*vmlDrawing\d\.vml" (one digit), so ten or more need a different stem.
    number = ordinal
    while True:
        name = f"xl/drawings/vmlDrawing{number}.vml" if number < 10 else f"xl/drawings/s{number}_vmlDrawing1.vml"
        if name not in pkg:
            return name
        number += 10


def legacy_drawing(tag: str, r_prefix: str | None, rel_id: str) -> bytes:
    """A worksheet's <legacyDrawing> element, under the prefix its part binds to relationships (if any)."""
    attr = f"{r_prefix}:id={quoteattr(rel_id)}" if r_prefix else f'xmlns:r="{NS_REL}" r:id={quoteattr(rel_id)}'
    return f"<{tag} {attr}/>".encode()


@dataclass
class _Shape:
    element: Element
    kind: str = ""  # x:ClientData ObjectType
    row: int | None = None
    col: int | None = None
    removed: bool = False
    ids: tuple[int, ...] = ()


@dataclass
class Drawing:
    """A VML drawing edited in place: its shapes found by their cell, notes removed and added by splicing."""

    xml: bytes
    root: Element
    shapes: list[_Shape] = field(default_factory=list)
    shapetypes: set[str] = field(default_factory=set)
    first_shape: int = -1  # where a shapetype must go to precede every shape
    ids: set[int] = field(default_factory=set)
    block: int = 1
    edits: list[tuple[int, int, bytes]] = field(default_factory=list)
    added: list[bytes] = field(default_factory=list)
    kept: int = 0

    @classmethod
    def new(cls) -> Drawing:
        decls = "".join(f' xmlns:{p}="{uri}"' for uri, p in _PREFIXES.items())
        xml = f'<xml{decls}><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout></xml>'
        return cls.parse(xml.encode())

    @classmethod
    def parse(cls, xml: bytes) -> Drawing:
        try:
            return _scan(xml)
        except (expat.ExpatError, ValueError) as e:
            raise PackageError(f"a VML drawing does not parse: {e}") from None

    def prefix(self, uri: str) -> str:
        for key, value in self.root.attrs.items():
            if value == uri and key.startswith("xmlns:"):
                return key[len("xmlns:") :]
        # Declared on the root where it is missing, under our own prefix.
        wanted = _PREFIXES[uri]
        if f"xmlns:{wanted}" in self.root.attrs:
            raise PackageError(f"the VML drawing binds {wanted}: to another namespace")
        self.root.attrs[f"xmlns:{wanted}"] = uri
        self.edits.append((self.root.start + 1 + len(self.root.qname.encode()), 0, f' xmlns:{wanted}="{uri}"'.encode()))
        return wanted

    def remove_notes(self, cells: set[tuple[int, int]]) -> None:
        """Remove the note shapes of these 0-based (row, col) cells."""
        for shape in self.shapes:
            if shape.kind == "Note" and (shape.row, shape.col) in cells and not shape.removed:
                shape.removed = True
                self.kept -= 1
                self.ids.difference_update(shape.ids)  # free again: a note put back gets the same id
                self.edits.append(remove(self.xml, shape.element))

    def add_note(self, geometry: Geometry, row: int, col: int) -> None:
        v, o, x = (self.prefix(uri) for uri in (NS_V, NS_O, NS_X))
        if _NOTE_SHAPETYPE not in self.shapetypes:
            self.shapetypes.add(_NOTE_SHAPETYPE)
            shapetype = (
                f'<{v}:shapetype id="{_NOTE_SHAPETYPE}" coordsize="21600,21600" {o}:spt="202"'
                f' path="m,l,21600r21600,l21600,xe"><{v}:stroke joinstyle="miter"/>'
                f'<{v}:path gradientshapeok="t" {o}:connecttype="rect"/></{v}:shapetype>'
            )
            at = self.first_shape if self.first_shape >= 0 else self.root.close
            self.edits.append((at, 0, shapetype.encode()))
        number = 1024 * self.block + 1
        while number in self.ids:
            number += 1
        self.ids.add(number)
        # Where Excel puts a new note: a little right of the cell and a row above it.
        text, left, top = anchor(
            geometry, col + 1, max(row - 1, 0), NOTE_WIDTH_PX, NOTE_HEIGHT_PX, 15, 10 if row else 2
        )
        z_index = self.kept + len(self.added) + 1
        style = (
            f"position:absolute;margin-left:{left:g}pt;margin-top:{top:g}pt;width:{NOTE_WIDTH_PX * 0.75:g}pt;"
            f"height:{NOTE_HEIGHT_PX * 0.75:g}pt;z-index:{z_index};visibility:hidden"
        )
        self.added.append(
            (
                f'<{v}:shape id="_x0000_s{number}" type="#{_NOTE_SHAPETYPE}" style="{style}" fillcolor="#ffffe1"'
                f' {o}:insetmode="auto"><{v}:fill color2="#ffffe1"/><{v}:shadow on="t" color="black" obscured="t"/>'
                f'<{v}:path {o}:connecttype="none"/><{v}:textbox style="mso-direction-alt:auto">'
                f'<div style="text-align:left"></div></{v}:textbox><{x}:ClientData ObjectType="Note">'
                f"<{x}:MoveWithCells/><{x}:SizeWithCells/><{x}:Anchor>{text}</{x}:Anchor>"
                f"<{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{row}</{x}:Row><{x}:Column>{col}</{x}:Column>"
                f"</{x}:ClientData></{v}:shape>"
            ).encode()
        )

    def empty(self) -> bool:
        """No shape left: the drawing can go."""
        return not self.kept and not self.added

    def result(self) -> bytes:
        return splice(self.xml, [*self.edits, (self.root.close, 0, b"".join(self.added))])


def _scan(xml: bytes) -> Drawing:
    stack: list[Element] = []
    texts: list[str] = []
    drawing: Drawing | None = None
    shape: _Shape | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal drawing, shape
        element = Element(name, parser.CurrentByteIndex, attrs)
        local = element.local
        if not stack:
            drawing = Drawing(xml, element)
        elif len(stack) == 1:
            assert drawing is not None
            if local == "shapetype":
                drawing.shapetypes.add(attrs.get("id", ""))
            elif local != "shapelayout":
                if drawing.first_shape < 0:
                    drawing.first_shape = element.start
                shape = _Shape(element)
                drawing.shapes.append(shape)
            spid = next((v for k, v in attrs.items() if k.endswith(":spid")), "")
            ids = tuple(
                int(m.group(1)) for v in (attrs.get("id", ""), spid) if (m := re.fullmatch(r"_x0000_s(\d+)", v))
            )
            drawing.ids.update(ids)
            if shape is not None:
                shape.ids = ids
        elif local == "idmap" and drawing is not None:
            first = re.match(r"\s*(\d+)", attrs.get("data", ""))
            drawing.block = int(first.group(1)) if first else 1
        elif local == "ClientData" and shape is not None:
            shape.kind = attrs.get("ObjectType", "")
        texts.clear()
        stack.append(element)

    def stop(name: str) -> None:
        nonlocal shape
        element = stack.pop()
        element.close = parser.CurrentByteIndex
        local = element.local
        if shape is not None and local in ("Row", "Column") and "".join(texts).strip().isdigit():
            setattr(shape, "row" if local == "Row" else "col", int("".join(texts).strip()))
        if len(stack) == 1:
            shape = None

    parser = new_parser(start, stop, texts.append)
    parser.Parse(xml, True)
    assert drawing is not None
    drawing.kept = len(drawing.shapes)
    return drawing
