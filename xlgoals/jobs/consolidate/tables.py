"""The summary's tables: columns, and the rows a unit's projects, indicators and findings make."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from operator import attrgetter
from typing import Literal

from xlgoals.core import layout
from xlgoals.core.layout import (
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    PROJECTS_SHEET,
    SUMMARY_SHEETS,
    UNITS_SHEET,
)
from xlgoals.core.model import MONEY_FIELDS, Project, Unit
from xlgoals.core.targets import Operator, TargetKind
from xlgoals.core.vocabulary import KIND_ZH, MONEY_ZH
from xlgoals.io.rowxml import Column, Row, RowXml, in_wan
from xlgoals.jobs.rollup import indicator_kind
from xlgoals.validation.findings import SEVERITY_ZH, Report

GroupBy = Literal["department", "folder"]
DEPARTMENT_TOTAL = "部门合计"
SUBTOTAL = "小计"
NO_DEPARTMENT = "（未填主管部门）"
ZERO = Decimal("0.00")


def _money_columns() -> tuple[Column, ...]:
    return tuple(Column(MONEY_ZH[f], "money", 16) for f in MONEY_FIELDS)


_FINDING_COUNTS = (Column("错误", "int", 6), Column("警告", "int", 6), Column("提示", "int", 6))
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=14),
    Column("单位", width=44),
    Column("年度", "int", 6),
    Column("指标体系", width=14),
    Column("主管部门", width=16),
    Column("文件", width=24),
    Column("项目数", "int", 7),
    Column("指标数", "int", 7),
    *_money_columns(),
    *_FINDING_COUNTS,
)
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
    Column("指标数", "int", 7),
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
FINDING_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=18),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("文件", width=30),
    Column("项目", width=30),
    Column("工作表", width=8),
    Column("单元格", width=8),
    Column("代码", width=24),
    Column("级别", width=6),
    Column("问题说明", width=60, wrap=True),
    Column("当前值", width=24, wrap=True),
)
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
COLUMNS: dict[str, tuple[Column, ...]] = {
    UNITS_SHEET: UNIT_COLUMNS,
    PROJECTS_SHEET: PROJECT_COLUMNS,
    INDICATORS_SHEET: INDICATOR_COLUMNS,
    FINDINGS_SHEET: FINDING_COLUMNS,
    LEDGER_SHEET: LEDGER_COLUMNS,
}

assert tuple(COLUMNS) == SUMMARY_SHEETS


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
    """校验问题's rows of one file, group column first."""
    return [
        (
            group,
            unit.name,
            unit.year,
            shown,
            f.project,
            f.sheet,
            f.cell,
            f.code,
            SEVERITY_ZH[f.severity],
            f.message,
            f.value,
        )
        for f in report.findings
    ]


PROJECT_XML = RowXml(PROJECT_COLUMNS)
PROJECT_XML_WAN = RowXml(in_wan(PROJECT_COLUMNS))
INDICATOR_XML = RowXml(INDICATOR_COLUMNS)
FINDING_XML = RowXml(FINDING_COLUMNS)


def group_of(department: str, folder: str, group_by: GroupBy | None) -> str:
    """The 分组 a unit falls in for --group-by."""
    if group_by == "department":
        return department or NO_DEPARTMENT
    if group_by == "folder":
        return folder
    return ""
