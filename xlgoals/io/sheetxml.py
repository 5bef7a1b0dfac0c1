"""A worksheet part's rows and cells found by offset; cell styles and row heights changed by splicing."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from xml.parsers import expat

from xlgoals.core import layout
from xlgoals.io.package import PackageError
from xlgoals.io.vml import Geometry, geometry
from xlgoals.io.xmledit import Element, empty_element, extend, new_parser, ns_prefix

_COLUMN = re.compile(r"\$?([A-Za-z]{1,3})")
_HEIGHT_TOLERANCE = 0.01  # points: what a height written as text and read back may differ by


@dataclass
class Row:
    element: Element
    number: int
    # Each <c> as (qualified name, offset, attributes): columns are worked out only for rows that are edited.
    raw: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)

    @cached_property
    def cells(self) -> dict[int, Element]:
        """1-based column -> <c>; a cell without a reference follows the one before it."""
        out: dict[int, Element] = {}
        column = 0
        for name, start, attrs in self.raw:
            ref = attrs.get("r")
            match = _COLUMN.match(ref) if ref else None
            column = layout.column_index(match.group(1).upper()) if match else column + 1
            out[column] = Element(name, start, attrs)
        return out

    @property
    def order(self) -> list[int]:
        """Columns as the part lists them."""
        return list(self.cells)


@dataclass
class Worksheet:
    """The parts of a worksheet's XML the write-back changes, with the edits asked of them."""

    xml: bytes
    root: Element
    children: list[Element] = field(default_factory=list)
    rows: dict[int, Row] = field(default_factory=dict)
    row_order: list[int] = field(default_factory=list)
    cols: list[dict[str, str]] = field(default_factory=list)
    styles: dict[tuple[int, int], int] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.root.qname.rpartition(":")[0]

    def tag(self, local: str) -> str:
        return f"{self.prefix}:{local}" if self.prefix else local

    def find(self, local: str) -> Element | None:
        return next((child for child in self.children if child.local == local), None)

    def ns_prefix(self, uri: str) -> str | None:
        return ns_prefix(self.root.attrs, uri)

    def first_of(self, names: Collection[str]) -> int:
        follower = next((c for c in self.children if c.local in names), None)
        return follower.start if follower is not None else self.root.close

    def style(self, row: int, col: int) -> int:
        found = self.rows.get(row)
        cell = found.cells.get(col) if found is not None else None
        text = cell.attrs.get("s", "0") if cell is not None else "0"
        return int(text) if text.isdigit() else 0

    def default_height(self) -> float:
        fmt = self.find("sheetFormatPr")
        try:
            return float(fmt.attrs.get("defaultRowHeight", "15")) if fmt is not None else 15.0
        except ValueError:
            return 15.0

    def height(self, row: int) -> float:
        found = self.rows.get(row)
        try:
            return float(found.element.attrs["ht"]) if found is not None else self.default_height()
        except (KeyError, ValueError):
            return self.default_height()

    def geometry(self) -> Geometry:
        fmt = self.find("sheetFormatPr")
        rows = [{**r.element.attrs, "r": str(r.number)} for r in self.rows.values()]
        return geometry(fmt.attrs if fmt is not None else {}, self.cols, rows)

    def set_style(self, row: int, col: int, style: int) -> None:
        if self.style(row, col) != style:
            self.styles[(row, col)] = style
        else:
            self.styles.pop((row, col), None)

    def fit_height(self, row: int, height: float) -> None:
        """Make the row `height` points tall, unless it already is."""
        if abs(self.height(row) - height) > _HEIGHT_TOLERANCE:
            self.heights[row] = height

    def changed(self) -> bool:
        return bool(self.styles or self.heights)

    def edits(self) -> list[tuple[int, int, bytes]]:
        """The splices that make the asked styles and heights so: attributes changed in place, missing cells
        and rows inserted where their number puts them."""
        edits: list[tuple[int, int, bytes]] = []
        by_row: dict[int, dict[int, int]] = {}
        for (row, col), style in self.styles.items():
            by_row.setdefault(row, {})[col] = style
        new_rows: list[tuple[int, bytes]] = []
        for number in sorted(by_row.keys() | self.heights.keys()):
            styles = by_row.get(number, {})
            existing = self.rows.get(number)
            if existing is None:
                new_rows.append((number, self._new_row(number, styles)))
            else:
                edits.extend(self._row_edits(existing, styles))
        if new_rows:
            edits.extend(self._insert_rows(new_rows))
        return edits

    def _row_attrs(self, number: int) -> dict[str, str]:
        if number not in self.heights:
            return {}
        return {"ht": f"{self.heights[number]:.15g}", "customHeight": "1"}

    def _new_cell(self, row: int, col: int, style: int) -> bytes:
        return empty_element(self.tag("c"), {"r": layout.address(row, col), "s": str(style)})

    def _new_row(self, number: int, styles: dict[int, int]) -> bytes:
        cells = b"".join(self._new_cell(number, col, styles[col]) for col in sorted(styles))
        attrs = {"r": str(number), **self._row_attrs(number)}
        if not cells:
            return empty_element(self.tag("row"), attrs)
        return empty_element(self.tag("row"), attrs)[:-2] + b">" + cells + f"</{self.tag('row')}>".encode()

    def _row_edits(self, row: Row, styles: dict[int, int]) -> list[tuple[int, int, bytes]]:
        edits: list[tuple[int, int, bytes]] = []
        appended: list[bytes] = []
        for col in sorted(styles):
            cell = row.cells.get(col)
            if cell is not None:
                edits.extend(extend(self.xml, cell, attrs={"s": str(styles[col])}))
                continue
            after = next((c for c in row.order if c > col), None)
            new = self._new_cell(row.number, col, styles[col])
            if after is not None:
                edits.append((row.cells[after].start, 0, new))
            else:
                appended.append(new)
        return edits + extend(self.xml, row.element, b"".join(appended), self._row_attrs(row.number))

    def _insert_rows(self, new_rows: list[tuple[int, bytes]]) -> list[tuple[int, int, bytes]]:
        data = self.find("sheetData")
        if data is None:
            raise PackageError("a worksheet without sheetData")
        edits: list[tuple[int, int, bytes]] = []
        tail: list[bytes] = []
        for number, content in new_rows:
            after = next((n for n in self.row_order if n > number), None)
            if after is not None:
                edits.append((self.rows[after].element.start, 0, content))
            else:
                tail.append(content)
        return edits + extend(self.xml, data, b"".join(tail))


