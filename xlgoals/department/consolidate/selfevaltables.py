"""The department summary's 自评 view: 自评汇总 (a row per unit, the department's total) and 自评项目 (per project).

Written only when some input is a 自评 workbook; the figures are the rule set's (unit/selfevalfigures.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlgoals.io.rowxml import Column, Row
from xlgoals.unit.selfevalfigures import GOOD, PASS, UnitSelfeval, merged

UNITS_SHEET = "自评汇总"
PROJECTS_SHEET = "自评项目"
_KEYS = (Column("分组", width=14), Column("单位", width=36), Column("年度", "int", 6), Column("文件", width=24))
_MONEY = (Column("全年预算数（元）", "money", 16), Column("全年执行数（元）", "money", 16))
UNIT_COLUMNS: tuple[Column, ...] = (
    *_KEYS,
    Column("自评项目数", "int", 12),
    *_MONEY,
    Column("执行率（%）", "number", 12),
    Column("平均总分", "number", 10),
    Column("最低总分", "number", 10),
    Column(f"低于{GOOD}分项目", "int", 14),
    Column(f"低于{PASS}分项目", "int", 14),
    Column("未完成指标", "int", 12),
    Column("其中未说明原因", "int", 16),
)
PROJECT_COLUMNS: tuple[Column, ...] = (
    *_KEYS,
    Column("工作表", width=9),
    Column("项目名称", width=30),
    *_MONEY,
    Column("执行率（%）", "number", 12),
    Column("执行得分", "number", 10),
    Column("指标得分", "number", 10),
    Column("总分", "number", 8),
    Column("等级", width=6),
    Column("未完成指标", "int", 12),
    Column("其中未说明原因", "int", 16),
    Column("未计分指标", "int", 12),
)
DEPARTMENT_TOTAL = "部门合计"
# The 自评 view's CSV/Parquet copies, beside the other tables' (header only when no input is a 自评, as the
# workbook then has no such sheet): 自评汇总 with its 部门合计 row, 自评项目, money in 元 as every copy.
EXPORT_COLUMNS: dict[str, tuple[Column, ...]] = {UNITS_SHEET: UNIT_COLUMNS, PROJECTS_SHEET: PROJECT_COLUMNS}


def _percent(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class UnitRow:
    """One unit's 自评 as the summary lists it."""

    group: str
    unit: str
    year: int | None
    file: str
    figures: UnitSelfeval

    def row(self) -> Row:
        return _unit_row(self.group or None, self.unit or None, self.year, self.file, self.figures)

    def project_rows(self) -> list[Row]:
        return [
            (
                self.group or None,
                self.unit or None,
                self.year,
                self.file,
                p.sheet,
                p.name,
                p.budget,
                p.executed,
                _percent(p.rate),
                p.execution_score,
                p.indicator_score,
                p.total,
                p.grade,
                p.shortfalls,
                p.unexplained,
                p.unscored,
            )
            for p in self.figures.projects
        ]


def _unit_row(group: str | None, unit: str | None, year: int | None, file: str, f: UnitSelfeval) -> Row:
    return (
        group,
        unit,
        year,
        file,
        len(f.projects),
        f.budget,
        f.executed,
        _percent(f.rate),
        f.mean,
        f.lowest,
        f.under(GOOD),
        f.under(PASS),
        f.shortfalls,
        f.unexplained,
    )


def unit_rows(units: Sequence[UnitRow]) -> list[Row]:
    """自评汇总's rows: each unit, then the department's total (its 平均总分 over every project)."""
    total = merged([u.figures for u in units])
    return [*(u.row() for u in units), _unit_row(None, DEPARTMENT_TOTAL, None, f"{len(units)} 个单位", total)]


def selfeval_dict(units: Sequence[UnitRow]) -> dict[str, Any]:
    """The 自评 view as JSON: each unit's figures and the department's."""
    return {
        "units": [{"unit": u.unit, "year": u.year, "file": u.file, **u.figures.to_dict()} for u in units],
        "total": merged([u.figures for u in units]).to_dict(),
    }
