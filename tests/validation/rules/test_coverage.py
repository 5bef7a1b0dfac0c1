"""validation/rules/coverage.py: the framework's required level-1s and level-2s are covered, names are unique."""

from __future__ import annotations

from tests.builders.checks import checks_in, run_check
from tests.builders.units import indicators, project, unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import coverage

RS = load_ruleset("shanghai-2020")


def test_a_complete_table_passes() -> None:
    u = unit(RS)
    assert {i.name: run_check(i.fn, u, RS) for i in checks_in(coverage) if i.name != "level1_expected"} == {
        "level1_present": [],
        "level2_present": [],
        "indicator_names_unique": [],
    }


def test_an_expected_level_1_missing_is_named_at_the_tables_title() -> None:
    # Shanghai's form has no 成本指标 (its rule set does not ask for it); the check, asked, says so.
    (hit,) = run_check(coverage.level1_expected, unit(RS), RS)
    assert hit.params["missing"] == "成本指标" and hit.cell == "A16"
    assert run_check(coverage.level1_expected, unit(RS), RS, level1="投入与管理") == []


def test_a_required_level_1_missing_is_named() -> None:
    required = next(lv.name for lv in RS.level1 if lv.required)
    without = [i for i in indicators(RS) if i.level1 != required]
    (hit,) = run_check(coverage.level1_present, unit(RS, project(RS, indicators=without)), RS)
    assert required in hit.params["missing"]


def test_a_repeated_name_is_reported_at_its_own_row() -> None:
    table = indicators(RS)
    twice = [*table, table[0].model_copy()]
    (hit,) = run_check(coverage.indicator_names_unique, unit(RS, project(RS, indicators=twice)), RS)
    assert (hit.cell, hit.params["first_cell"]) == (f"C{18 + len(table)}", "C18")
