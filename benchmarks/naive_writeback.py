"""The write-back the openpyxl way, as xlgoals did it before issue 25: every sheet loaded and saved again.

    python benchmarks/naive_writeback.py validate|rollup IN.xlsx OUT.xlsx

The baseline of benchmarks/writeback_bench.py (timed as a whole process, like `xlgoals validate
--write-back`) and the reference tests/test_writeback_parts.py holds the package-level write-back to: both
load the workbook with openpyxl, undo the last run's marks, mark, render the generated sheets with the same
renderer (xlgoals.io.planrender) and fit the project sheets' rows and print, then save every part anew.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout
from xlgoals.core.selfevallayout import selfeval_fill
from xlgoals.io.cellstyle import fit_project_rows, is_project_form, is_selfeval_form, writable_text
from xlgoals.io.planrender import render_plan
from xlgoals.io.projectsheet import fit_for_paper
from xlgoals.io.sheetplan import rgb_hex
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import cover_money_unit, summary_plan
from xlgoals.validation import marks
from xlgoals.workbooks.template import save

NOTE_SIZE = (320, 160)


def _fill(rgb: tuple[int, int, int] | None) -> PatternFill:
    return PatternFill("solid", fgColor=rgb_hex(rgb)) if rgb else PatternFill(fill_type=None)


def _open(src: Path) -> Workbook:
    return load_workbook(io.BytesIO(src.read_bytes()), keep_vba=src.suffix.lower() == ".xlsm", keep_links=False)


def _text(ws: Worksheet) -> Callable[[int, int], str]:
    return lambda r, c: str(ws.cell(r, c).value or "")


def _finish(wb: Workbook, out: Path) -> None:
    for ws in wb.worksheets:
        if ws.sheet_state == "visible" and not layout.is_system_sheet(ws.title) and is_project_form(_text(ws)):
            fit_project_rows(ws)
            if not is_selfeval_form(_text(ws)):
                fit_for_paper(ws)
    save(wb, out)


def validate(src: Path, out: Path) -> None:
    checked = check_file(src)
    wb = _open(src)
    if layout.MARKS_SHEET in wb.sheetnames:
        for sheet, address in marks.recorded(wb[layout.MARKS_SHEET].iter_rows(values_only=True)):
            if sheet in wb.sheetnames:
                ws = wb[sheet]
                cell = ws[address]
                own = selfeval_fill(address) if is_selfeval_form(_text(ws)) else layout.template_fill(sheet, address)
                cell.fill = _fill(own)
                cell.comment = None
    mark_list = marks.marks_for(checked.report)
    for m in mark_list:
        if m.sheet in wb.sheetnames:
            cell = wb[m.sheet][m.cell]
            cell.fill = _fill(marks.FILL_RGB[m.severity])
            comment = Comment(writable_text(m.note), marks.NOTE_AUTHOR)
            comment.width, comment.height = NOTE_SIZE
            cell.comment = comment
    render_plan(wb, marks.results_plan(checked.report, checked.ruleset.title), index=1)
    render_plan(wb, marks.record_plan(marks.marked_cells(mark_list)))
    _finish(wb, out)


def rollup(src: Path, out: Path) -> None:
    checked = check_file(src)
    cover = checked.grids.sheets.get(layout.COVER_SHEET) if checked.grids is not None else None
    plan = summary_plan(
        roll_up(checked.unit, checked.report, checked.ruleset), cover_money_unit(cover.rows if cover else None)
    )
    wb = _open(src)
    index = wb.sheetnames.index(layout.SUMMARY_SHEET) if layout.SUMMARY_SHEET in wb.sheetnames else 1
    render_plan(wb, plan, index=min(index, len(wb.sheetnames)))
    _finish(wb, out)


def main(argv: list[str]) -> int:
    command, src, out = argv
    {"validate": validate, "rollup": rollup}[command](Path(src), Path(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
