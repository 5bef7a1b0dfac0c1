"""validation/rules/unit.py: the cover's fields and year, the framework it names, projects present and uniquely
named, every sheet accounted for."""

from __future__ import annotations

from tests.builders.checks import checks_in, run_check
from tests.builders.units import project, unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import unit as unit_checks

RS = load_ruleset("shanghai-2020")


def _fired(u: object) -> list[str]:
    return [i.name for i in checks_in(unit_checks) if run_check(i.fn, u, RS)]  # type: ignore[arg-type]


def test_a_valid_unit_passes() -> None:
    assert _fired(unit(RS)) == []


def test_each_fault_its_own_check() -> None:
    assert _fired(unit(RS, projects=[])) == ["has_projects"]
    assert _fired(unit(RS, name="")) == ["cover_required"]
    assert _fired(unit(RS, framework="全国（财政部）")) == ["framework_matches"]
    twins = unit(RS, project(RS), project(RS, sheet="项目2"))
    (hit,) = run_check(unit_checks.project_names_unique, twins, RS)
    assert hit.project is twins.projects[1] and hit.params["first_sheet"] == "项目1"
    assert _fired(unit(RS, other_sheets=["说明"])) == ["sheets_read"]
    assert _fired(unit(RS, blank_sheets=["项目3"])) == ["blank_project_sheets"]
