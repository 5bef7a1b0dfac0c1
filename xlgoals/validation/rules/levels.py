"""Placement checks: each indicator's level-1, level-2 and name fit the framework."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.core.targets import TargetKind
from xlgoals.validation.rules.common import indicator_hit, judged_targets, project_of
from xlgoals.validation.rules.registry import Context, Hit, check

_PERCENT_UNITS = frozenset({"%", "‰"})


@check("level1_filled", "indicator")
def level1_filled(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every indicator stands under a level-1: its own cell or one above it is filled (a cell that cannot be
    used is error_values' or uncomputed_formulas')."""
    project = project_of(ctx)
    for ind in project.indicators:
        if not ind.level1 and "level1" not in ind.unusable:
            yield indicator_hit(project, ind, "level1", "")


@check("level2_filled", "indicator")
def level2_filled(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every indicator stands under a level-2: its own cell or one above it, under the same level-1, is
    filled."""
    project = project_of(ctx)
    for ind in project.indicators:
        if not ind.level2 and "level2" not in ind.unusable:
            yield indicator_hit(project, ind, "level2", "")


@check("level1_known", "indicator", placeholders=("choices",))
def level1_known(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A level-1 name that is filled is one of the framework's."""
    project, rs = project_of(ctx), ctx.ruleset
    known = rs.level2_by_level1
    for ind in project.indicators:
        if ind.level1 and ind.level1 not in known:
            yield indicator_hit(
                project, ind, "level1", ind.level1, params={"choices": "、".join(lv.name for lv in rs.level1)}
            )


@check("level2_known", "indicator", placeholders=("choices",))
def level2_known(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Under a known level-1, a level-2 name that is filled is one the framework lists at all."""
    project, rs = project_of(ctx), ctx.ruleset
    known, homes = rs.level2_by_level1, rs.level1_by_level2
    for ind in project.indicators:
        allowed = known.get(ind.level1)
        if allowed is not None and ind.level2 and ind.level2 not in allowed and ind.level2 not in homes:
            yield indicator_hit(project, ind, "level2", ind.level2, params={"choices": "、".join(allowed)})


@check("level2_placement", "indicator", placeholders=("expected",))
def level2_placement(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A level-2 name the framework lists sits under its own level-1."""
    project, rs = project_of(ctx), ctx.ruleset
    known, homes = rs.level2_by_level1, rs.level1_by_level2
    for ind in project.indicators:
        allowed = known.get(ind.level1)
        home = homes.get(ind.level2)
        if allowed is not None and ind.level2 not in allowed and home is not None:
            yield indicator_hit(project, ind, "level2", ind.level2, params={"expected": home})


@check("indicator_named", "indicator")
def indicator_named(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The level-3 column (the indicator's name) is filled (a cell that cannot be used is error_values' or
    uncomputed_formulas')."""
    project = project_of(ctx)
    for ind in project.indicators:
        if not ind.name.strip() and "name" not in ind.unusable:
            yield indicator_hit(project, ind, "name", ind.name)


@check("quantity_holds_counts", "indicator", defaults={"rate_words": ["率", "比例"]})
def quantity_holds_counts(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A count-like level-2 (roles.quantity) holds a count, not a rate, a percentage or a grade word."""
    project = project_of(ctx)
    counts, rate_words = ctx.ruleset.roles.quantity, params["rate_words"]
    for ind, target in zip(project.indicators, judged_targets(ctx), strict=True):
        if ind.level2 not in counts or target is None:
            continue
        is_rate = target.kind is TargetKind.QUANTITATIVE and (
            target.unit in _PERCENT_UNITS or any(word in ind.name for word in rate_words)
        )
        if is_rate or target.kind is TargetKind.QUALITATIVE:
            yield indicator_hit(project, ind, "name")
