"""Placement checks: each indicator's level-1, level-2 and name fit the framework."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.core.targets import TargetKind
from xlgoals.validation.rules.common import indicator_cell, indicator_of, target_of
from xlgoals.validation.rules.registry import Context, Hit, check

_PERCENT_UNITS = frozenset({"%", "‰"})


@check("level1_known", "indicator", placeholders=("choices",))
def level1_known(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The level-1 name is one of the framework's."""
    project, ind = indicator_of(ctx)
    if ctx.ruleset.level2_of(ind.level1) is None:
        yield Hit(
            cell=indicator_cell(project, ind, "level1"),
            field="level1",
            value=ind.level1,
            params={"choices": "、".join(lv.name for lv in ctx.ruleset.level1)},
        )


@check("level2_known", "indicator", placeholders=("choices",))
def level2_known(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Under a known level-1, the level-2 name is one the framework lists at all."""
    project, ind = indicator_of(ctx)
    allowed = ctx.ruleset.level2_of(ind.level1)
    if allowed is not None and ind.level2 not in allowed and ctx.ruleset.level1_of(ind.level2) is None:
        yield Hit(
            cell=indicator_cell(project, ind, "level2"),
            field="level2",
            value=ind.level2,
            params={"choices": "、".join(allowed)},
        )


@check("level2_placement", "indicator", placeholders=("expected",))
def level2_placement(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A level-2 name the framework lists sits under its own level-1."""
    project, ind = indicator_of(ctx)
    allowed = ctx.ruleset.level2_of(ind.level1)
    home = ctx.ruleset.level1_of(ind.level2)
    if allowed is not None and ind.level2 not in allowed and home is not None:
        yield Hit(
            cell=indicator_cell(project, ind, "level2"),
            field="level2",
            value=ind.level2,
            params={"expected": home},
        )


@check("indicator_named", "indicator")
def indicator_named(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The level-3 column (the indicator's name) is filled."""
    project, ind = indicator_of(ctx)
    if not ind.name.strip():
        yield Hit(cell=indicator_cell(project, ind, "name"), field="name", value=ind.name)


@check("quantity_holds_counts", "indicator", defaults={"rate_words": ["率", "比例"]})
def quantity_holds_counts(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A count-like level-2 (roles.quantity) holds a count, not a rate, a percentage or a grade word."""
    project, ind = indicator_of(ctx)
    if ind.level2 not in ctx.ruleset.roles.quantity:
        return
    target = target_of(ctx.ruleset, ind)
    if target is None:
        return
    is_rate = target.kind is TargetKind.QUANTITATIVE and (
        target.unit in _PERCENT_UNITS or any(word in ind.name for word in params["rate_words"])
    )
    if is_rate or target.kind is TargetKind.QUALITATIVE:
        yield Hit(cell=indicator_cell(project, ind, "name"), field="name", value=ind.value)
