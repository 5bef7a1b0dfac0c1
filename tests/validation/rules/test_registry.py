"""validation/rules/registry.py and checks.py: the explicit registry of built-in checks: each name once, with its
scope, defaults, placeholders and forms; importing the checks registers every check the built-in rule sets use,
each from one of the rules modules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from xlgoals.core.ruleset import builtin_rulesets
from xlgoals.validation.rules import checks
from xlgoals.validation.rules.registry import CHECKS, Context, Hit, check


def test_a_name_is_registered_once() -> None:
    registered = CHECKS["money_parses"]

    def again(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
        yield Hit()

    with pytest.raises(ValueError, match="registered twice"):
        check("money_parses", "project")(again)
    assert CHECKS["money_parses"] is registered


def test_a_registration_keeps_what_the_engine_needs() -> None:
    name = "test.registry-probe"

    @check(name, "indicator", placeholders=("word",), defaults={"words": ["很多"]}, forms=("selfeval",))
    def probe(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
        """A probe."""
        yield Hit()

    try:
        info = CHECKS[name]
        assert (info.scope, info.placeholders, dict(info.defaults), info.doc) == (
            "indicator",
            frozenset({"word"}),
            {"words": ["很多"]},
            "A probe.",
        )
        assert info.forms == frozenset({"selfeval"}) and not info.history and info.fn is probe
    finally:
        del CHECKS[name]


def test_every_check_the_rule_sets_use_is_registered_by_a_rules_module() -> None:
    used = {rule.check for rs in builtin_rulesets() for rule in rs.rules}
    assert used <= set(CHECKS)
    modules = {m.__name__ for m in vars(checks).values() if hasattr(m, "__name__") and m.__name__.startswith("xlgoals")}
    assert {info.fn.__module__ for info in CHECKS.values() if not info.name.startswith("test.")} <= modules
    assert (
        len(modules) == 10
    )  # cells, coverage, fields, history, historyselfeval, levels, money, selfeval, targets, unit