def scan_worksheet(xml: bytes) -> Worksheet:
    """One pass of the parser over the part; PackageError when it is not well-formed XML."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PackageError("UTF-16 parts are not supported")
    sheet: Worksheet | None = None
    depth = 0
    section = ""
    top: Element | None = None
    row: Row | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, sheet, section, top, row
        depth += 1
        if depth > 3:  # most elements: cells (kept when in a row) and what they hold
            if depth == 4 and row is not None:
                row.raw.append((name, parser.CurrentByteIndex, attrs))
        elif depth == 3:
            if section == "sheetData":
                assert sheet is not None
                text = attrs.get("r", "")
                number = int(text) if text.isdigit() else (sheet.row_order[-1] + 1 if sheet.row_order else 1)
                row = Row(Element(name, parser.CurrentByteIndex, attrs), number)
                sheet.rows[number] = row
                sheet.row_order.append(number)
            elif section == "cols" and sheet is not None:
                sheet.cols.append(attrs)
        elif depth == 2:
            assert sheet is not None
            top = Element(name, parser.CurrentByteIndex, attrs)
            section = top.local
            sheet.children.append(top)
        elif depth == 1:
            sheet = Worksheet(xml, Element(name, parser.CurrentByteIndex, attrs))

    def stop(name: str) -> None:
        nonlocal depth, section, row
        if depth > 3:
            depth -= 1
            return
        if depth == 3 and row is not None:
            row.element.close = parser.CurrentByteIndex
            row = None
        elif depth == 2 and top is not None:
            top.close = parser.CurrentByteIndex
            section = ""
        elif depth == 1 and sheet is not None:
            sheet.root.close = parser.CurrentByteIndex
        depth -= 1

    parser = new_parser(start, stop)
    try:
        parser.Parse(xml, True)
    except (expat.ExpatError, ValueError) as e:
        raise PackageError(f"the worksheet does not parse: {e}") from None
    assert sheet is not None
    return sheet
