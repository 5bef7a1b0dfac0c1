"""The 汇总 sheet: a row per project and the 合计 row as formulas over the project sheets, and its chart."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import TYPE_CHECKING

from xlgoals.core import layout
from xlgoals.core.model import MONEY_FIELDS
from xlgoals.core.values import CellValue
from xlgoals.core.vocabulary import KIND_ZH, MONEY_ZH, NOT_FILLED, UNREADABLE
from xlgoals.io.presentation import WAN, MoneyUnit, in_unit, money_format
from xlgoals.io.sheetplan import POINTS_PER_CM, BarChart, Formula, PlanValue, SheetPlan, excel_number
from xlgoals.unit.rollup import ProjectRollup, UnitRollup
from xlgoals.unit.selfevalsummary import selfeval_plan
from xlgoals.validation.findings import Severity

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from xlgoals.io.files import BookGrid

SUMMARY_TITLE = "项目支出汇总"
PROJECT_HEADER_ROW = layout.SUMMARY_HEADER_ROW
MONEY_HEADERS: tuple[str, ...] = (*MONEY_ZH.values(), "同比增减额（元）")
PROJECT_HEADERS: tuple[str, ...] = (
    "序号",
    "工作表",
    "项目名称",
    *MONEY_HEADERS,
    "同比增减率",
    "上年执行率",
    "指标数",
    "错误",
    "警告",
    "提示",
)
MONEY_COLUMN = {f: layout.SUMMARY_MONEY_COLUMN + i for i, f in enumerate(MONEY_FIELDS)}
TOTAL_LABEL = "合计"
INDICATOR_TITLE = "指标统计"
INDICATOR_HEADERS: tuple[str, ...] = ("一级目标", "指标数", *KIND_ZH.values())
INDICATOR_COLUMN = layout.SUMMARY_INDICATOR_COLUMN
PERCENT_FORMAT = "0.00%"
CHANGE_COLUMN = layout.SUMMARY_MONEY_COLUMN + len(MONEY_FIELDS)
RATE_COLUMNS = (CHANGE_COLUMN + 1, CHANGE_COLUMN + 2)
# A chart of figures in the millions reads better in 万元.
CHART_WAN_FROM = Decimal(1_000_000)

_WIDTHS: dict[str, float] = {}


def _col(name: str) -> str:
    return layout.column_letters(MONEY_COLUMN[name] if name in MONEY_COLUMN else {"change": CHANGE_COLUMN}[name])


def _money_formula(r: ProjectRollup, field: str, unit: MoneyUnit) -> Formula | Decimal | str | None:
    value = in_unit(r.money[field], unit)
    source = r.sources.get(field)
    if not r.sheet or source is None:
        return UNREADABLE if field in r.uncounted else value
    # The project sheet is the source: editing a budget there changes 汇总 when the workbook recalculates. An
    # error value or text (三十万) there shows as 无法读取, which SUM leaves out and the note under the table
    # counts; only a blank cell is blank (text used to turn into "" too: a total short by an amount unsaid).
    cell, scale = source
    ref = f"{layout.quote_sheet(r.sheet)}!{cell}"
    factor = Decimal(scale) / (WAN if unit is MoneyUnit.WAN else 1)
    scaled = ref if factor == 1 else f"{ref}*{excel_number(factor)}"
    cached = UNREADABLE if field in r.uncounted else _cached(value)
    unreadable = f'"{UNREADABLE}"'
    blank_or_not = f'IF(TRIM({ref})="","",{unreadable})'
    return Formula(f"IF(ISNUMBER({ref}),{scaled},IF(ISERROR({ref}),{unreadable},{blank_or_not}))", cached)


def _cached(value: Decimal | None) -> int | float | str:
    return "" if value is None else excel_number(value)


def _rate(value: Decimal | None) -> int | float | str:
    # Percentages are stored as fractions so Excel's % format, sorting and formulas work on them.
    return "" if value is None else excel_number(value / 100)


def _counts(r: ProjectRollup | UnitRollup) -> list[CellValue]:
    return [None if r.findings is None else r.findings.get(sev.value, 0) for sev in Severity]


def _project_row(plan: SheetPlan, i: int, p: ProjectRollup, unit: MoneyUnit) -> int:
    row = PROJECT_HEADER_ROW + i
    this, last, done = (f"{_col(f)}{row}" for f in ("budget_year", "last_year_budget", "last_year_executed"))
    change = f"{_col('change')}{row}"
    figures: list[PlanValue] = [_money_formula(p, f, unit) for f in MONEY_FIELDS]
    figures += [
        Formula(
            f'IF(AND(ISNUMBER({this}),ISNUMBER({last})),{this}-{last},"")', _cached(in_unit(p.change.amount, unit))
        ),
        Formula(f'IF(AND(ISNUMBER({change}),N({last})<>0),{change}/{last},"")', _rate(p.change.percent)),
        Formula(f'IF(AND(ISNUMBER({done}),N({last})<>0),{done}/{last},"")', _rate(p.execution_rate)),
    ]
    plan.add(i, p.sheet, p.name, *figures, p.indicators.total, *_counts(p))
    return row


def _total_row(plan: SheetPlan, r: UnitRollup, unit: MoneyUnit) -> int:
    row = PROJECT_HEADER_ROW + len(r.projects) + 1
    if not r.projects:
        return plan.add(None, None, TOTAL_LABEL, *[0] * len(MONEY_FIELDS), None, None, None, 0, *_counts(r))

    def span(field: str) -> str:
        return f"{_col(field)}{PROJECT_HEADER_ROW + 1}:{_col(field)}{row - 1}"

    last, change, done = span("last_year_budget"), span("change"), span("last_year_executed")
    base = f"SUMPRODUCT(--ISNUMBER({change}),{last})"
    figures: list[PlanValue] = [Formula(f"SUM({span(f)})", _cached(in_unit(r.totals[f], unit))) for f in MONEY_FIELDS]
    figures += [
        Formula(f"SUM({change})", _cached(in_unit(r.change.amount or Decimal(0), unit))),
        Formula(f'IF({base}=0,"",SUM({change})/{base})', _rate(r.change.percent)),
        # Over the projects whose two last-year figures both read: one shown as 无法读取 takes its pair out.
        Formula(
            f'IF(SUM({last})=0,"",(SUM({done})-SUMIF({last},"{UNREADABLE}",{done}))'
            f'/(SUM({last})-SUMIF({done},"{UNREADABLE}",{last})))',
            _rate(r.execution_rate),
        ),
    ]
    return plan.add(None, None, TOTAL_LABEL, *figures, r.indicators.total, *_counts(r), bold=True)


def _new_projects_row(plan: SheetPlan, r: UnitRollup, unit: MoneyUnit, total_row: int) -> None:
    first, last = PROJECT_HEADER_ROW + 1, total_row - 1
    # Blank, not 无法读取: a last-year budget that cannot be read does not make a project new.
    no_last_year = f'--({_col("last_year_budget")}{first}:{_col("last_year_budget")}{last}="")'
    count = len(r.new_projects)
    label = Formula(
        f'"其中新增项目（无上年预算，不计入同比）"&SUMPRODUCT({no_last_year})&" 个"',
        f"其中新增项目（无上年预算，不计入同比）{count} 个",
    )
    sums: list[PlanValue] = []
    for f in ("budget_total", "budget_year"):
        value = sum((p.money[f] or Decimal(0) for p in r.new_projects), Decimal(0))
        cells = f"{_col(f)}{first}:{_col(f)}{last}"
        sums.append(Formula(f"SUMPRODUCT({no_last_year},{cells})", _cached(in_unit(value, unit))))
    row = plan.add(None, None, label, *sums)
    for col in (MONEY_COLUMN["budget_total"], MONEY_COLUMN["budget_year"]):
        plan.format(row, col, money_format(0, unit))


def _uncounted_rows(plan: SheetPlan, r: UnitRollup, total_row: int) -> None:
    """A line that counts, as the workbook recalculates, the amounts shown as 无法读取 (left out of 合计); and
    which they were when this sheet was made."""
    first, last = PROJECT_HEADER_ROW + 1, total_row - 1
    left, right = (layout.column_letters(c) for c in (min(MONEY_COLUMN.values()), max(MONEY_COLUMN.values())))
    cells = f"{left}{first}:{right}{last}"
    count = f'COUNTIF({cells},"{UNREADABLE}")'
    note = "项金额无法读取（错误值、未计算的公式或以文字填写的金额），未计入合计与同比，见标为“无法读取”的单元格。"
    cached = f"注意：有 {len(r.uncounted)} {note}" if r.uncounted else ""
    plan.add(Formula(f'IF({count}=0,"","注意：有 "&{count}&" {note}")', cached))
    if r.uncounted:
        plan.add("生成本表时无法读取：" + "；".join(u.describe() for u in r.uncounted) + "。")


def summary_plan(r: UnitRollup, unit: MoneyUnit = MoneyUnit.YUAN) -> SheetPlan:
    """The 汇总 sheet as data: a row per project and the 合计 row as formulas over the project sheets,
    new projects apart, indicator counts and a budget chart (a 自评 workbook's: unit/selfevalsummary.py)."""
    if r.selfeval is not None and len(r.selfeval.projects) == len(r.projects):
        return selfeval_plan(r, unit)
    plan = SheetPlan(layout.SUMMARY_SHEET, widths=dict(_WIDTHS), wrap_columns=frozenset("C"))
    plan.add(SUMMARY_TITLE, bold=True)
    plan.add(r.heading(unit))
    plan.add()
    headers = [h.replace("（元）", f"（{unit}）") for h in PROJECT_HEADERS]
    plan.header(*headers)
    for i, p in enumerate(r.projects, start=1):
        _project_row(plan, i, p, unit)
    total_row = _total_row(plan, r, unit)
    for row in range(PROJECT_HEADER_ROW + 1, total_row + 1):
        source = r.projects[row - PROJECT_HEADER_ROW - 1].money if row < total_row else r.totals
        for f, col in MONEY_COLUMN.items():
            plan.format(row, col, money_format(source[f], unit))
        plan.format(row, CHANGE_COLUMN, money_format(Decimal(0), unit))
        for col in RATE_COLUMNS:
            plan.format(row, col, PERCENT_FORMAT)
    if r.projects:  # always there, so it stays right when a last-year budget is blanked or filled
        _new_projects_row(plan, r, unit, total_row)
        _uncounted_rows(plan, r, total_row)
    plan.add("说明：金额取自各项目表，修改项目表后本表随之重新计算；同比只比较填有上年预算的项目。")
    plan.add()
    plan.add(INDICATOR_TITLE, bold=True)
    # Under the project table, column for column: names under 项目名称, counts under the figures.
    pad = (None,) * (INDICATOR_COLUMN - 1)
    plan.header(*pad, *INDICATOR_HEADERS)
    for name, kinds in r.indicators.by_level1.items():
        plan.add(*pad, name or NOT_FILLED, sum(kinds.values()), *kinds.values())
    plan.add(*pad, TOTAL_LABEL, r.indicators.total, *r.indicators.by_kind.values(), bold=True)
    if r.projects:
        _add_charts(plan, r, unit, total_row)
    plan.freeze_row = PROJECT_HEADER_ROW
    last_column = layout.column_letters(len(PROJECT_HEADERS))
    plan.autofilter = f"A{PROJECT_HEADER_ROW}:{last_column}{max(total_row - 1, PROJECT_HEADER_ROW + 1)}"
    return plan


def _add_charts(plan: SheetPlan, r: UnitRollup, unit: MoneyUnit, total_row: int) -> None:
    """This year's budget of each project as horizontal bars, a label each; more projects than a printed page
    holds take several charts, each whole on its page (never split, never a label skipped for room)."""
    wan = unit is MoneyUnit.WAN or r.totals["budget_year"] >= CHART_WAN_FROM
    shown = MoneyUnit.WAN if wan else unit
    n = len(r.projects)
    charts = -(-n // BarChart.bars_per_page(plan.page_height()))
    size = -(-n // charts)
    anchor = len(plan.rows) + 2
    for k, first in enumerate(range(0, n, size), start=1):
        last = min(first + size, n)
        height = BarChart.height_for(last - first)
        part = f"，第 {first + 1}–{last} 个项目" if charts > 1 else ""
        plan.charts.append(
            BarChart(
                f"各项目当年预算（{shown}{part}）",
                str(shown),
                label_column=3,
                value_column=MONEY_COLUMN["budget_year"],
                header_row=PROJECT_HEADER_ROW,
                first_row=PROJECT_HEADER_ROW + 1 + first,
                last_row=PROJECT_HEADER_ROW + last,
                anchor=f"B{anchor}",
                # Values stay in the sheet's unit; the axis shows them in 万元.
                axis_wan=wan and unit is MoneyUnit.YUAN,
                height=height,
                new_page=k > 1 or plan.starts_a_page_at(anchor, height),
            )
        )
        # The next chart under this one, on rows of the default height.
        anchor += -(-int(height * POINTS_PER_CM) // 15) + 2


def cover_money_unit(cover: layout.Grid | None) -> MoneyUnit:
    """The unit the cover asks 汇总 to show money in; 元 unless it says 万元."""
    text = layout.grid_text(cover, layout.COVER_MONEY_UNIT_CELL).strip() if cover is not None else ""
    return MoneyUnit.WAN if text == MoneyUnit.WAN.value else MoneyUnit.YUAN


def write_summary_sheet(wb: Workbook, r: UnitRollup, unit: MoneyUnit = MoneyUnit.YUAN) -> Worksheet:
    """(Re)create the 汇总 sheet in `wb` after the cover: re-running replaces it, so nothing piles up."""
    from xlgoals.io.planrender import render_plan

    index = wb.sheetnames.index(layout.SUMMARY_SHEET) if layout.SUMMARY_SHEET in wb.sheetnames else 1
    return render_plan(wb, summary_plan(r, unit), index=min(index, len(wb.sheetnames)))


def write_back(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    r: UnitRollup,
    unit: MoneyUnit = MoneyUnit.YUAN,
    grids: BookGrid | None = None,
) -> None:
    """Copy `src` to `out` with the 汇总 sheet where it stood (else after the cover); `src` itself is never
    written (`grids`: `src` as the reader read it)."""
    from xlgoals.io.bookedit import edit_copy
    from xlgoals.io.transplant import Placement

    edit_copy(src, out, grids, sheets=[Placement(summary_plan(r, unit), 1, in_place=True)])
