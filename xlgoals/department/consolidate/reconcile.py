"""Units, subtotals and the department total, and the check that every figure adds up before anything is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import MONEY_FIELDS
from xlgoals.core.ruleset import framework_title
from xlgoals.core.vocabulary import MONEY_ZH
from xlgoals.core.yearonyear import YearOnYear
from xlgoals.department.consolidate.ledger import LedgerEntry
from xlgoals.department.consolidate.tables import ZERO
from xlgoals.io.rowxml import Row
from xlgoals.validation.findings import Severity


class ReconciliationError(XlgoalsError):
    """The summary's figures do not add up; nothing is written."""

    code = "consolidate.reconcile"


def _figures(
    group: str, projects: int, indicators: int, totals: dict[str, Decimal], yoy: YearOnYear, counts: dict[str, int]
) -> tuple[Any, ...]:
    """单位汇总's figures, from 项目数 to 上年执行数, in its column order."""
    return (
        projects,
        indicators,
        totals["budget_total"],
        totals["budget_year"],
        yoy.this_year if yoy.compared else None,
        yoy.last_year if yoy.compared else None,
        yoy.percent,
        yoy.new,
        yoy.new_this_year,
        *(counts.get(s.value, 0) for s in Severity),
        group or None,
        totals["last_year_budget"],
        totals["last_year_executed"],
    )


@dataclass(frozen=True)
class UnitSummary:
    """单位汇总's row of one unit read."""

    group: str
    unit: str
    year: int | None
    framework: str
    department: str
    file: str
    projects: int
    indicators: int
    totals: dict[str, Decimal]
    counts: dict[str, int]
    year_on_year: YearOnYear = field(default_factory=YearOnYear)
    # Indicators per kind (定量, 定性 …), the path as the workbook shows it.
    kinds: dict[str, int] = field(default_factory=dict)
    label: str = ""

    def row(self, shown: bool = False) -> Row:
        """The row as exported (`file` as given), or as the workbook shows it (`shown`: the path relative)."""
        return (
            self.unit or None,
            *_figures(self.group, self.projects, self.indicators, self.totals, self.year_on_year, self.counts),
            self.year,
            framework_title(self.framework) or None,
            self.department or None,
            (self.label or self.file) if shown else self.file,
        )


@dataclass(frozen=True)
class Aggregate:
    """A subtotal or the department total: units, projects, indicators, money and findings summed."""

    label: str
    group: str
    units: int
    projects: int
    indicators: int
    totals: dict[str, Decimal]
    counts: dict[str, int]
    year_on_year: YearOnYear = field(default_factory=YearOnYear)
    kinds: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, label: str, group: str, rows: Sequence[UnitSummary | Aggregate]) -> Aggregate:
        kinds: dict[str, int] = {}
        for r in rows:
            for kind, n in r.kinds.items():
                kinds[kind] = kinds.get(kind, 0) + n
        return cls(
            label,
            group,
            sum(r.units if isinstance(r, Aggregate) else 1 for r in rows),
            sum(r.projects for r in rows),
            sum(r.indicators for r in rows),
            {f: sum((r.totals[f] for r in rows), ZERO) for f in MONEY_FIELDS},
            {s.value: sum(r.counts.get(s.value, 0) for r in rows) for s in Severity},
            YearOnYear.total(r.year_on_year for r in rows),
            kinds,
        )

    def row(self, shown: bool = False) -> Row:
        return (
            self.label,
            *_figures(self.group, self.projects, self.indicators, self.totals, self.year_on_year, self.counts),
            None,
            None,
            None,
            f"{self.units} 个单位",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "group": self.group,
            "units": self.units,
            "projects": self.projects,
            "indicators": self.indicators,
            "totals": {k: str(v) for k, v in self.totals.items()},
            "year_on_year": self.year_on_year.to_dict(),
            "findings": dict(self.counts),
        }


def reconcile(
    units: list[UnitSummary],
    groups: list[Aggregate],
    total: Aggregate,
    project_sums: dict[str, Decimal],
    project_rows: int,
    project_rows_by_file: dict[str, int],
    ledger: list[LedgerEntry],
    n_inputs: int,
) -> None:
    problems: list[str] = []
    for f in MONEY_FIELDS:
        by_units = sum((u.totals[f] for u in units), ZERO)
        by_groups = sum((g.totals[f] for g in groups), ZERO) if groups else by_units
        if not total.totals[f] == by_units == by_groups == project_sums[f]:
            problems.append(
                f"{MONEY_ZH[f]}：部门合计 {total.totals[f]}，单位合计 {by_units}，"
                f"分组小计 {by_groups}，项目清单合计 {project_sums[f]}"
            )
    if sum(u.projects for u in units) != project_rows or total.projects != project_rows:
        problems.append(f"项目数：单位汇总 {total.projects}，项目清单 {project_rows}")
    for u in units:
        if project_rows_by_file.get(u.file, 0) != u.projects:
            problems.append(f"{u.file} 的项目没有全部列入项目清单")
    if len(ledger) != n_inputs:
        problems.append(f"台账 {len(ledger)} 行，输入文件 {n_inputs} 个")
    if problems:
        raise ReconciliationError("汇总数据核对不一致，未写出汇总表：" + "；".join(problems))


def mixed_years(units: Sequence[UnitSummary]) -> list[str]:
    """A file of another year in the inbox (last year's workbook sent again) is summed into 部门合计 like any
    other: say which files stand apart from the year most units declare, so the reviewer can take them out."""
    years = Counter(u.year for u in units if u.year)
    if len(years) < 2:
        return []
    main_year = years.most_common(1)[0][0]
    others = [u for u in units if u.year and u.year != main_year]
    named = "；".join(f"{u.file}（{u.year} 年度）" for u in others[:5]) + (" 等" if len(others) > 5 else "")
    listing = "，".join(f"{y} 年度 {n} 个" for y, n in sorted(years.items()))
    return [
        f"本次汇总的单位工作簿不属同一年度（{listing}），部门合计把不同年度的预算加在一起。多数为 {main_year} 年度，"
        f"其余 {len(others)} 个：{named}。如是误放的往年文件，请移出后重新汇总（年度见各工作簿封面“年度”一栏）。"
    ]
