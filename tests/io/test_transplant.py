"""io/transplant.py: generated sheets rendered by openpyxl in a workbook of their own and moved into a package:
a new sheet at its index, a sheet replaced where it stands, its styles, links and print titles carried over."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from xlgoals.io.package import Package
from xlgoals.io.sheetplan import SheetPlan
from xlgoals.io.stylesheet import StyleSheet
from xlgoals.io.transplant import Placement, add_sheets

STYLES = "xl/styles.xml"


def _plan(name: str, value: str) -> SheetPlan:
    plan = SheetPlan(name, repeat_row=2)
    plan.add(f"{name}表", bold=True)
    plan.header("位置", "说明")
    row = plan.add("项目1!C5", value)
    plan.link(row, 1, "项目1", "C5")
    plan.fill(row, 2, (255, 199, 206))
    return plan


def _moved(pkg: Package, placements: list[Placement]) -> openpyxl.Workbook:
    styles = StyleSheet(pkg.read(STYLES))
    add_sheets(pkg, pkg.office_document(), styles, placements)
    pkg.set(STYLES, styles.result())
    out = io.BytesIO()
    pkg.save(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_a_new_sheet_goes_where_it_is_placed(sample_xlsx: Path) -> None:
    wb = _moved(Package.of(sample_xlsx.read_bytes()), [Placement(_plan("汇总", "第一次"), 1)])
    assert wb.sheetnames[:3] == ["单位信息", "汇总", "项目1"]
    ws = wb["汇总"]
    assert [c.value for c in ws[3]] == ["项目1!C5", "第一次"]
    assert ws["A3"].hyperlink is not None and ws["A3"].hyperlink.location == "'项目1'!C5"
    assert ws["B3"].fill.fgColor.rgb == "FFFFC7CE" and ws["A1"].font.b
    assert ws.print_title_rows == "$2:$2"
    assert wb["项目1"]["B4"].value == openpyxl.load_workbook(sample_xlsx)["项目1"]["B4"].value


def test_a_sheet_is_replaced_where_it_stands(sample_xlsx: Path, tmp_path: Path) -> None:
    first = Package.of(sample_xlsx.read_bytes())
    wb = _moved(first, [Placement(_plan("汇总", "第一次"), None)])
    assert wb.sheetnames[-1] == "汇总"
    path = tmp_path / "once.xlsx"
    wb.save(path)  # openpyxl's own package this time: the editor takes what other writers make
    again = _moved(Package.of(path.read_bytes()), [Placement(_plan("汇总", "第二次"), 0, in_place=True)])
    assert again.sheetnames.count("汇总") == 1 and again.sheetnames.index("汇总") == wb.sheetnames.index("汇总")
    assert again["汇总"]["B3"].value == "第二次"
