"""Units, subtotals and the department total, and the check that every figure adds up before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import MONEY_FIELDS
from xlgoals.core.vocabulary import MONEY_ZH
from xlgoals.io.rowxml import Row
from xlgoals.jobs.consolidate.ledger import LedgerEntry
from xlgoals.jobs.consolidate.tables import ZERO
from xlgoals.validation.findings import Severity
from xlgoals.validation.ruleset import framework_title


class ReconciliationError(XlgoalsError):
    """The summary's figures do not add up; nothing is written."""

    code = "consolidate.reconcile"


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

    def row(self) -> Row:
        return (
            self.group or None,
            self.unit or None,
            self.year,
            framework_title(self.framework) or None,
            self.department or None,
            self.file,
            self.projects,
            self.indicators,
            *(self.totals[f] for f in MONEY_FIELDS),
            *(self.counts.get(s.value, 0) for s in Severity),
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

    @classmethod
    def of(cls, label: str, group: str, rows: Sequence[UnitSummary | Aggregate]) -> Aggregate:
        return cls(
            label,
            group,
            sum(r.units if isinstance(r, Aggregate) else 1 for r in rows),
            sum(r.projects for r in rows),
            sum(r.indicators for r in rows),
            {f: sum((r.totals[f] for r in rows), ZERO) for f in MONEY_FIELDS},
            {s.value: sum(r.counts.get(s.value, 0) for r in rows) for s in Severity},
        )

    def row(self) -> Row:
        return (
            self.group or None,
            self.label,
            None,
            None,
            None,
            f"{self.units} 个单位",
            self.projects,
            self.indicators,
            *(self.totals[f] for f in MONEY_FIELDS),
            *(self.counts[s.value] for s in Severity),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "group": self.group,
            "units": self.units,
            "projects": self.projects,
            "indicators": self.indicators,
            "totals": {k: str(v) for k, v in self.totals.items()},
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
