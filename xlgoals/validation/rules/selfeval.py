"""自评 checks: actuals present and comparable, shortfalls explained, execution, points, scores as the rules give."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from xlgoals.core import actuals, layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import Indicator, Project
from xlgoals.core.ruleset import scoring_of
from xlgoals.core.scoring import IndicatorScore, Levels, ProjectScore, Quantity, score_project, share
from xlgoals.core.values import format_money
from xlgoals.validation.rules.common import project_of
from xlgoals.validation.rules.registry import Context, Form, Hit, check

SELFEVAL: tuple[Form, ...] = ("selfeval",)
# A score that differs by less than this is the same score: the sheet rounds to the cent.
TOLERANCE = Decimal("0.005")


def scored(ctx: Context) -> ProjectScore:
    """The project's scores, computed once per run for every check that asks."""
    score: ProjectScore | None = ctx.shared.get("selfeval")
    if score is None:
        score = ctx.shared["selfeval"] = score_project(project_of(ctx), ctx.ruleset)
    return score


def cell_of(project: Project, indicator: Indicator, part: str) -> str:
    """Where an indicator's 自评 column sits: as read, else the row the 自评 sheet writes it to."""
    if part in indicator.cells:
        return indicator.cells[part]
    index = next(i for i, ind in enumerate(project.indicators) if ind is indicator)
    return slayout.selfeval_cell(slayout.SELFEVAL_FIRST_ROW + index, part)


def field_at(project: Project, key: str) -> str:
    return project.cells.get(key) or slayout.SELFEVAL_FIELD[key].value_cell


def _rows(ctx: Context) -> Iterator[tuple[Project, Indicator, IndicatorScore]]:
    project = project_of(ctx)
    yield from ((project, ind, s) for ind, s in zip(project.indicators, scored(ctx).indicators, strict=True))


def _hit(project: Project, ind: Indicator, part: str, params: Mapping[str, Any] | None = None) -> Hit:
    value = ind.actual if part != "points" else ind.unparsed.get("points", "") or f"{ind.points}"
    params = {"target": ind.value, **(params or {})}
    return Hit(indicator=ind, cell=cell_of(project, ind, part), field=part, value=value, params=params)


