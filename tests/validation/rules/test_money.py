"""validation/rules/money.py: amounts parse, are not negative, agree with each other and with last year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.builders.checks import checks_in, run_check
from tests.builders.units import project, unit
from xlgoals.core.ruleset import RuleSet, load_ruleset
from xlgoals.validation.rules import money


@pytest.fixture(scope="module")
def rs() -> RuleSet:
    return load_ruleset("national")


def test_a_valid_project_passes_every_money_check(rs: RuleSet) -> None:
    u = unit(rs)
    assert {i.name: run_check(i.fn, u, rs) for i in checks_in(money)} == {i.name: [] for i in checks_in(money)}


def test_this_year_within_the_total(rs: RuleSet) -> None:
    u = unit(rs, project(rs, budget_total=Decimal(500_000), budget_year=Decimal(600_000)))
    (hit,) = run_check(money.year_within_total, u, rs)
    assert hit.field == "budget_year" and hit.cell is not None


def test_funding_adds_up_to_the_years_total(rs: RuleSet) -> None:
    parts = {"budget_fiscal": Decimal(400_000), "budget_other": Decimal(100_000)}
    assert run_check(money.funding_adds_up, unit(rs, project(rs, **parts, budget_year=Decimal(500_000))), rs) == []
    (hit,) = run_check(money.funding_adds_up, unit(rs, project(rs, **parts, budget_year=Decimal(600_000))), rs)
    assert hit.field == "budget_year" and hit.params["sum"] == money.money_text(project(rs), Decimal(500_000))
    noted = project(rs, **parts, budget_year=Decimal(600_000), extra={"上年结转资金": "100000"})
    assert run_check(money.funding_adds_up, unit(rs, noted), rs) == []  # another part makes up the rest


def test_negative_amounts_and_last_years_execution(rs: RuleSet) -> None:
    negative = unit(rs, project(rs, budget_total=Decimal(-1)))
    assert [h.field for h in run_check(money.money_non_negative, negative, rs)] == ["budget_total"]
    over = unit(rs, project(rs, last_year_budget=Decimal(100), last_year_executed=Decimal(120)))
    assert [h.field for h in run_check(money.executed_within_budget, over, rs)] == ["last_year_executed"]


def test_year_on_year_judged_on_the_exact_amounts(rs: RuleSet) -> None:
    jump = unit(
        rs, project(rs, budget_total=Decimal(520_001), budget_year=Decimal(520_001), last_year_budget=Decimal(400_000))
    )
    (hit,) = run_check(money.year_on_year, jump, rs)
    assert hit.params["change"] == "+30.0002%" and hit.params["limit"] == "30"
    assert run_check(money.year_on_year, jump, rs, max_change_percent=50.0) == []
