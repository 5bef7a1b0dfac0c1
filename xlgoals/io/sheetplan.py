"""A generated sheet as plain data (values, links, fills, widths), so openpyxl and xlwings render the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlgoals.core import layout
from xlgoals.core.values import CellValue
from xlgoals.io.presentation import content_width, row_height

# The looks both renderers give (io/planrender.py in a file, excelplan.py in Excel): the title's face and size,
# codes small and grey; tests/test_plan_renderers.py holds them to the same sheet.
TITLE_FACE, TITLE_POINTS = "黑体", 14
SMALL_POINTS, SMALL_RGB = 8, (0x7F, 0x7F, 0x7F)
# A4 landscape within the margins print_setup gives (0.5 in at the sides, 0.75 in top and bottom), in points.
A4_LANDSCAPE_WIDTH, A4_LANDSCAPE_HEIGHT = 841.9 - 72, 595.3 - 108
POINTS_PER_CM = 28.35
# A chart's title and value axis, and each bar with its label's line, in centimetres.
CHART_FRAME_CM, BAR_CM = 3.0, 0.55


@dataclass(frozen=True)
class Formula:
    """A formula (without '=') and the value it gives now, stored so readers that never recalculate see it."""

    expr: str
    cached: int | float | str


PlanValue = CellValue | Formula


@dataclass(frozen=True)
class Link:
    cell: str
    sheet: str
    target: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart of one value column against one label column, over rows first..last: a bar a
    row, as tall as its labels need, so every label shows at any number of rows."""

    title: str
    axis_title: str
    label_column: int
    value_column: int
    header_row: int
    first_row: int
    last_row: int
    anchor: str
    # Show the value axis in 万元 while the cells stay in 元.
    axis_wan: bool = False
    # Height in centimetres (grows with the rows), and whether a page break goes before it so it never prints
    # split across two pages.
    height: float = 10.0
    new_page: bool = False

    @staticmethod
    def height_for(bars: int) -> float:
        """Room for each bar's label (a line of 10-point text) and the title and axis around them."""
        return max(7.0, CHART_FRAME_CM + BAR_CM * bars)

    @staticmethod
    def bars_per_page(page: float) -> int:
        """How many bars one chart holds within a printed page (`page` points tall, the sheet's scale counted,
        less the header row every page repeats and a margin): more bars take more charts, a page each."""
        return max(5, int((page / POINTS_PER_CM - 2.5 - CHART_FRAME_CM) / BAR_CM))

    @property
    def label_points(self) -> float:
        """The labels' size: as large as their rows allow (a program skips labels that would overlap), 6 to 10."""
        bars = self.last_row - self.first_row + 1
        plot = self.height * POINTS_PER_CM * 0.75  # the bars' share of the chart, under its title and axis
        return max(6.0, min(10.0, plot / max(bars, 1) / 1.8))


