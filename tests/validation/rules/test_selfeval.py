"""validation/rules/selfeval.py: a 自评 sheet's checks, each at its cell: an actual missing, a grade word the
target does not know, a shortfall without its reason, budget execution beyond its budget."""

from __future__ import annotations

from decimal import Decimal

from tests.builders.checks import checks_in, run_check
from tests.builders.selfeval_years import selfeval_2020
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import selfeval

RS = load_ruleset("shanghai-2020")


def test_a_complete_selfeval_passes() -> None:
    unit = selfeval_2020()
    assert {i.name: run_check(i.fn, unit, RS) for i in checks_in(selfeval)} == {i.name: [] for i in checks_in(selfeval)}


def test_each_fault_at_its_cell() -> None:
    unit = selfeval_2020()
    rows = unit.projects[0].indicators
    rows[0].actual = ""  # 资金到位率(%): no actual
    rows[1].actual = "abc"  # 资金使用合规性 (合规): no level the target knows
    rows[5].reason = ""  # 邀请演讲专家数: 72 of >=80, now without its reason
    found = {i.name: [(h.cell, h.field) for h in run_check(i.fn, unit, RS)] for i in checks_in(selfeval)}
    assert {name: hits for name, hits in found.items() if hits} == {
        "actual_present": [("E12", "actual")],
        "actual_level": [("E13", "actual")],
        "shortfall_explained": [("H17", "reason")],
    }


def test_execution_beyond_the_budget() -> None:
    unit = selfeval_2020()
    project = unit.projects[0]
    project.budget_executed = (project.budget_adjusted or Decimal(0)) * 2
    (hit,) = run_check(selfeval.execution_within_budget, unit, RS)
    assert hit.field == "budget_executed" and hit.params["rate"]
