"""The summary's tables: columns, and the rows a unit's projects, indicators and findings make."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from operator import attrgetter
from typing import Literal

from xlgoals.core import layout
from xlgoals.core.layout import (
    FINDING_DETAILS_SHEET,
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    OVERVIEW_SHEET,
    PROJECTS_SHEET,
    SUMMARY_SHEETS,
    UNITS_SHEET,
)
from xlgoals.core.model import MONEY_FIELDS, Project, Unit
from xlgoals.core.targets import Operator, TargetKind
from xlgoals.core.vocabulary import KIND_ZH, MONEY_ZH
from xlgoals.department.consolidate.ledger import SHORT_SHA
from xlgoals.io.rowxml import Column, Row, RowXml, in_wan
from xlgoals.io.xlsxstream import PrintPlan
from xlgoals.unit.rollup import indicator_kind
from xlgoals.validation.findings import SEVERITY_ORDER, SEVERITY_ZH, Finding, Report

GroupBy = Literal["department", "folder"]
DEPARTMENT_TOTAL = "部门合计"
SUBTOTAL = "小计"
NO_DEPARTMENT = "（未填主管部门）"
ZERO = Decimal("0.00")

_FINDING_COUNTS = (Column("错误", "count", 5), Column("警告", "count", 5), Column("提示", "count", 5))
# 单位汇总: what a reader compares across units first (printed), then what filters and checks want (not
# printed). Year on year stands on its base: this year's and last year's budgets of the projects that had
# one (可比项目) beside the percentage, new projects apart, so 当年预算 = 可比项目当年 + 新增项目当年.
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("单位", width=38, wrap=True),
    Column("项目数", "count", 6),
    Column("指标数", "count", 7),
    Column(MONEY_ZH["budget_total"], "money", 15),
    Column(MONEY_ZH["budget_year"], "money", 15),
    Column("可比项目当年（元）", "money", 15),
    Column("可比项目上年（元）", "money", 15),
    Column("同比增减（%）", "percent", 9),
    Column("新增项目数", "count", 6),
    Column("新增项目当年（元）", "money", 15),
    *_FINDING_COUNTS,
    # A 小计 row under each group names it: on paper the group column would only repeat it.
    Column("分组", width=16),
    Column(MONEY_ZH["last_year_budget"], "money", 15),
    Column(MONEY_ZH["last_year_executed"], "money", 15),
    Column("年度", "int", 6),
    Column("指标体系", width=14),
    Column("主管部门", width=16),
    Column("文件", width=30),
)
UNITS_PRINTED = 13
_PROJECT_FIELD_COLUMNS = tuple(
    Column(
        spec.label,
        "date" if spec.kind == "date" else "money" if spec.kind == "money" else "text",
        20 if spec.kind == "long" else 12,
    )
    for spec in layout.SUMMARY_PROJECT_FIELDS
)
PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=18),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("文件", width=30),
    Column("工作表", width=8),
    *_PROJECT_FIELD_COLUMNS,
    Column("指标数", "count", 7),
    *_FINDING_COUNTS,
    # Filled-in text that did not parse (e.g. money written as '六十万'): shown so a blank is explained.
    Column("未能识别的填写", width=30),
)
# The longest table (about 330 rows per unit): only the keys and the indicator itself, no group or location
# columns, because every cell here costs time on a department's thousand workbooks.
INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("单位", width=30),
    Column("年度", "int", 6),
    # The sheet is the project's identity: two projects of a unit may share a name.
    Column("工作表", width=8),
    Column("项目名称", width=30),
    Column("一级目标", width=12),
    Column("二级目标", width=12),
    Column("三级目标", width=30),
    Column("指标目标值", width=16),
    Column("比较符", width=6),
    Column("数值", "number", 10),
    Column("计量单位", width=8),
    Column("类型", width=8),
)
# Every finding with its cell (data); the rule code last and small, for whoever needs it.
FINDING_DETAIL_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=18),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("文件", width=30),
    Column("项目", width=30),
    Column("工作表", width=8),
    Column("单元格", width=8),
    Column("级别", width=6),
    Column("问题说明", width=60, wrap=True),
    Column("当前值", width=24, wrap=True),
    Column("代码", "code", 24),
)
# 校验问题, the digest to read: one row per unit and kind of problem, with how many and where.
FINDING_COLUMNS: tuple[Column, ...] = (
    Column("序号", "count", 5),
    Column("单位", width=24, wrap=True),
    Column("级别", width=6),
    Column("问题说明（同类问题举一例）", width=56, wrap=True),
    Column("处数", "count", 6),
    Column("位置", width=40, wrap=True),
    Column("代码", "code", 18),
)
# 台账 as exported (CSV/Parquet): every fact in full, paths as given, the whole SHA-256.
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("序号", "int", 6),
    Column("文件", width=50),
    Column("状态", width=8),
    Column("原因", width=60, wrap=True),
    Column("代码", width=20),
    Column("重复于", width=40),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("SHA-256", width=20),
    Column("读取项目数", "int", 8),
    Column("大小（字节）", "int", 10),
)
# 台账 on paper: paths relative to the folder consolidated, the hash shortened, sizes with separators, the
# code last and small (the reason already names the file a duplicate repeats).
LEDGER_SHEET_COLUMNS: tuple[Column, ...] = (
    Column("序号", "count", 5),
    Column("文件", width=30, wrap=True),
    Column("状态", width=7),
    Column("原因", width=42, wrap=True),
    Column("单位", width=20, wrap=True),
    Column("年度", "int", 6),
    Column("读取项目数", "count", 6),
    Column("大小（字节）", "count", 10),
    Column(f"SHA-256（前 {SHORT_SHA} 位）", width=15),
    Column("代码", "code", 16),
)
# 概况: the headline figures, each with what it is made of.
OVERVIEW_COLUMNS: tuple[Column, ...] = (
    Column("项目", width=22),
    Column("数值", "figure", 22),
    Column("说明", width=76, wrap=True),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    OVERVIEW_SHEET: OVERVIEW_COLUMNS,
    UNITS_SHEET: UNIT_COLUMNS,
    FINDINGS_SHEET: FINDING_COLUMNS,
    LEDGER_SHEET: LEDGER_SHEET_COLUMNS,
    PROJECTS_SHEET: PROJECT_COLUMNS,
    INDICATORS_SHEET: INDICATOR_COLUMNS,
    FINDING_DETAILS_SHEET: FINDING_DETAIL_COLUMNS,
}
assert tuple(COLUMNS) == SUMMARY_SHEETS
# The data exports: every table but 概况, the ledger in full.
EXPORT_COLUMNS: dict[str, tuple[Column, ...]] = {
    name: LEDGER_COLUMNS if name == LEDGER_SHEET else columns
    for name, columns in COLUMNS.items()
    if name != OVERVIEW_SHEET
}
# The pages meant to be read print on A4 at a legible scale; the data sheets print only their note.
DATA_SHEETS = frozenset({PROJECTS_SHEET, INDICATORS_SHEET, FINDING_DETAILS_SHEET})
PRINTING: dict[str, PrintPlan] = {
    name: PrintPlan(data=True) if name in DATA_SHEETS else PrintPlan(UNITS_PRINTED if name == UNITS_SHEET else None)
    for name in SUMMARY_SHEETS
}


def sheet_columns(name: str, wan: bool) -> tuple[Column, ...]:
    """A summary sheet's columns as the workbook shows them (money in 万元 when asked)."""
    return in_wan(COLUMNS[name]) if wan else COLUMNS[name]


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


