"""jobs/consolidate/reconcile.py: subtotals and the department total summed from the units, and the check that
every figure agrees (units, groups, total, project list, ledger) before anything is written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.builders.summaries import unit_summary
from xlgoals.core.model import MONEY_FIELDS
from xlgoals.department.consolidate.ledger import LedgerEntry, Status
from xlgoals.department.consolidate.reconcile import Aggregate, ReconciliationError, UnitSummary, reconcile


def _run() -> tuple[list[UnitSummary], list[Aggregate], Aggregate, dict[str, Decimal]]:
    units = [unit_summary("甲", "一区", 100, 1), unit_summary("乙", "一区", 250, 2), unit_summary("丙", "二区", 40, 1)]
    groups = [Aggregate.of("一区小计", "一区", units[:2]), Aggregate.of("二区小计", "二区", units[2:])]
    total = Aggregate.of("部门合计", "", groups)
    sums = {f: sum((u.totals[f] for u in units), Decimal(0)) for f in MONEY_FIELDS}
    return units, groups, total, sums


def _ledger(units: list[UnitSummary]) -> list[LedgerEntry]:
    return [LedgerEntry(i, u.file, Status.READ, unit=u.unit, projects=u.projects) for i, u in enumerate(units, 1)]


def test_subtotals_and_the_total_add_up() -> None:
    units, groups, total, sums = _run()
    assert (total.units, total.projects, total.indicators) == (3, 4, 12)
    assert total.totals["budget_year"] == Decimal(390) and groups[0].totals["budget_year"] == Decimal(350)
    assert total.counts["error"] == 3
    assert total.row()[0] == "部门合计" and total.row()[-1] == "3 个单位"
    assert Decimal(total.to_dict()["totals"]["budget_year"]) == 390
    reconcile(units, groups, total, sums, 4, {u.file: u.projects for u in units}, _ledger(units), 3)


def test_figures_that_disagree_stop_the_run() -> None:
    units, groups, total, sums = _run()
    by_file = {u.file: u.projects for u in units}
    with pytest.raises(ReconciliationError, match="项目清单合计 389"):
        reconcile(units, groups, total, sums | {"budget_year": Decimal(389)}, 4, by_file, _ledger(units), 3)
    with pytest.raises(ReconciliationError, match="项目数"):
        reconcile(units, groups, total, sums, 5, by_file, _ledger(units), 3)