def _number(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


@check("actual_present", "indicator", placeholders=("target",), forms=SELFEVAL)
def actual_present(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every indicator has its 实际完成值."""
    for project, ind, s in _rows(ctx):
        if s.reading == "blank":
            yield _hit(project, ind, "actual")


def _enabled(ctx: Context, check_name: str) -> bool:
    return any(r.check == check_name and r.enabled for r in ctx.ruleset.rules)


def _claimed_short(rule: Quantity, actual: str, params: Mapping[str, Any]) -> Decimal | None:
    """The number a text claiming 完成 gives, when it falls short of the target."""
    text = actuals.clean(actual)
    if not any(w in text for w in params["done_words"]) or any(n in text for n in params["negations"]):
        return None
    found = actuals.first_number(actual, rule.suffixes)
    return found if found is not None and share(rule, found) < 1 else None


DONE_DEFAULTS = {
    "done_words": ["完成", "达成", "达到"],
    "negations": ["未完成", "未达成", "未达到", "没有完成", "没有达到", "部分", "基本", "尚未"],
}


@check("actual_is_number", "indicator", placeholders=("target", "hint"), forms=SELFEVAL)
def actual_is_number(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A quantitative target's actual is a number (with the target's unit or none), not text."""
    done = next((r for r in ctx.ruleset.rules if r.check == "done_claim" and r.enabled), None)
    for project, ind, s in _rows(ctx):
        if s.reading != "text" or not isinstance(s.rule, Quantity):
            continue
        # A text claiming 完成 with a number short of the target is done_claim's, whose message asks for the number.
        if done is not None and _claimed_short(s.rule, ind.actual, {**DONE_DEFAULTS, **done.params}) is not None:
            continue
        unit = f"（单位：{s.rule.unit}）" if s.rule.unit else ""
        yield _hit(project, ind, "actual", {"hint": f"{unit}，如 {_number(s.rule.target)}"})


@check("actual_same_unit", "indicator", placeholders=("target", "found", "unit"), forms=SELFEVAL)
def actual_same_unit(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A quantitative actual carries the target's unit (or none): '480人次' is not comparable with '>=500人'."""
    for project, ind, s in _rows(ctx):
        if s.reading == "unit" and isinstance(s.rule, Quantity):
            found = actuals.unit_after_number(ind.actual) or ""
            unit = s.rule.unit or "（无单位，只填数字）"
            yield _hit(project, ind, "actual", {"found": found, "unit": unit})


@check("actual_level", "indicator", placeholders=("target", "levels"), forms=SELFEVAL)
def actual_level(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A qualitative (or descriptive, or deadline) target's actual is one of the levels, or repeats the target."""
    levels = [lv.name for lv in scoring_of(ctx.ruleset).qualitative.levels]
    for project, ind, s in _rows(ctx):
        if s.reading == "level" and isinstance(s.rule, Levels):
            shown = [levels[0], levels[-1]] if s.rule.deadline else levels
            yield _hit(project, ind, "actual", {"levels": "、".join(shown)})


@check("done_claim", "indicator", placeholders=("target", "number"), defaults=DONE_DEFAULTS, forms=SELFEVAL)
def done_claim(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An actual that says 完成 (`done_words`, none of `negations`) while the number in it falls short."""
    for project, ind, s in _rows(ctx):
        if s.reading in ("text", "unit") and isinstance(s.rule, Quantity):
            short = _claimed_short(s.rule, ind.actual, params)
            if short is not None:
                yield _hit(project, ind, "actual", {"number": f"{_number(short)}{s.rule.unit}"})


@check("shortfall_explained", "indicator", placeholders=("target", "score", "points"), forms=SELFEVAL)
def shortfall_explained(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An indicator below its target has its 偏差原因分析及改进措施."""
    for project, ind, s in _rows(ctx):
        if s.short and not ind.reason.strip():
            hit = _hit(project, ind, "reason", {"score": _number(s.score), "points": _number(s.points)})
            yield Hit(indicator=ind, cell=hit.cell, field="reason", value=ind.actual, params=hit.params)


def _money_unit(project: Project) -> str:
    return "万元" if project.money_unit == "万元" else "元"


_MONEY = ("budget_initial", "budget_adjusted", "budget_executed")


@check("execution_money_parses", "project", placeholders=("label", "unit"), forms=SELFEVAL)
def execution_money_parses(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """年初预算数, 全年预算数 and 全年执行数 are numbers where filled."""
    project = project_of(ctx)
    for key in _MONEY:
        if key in project.unparsed:
            label = slayout.SELFEVAL_FIELD[key].label
            yield Hit(
                cell=field_at(project, key),
                field=key,
                value=project.unparsed[key],
                params={"label": label, "unit": _money_unit(project)},
            )


@check("execution_present", "project", placeholders=("label", "unit"), forms=SELFEVAL)
def execution_present(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """全年预算数 and 全年执行数 are filled: 执行率 needs both."""
    project = project_of(ctx)
    for key in ("budget_adjusted", "budget_executed"):
        if getattr(project, key) is None and key not in project.unparsed:
            label = slayout.SELFEVAL_FIELD[key].label
            yield Hit(cell=field_at(project, key), field=key, params={"label": label, "unit": _money_unit(project)})


def _percent(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


@check(
    "execution_explained", "project", placeholders=("rate", "floor"), defaults={"floor_percent": 90.0}, forms=SELFEVAL
)
def execution_explained(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An execution rate below `floor_percent` comes with its explanation (执行偏差说明)."""
    project = project_of(ctx)
    rate = scored(ctx).execution.rate
    floor = params["floor_percent"]
    if rate is not None and rate * 100 < Decimal(str(floor)) and not project.execution_reason.strip():
        yield Hit(
            cell=field_at(project, "execution_reason"),
            field="execution_reason",
            value=_percent(rate),
            params={"rate": _percent(rate), "floor": f"{floor:g}"},
        )


@check("execution_within_budget", "project", placeholders=("budget", "rate"), forms=SELFEVAL)
def execution_within_budget(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """全年执行数 does not exceed 全年预算数."""
    project = project_of(ctx)
    budget, executed = project.budget_adjusted, project.budget_executed
    if budget is not None and executed is not None and executed > budget:
        rate = scored(ctx).execution.rate
        yield Hit(
            cell=field_at(project, "budget_executed"),
            field="budget_executed",
            value=f"{format_money(executed)} 元",
            params={"budget": f"{format_money(budget)} 元", "rate": _percent(rate) if rate is not None else "—"},
        )


@check("points_valid", "indicator", placeholders=("default",), forms=SELFEVAL)
def points_valid(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An indicator's 分值 is a number not below 0 (blank: the even share of its pool)."""
    for project, ind, s in _rows(ctx):
        if "points" in ind.unparsed or (ind.points is not None and ind.points < 0):
            yield _hit(project, ind, "points", {"default": _number(s.default_points)})


@check("points_add_up", "project", placeholders=("sum", "execution", "indicators", "total"), forms=SELFEVAL)
def points_add_up(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The points of budget execution and of every indicator add up to the rule set's total (100)."""
    score = scored(ctx)
    total = scoring_of(ctx.ruleset).total
    if abs(score.points_total - total) > TOLERANCE:
        header = f"{slayout.SELFEVAL_COLUMNS['points']}{slayout.SELFEVAL_HEADER_ROW}"
        yield Hit(
            cell=header,
            field="points",
            value=_number(score.points_total),
            params={
                "sum": _number(score.points_total),
                "execution": _number(score.execution.points),
                "indicators": _number(score.indicator_points),
                "total": _number(total),
            },
        )


def _rule_values(project: Project, score: ProjectScore) -> dict[str, tuple[str, Decimal | None]]:
    """Each formula cell of the sheet a typed value may sit in: what it is, and what the rules give there."""
    out: dict[str, tuple[str, Decimal | None]] = {
        slayout.SELFEVAL_EXEC_SCORE_CELL: ("预算执行率得分", score.execution.score),
        slayout.SELFEVAL_RATE_CELL: ("预算执行率", score.execution.rate),
    }
    for ind, s in zip(project.indicators, score.indicators, strict=True):
        out[cell_of(project, ind, "score")] = (f"“{ind.name}”的得分", s.score)
    total_row = slayout.SELFEVAL_FIRST_ROW + len(project.indicators)
    out[f"{slayout.SELFEVAL_COLUMNS['score']}{total_row}"] = ("总分", score.total)
    return out


@check("score_formula_kept", "project", placeholders=("what", "expected"), forms=SELFEVAL)
def score_formula_kept(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The sheet's scores are its formulas': a typed value where the form has a formula is reported, naming what
    the rules give (where the reader could not tell formulas from values, only a value that disagrees)."""
    project = project_of(ctx)
    rules = _rule_values(project, scored(ctx))
    for cell, typed in project.typed_over.items():
        what, expected = rules.get(cell, ("得分", None))
        shown = _percent(expected) if cell == slayout.SELFEVAL_RATE_CELL and expected is not None else _number(expected)
        if not project.formulas_seen and _agrees(typed, expected, cell == slayout.SELFEVAL_RATE_CELL):
            continue
        yield Hit(cell=cell, field="score", value=typed, params={"what": what, "expected": shown})


def _agrees(typed: str, expected: Decimal | None, rate: bool) -> bool:
    try:
        value = Decimal(typed)
    except ArithmeticError:
        return False
    if expected is None or not value.is_finite():  # 'nan' typed reads as Decimal('NaN'), which no sum compares
        return False
    return abs(value - expected) <= (Decimal("0.00005") if rate else TOLERANCE)


@check("printed_score_agrees", "project", placeholders=("what", "expected", "basis"), forms=SELFEVAL)
def printed_score_agrees(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Each score a published table printed (原表得分) is the score its own numbers give by the rules."""
    project = project_of(ctx)
    score = scored(ctx)
    for ind, s in zip(project.indicators, score.indicators, strict=True):
        if ind.score is None or s.score is None or abs(ind.score - s.score) <= TOLERANCE:
            continue
        done = f"完成 {s.fraction * 100:.0f}%" if s.fraction is not None else ""
        basis = f"实际完成值“{ind.actual}”对年度指标值“{ind.value}”{done}，分值 {_number(s.points)}"
        cell = ind.cells.get("printed") or cell_of(project, ind, "printed")
        yield Hit(
            indicator=ind,
            cell=cell,
            field="score",
            value=_number(ind.score),
            params={"what": f"“{ind.name}”", "expected": _number(s.score), "basis": basis},
        )
    execution = score.execution
    rows = (
        (
            "execution_score",
            "预算执行率",
            execution.score,
            f"执行率 {_rate(execution.rate)}，分值 {_number(execution.points)}",
        ),
        ("total_score", "总分", score.total, "预算执行率和各指标按规则计算的得分之和"),
    )
    printed_column = slayout.SELFEVAL_COLUMNS["printed"]
    exec_row = layout.split_address(slayout.SELFEVAL_EXEC_SCORE_CELL)[0]
    where = {"execution_score": exec_row, "total_score": slayout.SELFEVAL_FIRST_ROW + len(project.indicators)}
    for key, what, expected, basis in rows:
        printed = getattr(project, key)
        if printed is None or expected is None or abs(printed - expected) <= TOLERANCE:
            continue
        yield Hit(
            cell=project.cells.get(key) or f"{printed_column}{where[key]}",
            field=key,
            value=_number(printed),
            params={"what": what, "expected": _number(expected), "basis": basis},
        )


def _rate(rate: Decimal | None) -> str:
    return "未知" if rate is None else _percent(rate)
