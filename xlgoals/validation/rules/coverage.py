"""Project-wide indicator checks: required levels are covered and no indicator is listed twice."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from xlgoals.core import layout
from xlgoals.core.model import Indicator
from xlgoals.validation.rules.common import indicator_cell, project_of
from xlgoals.validation.rules.registry import Context, Hit, check


@check("level1_present", "project", placeholders=("missing",))
def level1_present(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every level-1 the framework requires has at least one indicator. Not judged while a level-1 cell cannot
    be used: the level missing may be the one in it."""
    project = project_of(ctx)
    if _unknown(project.indicators, "level1"):
        return
    present = {ind.level1 for ind in project.indicators}
    for lv in ctx.ruleset.level1:
        if lv.required and lv.name not in present:
            # Nothing of it exists to point at, so the finding sits on the indicator table's title.
            yield Hit(cell=layout.INDICATOR_SECTION_CELL, params={"missing": lv.name})


@check("level2_present", "project", placeholders=("missing",))
def level2_present(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Each level-1 that is present covers the level-2 names it requires (not judged where a level cell that
    cannot be used may hold the missing one)."""
    project = project_of(ctx)
    if _unknown(project.indicators, "level1"):
        return
    for lv in ctx.ruleset.level1:
        if not lv.required_level2:
            continue
        rows = [ind for ind in project.indicators if ind.level1 == lv.name]
        # An absent level-1 is level1_present's finding; repeating it per level-2 would only add noise.
        if not rows or _unknown(rows, "level2"):
            continue
        present = {ind.level2 for ind in rows}
        for name in lv.required_level2:
            if name not in present:
                yield Hit(
                    cell=indicator_cell(project, rows[0], "level1"),
                    field="level1",
                    value=lv.name,
                    params={"level1": lv.name, "missing": name},
                )


def _unknown(indicators: list[Indicator], part: str) -> bool:
    """Whether some indicator's `part` is unknown: it stands under a cell that could not be used."""
    return any(part in ind.unusable for ind in indicators)


@lru_cache(maxsize=8192)
def _name_key(name: str) -> str:
    # '资金到位率(%)' and '资金到位率（%）' are the same indicator to a reviewer.
    return "".join(name.split()).replace("(", "（").replace(")", "）")


@check("indicator_names_unique", "project", placeholders=("first_cell",))
def indicator_names_unique(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """No indicator name appears twice in a project; each repeat is reported at its own row."""
    project = project_of(ctx)
    seen: dict[str, Indicator] = {}
    for ind in project.indicators:
        key = _name_key(ind.name)
        if not key:
            continue
        first = seen.setdefault(key, ind)
        if first is not ind:
            yield Hit(
                cell=indicator_cell(project, ind, "name"),
                field="name",
                value=ind.name,
                params={"indicator": ind.name, "first_cell": indicator_cell(project, first, "name")},
            )


@check("level1_expected", "project", placeholders=("missing",), defaults={"level1": "成本指标"})
def level1_expected(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A level-1 the framework expects but does not require (the 2021 form's 成本指标) has indicators."""
    project = project_of(ctx)
    name = params["level1"]
    if _unknown(project.indicators, "level1"):
        return
    if project.indicators and all(ind.level1 != name for ind in project.indicators):
        yield Hit(cell=layout.INDICATOR_SECTION_CELL, params={"missing": name})
