"""validation/rules/cells.py: every cover and project cell whose value cannot be used is named at its cell: error
values by error_values, formulas never computed by uncomputed_formulas, each with the field's label."""

from __future__ import annotations

from tests.builders.checks import run_check
from tests.builders.units import indicator, indicators, project, unit
from xlgoals.core import layout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import cells

RS = load_ruleset("shanghai-2020")


def test_each_kind_at_its_cell_with_its_label() -> None:
    quantity = RS.roles.quantity[0]
    row = indicator(RS.level1_by_level2[quantity], quantity, "培训场次", "", row=40)
    budget = layout.PROJECT_FIELD["budget_year"].value_cell
    p = project(RS, indicators=[*indicators(RS), row])
    p.unusable = {budget: Unusable("#REF!", "SUM(X1)"), row.cells["target"]: Unusable("", "A1*2")}
    year = layout.COVER_FIELD["year"].value_cell
    u = unit(RS, p, unusable={year: Unusable("#N/A", "")})
    errors = run_check(cells.error_values, u, RS)
    assert [(h.sheet or (h.project and h.project.sheet), h.cell, h.field) for h in errors] == [
        (layout.COVER_SHEET, year, "year"),
        ("项目1", budget, "budget_year"),
    ]
    assert (
        errors[1].params["error"] == "#REF!" and errors[1].params["label"] == layout.PROJECT_FIELD["budget_year"].label
    )
    (formula,) = run_check(cells.uncomputed_formulas, u, RS)
    assert (formula.cell, formula.field, formula.indicator) == (row.cells["target"], "target", row)


def test_a_unit_with_usable_cells_passes() -> None:
    u = unit(RS)
    assert run_check(cells.error_values, u, RS) == [] == run_check(cells.uncomputed_formulas, u, RS)
