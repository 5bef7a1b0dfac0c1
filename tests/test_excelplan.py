"""excelplan.py: a SheetPlan rendered by xlwings in the open workbook (the remote engine, as a button without
local Python runs it) reads as io/planrender.py's rendering of the same plan in a file."""

from __future__ import annotations

import openpyxl
import xlwings as xw

from tests.builders.xlbridge import run_remote
from xlgoals import excelplan
from xlgoals.io.planrender import render_plan
from xlgoals.io.sheetplan import SheetPlan


def _plan() -> SheetPlan:
    plan = SheetPlan("汇总", wrap_columns=frozenset({"B"}))
    plan.add("汇总表", bold=True)
    plan.header("位置", "说明", "金额（元）")
    row = plan.add("项目1!C5", "=100 不是公式，50% 不是数", 600000)
    plan.link(row, 1, "项目1", "C5")
    plan.fill(row, 3, (255, 199, 206))
    plan.format(row, 3, "#,##0")
    return plan


def _seen(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    return {
        c.coordinate: (
            c.value,
            c.font.b or False,
            c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None,
            c.hyperlink.location if c.hyperlink else None,
        )
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def test_the_remote_rendering_reads_as_the_files() -> None:
    plan = _plan()
    in_file = openpyxl.Workbook()
    render_plan(in_file, plan)
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "项目1"
    remote_kinds: list[bool] = []

    def click(b: xw.Book) -> None:
        remote_kinds.append(excelplan.is_remote(b))
        excelplan.render_plan(b, plan)
        excelplan.add_chart(b, b.sheets[plan.name], plan)  # the remote engine draws none; the table is there

    wb, _ = run_remote(book, click)
    assert remote_kinds == [True]
    assert wb.sheetnames == ["项目1", "汇总"]
    # Values (text stays text), bold rows, the header and cell fills, and links, cell by cell.
    assert _seen(wb["汇总"]) == _seen(in_file["汇总"])
