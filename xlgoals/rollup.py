"""Roll a unit's projects up into totals, year-on-year change, execution rate and indicator counts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from xlgoals import layout
from xlgoals.findings import Report, Severity
from xlgoals.model import MONEY_FIELDS, Indicator, Project, Unit
from xlgoals.sheetplan import BarChart, SheetPlan
from xlgoals.values import CellValue, TargetKind

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# 'unparsed' is a value that was filled but did not parse: the reader leaves its target as None.
KINDS: tuple[str, ...] = (*(k.value for k in TargetKind), "unparsed")
KIND_ZH: dict[str, str] = {
    "quantitative": "定量",
    "qualitative": "定性",
    "descriptive": "描述",
    "schedule": "期限",
    "empty": "空白",
    "unparsed": "无法识别",
}
MONEY_ZH: dict[str, str] = {
    "budget_total": "项目总预算（元）",
    "budget_year": "项目当年预算（元）",
    "last_year_budget": "上年预算额（元）",
    "last_year_executed": "上年执行数（元）",
}
_PCT = Decimal("0.01")


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole in percent to two places; None when either is blank or whole is zero (no base)."""
    if part is None or whole is None or whole == 0:
        return None
    return (part * 100 / whole).quantize(_PCT, rounding=ROUND_HALF_UP)


def indicator_kind(ind: Indicator) -> str:
    if ind.target is None:
        return "unparsed" if ind.value.strip() else "empty"
    return ind.target.kind.value


@dataclass(frozen=True)
class IndicatorCounts:
    """How many indicators, per kind and per level-1 x kind (level-1 in order of first appearance)."""

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    by_level1: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, indicators: list[Indicator]) -> IndicatorCounts:
        by_kind = dict.fromkeys(KINDS, 0)
        by_level1: dict[str, dict[str, int]] = {}
        for ind in indicators:
            kind = indicator_kind(ind)
            by_kind[kind] += 1
            by_level1.setdefault(ind.level1, dict.fromkeys(KINDS, 0))[kind] += 1
        return cls(len(indicators), by_kind, by_level1)

    def level1_totals(self) -> dict[str, int]:
        return {name: sum(kinds.values()) for name, kinds in self.by_level1.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_kind": dict(self.by_kind),
            "by_level1": {name: {"total": sum(k.values()), **k} for name, k in self.by_level1.items()},
        }


@dataclass(frozen=True)
class Change:
    """This year's budget against last year's: the amount and, where last year is known, the percentage."""

    amount: Decimal | None
    percent: Decimal | None

    @classmethod
    def of(cls, this_year: Decimal | None, last_year: Decimal | None) -> Change:
        if this_year is None or last_year is None:
            return cls(None, None)
        amount = this_year - last_year
        return cls(amount, percent(amount, last_year))


def _dec(value: Decimal | None) -> str | None:
    # Strings, like the model's JSON: finance figures must not pass through binary floats.
    return None if value is None else str(value)


def _money_dict(money: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {k: _dec(v) for k, v in money.items()}


@dataclass(frozen=True)
class ProjectRollup:
    name: str
    sheet: str
    money: dict[str, Decimal | None]
    change: Change
    execution_rate: Decimal | None
    indicators: IndicatorCounts
    findings: dict[str, int] | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sheet": self.sheet, "money": _money_dict(self.money), **_figures(self)}


@dataclass(frozen=True)
class UnitRollup:
    """A unit's roll-up: blanks count as zero in totals, but a per-project rate needs both figures."""

    unit: str
    year: int | None
    framework: str
    department: str
    source: str | None
    projects: list[ProjectRollup]
    totals: dict[str, Decimal]
    change: Change
    execution_rate: Decimal | None
    indicators: IndicatorCounts
    # None when no report was given; otherwise per severity over the whole workbook (unit-level too).
    findings: dict[str, int] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "year": self.year,
            "framework": self.framework,
            "department": self.department,
            "source": self.source,
            "totals": {k: str(v) for k, v in self.totals.items()},
            **_figures(self),
            "projects": [p.to_dict() for p in self.projects],
        }


def _figures(r: ProjectRollup | UnitRollup) -> dict[str, Any]:
    """The figures a project and a unit both report, in JSON form."""
    return {
        "change": {"amount": _dec(r.change.amount), "percent": _dec(r.change.percent)},
        "execution_rate": _dec(r.execution_rate),
        "indicators": r.indicators.to_dict(),
        "findings": r.findings,
    }


def project_key(project: Project) -> str:
    """How findings name a project: its name, or its sheet while the name is blank."""
    return project.name or project.sheet or ""


def roll_up_project(project: Project, findings: dict[str, int] | None = None) -> ProjectRollup:
    money: dict[str, Decimal | None] = {f: getattr(project, f) for f in MONEY_FIELDS}
    return ProjectRollup(
        name=project.name,
        sheet=project.sheet or "",
        money=money,
        change=Change.of(project.budget_year, project.last_year_budget),
        execution_rate=percent(project.last_year_executed, project.last_year_budget),
        indicators=IndicatorCounts.of(project.indicators),
        findings=findings,
    )


