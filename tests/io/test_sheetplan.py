"""io/sheetplan.py: a generated sheet as plain data: rows, links, fills, widths from content, heights of wrapped
text, numbers' headers right-aligned, and whether a chart would cross a printed page."""

from __future__ import annotations

from decimal import Decimal

from xlgoals.io.sheetplan import BarChart, Formula, Link, SheetPlan, excel_number, link_location, rgb_hex


def _units_table() -> SheetPlan:
    plan = SheetPlan("单位汇总", wrap_columns=frozenset({"B"}))
    plan.add("单位汇总表" * 20)  # a title above the table: never sizes a column
    plan.header("单位", "说明", "当年预算（元）", "项目数")
    plan.add("上海市生物医药科技产业促进中心", "短", 5_989_200, 3)
    plan.add("另一单位", "很长的说明" * 30, Formula("SUM(C3:C3)", 5_989_200), 1)
    plan.add()
    plan.header("注")
    return plan


def test_rows_and_what_they_carry() -> None:
    plan = _units_table()
    assert plan.width == 4 and [len(r) for r in plan.block()] == [4] * 6
    assert plan.header_rows == [2, 6]
    plan.link(3, 1, "项目1", "B4")
    plan.fill(3, 3, (255, 199, 206))
    plan.format(3, 3, "#,##0")
    assert plan.links == [Link("A3", "项目1", "B4")] and plan.fills == {"C3": (255, 199, 206)}
    assert plan.tooltip(plan.links[0]) == "点击跳转到 项目1 工作表的 B4 单元格"
    assert plan.formats == {"C3": "#,##0"}


def test_widths_from_the_table_and_heights_of_wrapped_text() -> None:
    plan = _units_table()
    widths = plan.column_widths()
    assert widths["A"] > len("上海市生物医药科技产业促进中心")  # CJK counted double, the title ignored
    assert widths["A"] < 2 * len("单位汇总表" * 20)
    plan.widths["B"] = 20
    assert plan.column_widths()["B"] == 20
    heights = plan.row_heights()
    assert list(heights) == [4] and heights[4] > 15 * 5  # only the long wrapped text takes more lines
    assert plan.right_aligned(2) == [3, 4]  # 当年预算 and 项目数 hold numbers (a formula's cached one too)


def test_a_chart_goes_to_the_next_page_when_it_would_cross_a_break() -> None:
    plan = SheetPlan("汇总")
    plan.header("项目", "金额")
    for i in range(200):
        plan.add(f"项目{i}", i)
    page = plan.page_height()
    rows_per_page = int(page // 15)
    assert not plan.starts_a_page_at(2, 5.0)
    assert plan.starts_a_page_at(rows_per_page - 2, 5.0)
    assert BarChart.height_for(1) == 7.0 and BarChart.height_for(40) == 3.0 + 0.55 * 40
    assert BarChart.bars_per_page(page) >= 5


def test_small_conversions() -> None:
    assert excel_number(Decimal("5989200.00")) == 5989200 and isinstance(excel_number(Decimal("1.00")), int)
    assert excel_number(Decimal("0.5")) == 0.5
    assert rgb_hex((255, 199, 206)) == "FFFFC7CE"
    assert link_location("项目 1", "B4") == "'项目 1'!B4"
