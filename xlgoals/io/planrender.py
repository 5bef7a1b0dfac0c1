"""A SheetPlan rendered by openpyxl into a workbook: the file renderer (Excel's is excelplan.py, the same contract)."""

from __future__ import annotations

from copy import copy

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout
from xlgoals.io.cellstyle import LABEL_FILL, put
from xlgoals.io.presentation import WAN_AXIS_FORMAT, cache_value, print_setup
from xlgoals.io.sheetplan import (
    SMALL_POINTS,
    SMALL_RGB,
    TITLE_FACE,
    TITLE_POINTS,
    Formula,
    SheetPlan,
    link_location,
    rgb_hex,
)
from xlgoals.io.sheetplan import BarChart as BarChartSpec

# Chinese faces (charset 134, GB2312), the title of a sheet in the heavier 黑体, codes small and grey.
HEADER_FONT = Font(name="宋体", bold=True, charset=134)
BODY_FONT = Font(name="宋体", charset=134)
TITLE_FONT = Font(name=TITLE_FACE, bold=True, size=TITLE_POINTS, charset=134)
SMALL_FONT = Font(name="宋体", size=SMALL_POINTS, color=rgb_hex(SMALL_RGB), charset=134)
LINK_FONT = Font(name="宋体", color="FF0563C1", underline="single", charset=134)
_FONTS = (BODY_FONT, HEADER_FONT, TITLE_FONT, SMALL_FONT)
_BODY, _HEADER, _TITLE, _SMALL = range(len(_FONTS))


def render_plan(wb: Workbook, plan: SheetPlan, index: int | None = None) -> Worksheet:
    """Replace sheet `plan.name` with the plan's content."""
    if plan.name in wb.sheetnames:
        del wb[plan.name]
    ws: Worksheet = wb.create_sheet(plan.name, index=index)
    # A table has a handful of looks: each is built once and copied to the cells that share it, since openpyxl
    # hashes every style object it is given (most of a large sheet's rendering time otherwise).
    looks: dict[tuple[bool, bool, bool, bool, int], StyleArray] = {}
    for r, values in enumerate(plan.rows, start=1):
        right = plan.right_aligned(r) if r in plan.header_rows else []
        bold, header = r in plan.bold_rows or r in plan.header_rows, r in plan.header_rows
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(r, c)
            assert isinstance(cell, Cell)  # a fresh sheet has no merged cells
            if isinstance(value, Formula):
                cell.value = "=" + value.expr
                cache_value(ws, cell.coordinate, value.cached)
            else:
                put(cell, value)
            letter = layout.column_letters(c)
            lean = c in right if header else letter in plan.wrap_columns
            face = _BODY
            if bold:
                face = _TITLE if r == 1 and c == 1 and not header else _HEADER
            elif letter in plan.small_columns:
                face = _SMALL
            key = (isinstance(value, str), bold, header, lean, face)
            look = looks.get(key)
            if look is not None:
                cell._style = copy(look)  # type: ignore[attr-defined]  # openpyxl 3.1 (pinned): a cell's formats
                continue
            if isinstance(value, str):
                cell.number_format = "@"  # text stays text when Excel re-reads it
            cell.font = _FONTS[face]
            if header:
                cell.fill = LABEL_FILL
                cell.alignment = Alignment(horizontal="right" if lean else "left", vertical="center", wrap_text=True)
            else:
                cell.alignment = Alignment(wrap_text=lean, vertical="top")
            looks[key] = copy(cell._style)  # type: ignore[attr-defined]
    if plan.hidden:
        ws.sheet_state = "hidden"
    else:
        # Generated tables print across the page, the main table's header on every page; hidden ones never print.
        repeat = plan.repeat_row or plan.freeze_row
        title = f"{repeat}:{repeat}" if repeat else None
        print_setup(ws, landscape=True, title_rows=title)
    for address, rgb in plan.fills.items():
        ws[address].fill = PatternFill("solid", fgColor=rgb_hex(rgb))
    for link in plan.links:
        cell = ws[link.cell]
        # A location, not a '#...' target: openpyxl would store a target as an external relationship.
        cell.hyperlink = Hyperlink(
            ref=link.cell,
            location=link_location(link.sheet, link.target),
            tooltip=plan.tooltip(link),
        )
        cell.font = LINK_FONT
    for address, number_format in plan.formats.items():
        ws[address].number_format = number_format
    for letter, width in plan.column_widths().items():
        ws.column_dimensions[letter].width = width
    for row, height in plan.row_heights().items():
        ws.row_dimensions[row].height = height
    if plan.freeze_row:
        ws.freeze_panes = f"A{plan.freeze_row + 1}"
    if plan.autofilter:
        ws.auto_filter.ref = plan.autofilter
    for chart in plan.charts:
        _add_chart(ws, chart)
    return ws


def _add_chart(ws: Worksheet, spec: BarChartSpec) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
    from openpyxl.worksheet.pagebreak import Break

    chart = BarChart()
    # Horizontal bars, the first project at the top, every label shown (never skipped for lack of room).
    chart.type = "bar"
    chart.title = spec.title
    chart.y_axis.title = spec.axis_title
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.tickLblSkip = 1
    small = CharacterProperties(sz=int(spec.label_points * 100))
    chart.x_axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=small), endParaRPr=small)])
    chart.x_axis.delete = chart.y_axis.delete = False
    if spec.axis_wan:
        from openpyxl.chart.data_source import NumFmt

        chart.y_axis.numFmt = NumFmt(formatCode=WAN_AXIS_FORMAT, sourceLinked=False)
    chart.legend = None
    chart.add_data(Reference(ws, min_col=spec.value_column, min_row=spec.first_row, max_row=spec.last_row))
    chart.set_categories(Reference(ws, min_col=spec.label_column, min_row=spec.first_row, max_row=spec.last_row))
    chart.width, chart.height = 24, spec.height
    ws.add_chart(chart, spec.anchor)
    if spec.new_page:
        ws.row_breaks.append(Break(id=layout.split_address(spec.anchor)[0] - 1))
