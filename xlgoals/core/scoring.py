"""自评 scores in Python: each indicator's rule from its target and the rule set, its share achieved, points, score.

The 自评 sheet computes the same scores with formulas generated from the same `RowRule`s and parameters
(io/selfevalformulas.py); a test holds the two equal, LibreOffice evaluating the formulas. Scores come from the
inputs (actuals, points, budgets) only, never from a score a sheet or a published table shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Literal

from xlgoals.core import actuals
from xlgoals.core.actuals import Suffix
from xlgoals.core.model import Indicator, Project
from xlgoals.core.ruleset import RuleSet, ScorePool, Scoring, scoring_of
from xlgoals.core.targets import Operator, Target, TargetKind
from xlgoals.core.values import fold

CENT = Decimal("0.01")
ONE, ZERO = Decimal(1), Decimal(0)
_MULTIPLIER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)? ?(万|亿|萬|億)")
_POWER = {"万": 4, "萬": 4, "亿": 8, "億": 8}
# The share of a percentage synonym: '≥100百分比' is 100 %.
_SYNONYMS = {"%": ("百分比",)}

Comparison = Literal["ge", "le", "eq", "range"]


@dataclass(frozen=True)
class Quantity:
    """A quantitative target: how to compare, the target (and a range's top) in the unit it is written in, and
    the units an actual may carry."""

    compare: Comparison
    target: Decimal
    high: Decimal | None
    suffixes: tuple[Suffix, ...]
    # The target's unit as a message shows it ('%', '万元'); '' for a bare number.
    unit: str
    # What the written unit is worth in the target's parsed one (a target in 万元 is parsed to 元: 10000).
    scale: int = 1


@dataclass(frozen=True)
class Levels:
    """A qualitative, descriptive or blank target (or a deadline): judged by the level words, or met when the
    actual repeats the target. A deadline is met or not: a partial level earns nothing."""

    echo: str
    words: tuple[tuple[str, Decimal], ...]
    deadline: bool


RowRule = Quantity | Levels
Reading = Literal["blank", "ok", "text", "unit", "level"]


# A quotient's last digits are its rounding: 1.69/4.42 × 0.17 is 0.065 exactly but 0.0649999… in 28 digits,
# which would round down where the sheet (LibreOffice, Excel) rounds up. The product is first taken to 20
# places, far below any cent a score is kept to and far above the quotient's noise.
_NOISE, _WIDE = Decimal("1e-20"), Context(prec=80)


def score_of(fraction: Decimal, points: Decimal) -> Decimal:
    """ROUND(fraction × points, 2), as the sheet's formula does."""
    return (fraction * points).quantize(_NOISE, context=_WIDE).quantize(CENT, rounding=ROUND_HALF_UP)


def _multiplier(target: Target) -> tuple[str, int]:
    """The 万/亿 a value-written target scaled its number by ('≤90万元' -> ('万', 4)), else ('', 0)."""
    if target.unit_source == "name":
        return "", 0
    m = _MULTIPLIER.search(fold(target.raw))
    return (m.group(1), _POWER[m.group(1)]) if m else ("", 0)


def _suffixes(unit: str, mark: str, power: int) -> tuple[Suffix, ...]:
    """The units an actual may end with, converted to the unit the target is written in."""
    found: list[Suffix] = []
    if mark:
        found.append(Suffix(mark + unit))
        if unit:
            found.append(Suffix(unit, 1, 10**power))
    elif unit:
        found.append(Suffix(unit))
        if len(unit) > 1 and unit[0] in _POWER:  # a name's '（万元）': '元' is a ten-thousandth of it
            found.append(Suffix(unit[1:], 1, 10 ** _POWER[unit[0]]))
    found += [Suffix(s) for s in _SYNONYMS.get(unit, ())]
    unique = {s.text: s for s in reversed(found) if s.text}
    # Longest first: '万人' must be taken off before '人' would match it.
    return tuple(sorted(unique.values(), key=lambda s: -len(s.text)))


def _is_cost(indicator: Indicator, rs: RuleSet) -> bool:
    return indicator.level2 in rs.roles.cost or "成本" in indicator.level1


def row_rule(indicator: Indicator, rs: RuleSet, scoring: Scoring | None = None) -> RowRule:
    """How one indicator is scored, from its (locked) target: fixed for the year, so the sheet's formula for
    the row is generated from it once."""
    scoring = scoring or scoring_of(rs)
    target = indicator.target
    if target is not None and target.kind is TargetKind.QUANTITATIVE and target.number is not None:
        mark, power = _multiplier(target)
        scale = Decimal(10) ** power
        number, high = target.number / scale, None if target.high is None else target.high / scale
        op = target.operator
        compare: Comparison
        if high is not None:
            compare = "range"
        elif op in (Operator.GE, Operator.GT):
            compare = "ge"
        elif op in (Operator.LE, Operator.LT):
            compare = "le"
        elif op is Operator.EQ:
            compare = "eq"
        else:  # a bare number is a quantity to reach, a cost one not to exceed
            compare = "le" if _is_cost(indicator, rs) else "ge"
        unit = target.unit or ""
        return Quantity(compare, number, high, _suffixes(unit, mark, power), (mark + unit) or unit, 10**power)
    words = tuple(
        (actuals.clean(word), level.fraction)
        for level in scoring.qualitative.levels
        for word in dict.fromkeys((level.name, *level.words))
    )
    echo = actuals.clean(indicator.value)
    return Levels(echo, words, deadline=target is not None and target.kind is TargetKind.SCHEDULE)


def achieved(rule: RowRule, actual: str) -> tuple[Decimal | None, Reading, Decimal | None]:
    """(share of the target achieved, 0..1; how the actual reads; the actual as a number) — the share None where
    the actual is blank or not comparable."""
    if isinstance(rule, Levels):
        text = actuals.clean(actual)
        if not text:
            return None, "blank", None
        if rule.echo and text == rule.echo:
            return ONE, "ok", None
        for word, fraction in rule.words:
            if text == word:
                return (ONE if fraction == ONE else ZERO) if rule.deadline else fraction, "ok", None
        return None, "level", None
    if not actuals.clean(actual):
        return None, "blank", None
    a = actuals.number(actual, rule.suffixes)
    if a is None:
        return None, ("unit" if actuals.unit_after_number(actual) else "text"), None
    return share(rule, a), "ok", a


def share(rule: Quantity, a: Decimal) -> Decimal:
    """How much of a quantitative target an actual number (in the target's written unit) achieves, 0..1."""
    t = rule.target
    if rule.compare == "range":
        return ONE if t <= a <= (rule.high if rule.high is not None else t) else ZERO
    if rule.compare == "eq":
        return ONE if a == t else ZERO
    if rule.compare == "ge":
        return (ONE if a >= t else ZERO) if t <= 0 else min(ONE, max(ZERO, a / t))
    return ONE if a <= t else (ZERO if t <= 0 else t / a)


def pool_of(indicator: Indicator, scoring: Scoring) -> ScorePool | None:
    """The pool whose points an indicator shares: the first listing its level-2, else the first listing its
    level-1 (or '*')."""
    for pool in scoring.pools:
        if indicator.level2 and indicator.level2 in pool.level2:
            return pool
    for pool in scoring.pools:
        if indicator.level1 in pool.level1 or "*" in pool.level1:
            return pool
    return None


def default_points(indicators: Sequence[Indicator], scoring: Scoring) -> list[Decimal | None]:
    """Each indicator's even share of its pool's points, to the cent, the pool's last indicator taking what is left
    (50 over three: 16.67, 16.67, 16.66), so the shares add up to the pool and a project that meets every target
    scores 100, not 100.01; None for an indicator no pool takes."""
    pools = [pool_of(ind, scoring) for ind in indicators]
    sizes = {p.name: sum(1 for q in pools if q is p) for p in scoring.pools}
    given = dict.fromkeys(sizes, 0)
    out: list[Decimal | None] = []
    for pool in pools:
        if pool is None:
            out.append(None)
            continue
        given[pool.name] += 1
        share = (pool.points / sizes[pool.name]).quantize(CENT, rounding=ROUND_HALF_UP)
        out.append(share if given[pool.name] < sizes[pool.name] else pool.points - share * (sizes[pool.name] - 1))
    return out


@dataclass(frozen=True)
class IndicatorScore:
    rule: RowRule
    pool: str | None
    default_points: Decimal | None
    # The points that count: the unit's own where it entered a number, else the default.
    points: Decimal | None
    fraction: Decimal | None
    reading: Reading
    number: Decimal | None
    score: Decimal | None

    @property
    def short(self) -> bool:
        """Below the target: a shortfall that needs its reason."""
        return self.fraction is not None and self.fraction < ONE


@dataclass(frozen=True)
class ExecutionScore:
    # 全年执行数 ÷ 全年预算数, a fraction; None without both (or without a positive budget).
    rate: Decimal | None
    default_points: Decimal
    points: Decimal
    score: Decimal | None


@dataclass(frozen=True)
class ProjectScore:
    indicators: list[IndicatorScore]
    execution: ExecutionScore
    # The points of budget execution and every indicator, as they count.
    points_total: Decimal
    total: Decimal

    @property
    def indicator_points(self) -> Decimal:
        return sum((s.points or ZERO for s in self.indicators), ZERO)


def execution_rate(project: Project) -> Decimal | None:
    budget, executed = project.budget_adjusted, project.budget_executed
    if budget is None or executed is None or budget <= 0:
        return None
    return executed / budget


def score_execution(project: Project, scoring: Scoring) -> ExecutionScore:
    default = scoring.execution.points
    points = project.execution_points if project.execution_points is not None else default
    rate = execution_rate(project)
    if rate is None:
        return ExecutionScore(None, default, points, None)
    full = scoring.execution.full_from_percent / 100
    fraction = ONE if rate >= full else min(ONE, max(ZERO, rate))
    return ExecutionScore(rate, default, points, score_of(fraction, points))


def score_project(project: Project, rs: RuleSet) -> ProjectScore:
    """Every indicator's score, budget execution's, the points as they count and the 总分 (out of 100)."""
    scoring = scoring_of(rs)
    defaults = default_points(project.indicators, scoring)
    scores: list[IndicatorScore] = []
    for ind, default in zip(project.indicators, defaults, strict=True):
        rule = row_rule(ind, rs, scoring)
        points = ind.points if ind.points is not None else default
        fraction, reading, number = achieved(rule, ind.actual)
        pool = pool_of(ind, scoring)
        score = None if fraction is None or points is None else score_of(fraction, points)
        scores.append(
            IndicatorScore(rule, pool.name if pool else None, default, points, fraction, reading, number, score)
        )
    execution = score_execution(project, scoring)
    points_total = sum((s.points or ZERO for s in scores), execution.points)
    total = sum((s.score or ZERO for s in scores), execution.score or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
    return ProjectScore(scores, execution, points_total, total)
