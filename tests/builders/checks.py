"""A built-in check called on its own, as the engine calls it: its context, its defaults under the given params."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlgoals.core.model import Project, Unit
from xlgoals.core.ruleset import RuleSet
from xlgoals.validation.rules.registry import CHECKS, CheckFn, CheckInfo, Context, History, Hit


def info_of(fn: CheckFn) -> CheckInfo:
    return next(info for info in CHECKS.values() if info.fn is fn)


def checks_in(module: ModuleType) -> list[CheckInfo]:
    """The checks a rules module registers, in registration order."""
    return [info for info in CHECKS.values() if info.fn.__module__ == module.__name__]


def run_check(
    fn: CheckFn,
    unit: Unit,
    rs: RuleSet,
    project: Project | None = None,
    history: History | None = None,
    **params: Any,
) -> list[Hit]:
    """`fn`'s hits on `unit` (a project-scope check on `project`, by default the unit's first)."""
    info = info_of(fn)
    if info.scope != "unit" and project is None:
        project = unit.projects[0]
    ctx = Context(unit, rs, project if info.scope != "unit" else None, history)
    return list(fn(ctx, {**info.defaults, **params}))
