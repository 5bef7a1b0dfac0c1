"""A generated sheet as plain data (values, links, fills, widths), so openpyxl and xlwings render the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlgoals import layout
from xlgoals.values import CellValue


@dataclass(frozen=True)
class Link:
    cell: str
    sheet: str
    target: str


@dataclass(frozen=True)
class BarChart:
    """A column chart of one value column against one label column, over rows first..last."""

    title: str
    axis_title: str
    label_column: int
    value_column: int
    header_row: int
    first_row: int
    last_row: int
    anchor: str


@dataclass
class SheetPlan:
    name: str
    rows: list[list[CellValue]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    fills: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    bold_rows: list[int] = field(default_factory=list)
    # Column widths in characters, as Excel's ColumnWidth counts them.
    widths: dict[str, float] = field(default_factory=dict)
    wrap_columns: frozenset[str] = frozenset()
    hidden: bool = False
    # Number formats by cell; header rows are bold on the label fill.
    formats: dict[str, str] = field(default_factory=dict)
    header_rows: list[int] = field(default_factory=list)
    freeze_row: int | None = None
    chart: BarChart | None = None

    def add(self, *values: CellValue, bold: bool = False) -> int:
        """Append a row; returns its 1-based row number."""
        self.rows.append(list(values))
        if bold:
            self.bold_rows.append(len(self.rows))
        return len(self.rows)

    def header(self, *titles: CellValue) -> int:
        row = self.add(*titles)
        self.header_rows.append(row)
        return row

    def format(self, row: int, column: int, number_format: str) -> None:
        self.formats[layout.address(row, column)] = number_format

    def link(self, row: int, column: int, sheet: str, target: str) -> None:
        self.links.append(Link(layout.address(row, column), sheet, target))

    def fill(self, row: int, column: int, rgb: tuple[int, int, int]) -> None:
        self.fills[layout.address(row, column)] = rgb

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def block(self) -> list[list[CellValue]]:
        """The rows padded to one width: a rectangle to write in one call."""
        w = self.width
        return [r + [None] * (w - len(r)) for r in self.rows]


def excel_number(value: Decimal) -> int | float:
    """A Decimal as the number Excel stores; whole yuan stay integers so they display without '.0'."""
    return int(value) if value == value.to_integral_value() else float(value)


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "FF{:02X}{:02X}{:02X}".format(*rgb)
