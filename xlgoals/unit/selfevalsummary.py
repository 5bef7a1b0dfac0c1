"""The 汇总 sheet of a 自评 workbook: per project 执行率, scores, 总分 and grade as formulas over its 自评 sheet."""

from __future__ import annotations

from decimal import Decimal

from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.io.presentation import WAN, MoneyUnit, in_unit, money_format
from xlgoals.io.sheetplan import Formula, PlanValue, SheetPlan, excel_number
from xlgoals.unit.rollup import UnitRollup
from xlgoals.unit.selfevalfigures import GOOD, GRADES, LOWEST_GRADE, PASS, ProjectSelfeval, UnitSelfeval, grade

TITLE = "项目支出绩效自评汇总"
HEADERS = (
    "序号",
    "工作表",
    "项目名称",
    "全年预算数（元）",
    "全年执行数（元）",
    "执行率",
    "执行得分",
    "指标得分",
    "总分",
    "等级",
    "未完成指标",
    "其中未说明原因",
)
HEADER_ROW = layout.SUMMARY_HEADER_ROW
PERCENT, SCORE = "0.00%", "0.00"
NOTE = (
    "说明：金额与得分取自各项目的自评表，修改自评表后本表随之重新计算；合计行的总分为各项目总分的平均数。"
    "等级按财预〔2020〕10号：90 分（含）以上为优，80（含）至 90 分为良，60（含）至 80 分为中，60 分以下为差。"
)


def _letter(header: str) -> str:
    return layout.column_letters(HEADERS.index(header) + 1)


def _cached(value: Decimal | None) -> int | float | str:
    return "" if value is None else excel_number(value)


def _grade_formula(cell: str) -> str:
    nested = f'"{LOWEST_GRADE}"'
    for floor, name in reversed(GRADES):
        nested = f'IF({cell}>={floor},"{name}",{nested})'
    return f'IF(ISNUMBER({cell}),{nested},"")'


def _project_row(plan: SheetPlan, i: int, p: ProjectSelfeval, unit: MoneyUnit) -> None:
    row = HEADER_ROW + i
    sheet = layout.quote_sheet(p.sheet)
    scale = Decimal(10_000 if p.money_unit == "万元" else 1) / (WAN if unit is MoneyUnit.WAN else 1)
    field = slayout.SELFEVAL_FIELD
    total_cell = f"{slayout.SELFEVAL_COLUMNS['score']}{slayout.SELFEVAL_FIRST_ROW + p.indicators}"

    def money(cell: str, value: Decimal | None) -> Formula:
        ref = f"{sheet}!{cell}"
        scaled = ref if scale == 1 else f"{ref}*{excel_number(scale)}"
        return Formula(f'IF(ISNUMBER({ref}),{scaled},"")', _cached(in_unit(value, unit)))

    budget, executed = (f"{_letter(h)}{row}" for h in ("全年预算数（元）", "全年执行数（元）"))
    exec_score, total = f"{_letter('执行得分')}{row}", f"{_letter('总分')}{row}"
    figures: list[PlanValue] = [
        money(field["budget_adjusted"].value_cell, p.budget),
        money(field["budget_executed"].value_cell, p.executed),
        Formula(f'IF(AND(ISNUMBER({executed}),N({budget})>0),{executed}/{budget},"")', _cached(p.rate)),
        Formula(f"N({sheet}!{slayout.SELFEVAL_EXEC_SCORE_CELL})", _cached(p.execution_score or Decimal(0))),
        Formula(f"N({total})-N({exec_score})", _cached(p.indicator_score)),
        Formula(f"N({sheet}!{total_cell})", _cached(p.total)),
        Formula(_grade_formula(total), p.grade),
    ]
    plan.add(i, p.sheet, p.name, *figures, p.shortfalls, p.unexplained)


def _total_row(plan: SheetPlan, f: UnitSelfeval, unit: MoneyUnit) -> int:
    first, last = HEADER_ROW + 1, HEADER_ROW + len(f.projects)
    row = last + 1

    def span(header: str) -> str:
        return f"{_letter(header)}{first}:{_letter(header)}{last}"

    budget, executed = span("全年预算数（元）"), span("全年执行数（元）")
    total = f"{_letter('总分')}{row}"
    figures: list[PlanValue] = [
        Formula(f"SUM({budget})", _cached(in_unit(f.budget, unit))),
        Formula(f"SUM({executed})", _cached(in_unit(f.executed, unit))),
        Formula(f'IF(SUM({budget})>0,SUM({executed})/SUM({budget}),"")', _cached(f.rate)),
        None,
        None,
        Formula(f"ROUND(AVERAGE({span('总分')}),2)", _cached(f.mean)),
        Formula(_grade_formula(total), grade(f.mean) if f.mean is not None else ""),
        Formula(f"SUM({span('未完成指标')})", f.shortfalls),
        Formula(f"SUM({span('其中未说明原因')})", f.unexplained),
    ]
    return plan.add(None, None, f"合计（{len(f.projects)} 个项目）", *figures, bold=True)


def selfeval_plan(r: UnitRollup, unit: MoneyUnit = MoneyUnit.YUAN) -> SheetPlan:
    """The 汇总 sheet of a 自评 workbook as data: a row per project, the 合计 row, projects under 80 and 60."""
    f = r.selfeval
    assert f is not None, "a 自评 workbook's roll-up has its 自评 figures"
    plan = SheetPlan(layout.SUMMARY_SHEET, wrap_columns=frozenset("C"))
    plan.add(TITLE, bold=True)
    plan.add(r.heading(unit))
    plan.add()
    plan.header(*(h.replace("（元）", f"（{unit}）") for h in HEADERS))
    for i, p in enumerate(f.projects, start=1):
        _project_row(plan, i, p, unit)
    total_row = _total_row(plan, f, unit)
    for row in range(HEADER_ROW + 1, total_row + 1):
        for header in ("全年预算数（元）", "全年执行数（元）"):
            plan.format(row, HEADERS.index(header) + 1, money_format(0, unit))
        plan.format(row, HEADERS.index("执行率") + 1, PERCENT)
        for header in ("执行得分", "指标得分", "总分"):
            plan.format(row, HEADERS.index(header) + 1, SCORE)
    scores = f"{_letter('总分')}{HEADER_ROW + 1}:{_letter('总分')}{total_row - 1}"
    for floor, count in ((GOOD, f.under(GOOD)), (PASS, f.under(PASS))):
        label = Formula(f'"总分低于 {floor} 分的项目："&COUNTIF({scores},"<{floor}")&" 个"', "")
        plan.add(None, None, Formula(label.expr, f"总分低于 {floor} 分的项目：{count} 个"))
    plan.add(NOTE)
    plan.freeze_row = HEADER_ROW
    plan.autofilter = f"A{HEADER_ROW}:{layout.column_letters(len(HEADERS))}{max(total_row - 1, HEADER_ROW + 1)}"
    return plan
