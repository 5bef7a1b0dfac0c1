"""validation/rules/levels.py: each indicator stands under a known level-1 and a level-2 of its own level-1, is
named, and a count-like level-2 holds a count."""

from __future__ import annotations

from tests.builders.checks import checks_in, run_check
from tests.builders.units import indicator, indicators, project, unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import levels

RS = load_ruleset("shanghai-2020")


def _hits(extra: object) -> dict[str, int]:
    u = unit(RS, project(RS, indicators=[*indicators(RS), extra]))
    return {i.name: len(run_check(i.fn, u, RS)) for i in checks_in(levels)}


def test_a_valid_table_passes() -> None:
    u = unit(RS)
    assert {i.name: run_check(i.fn, u, RS) for i in checks_in(levels)} == {i.name: [] for i in checks_in(levels)}


def test_each_fault_its_own_check() -> None:
    quantity = RS.roles.quantity[0]
    home = RS.level1_by_level2[quantity]
    other = next(lv.name for lv in RS.level1 if lv.name != home)
    assert _hits(indicator("自创一级", quantity, "甲", "3个"))["level1_known"] == 1
    assert _hits(indicator(other, quantity, "乙", "3个"))["level2_placement"] == 1
    assert _hits(indicator(home, quantity, "", "3个"))["indicator_named"] == 1
    assert _hits(indicator(home, quantity, "完成率", "95%"))["quantity_holds_counts"] == 1
    hit = run_check(
        levels.level1_known, unit(RS, project(RS, indicators=[indicator("自创一级", quantity, "甲", "3")])), RS
    )
    assert hit[0].indicator is not None and hit[0].params["choices"]
