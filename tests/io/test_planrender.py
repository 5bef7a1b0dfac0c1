"""io/planrender.py: a SheetPlan rendered by openpyxl: values, formulas with their cached values, links with
tips, fills, formats, bold and header rows, widths, frozen and repeated header, autofilter, hidden sheets."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from xlgoals.io.planrender import render_plan
from xlgoals.io.sheetplan import Formula, SheetPlan
from xlgoals.workbooks.template import save


def test_a_plan_as_openpyxl_writes_it(tmp_path: Path) -> None:
    plan = SheetPlan("汇总", freeze_row=2, autofilter="A2:C4", small_columns=frozenset({"C"}))
    plan.add("汇总表", bold=True)
    plan.header("项目", "当年预算（元）", "代码")
    row = plan.add("项目1", 600000, "money.x")
    plan.link(row, 1, "项目1", "B4")
    plan.fill(row, 2, (255, 199, 206))
    plan.format(row, 2, "#,##0")
    plan.add("合计", Formula("SUM(B3:B3)", 600000), bold=True)
    plan.widths["A"] = 30
    wb = openpyxl.Workbook()
    render_plan(wb, plan, index=0)
    render_plan(wb, plan, index=0)  # again: the sheet is replaced, not doubled
    assert wb.sheetnames.count("汇总") == 1 and wb.sheetnames[0] == "汇总"
    path = tmp_path / "plan.xlsx"
    save(wb, path)  # as xlgoals saves: formulas with the values they give now
    ws = openpyxl.load_workbook(path)["汇总"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["汇总表", None, None],
        ["项目", "当年预算（元）", "代码"],
        ["项目1", 600000, "money.x"],
        ["合计", "=SUM(B3:B3)", None],
    ]
    assert openpyxl.load_workbook(path, data_only=True)["汇总"]["B4"].value == 600000  # the cached value
    link = ws["A3"].hyperlink
    assert link is not None and link.location == "'项目1'!B4" and link.tooltip == "点击跳转到 项目1 工作表的 B4 单元格"
    assert ws["B3"].fill.fgColor.rgb == "FFFFC7CE" and ws["B3"].number_format == "#,##0"
    assert ws["A1"].font.b and ws["A2"].font.b and ws["A4"].font.b and not ws["A3"].font.b
    assert ws["C3"].font.sz == 8 and ws["C3"].font.color.rgb == "FF7F7F7F"  # codes small and grey
    assert ws.column_dimensions["A"].width == 30
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:C4"
    assert ws.print_title_rows == "$2:$2"


def test_a_hidden_plan_renders_a_hidden_sheet() -> None:
    wb = openpyxl.Workbook()
    ws = render_plan(wb, SheetPlan("_data", hidden=True))
    assert ws.sheet_state == "hidden" and wb.sheetnames[-1] == "_data"
