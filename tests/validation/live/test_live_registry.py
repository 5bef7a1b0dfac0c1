"""validation/live/checks.py and indicators.py: the checks with a live form, each mirroring the Python check of
its name; every project and indicator rule of a built-in rule set is live on the sheet or left to 校验 with a
reason (LibreOffice computing the formulas against `xlgoals validate`: test_live_agreement.py)."""

from __future__ import annotations

import inspect

import pytest

from xlgoals.core import layout
from xlgoals.core.ruleset import builtin_rulesets
from xlgoals.validation.live import Catalogue, checks, indicators, project_plan
from xlgoals.validation.live.checks import LIVE
from xlgoals.validation.rules import CHECKS


def test_each_live_form_mirrors_a_python_check_of_its_name() -> None:
    assert set(LIVE) <= set(CHECKS)
    for name, fn in LIVE.items():
        assert fn.__module__ in (checks.__name__, indicators.__name__), name
        assert CHECKS[name].scope in ("project", "indicator"), name
    registered = {fn for fn in LIVE.values()}
    for module in (checks, indicators):
        public = [f for n, f in inspect.getmembers(module, inspect.isfunction) if f.__module__ == module.__name__]
        assert any(f in registered for f in public), module.__name__


@pytest.mark.parametrize("rs", builtin_rulesets(), ids=lambda rs: rs.name)
def test_every_sheet_rule_is_live_or_left_to_the_python_check_with_a_reason(rs: object) -> None:
    plan = project_plan(rs.form, rs, layout.INDICATOR_LAST_ROW, Catalogue(rs))  # type: ignore[attr-defined]
    sheet_rules = {
        rule.code: rule.check
        for rule in rs.rules  # type: ignore[attr-defined]
        if rule.enabled
        and CHECKS[rule.check].scope != "unit"
        and not CHECKS[rule.check].history
        and "declaration" in CHECKS[rule.check].forms
    }
    assert set(plan.live).isdisjoint(plan.offline)
    assert set(sheet_rules) <= set(plan.live) | set(plan.offline)
    assert all(sheet_rules[code] in LIVE for code in plan.live if code in sheet_rules)
    assert all(reason.strip() for reason in plan.offline.values())
    assert plan.formulas and plan.formats