# The project's summary fields fetched in one C call, and which of them read 是/否.
_SUMMARY_VALUES = attrgetter(*(spec.key for spec in layout.SUMMARY_PROJECT_FIELDS))
_YES_NO_FIELDS = tuple(spec.kind == "yesno" for spec in layout.SUMMARY_PROJECT_FIELDS)


def project_row(group: str | None, unit: Unit, shown: str, p: Project, counts: dict[str, int]) -> Row:
    """项目清单's row of one project, group column first (blank when the run is not grouped)."""
    fields = [
        _yes_no(value) if yes_no else (value if value != "" else None)
        for yes_no, value in zip(_YES_NO_FIELDS, _SUMMARY_VALUES(p), strict=True)
    ]
    # Labelled as the project's own form labels the cell: the text is as written there (in 万元 on the national form).
    notes = [f"{layout.field_of(k, p.cells).label}：{v}" for k, v in p.unparsed.items()]
    notes += _unusable_notes(p)
    unparsed = "；".join(notes) or None
    return (
        group,
        unit.name,
        unit.year,
        shown,
        p.sheet,
        *fields,
        len(p.indicators),
        counts.get("error", 0),
        counts.get("warning", 0),
        counts.get("info", 0),
        unparsed,
    )


def _unusable_notes(p: Project) -> list[str]:
    """The header cells that could not be used, so that a blank amount is explained: never counted."""
    if not p.unusable:
        return []
    notes = []
    for key, cell in p.cells.items():
        problem = p.unusable.get(cell)
        if problem is not None:
            spec = layout.field_of(key, p.cells)
            counted = "，未计入合计" if spec.kind == "money" else ""
            notes.append(f"{spec.label}：{problem.describe()}（{cell}{counted}）")
    return notes


