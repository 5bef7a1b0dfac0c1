"""Target-value checks: present, parseable, plausible and quantified."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from xlgoals.core.targets import Operator, TargetKind, parse_target, split_unit, unit_from_name
from xlgoals.validation.rules.common import indicator_hit, judged_targets, parse_problem, project_of
from xlgoals.validation.rules.registry import Context, Hit, check

# An upper bound promises nothing about how satisfied people will at least be.
_UPPER_BOUNDS = frozenset({Operator.LE, Operator.LT})
# A department's workbooks repeat the same indicator names: each name's unit is read once per process.
_name_unit = lru_cache(maxsize=8192)(unit_from_name)


@lru_cache(maxsize=64)
def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One search that says whether any of `words` is in a text at all; most targets have none."""
    return re.compile("|".join(map(re.escape, words)))


@check("target_present", "indicator")
def target_present(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every indicator has a target value (a cell that cannot be used is error_values' or
    uncomputed_formulas')."""
    project = project_of(ctx)
    for ind in project.indicators:
        if not ind.value.strip() and "target" not in ind.unusable:
            yield indicator_hit(project, ind, "target")


@check("target_parses", "indicator", placeholders=("reason",))
def target_parses(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A target written as a comparison goes on as a number and a unit."""
    project = project_of(ctx)
    words = ctx.ruleset.qualitative_words
    for ind in project.indicators:
        if not ind.value or ind.target is not None:
            continue
        reason = parse_problem(partial(parse_target, name=ind.name, qualitative_words=words), ind.value)
        if reason is not None:
            yield indicator_hit(project, ind, "target", params={"reason": reason})


@check("percent_range", "indicator", placeholders=("low", "high"), defaults={"low": 0.0, "high": 100.0})
def percent_range(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A percentage target lies between `low` and `high`."""
    project = project_of(ctx)
    low, high = params["low"], params["high"]
    lowest, highest = Decimal(str(low)), Decimal(str(high))
    for ind in project.indicators:
        target = ind.target
        # A change against last year ('较上年提高150%') is not a share and may pass 100%.
        if target is None or target.unit != "%" or target.number is None or target.basis:
            continue
        numbers = [target.number] if target.high is None else [target.number, target.high]
        if not all(lowest <= n <= highest for n in numbers):
            yield indicator_hit(project, ind, "target", params={"low": f"{low:g}", "high": f"{high:g}"})


@check(
    "satisfaction_floor",
    "indicator",
    placeholders=("floor",),
    defaults={"floor": 85.0, "name_contains": "满意"},
)
def satisfaction_floor(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A satisfaction target (roles.satisfaction, or a name containing `name_contains`) promises >= `floor`%.

    A satisfaction target without any unit is read as a percentage, as the sample's '参会人员满意度 >=85'.
    """
    project = project_of(ctx)
    marker, roles = params["name_contains"], ctx.ruleset.roles.satisfaction
    floor = params["floor"]
    lowest = Decimal(str(floor))
    for ind in project.indicators:
        if ind.level2 not in roles and not (marker and marker in ind.name):
            continue
        target = ind.target
        if target is None or target.number is None or target.unit not in (None, "%"):
            continue
        if target.operator in _UPPER_BOUNDS or target.number < lowest:
            yield indicator_hit(project, ind, "target", params={"floor": f"{floor:g}"})


@check("units_agree", "indicator", placeholders=("name_unit", "value_unit"))
def units_agree(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A unit in the indicator's name and a unit in its value are the same (万元 and 元 agree)."""
    project = project_of(ctx)
    for ind in project.indicators:
        target = ind.target
        if target is None or target.unit is None or target.unit_source != "value":
            continue
        name_unit = _name_unit(ind.name)
        if name_unit is not None and split_unit(name_unit)[1] != split_unit(target.unit)[1]:
            yield indicator_hit(project, ind, "target", params={"name_unit": name_unit, "value_unit": target.unit})


@check("target_quantified", "indicator")
def target_quantified(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A target is a number or a grade word, not a sentence."""
    project = project_of(ctx)
    for ind, target in zip(project.indicators, judged_targets(ctx), strict=True):
        if target is not None and target.kind is TargetKind.DESCRIPTIVE:
            yield indicator_hit(project, ind, "target")


@check("target_vague", "indicator", placeholders=("word",), defaults={"words": ["很多", "大幅提高"]})
def target_vague(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A target that promises an amount in words ('很多', '大幅提高') instead of a number."""
    project = project_of(ctx)
    # Longest first: '大幅提高' is named rather than a shorter word inside it.
    words = sorted(params["words"], key=len, reverse=True)
    anywhere = _any_of(tuple(words))
    for ind, target in zip(project.indicators, judged_targets(ctx), strict=True):
        if target is None or target.kind is TargetKind.QUANTITATIVE or target.kind is TargetKind.EMPTY:
            continue
        if not words or anywhere.search(ind.value) is None:
            continue
        word = next((w for w in words if w in ind.value), None)
        if word is not None:
            yield indicator_hit(project, ind, "target", params={"word": word})
