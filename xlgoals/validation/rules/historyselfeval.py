"""Year-over-year checks against last year's 自评: a target set below what was achieved, a target dropped after a miss.

Last year's self-evaluation comes from the archive with last year's declaration (History.selfeval); projects match
as the other year-over-year checks match them, indicators by name without year words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from xlgoals.core import actuals
from xlgoals.core.model import Indicator, Project
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.scoring import Quantity, row_rule, score_project
from xlgoals.core.targets import Operator, Target, TargetKind, split_unit
from xlgoals.validation.rules.common import indicator_cell, project_of
from xlgoals.validation.rules.history import (
    _by_name,
    _matched,
    _unreadable,
    dropped_hit,
    match_project,
    name_key,
)
from xlgoals.validation.rules.history import (
    _year as _declaration_year,
)
from xlgoals.validation.rules.registry import Context, Hit, check


def last_selfeval(ctx: Context) -> Project | None:
    """Last year's 自评 of the project being checked, where the archive holds one and it matches without doubt."""
    history = ctx.history
    if history is None or history.selfeval is None:
        return None
    return match_project(project_of(ctx), history.selfeval).previous


def _year(ctx: Context) -> Any:
    history = ctx.history
    unit = history.selfeval if history is not None else None
    return (unit.year if unit is not None else None) or ""


def missed(project: Project, rs: RuleSet) -> dict[str, Indicator]:
    """Last year's 自评 indicators (by name without year words) that fell short of their targets."""
    score = score_project(project, rs)
    return {name_key(ind.name): ind for ind, s in zip(project.indicators, score.indicators, strict=True) if s.short}


def _achieved(ind: Indicator, rs: RuleSet) -> tuple[Decimal, str] | None:
    """Last year's actual as a number in its target's parsed unit, and that unit; None when not a number."""
    rule = row_rule(ind, rs)
    if not isinstance(rule, Quantity) or ind.target is None:
        return None
    number = actuals.number(ind.actual, rule.suffixes)
    return None if number is None else (number * rule.scale, split_unit(ind.target.unit)[1] if ind.target.unit else "")


def _direction(target: Target, ind: Indicator, rs: RuleSet) -> int:
    """+1 for a target to reach (≥), -1 for one not to exceed (≤), 0 otherwise."""
    rule = row_rule(ind, rs)
    if not isinstance(rule, Quantity) or rule.compare == "range":
        return 0
    if target.operator is Operator.EQ:
        return 0
    return 1 if rule.compare == "ge" else -1


@check(
    "target_below_actual",
    "project",
    placeholders=("last_actual", "last_year"),
    history=True,
)
def target_below_actual(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A quantitative target set below (for a ≤ target: above) what last year's 自评 says was achieved."""
    previous = last_selfeval(ctx)
    if previous is None:
        return
    project, rs = project_of(ctx), ctx.ruleset
    before = _by_name(previous)
    for ind in project.indicators:
        last = before.get(name_key(ind.name))
        target = ind.target
        if last is None or target is None or target.kind is not TargetKind.QUANTITATIVE or target.number is None:
            continue
        found = _achieved(last, rs)
        unit = split_unit(target.unit)[1] if target.unit else ""
        direction = _direction(target, ind, rs)
        if found is None or found[1] != unit or not direction:
            continue
        if (target.number - found[0]) * direction < 0:
            yield Hit(
                indicator=ind,
                cell=indicator_cell(project, ind, "target"),
                field="target",
                value=ind.value,
                params={"last_actual": last.actual, "last_year": _year(ctx)},
            )


@check(
    "indicator_dropped_after_miss",
    "project",
    placeholders=("last_value", "last_actual", "last_project", "last_year"),
    history=True,
)
def indicator_dropped_after_miss(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An indicator last year's 自评 shows missed is gone from this year's declaration."""
    previous = last_selfeval(ctx)
    if previous is None:
        return
    project = project_of(ctx)
    now = _by_name(project)
    for key, ind in missed(previous, ctx.ruleset).items():
        if key and key not in now:
            yield dropped_hit(project, ind, previous, _year(ctx), last_actual=ind.actual)


def dropped_after_miss(ctx: Context) -> set[str]:
    """Indicators (by name key) the more specific rule reports when dropped: the plain dropped rule leaves them."""
    if not any(r.check == "indicator_dropped_after_miss" and r.enabled for r in ctx.ruleset.rules):
        return set()
    previous = last_selfeval(ctx)
    return set(missed(previous, ctx.ruleset)) if previous is not None else set()


# The plain dropped check sits beside the one it defers to (an indicator missed last year is reported there).
@check("indicator_dropped", "project", placeholders=("last_value", "last_project", "last_year"), history=True)
def indicator_dropped(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every indicator of last year's project is still there this year."""
    pair = _matched(ctx)
    if pair is None:
        return
    project, previous = pair
    if _unreadable(project, "name"):  # the indicator missing may be the one whose name cannot be read
        return
    now = _by_name(project)
    # One missed last year (its 自评 says so) is history.indicator-dropped-after-miss's, which says more.
    covered = dropped_after_miss(ctx)
    for key, ind in _by_name(previous).items():
        if key and key not in now and key not in covered:
            yield dropped_hit(project, ind, previous, _declaration_year(ctx))