def project_money(p: Project) -> dict[str, Decimal]:
    """A project's money lines as its row shows them (blank as zero), for the reconciliation."""
    return {f: getattr(p, f) or ZERO for f in MONEY_FIELDS}


# Enum members looked up by hash: their .value is a Python-level descriptor, costly on ~330 rows a unit.
_OPERATOR_TEXT: dict[Operator | None, str | None] = {None: None, **{op: op.value for op in Operator}}
_KIND_TEXT = {kind: KIND_ZH[kind.value] for kind in TargetKind}


def indicator_rows(unit: Unit, p: Project) -> Iterator[Row]:
    """指标明细's rows of one project: no group column, this table is the longest."""
    name, year, sheet, project = unit.name, unit.year, p.sheet, p.name
    for ind in p.indicators:
        t = ind.target
        if t is None:
            operator = number = target_unit = None
            kind = KIND_ZH[indicator_kind(ind)]
        else:
            operator, number, target_unit, kind = _OPERATOR_TEXT[t.operator], t.number, t.unit, _KIND_TEXT[t.kind]
        yield (
            name,
            year,
            sheet,
            project,
            ind.level1,
            ind.level2,
            ind.name,
            ind.value or None,
            operator,
            number,
            target_unit,
            kind,
        )


def finding_rows(group: str | None, unit: Unit, shown: str, report: Report) -> list[Row]:
    """问题明细's rows of one file, group column first, the code last."""
    return [
        (
            group,
            unit.name,
            unit.year,
            shown,
            f.project,
            f.sheet,
            f.cell,
            SEVERITY_ZH[f.severity],
            f.message,
            f.value,
            f.code,
        )
        for f in report.findings
    ]


# Cells a 位置 lists before it says how many more there are: the rest are in 问题明细.
_PLACES_SHOWN = 12


def _places(findings: list[Finding]) -> str:
    """Where a kind of problem sits, sheet by sheet: '项目1!D39、D43；项目2!D36'."""
    by_sheet: dict[str, list[str]] = {}
    for f in findings[:_PLACES_SHOWN]:
        by_sheet.setdefault(f.sheet or "", []).append(f.cell or "")
    text = "；".join(
        f"{sheet}!{'、'.join(c for c in cells if c)}" if any(cells) else sheet or "单位信息"
        for sheet, cells in by_sheet.items()
    )
    return text + (f" 等（共 {len(findings)} 处）" if len(findings) > _PLACES_SHOWN else "")


def issue_rows(unit: Unit, report: Report) -> list[Row]:
    """校验问题's digest of one file: per severity and rule, one example, how many, where (序号 left blank)."""
    kinds: dict[tuple[int, str], list[Finding]] = {}
    for f in report.findings:
        kinds.setdefault((SEVERITY_ORDER[f.severity], f.code), []).append(f)
    return [
        (None, unit.name, SEVERITY_ZH[fs[0].severity], fs[0].message, len(fs), _places(fs), code)
        for (_, code), fs in sorted(kinds.items(), key=lambda item: item[0][0])
    ]


PROJECT_XML = RowXml(PROJECT_COLUMNS)
PROJECT_XML_WAN = RowXml(in_wan(PROJECT_COLUMNS))
INDICATOR_XML = RowXml(INDICATOR_COLUMNS)
FINDING_DETAIL_XML = RowXml(FINDING_DETAIL_COLUMNS)


def group_of(department: str, folder: str, group_by: GroupBy | None) -> str:
    """The 分组 a unit falls in for --group-by."""
    if group_by == "department":
        return department or NO_DEPARTMENT
    if group_by == "folder":
        return folder
    return ""