@dataclass
class SheetPlan:
    name: str
    rows: list[list[PlanValue]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    fills: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    bold_rows: list[int] = field(default_factory=list)
    # Column widths in characters, as Excel's ColumnWidth counts them.
    widths: dict[str, float] = field(default_factory=dict)
    wrap_columns: frozenset[str] = frozenset()
    # Columns set small and grey: rule codes, there for whoever needs them, out of the reader's way.
    small_columns: frozenset[str] = frozenset()
    hidden: bool = False
    # Number formats by cell; header rows are bold on the label fill.
    formats: dict[str, str] = field(default_factory=dict)
    header_rows: list[int] = field(default_factory=list)
    # The main table's header row: frozen on screen, repeated on every printed page.
    freeze_row: int | None = None
    # Where they differ: the header row repeated on printed pages.
    repeat_row: int | None = None
    # The range under an autofilter (one per sheet), e.g. "A8:G40".
    autofilter: str | None = None
    # Hover text of links, which Excel otherwise shows as the raw address.
    link_tip: str = "点击跳转到 {sheet} 工作表的 {cell} 单元格"
    # Bar charts under the tables, each whole on a printed page.
    charts: list[BarChart] = field(default_factory=list)

    def add(self, *values: PlanValue, bold: bool = False) -> int:
        """Append a row; returns its 1-based row number."""
        self.rows.append(list(values))
        if bold:
            self.bold_rows.append(len(self.rows))
        return len(self.rows)

    def header(self, *titles: PlanValue) -> int:
        row = self.add(*titles)
        self.header_rows.append(row)
        return row

    def format(self, row: int, column: int, number_format: str) -> None:
        self.formats[layout.address(row, column)] = number_format

    def link(self, row: int, column: int, sheet: str, target: str) -> None:
        self.links.append(Link(layout.address(row, column), sheet, target))

    def tooltip(self, link: Link) -> str:
        return self.link_tip.format(sheet=link.sheet, cell=link.target)

    def fill(self, row: int, column: int, rgb: tuple[int, int, int]) -> None:
        self.fills[layout.address(row, column)] = rgb

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def block(self) -> list[list[PlanValue]]:
        """The rows padded to one width: a rectangle to write in one call."""
        w = self.width
        return [r + [None] * (w - len(r)) for r in self.rows]

    def _table_rows(self) -> list[list[PlanValue]]:
        # Titles and notes above the first table, and one-cell section titles, overflow rather than size columns.
        first = min(self.header_rows, default=1)
        return [r for r in self.rows[first - 1 :] if sum(v not in (None, "") for v in r) > 1]

    def column_widths(self) -> dict[str, float]:
        """Every column's width: as set, or from its content with CJK characters counted double."""
        rows = self._table_rows()
        out: dict[str, float] = {}
        for c in range(1, self.width + 1):
            letter = layout.column_letters(c)
            shown = [_shown(r[c - 1]) for r in rows if len(r) >= c]
            out[letter] = self.widths.get(letter) or content_width(shown)
        return out

    def row_heights(self) -> dict[int, float]:
        """Heights of rows whose wrapped text needs more than one line, so screen and print show all of it."""
        widths = self.column_widths()
        out: dict[int, float] = {}
        for r, values in enumerate(self.rows, start=1):
            texts = [
                (v, widths[layout.column_letters(c)])
                for c, v in enumerate(values, start=1)
                if isinstance(v, str) and layout.column_letters(c) in self.wrap_columns
            ]
            # Generated sheets use the default 11 pt font: a line takes about 15 points.
            height = row_height(texts, line_height=15)
            if height > row_height([], line_height=15):
                out[r] = height
        return out

    def page_height(self) -> float:
        """A printed page's height in the sheet's own points: A4 landscape, the sheet fitted one page wide."""
        sheet_width = sum(w * 7 + 5 for w in self.column_widths().values()) * 0.75  # as Excel renders widths
        scale = min(1.0, A4_LANDSCAPE_WIDTH / sheet_width) if sheet_width else 1.0
        return A4_LANDSCAPE_HEIGHT / scale

    def starts_a_page_at(self, row: int, height_cm: float) -> bool:
        """Whether something `height_cm` tall anchored at `row` would cross a page break when the sheet prints:
        it then goes to the next page whole (it is never taller than a page)."""
        page, heights = self.page_height(), self.row_heights()
        above = sum(heights.get(r, 15.0) for r in range(1, row))
        return above % page + height_cm * POINTS_PER_CM > page

    def right_aligned(self, header_row: int) -> list[int]:
        """Columns of a table holding numbers, whose header sits right-aligned over them like the figures."""
        below: list[list[PlanValue]] = []
        for values in self.rows[header_row:]:
            if not any(v not in (None, "") for v in values) or header_row + len(below) + 1 in self.header_rows:
                break
            below.append(values)
        return [
            c
            for c in range(1, len(self.rows[header_row - 1]) + 1)
            if any(_is_number(r[c - 1]) for r in below if len(r) >= c)
        ]


def _is_number(value: PlanValue) -> bool:
    if isinstance(value, Formula):
        value = value.cached
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _shown(value: PlanValue) -> object:
    return value.cached if isinstance(value, Formula) else value


def excel_number(value: Decimal) -> int | float:
    """A Decimal as the number Excel stores; whole yuan stay integers so they display without '.0'."""
    return int(value) if value == value.to_integral_value() else float(value)


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "FF{:02X}{:02X}{:02X}".format(*rgb)


def link_location(sheet: str, cell: str) -> str:
    """An internal hyperlink's location ('项目1'!B4), as a file stores it."""
    return f"{layout.quote_sheet(sheet)}!{cell}"
