"""The explicit registry of built-in checks: a dict filled by a decorator, checked against rule sets on load."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.validation.ruleset import RuleSet

Scope = Literal["unit", "project", "indicator"]


@dataclass(frozen=True)
class Hit:
    """What a check found: where, and the values its message template may use."""

    cell: str | None = None
    field: str | None = None
    value: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # Unit-scope checks that point into a project sheet name it here.
    project: Project | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class History:
    """Last year's declaration of the same unit, as an archive holds it; `previous` is None when it holds none."""

    archive: str
    previous: Unit | None


@dataclass(frozen=True)
class Context:
    """Everything a check may look at; a check never reads files or the workbook itself."""

    unit: Unit
    ruleset: RuleSet
    project: Project | None = None
    indicator: Indicator | None = None
    # Given only when validating against an archive (validate --history); the year-over-year checks need it.
    history: History | None = None


CheckFn = Callable[[Context, Mapping[str, Any]], Iterator[Hit]]


@dataclass(frozen=True)
class CheckInfo:
    name: str
    scope: Scope
    fn: CheckFn
    defaults: Mapping[str, Any]
    placeholders: frozenset[str]
    doc: str


CHECKS: dict[str, CheckInfo] = {}


def check(
    name: str, scope: Scope, *, placeholders: tuple[str, ...] = (), defaults: Mapping[str, Any] | None = None
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under the name rule-set files use; placeholders are what its hits supply."""

    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = CheckInfo(
            name, scope, fn, dict(defaults or {}), frozenset(placeholders), (fn.__doc__ or "").strip()
        )
        return fn

    return register
