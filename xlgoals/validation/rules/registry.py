"""The explicit registry of built-in checks: a dict filled by a decorator, checked against rule sets on load.

A check is a small function `(ctx, params) -> hits` (usually a generator) that reads the unit, never files:
- scope "unit": called once per unit (`ctx.project` is None);
- scope "project": called once per project (`ctx.project` is it);
- scope "indicator": also called once per project, looking at each of its indicators in turn; each hit names
  its `indicator`, whose name and levels the message's placeholders then show. One call per project rather
  than per indicator keeps a thousand-workbook consolidation from paying a call for every (rule, indicator).
`params` are the rule's, over the check's defaults. A check registered with `history=True` looks at last year's
declaration only: it is not called at all without one (`ctx.history` is None). A project- or indicator-scope
check looks at one kind of project sheet (`forms`): declarations (申报表, the default) or self-evaluations (自评表,
whose targets are carried over and locked: the declaration's checks have had their say).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.ruleset import RuleSet

Scope = Literal["unit", "project", "indicator"]
Form = Literal["declaration", "selfeval"]


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check found: where, and the values its message template may use."""

    cell: str | None = None
    field: str | None = None
    value: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # Unit-scope checks that point into a project sheet name it here.
    project: Project | None = None
    sheet: str | None = None
    # Indicator-scope checks name the indicator each hit is about.
    indicator: Indicator | None = None


@dataclass(frozen=True)
class History:
    """Last year's declaration of the same unit, as an archive holds it; `previous` is None when it holds none."""

    archive: str
    previous: Unit | None
    # Last year's self-evaluation (自评) of the unit, where the archive holds one: its actuals and scores.
    selfeval: Unit | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a check may look at; a check never reads files or the workbook itself."""

    unit: Unit
    ruleset: RuleSet
    project: Project | None = None
    # Given only when validating against an archive (validate --history); the year-over-year checks need it.
    history: History | None = None
    # What several checks derive from the same project in one run, derived once (see common.judged_targets).
    shared: dict[str, Any] = dataclasses.field(default_factory=dict)


CheckFn = Callable[[Context, Mapping[str, Any]], Iterable[Hit]]


@dataclass(frozen=True)
class CheckInfo:
    name: str
    scope: Scope
    fn: CheckFn
    defaults: Mapping[str, Any]
    placeholders: frozenset[str]
    doc: str
    history: bool = False
    forms: frozenset[Form] = frozenset({"declaration"})


CHECKS: dict[str, CheckInfo] = {}


def check(
    name: str,
    scope: Scope,
    *,
    placeholders: tuple[str, ...] = (),
    defaults: Mapping[str, Any] | None = None,
    history: bool = False,
    forms: tuple[Form, ...] = ("declaration",),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under the name rule-set files use; placeholders are what its hits supply."""

    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = CheckInfo(
            name,
            scope,
            fn,
            dict(defaults or {}),
            frozenset(placeholders),
            (fn.__doc__ or "").strip(),
            history,
            frozenset(forms),
        )
        return fn

    return register
