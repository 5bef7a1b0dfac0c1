"""Year-over-year checks against last year's declaration from an archive.

Dropped, lowered or weakened targets, budgets that grow without more promised, and matching each project with
last year's without guessing."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlgoals.core import layout
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import Operator, Target, TargetKind, parse_target, split_unit
from xlgoals.core.yearonyear import change_percent, percent
from xlgoals.validation.rules.common import cover_cell, field_cell, field_label, indicator_cell, money_text, project_of
from xlgoals.validation.rules.registry import Context, Hit, check

# Year words a unit renews each year ('2022年', '2021年度', '2020-2022年') say nothing about which project it is.
_YEAR_WORDS = re.compile(r"(?:(?:19|20)\d{2}\s*[-—–~至到]\s*)?(?:19|20)\d{2}\s*年度?")
_UPWARD = frozenset({Operator.GE, Operator.GT, Operator.EQ})
_DOWNWARD = frozenset({Operator.LE, Operator.LT})


def name_key(name: str) -> str:
    """A project or indicator name without year words, spaces or bracket width: what stays the same each year."""
    text = _YEAR_WORDS.sub("", name)
    return "".join(text.split()).replace("(", "（").replace(")", "）")


@dataclass(frozen=True)
class Match:
    """Last year's project a project continues, or the candidates when more than one fits."""

    previous: Project | None
    candidates: tuple[Project, ...] = ()
    # 上年项目名称 as filled, when the match went by it.
    by_previous_name: str = ""


def match_project(project: Project, last_year: Unit) -> Match:
    """Exact name first, then the name without year words; the explicit 上年项目名称 wins over the name."""
    wanted = project.previous_name.strip() or project.name.strip()
    if not wanted:
        return Match(None)
    exact = [p for p in last_year.projects if p.name.strip() == wanted]
    fits = exact or [p for p in last_year.projects if name_key(p.name) == name_key(wanted)]
    by = project.previous_name.strip()
    if len(fits) == 1:
        return Match(fits[0], by_previous_name=by)
    return Match(None, tuple(fits), by)


def _last_year(ctx: Context) -> Unit | None:
    return ctx.history.previous if ctx.history is not None else None


def _matched(ctx: Context) -> tuple[Project, Project] | None:
    last_year = _last_year(ctx)
    if last_year is None:
        return None
    project = project_of(ctx)
    previous = match_project(project, last_year).previous
    return (project, previous) if previous is not None else None


def _name_cell(project: Project) -> str:
    key = "previous_name" if project.previous_name.strip() else "name"
    return field_cell(project, key)


def _projects_listed(projects: tuple[Project, ...] | list[Project]) -> str:
    return "、".join(f"“{p.name}”" + (f"（{p.sheet}）" if p.sheet else "") for p in projects) or "（无）"


