"""Write validation results into a copy of the workbook file with openpyxl (the CLI's --write-back)."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals import layout, marks
from xlgoals.errors import XlgoalsError
from xlgoals.files import check_container
from xlgoals.findings import Report
from xlgoals.sheetplan import SheetPlan, rgb_hex
from xlgoals.template import INPUT_FILL, put, save

NOTE_SIZE = (320, 160)  # px: room for two or three messages without covering the whole form
HEADER_FONT = Font(name="宋体", bold=True)
LINK_FONT = Font(name="宋体", color="FF0563C1", underline="single")


def _fill(hex_rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=hex_rgb)


def clear_marks(wb: Workbook) -> None:
    """Undo a previous run: only our fills and our notes are touched, never the user's own."""
    ours = set(marks.FILL_HEX.values())
    for ws in wb.worksheets:
        if not layout.is_project_sheet_name(ws.title) and ws.title != layout.COVER_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and marks.is_our_note(cell.comment.text):
                    cell.comment = None
                if cell.fill.fgColor.rgb in ours:
                    cell.fill = INPUT_FILL


def apply_marks(wb: Workbook, mark_list: list[marks.Mark]) -> None:
    for m in mark_list:
        if m.sheet not in wb.sheetnames:
            continue
        cell = wb[m.sheet][m.cell]
        cell.fill = _fill(marks.FILL_HEX[m.severity])
        comment = Comment(m.note, marks.NOTE_AUTHOR)
        comment.width, comment.height = NOTE_SIZE
        cell.comment = comment


def render_plan(wb: Workbook, plan: SheetPlan, index: int | None = None) -> Worksheet:
    """Replace sheet `plan.name` with the plan's content."""
    if plan.name in wb.sheetnames:
        del wb[plan.name]
    ws: Worksheet = wb.create_sheet(plan.name, index=index)
    for r, values in enumerate(plan.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(r, c)
            assert isinstance(cell, Cell)  # a fresh sheet has no merged cells
            put(cell, value)
            if isinstance(value, str):
                cell.number_format = "@"  # text stays text when Excel re-reads it
            if r in plan.bold_rows:
                cell.font = HEADER_FONT
            if layout.column_letters(c) in plan.wrap_columns:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for address, rgb in plan.fills.items():
        ws[address].fill = _fill(rgb_hex(rgb))
    for link in plan.links:
        cell = ws[link.cell]
        # A location, not a '#...' target: openpyxl would store a target as an external relationship.
        cell.hyperlink = Hyperlink(ref=link.cell, location=marks.link_location(link.sheet, link.target))
        cell.font = LINK_FONT
    for letter, width in plan.widths.items():
        ws.column_dimensions[letter].width = width
    return ws


def write_back(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    report: Report,
    ruleset_title: str,
    sheets: dict[str, str],
) -> None:
    """Copy `src` to `out` with marks and the results sheet; `src` itself is never written."""
    src_path, out_path = Path(src), Path(out)
    if out_path.exists() and out_path.resolve() == src_path.resolve():
        raise XlgoalsError("结果文件不能与原工作簿同名，请另选输出路径（原文件不会被修改）。", file=str(out))
    check_container(src_path)
    wb = load_workbook(src_path, keep_vba=src_path.suffix.lower() == ".xlsm", keep_links=False)
    clear_marks(wb)
    apply_marks(wb, marks.marks_for(report))
    render_plan(wb, marks.results_plan(report, ruleset_title, sheets), index=1)
    save(wb, out_path)
