"""Write validation results into a copy of the workbook file with openpyxl (the CLI's --write-back)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.errors import WorkbookError, XlgoalsError
from xlgoals.io.cellstyle import LABEL_FILL, fit_project_rows, put, writable_text
from xlgoals.io.container import Container, check_container
from xlgoals.io.outputs import check_output
from xlgoals.io.presentation import WAN_AXIS_FORMAT, cache_value, print_setup
from xlgoals.io.sheetplan import BarChart as BarChartSpec
from xlgoals.io.sheetplan import Formula, SheetPlan, rgb_hex
from xlgoals.io.template import save
from xlgoals.validation import marks
from xlgoals.validation.findings import Report

NOTE_SIZE = (320, 160)  # px: room for two or three messages without covering the whole form
HEADER_FONT = Font(name="宋体", bold=True)
LINK_FONT = Font(name="宋体", color="FF0563C1", underline="single")


def _fill(hex_rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=hex_rgb)


def template_fill(sheet: str, cell: str, selfeval: bool = False) -> PatternFill:
    rgb = layout.template_fill(sheet, cell, selfeval)
    return _fill(rgb_hex(rgb)) if rgb else PatternFill(fill_type=None)


def is_selfeval_sheet(ws: Worksheet) -> bool:
    """A 自评 sheet, told by its mark as the reader tells it."""
    mark = slayout.SELFEVAL_MARK
    return str(ws[mark.label_cell].value or "").strip() == mark.label


def is_project_form(ws: Worksheet) -> bool:
    """A sheet laid out as our project form (its first label where the template puts it), not a user's own."""
    first = layout.PROJECT_FIELDS[0]
    return str(ws[first.label_cell].value or "").strip() == first.label


def clear_marks(wb: Workbook) -> None:
    """Undo the last run's marks, exactly the cells its record lists; nothing else is touched."""
    if layout.MARKS_SHEET not in wb.sheetnames:
        return
    for sheet, address in marks.recorded(wb[layout.MARKS_SHEET].iter_rows(values_only=True)):
        if sheet in wb.sheetnames:
            cell = wb[sheet][address]
            cell.fill = template_fill(sheet, address, is_selfeval_sheet(wb[sheet]))
            cell.comment = None


def apply_marks(wb: Workbook, mark_list: list[marks.Mark]) -> None:
    for m in mark_list:
        if m.sheet not in wb.sheetnames:
            continue
        cell = wb[m.sheet][m.cell]
        cell.fill = _fill(rgb_hex(marks.FILL_RGB[m.severity]))
        comment = Comment(writable_text(m.note), marks.NOTE_AUTHOR)
        comment.width, comment.height = NOTE_SIZE
        cell.comment = comment


def render_plan(wb: Workbook, plan: SheetPlan, index: int | None = None) -> Worksheet:
    """Replace sheet `plan.name` with the plan's content."""
    if plan.name in wb.sheetnames:
        del wb[plan.name]
    ws: Worksheet = wb.create_sheet(plan.name, index=index)
    for r, values in enumerate(plan.rows, start=1):
        right = plan.right_aligned(r) if r in plan.header_rows else []
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
            if isinstance(value, str):
                cell.number_format = "@"  # text stays text when Excel re-reads it
            if r in plan.bold_rows or r in plan.header_rows:
                cell.font = HEADER_FONT
            if r in plan.header_rows:
                cell.fill = LABEL_FILL
                cell.alignment = Alignment(
                    horizontal="right" if c in right else "left", vertical="center", wrap_text=True
                )
            else:
                cell.alignment = Alignment(wrap_text=layout.column_letters(c) in plan.wrap_columns, vertical="top")
    if plan.hidden:
        ws.sheet_state = "hidden"
    else:
        # Generated tables print across the page, the main table's header on every page; hidden ones never print.
        repeat = plan.repeat_row or plan.freeze_row
        title = f"{repeat}:{repeat}" if repeat else None
        print_setup(ws, landscape=True, title_rows=title)
    for address, rgb in plan.fills.items():
        ws[address].fill = _fill(rgb_hex(rgb))
    for link in plan.links:
        cell = ws[link.cell]
        # A location, not a '#...' target: openpyxl would store a target as an external relationship.
        cell.hyperlink = Hyperlink(
            ref=link.cell,
            location=marks.link_location(link.sheet, link.target),
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
    if plan.chart:
        _add_chart(ws, plan.chart)
    return ws


def _add_chart(ws: Worksheet, spec: BarChartSpec) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = spec.title
    chart.y_axis.title = spec.axis_title
    if spec.axis_wan:
        from openpyxl.chart.data_source import NumFmt

        chart.y_axis.numFmt = NumFmt(formatCode=WAN_AXIS_FORMAT, sourceLinked=False)
    chart.legend = None
    chart.add_data(
        Reference(ws, min_col=spec.value_column, min_row=spec.header_row, max_row=spec.last_row), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=spec.label_column, min_row=spec.first_row, max_row=spec.last_row))
    chart.width, chart.height = 24, 10
    ws.add_chart(chart, spec.anchor)


def edit_copy(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    edit: Callable[[Workbook], object],
    container: Container | None = None,
) -> None:
    """Copy `src` to `out` with `edit` applied; `src` itself is never written, `out` appears atomically.

    Whatever the reader accepted is written, or refused with a Chinese message naming the file. `container`
    is `src` as the reader already read and checked it (else it is read and checked here)."""
    src_path, out_path = Path(src), Path(out)
    check_output(out_path, [src_path])
    container = container if container is not None else check_container(src_path)
    try:
        # From the checked bytes: the file is read once, and openpyxl does not judge it by its extension.
        wb = load_workbook(io.BytesIO(container.data), keep_vba=src_path.suffix.lower() == ".xlsm", keep_links=False)
    except Exception as e:  # openpyxl is stricter than the reader (sheet names, missing parts)
        raise WorkbookError(
            f"工作簿能读取，但无法打开用于写入结果（{type(e).__name__}: {e}）。"
            "请在 Excel/WPS 中打开后另存为 .xlsx 再试。",
            file=str(src),
        ) from None
    try:
        edit(wb)
        for ws in wb.worksheets:
            if ws.sheet_state == "visible" and not layout.is_system_sheet(ws.title) and is_project_form(ws):
                fit_project_rows(ws)
        save(wb, out_path)
    except XlgoalsError:
        raise
    except Exception as e:  # a value openpyxl cannot store: refuse clearly rather than write half a file
        raise XlgoalsError(
            f"无法把 {src_path.name} 的校验结果写入新文件（{type(e).__name__}: {e}），原工作簿未改动。", file=str(out)
        ) from None


def write_back(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    report: Report,
    ruleset_title: str,
    container: Container | None = None,
) -> None:
    """Copy `src` to `out` with marks, the results sheet and the record of marked cells."""

    def mark(wb: Workbook) -> None:
        clear_marks(wb)
        mark_list = marks.marks_for(report)
        apply_marks(wb, mark_list)
        render_plan(wb, marks.results_plan(report, ruleset_title), index=1)
        render_plan(wb, marks.record_plan(marks.marked_cells(mark_list)))

    edit_copy(src, out, mark, container)