def roll_up(unit: Unit, report: Report | None = None) -> UnitRollup:
    """Totals over the unit's projects; findings per severity come from `report` when given."""
    per_project = report.per_project() if report is not None else {}
    projects = [
        roll_up_project(
            p,
            per_project.get(project_key(p), dict.fromkeys((s.value for s in Severity), 0))
            if report is not None
            else None,
        )
        for p in unit.projects
    ]
    totals = unit.money_totals()
    return UnitRollup(
        unit=unit.name,
        year=unit.year,
        framework=unit.framework,
        department=unit.department,
        source=unit.source,
        projects=projects,
        totals=totals,
        # A project new this year has no last-year figure; it counts as zero in the unit's comparison.
        change=Change.of(totals["budget_year"], totals["last_year_budget"]),
        execution_rate=percent(totals["last_year_executed"], totals["last_year_budget"]),
        indicators=IndicatorCounts.of([i for p in unit.projects for i in p.indicators]),
        findings=report.counts() if report is not None else None,
    )


# --- the 汇总 sheet ---------------------------------------------------------------------------------

SUMMARY_TITLE = "项目支出汇总"
PROJECT_HEADER_ROW = 4
PROJECT_HEADERS: tuple[str, ...] = (
    "序号",
    "工作表",
    "项目名称",
    *MONEY_ZH.values(),
    "同比增减额（元）",
    "同比增减率",
    "上年执行率",
    "指标数",
    "错误",
    "警告",
    "提示",
)
MONEY_COLUMN = {f: 4 + i for i, f in enumerate(MONEY_FIELDS)}
TOTAL_LABEL = "合计"
INDICATOR_TITLE = "指标统计"
INDICATOR_HEADERS: tuple[str, ...] = ("一级目标", "指标数", *KIND_ZH.values())
PERCENT_FORMAT = "0.00%"
MONEY_FORMAT = "#,##0.00"
CHANGE_COLUMN = 4 + len(MONEY_FIELDS)
RATE_COLUMNS = (CHANGE_COLUMN + 1, CHANGE_COLUMN + 2)
CHART_TITLE = "各项目当年预算（元）"
_WIDTHS = (6, 10, 34, 16, 16, 16, 16, 16, 11, 11, 8, 6, 6, 6)
_LETTERS = [layout.column_letters(i) for i in range(1, len(_WIDTHS) + 1)]


def _figure_row(plan: SheetPlan, first: tuple[CellValue, ...], r: ProjectRollup | UnitRollup) -> int:
    money = r.money if isinstance(r, ProjectRollup) else r.totals
    # Percentages are stored as fractions so Excel's % format, sorting and formulas work on them.
    rates = [None if pct is None else pct / 100 for pct in (r.change.percent, r.execution_rate)]
    counts = [None if r.findings is None else r.findings.get(sev.value, 0) for sev in Severity]
    row = plan.add(*first, *(money[f] for f in MONEY_FIELDS), r.change.amount, *rates, r.indicators.total, *counts)
    for col in (*MONEY_COLUMN.values(), CHANGE_COLUMN):
        plan.format(row, col, MONEY_FORMAT)
    for col in RATE_COLUMNS:
        plan.format(row, col, PERCENT_FORMAT)
    return row


def summary_info(r: UnitRollup) -> str:
    parts = [f"申报单位：{r.unit or '（未填）'}", f"年度：{r.year or '（未填）'}"]
    if r.framework:
        parts.append(f"指标体系：{r.framework}")
    if r.department:
        parts.append(f"主管部门：{r.department}")
    return "　".join(parts)


def summary_plan(r: UnitRollup) -> SheetPlan:
    """The 汇总 sheet as data: a row per project, the 合计 row, indicator counts and a budget chart."""
    plan = SheetPlan(layout.SUMMARY_SHEET, widths=dict(zip(_LETTERS, _WIDTHS, strict=True)))
    plan.add(SUMMARY_TITLE, bold=True)
    plan.add(summary_info(r))
    plan.add()
    plan.header(*PROJECT_HEADERS)
    first = PROJECT_HEADER_ROW + 1
    for i, p in enumerate(r.projects, start=1):
        _figure_row(plan, (i, p.sheet, p.name), p)
    total_row = _figure_row(plan, (None, None, TOTAL_LABEL), r)
    plan.bold_rows.append(total_row)
    plan.add()
    plan.add(INDICATOR_TITLE, bold=True)
    plan.header(*INDICATOR_HEADERS)
    for name, kinds in r.indicators.by_level1.items():
        plan.add(name or "（未填）", sum(kinds.values()), *kinds.values())
    plan.add(TOTAL_LABEL, r.indicators.total, *r.indicators.by_kind.values(), bold=True)
    if r.projects:
        plan.chart = BarChart(
            CHART_TITLE,
            "元",
            label_column=3,
            value_column=MONEY_COLUMN["budget_year"],
            header_row=PROJECT_HEADER_ROW,
            first_row=first,
            last_row=total_row - 1,
            anchor=f"B{len(plan.rows) + 2}",
        )
    plan.freeze_row = PROJECT_HEADER_ROW
    return plan


def write_summary_sheet(wb: Workbook, r: UnitRollup) -> Worksheet:
    """(Re)create the 汇总 sheet in `wb` after the cover: re-running replaces it, so nothing piles up."""
    from xlgoals.writeback import render_plan

    index = wb.sheetnames.index(layout.SUMMARY_SHEET) if layout.SUMMARY_SHEET in wb.sheetnames else 1
    return render_plan(wb, summary_plan(r), index=min(index, len(wb.sheetnames)))


def write_back(src: str | os.PathLike[str], out: str | os.PathLike[str], r: UnitRollup) -> None:
    """Copy `src` to `out` with the 汇总 sheet; `src` itself is never written."""
    from xlgoals.writeback import edit_copy

    edit_copy(src, out, lambda wb: write_summary_sheet(wb, r))