@check("history_no_previous", "unit", placeholders=("archive", "unit", "last_year"), history=True)
def history_no_previous(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The archive holds no declaration of this unit for last year, so nothing was compared."""
    if ctx.history is None or ctx.history.previous is not None or ctx.unit.year is None:
        return
    yield Hit(
        sheet=layout.COVER_SHEET,
        cell=cover_cell(ctx.unit, "year"),
        field="year",
        value=str(ctx.unit.year),
        params={"archive": ctx.history.archive, "unit": ctx.unit.name, "last_year": ctx.unit.year - 1},
    )


@check("history_ambiguous", "project", placeholders=("candidates", "last_year"), history=True)
def history_ambiguous(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """More than one of last year's projects fits: none is chosen, the candidates are named."""
    last_year = _last_year(ctx)
    if last_year is None:
        return
    project = project_of(ctx)
    m = match_project(project, last_year)
    if len(m.candidates) > 1:
        cell = _name_cell(project)
        yield Hit(
            cell=cell,
            field="previous_name" if m.by_previous_name else "name",
            value=m.by_previous_name or project.name,
            params={"candidates": _projects_listed(m.candidates), "last_year": last_year.year or ""},
        )


@check("history_previous_missing", "project", placeholders=("names", "last_year"), history=True)
def history_previous_missing(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A filled 上年项目名称 names a project last year's declaration does not have."""
    last_year = _last_year(ctx)
    project = project_of(ctx)
    if last_year is None or not project.previous_name.strip():
        return
    m = match_project(project, last_year)
    if m.previous is None and not m.candidates:
        yield Hit(
            cell=field_cell(project, "previous_name"),
            field="previous_name",
            value=project.previous_name,
            params={"names": _projects_listed(last_year.projects), "last_year": last_year.year or ""},
        )


def _by_name(project: Project) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for ind in project.indicators:
        out.setdefault(name_key(ind.name), ind)
    return out


def _where_it_was(project: Project, dropped: Indicator) -> str:
    """The row a dropped indicator would sit near: its level-2's first row, else its level-1's, else the title."""
    same_level2 = (i for i in project.indicators if (i.level1, i.level2) == (dropped.level1, dropped.level2))
    same_level1 = (i for i in project.indicators if i.level1 == dropped.level1)
    row = next(same_level2, None) or next(same_level1, None)
    return indicator_cell(project, row, "name") if row is not None else layout.INDICATOR_SECTION_CELL


def dropped_hit(project: Project, dropped: Indicator, previous: Project, year: Any, **params: str) -> Hit:
    """A hit on a project for last year's indicator it no longer has, named as last year's table named it."""
    return Hit(
        cell=_where_it_was(project, dropped),
        field="name",
        value=dropped.name,
        params={
            "indicator": dropped.name,
            "level1": dropped.level1,
            "level2": dropped.level2,
            "last_value": dropped.value,
            "last_project": previous.name,
            "last_year": year,
            **params,
        },
    )


def _year(ctx: Context) -> Any:
    last_year = _last_year(ctx)
    return (last_year.year if last_year is not None else None) or ""


def _target(ind: Indicator) -> Target | None:
    if ind.target is not None:
        return ind.target
    try:
        return parse_target(ind.value, ind.name)
    except ValueError:
        return None


def compare(before: Target | None, after: Target | None) -> int:
    """+1 when `after` promises more than `before`, -1 less, 0 the same or not comparable (units, directions)."""
    if before is None or after is None or before.number is None or after.number is None:
        return 0
    if before.kind is not TargetKind.QUANTITATIVE or after.kind is not TargetKind.QUANTITATIVE:
        return 0
    if before.unit and after.unit and split_unit(before.unit)[1] != split_unit(after.unit)[1]:
        return 0
    ops = {before.operator or Operator.EQ, after.operator or Operator.EQ}
    if ops <= _UPWARD:
        sign = 1
    elif ops <= _DOWNWARD:
        sign = -1  # '<=30天' to '<=45天' promises less
    else:
        return 0
    if after.number == before.number:
        return 0
    return sign if after.number > before.number else -sign


def _unreadable(project: Project, part: str) -> bool:
    """Whether some indicator's `part` cannot be read (an error value, a formula never computed)."""
    return any(part in ind.unusable for ind in project.indicators)


def _pairs(project: Project, previous: Project) -> Iterator[tuple[Indicator, Indicator]]:
    """(last year's, this year's) indicator pairs of the same name whose target this year can be read."""
    before = _by_name(previous)
    for key, ind in _by_name(project).items():
        if key in before and "target" not in ind.unusable:
            yield before[key], ind


@check("target_lowered", "project", placeholders=("last_value", "last_year"), history=True)
def target_lowered(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A quantitative target promises less than last year's for the same indicator (>=95% to >=90%)."""
    pair = _matched(ctx)
    if pair is None:
        return
    project, previous = pair
    for before, now in _pairs(project, previous):
        if compare(_target(before), _target(now)) < 0:
            yield Hit(
                cell=indicator_cell(project, now, "target"),
                field="target",
                value=now.value,
                params={"indicator": now.name, "last_value": before.value, "last_year": _year(ctx)},
            )


def _weakened(before: Target | None, after: Target | None, grades: list[str], hedges: list[str]) -> bool:
    if before is None or after is None or after.kind is TargetKind.EMPTY:
        return False
    if before.kind is TargetKind.QUANTITATIVE:
        return after.kind is not TargetKind.QUANTITATIVE  # a number became a word or a sentence
    if before.kind is TargetKind.QUALITATIVE and after.kind is TargetKind.DESCRIPTIVE:
        return True
    if before.kind is not TargetKind.QUALITATIVE or after.kind is not TargetKind.QUALITATIVE:
        return False
    old, new = before.raw.strip(), after.raw.strip()
    if old in grades and new in grades and grades.index(new) > grades.index(old):
        return True
    return any(h in new and h not in old for h in hedges)


@check(
    "target_weakened",
    "project",
    placeholders=("last_value", "last_year"),
    defaults={
        "grades": ["优秀", "优良", "良好", "较好", "合格", "基本合格"],
        "hedge_words": ["基本", "原则上", "力争", "争取", "尽量", "尽可能", "有所", "逐步"],
    },
    history=True,
)
def target_weakened(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A target is no longer a number, a grade word became a sentence, a lower grade (`grades`, best first)
    or gained a hedge (`hedge_words`, e.g. 完成 to 基本完成)."""
    pair = _matched(ctx)
    if pair is None:
        return
    project, previous = pair
    for before, now in _pairs(project, previous):
        if _weakened(_target(before), _target(now), list(params["grades"]), list(params["hedge_words"])):
            yield Hit(
                cell=indicator_cell(project, now, "target"),
                field="target",
                value=now.value,
                params={"indicator": now.name, "last_value": before.value, "last_year": _year(ctx)},
            )


@check(
    "budget_up_same_targets",
    "project",
    placeholders=("last_budget", "change", "limit", "last_year", "label"),
    defaults={"max_increase_percent": 30.0},
    history=True,
)
def budget_up_same_targets(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """This year's budget is up more than `max_increase_percent` on last year's declared budget while no target
    was raised and no indicator added."""
    pair = _matched(ctx)
    if pair is None:
        return
    project, previous = pair
    change = change_percent(project.budget_year, previous.budget_year)
    limit = params["max_increase_percent"]
    if change is None or change <= Decimal(str(limit)) or project.budget_year is None:
        return
    if _unreadable(project, "name") or _unreadable(project, "target"):  # a raised target may be unreadable
        return
    raised = any(compare(_target(b), _target(n)) > 0 for b, n in _pairs(project, previous))
    added = set(_by_name(project)) - set(_by_name(previous))
    if not raised and not added:
        yield Hit(
            cell=field_cell(project, "budget_year"),
            field="budget_year",
            value=money_text(project, project.budget_year),
            params={
                "last_budget": money_text(project, previous.budget_year or Decimal(0)),
                "change": f"{change:+.1f}%",
                "limit": f"{limit:g}",
                "last_year": _year(ctx),
                "label": field_label(project, "budget_year"),
            },
        )


@check(
    "low_execution_budget_up",
    "project",
    placeholders=("rate", "floor", "last_budget"),
    defaults={"min_execution_percent": 80.0},
    history=True,
)
def low_execution_budget_up(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Last year's execution rate (同名项目上年预算执行数 / 上年预算额) is below `min_execution_percent` while this
    year's budget is above last year's declared one."""
    pair = _matched(ctx)
    if pair is None:
        return
    project, previous = pair
    rate = percent(project.last_year_executed, project.last_year_budget)
    floor = params["min_execution_percent"]
    this_year, last_year = project.budget_year, previous.budget_year
    if rate is None or this_year is None or last_year is None or this_year <= last_year:
        return
    if project.last_year_executed is None:
        return
    if rate < Decimal(str(floor)):
        yield Hit(
            cell=field_cell(project, "last_year_executed"),
            field="last_year_executed",
            value=money_text(project, project.last_year_executed),
            params={
                "rate": f"{rate:.1f}%",
                "floor": f"{floor:g}",
                "last_budget": money_text(project, previous.budget_year or Decimal(0)),
            },
        )
