"""单位汇总's rows in memory: a unit's summary with its budgets, as a consolidation run makes one per unit read."""

from __future__ import annotations

from decimal import Decimal

from xlgoals.core.model import MONEY_FIELDS
from xlgoals.department.consolidate.reconcile import UnitSummary


def unit_summary(
    name: str, group: str, budget: int, projects: int, *, department: str = "上海市科学技术委员会", year: int = 2020
) -> UnitSummary:
    """`name`'s row: `projects` projects of three indicators each, `budget` yuan this year, one error found."""
    totals = {f: Decimal(0) for f in MONEY_FIELDS} | {"budget_year": Decimal(budget), "budget_total": Decimal(budget)}
    return UnitSummary(
        group, name, year, "上海市", department, f"{name}.xlsx", projects, 3 * projects, totals, {"error": 1}
    )
