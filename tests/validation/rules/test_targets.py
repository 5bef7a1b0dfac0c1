"""validation/rules/targets.py: every indicator has a target that parses, a percentage in range, a satisfaction
floor, units that agree, a number or a grade word rather than a sentence or a vague word."""

from __future__ import annotations

from tests.builders.checks import checks_in, run_check
from tests.builders.units import indicator, indicators, project, unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import targets

RS = load_ruleset("shanghai-2020")


def _fired(name: str, value: str) -> list[str]:
    quantity = RS.roles.quantity[0]
    extra = indicator(RS.level1_by_level2[quantity], quantity, name, value)
    u = unit(RS, project(RS, indicators=[*indicators(RS), extra]))
    return [i.name for i in checks_in(targets) if any(h.indicator is extra for h in run_check(i.fn, u, RS))]


def test_a_valid_table_passes() -> None:
    u = unit(RS)
    assert [i.name for i in checks_in(targets) if run_check(i.fn, u, RS)] == []


def test_each_fault_its_own_check() -> None:
    assert _fired("培训场次", "") == ["target_present"]
    assert _fired("覆盖率", "120%") == ["percent_range"]
    assert _fired("培训人数（人）", ">=30场") == ["units_agree"]
    assert _fired("培训场次", "很多") == ["target_vague"]
    assert _fired("满意度", ">=60%") == ["satisfaction_floor"]
    assert _fired("培训场次", ">=3场") == []
    assert run_check(targets.percent_range, unit(RS), RS, low=0.0, high=100.0) == []
