"""Cells whose value cannot be used, each at its cell: error values (#REF!, #N/A …) and formulas never computed.

The reader reads such a cell as blank and records it (Unit.unusable, Project.unusable); these checks say what
it is, so no other rule calls it 未填写 and no total counts it without a word. Only the form's data cells (the
ones the layout maps into the model) are ever recorded: formulas elsewhere in a workbook are not findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.model import Indicator, Project, is_selfeval
from xlgoals.validation.rules.common import field_cell, field_label, project_form
from xlgoals.validation.rules.registry import Context, Hit, check

_PLACEHOLDERS = ("label", "error", "meaning")


def _hit(u: Unusable, cell: str, field: str, label: str, **where: Any) -> Hit:
    return Hit(
        cell=cell,
        field=field,
        value=u.shown(),
        params={"label": label, "error": u.error, "meaning": u.meaning},
        **where,
    )


def _project_places(ctx: Context, project: Project) -> dict[str, tuple[str, str, Indicator | None]]:
    """Each cell of the project's form that was read: (field or part, its label, its indicator)."""
    if is_selfeval(project):
        return _selfeval_places(project)
    form = project_form(ctx, project)
    keys = list(project.cells) or [spec.key for spec in layout.project_fields(form)]
    places: dict[str, tuple[str, str, Indicator | None]] = {
        field_cell(project, key): (key, field_label(project, key), None) for key in keys
    }
    headers = layout.NATIONAL_INDICATOR_HEADERS if form == "national" else layout.INDICATOR_HEADERS
    for ind in project.indicators:
        for part, cell in ind.cells.items():
            places[cell] = (part, headers.get(part, part), ind)
    return places


def _selfeval_places(project: Project) -> dict[str, tuple[str, str, Indicator | None]]:
    """The same for a 自评 sheet: its own fields and columns."""
    places: dict[str, tuple[str, str, Indicator | None]] = {
        cell: (key, spec.label if (spec := slayout.SELFEVAL_FIELD.get(key)) else key, None)
        for key, cell in project.cells.items()
    }
    for ind in project.indicators:
        for part, cell in ind.cells.items():
            places[cell] = (part, slayout.SELFEVAL_HEADERS.get(part, part), ind)
    return places


def unusable_hits(ctx: Context, uncomputed: bool) -> Iterator[Hit]:
    """A hit at every cover and project cell that could not be used, of the kind asked for."""
    unit = ctx.unit
    for cell, u in unit.unusable.items():
        if u.uncomputed is uncomputed:
            spec = next((s for s in layout.COVER_FIELDS if s.value_cell == cell), None)
            key, label = (spec.key, spec.label) if spec is not None else ("", cell)
            yield _hit(u, cell, key, label, sheet=layout.COVER_SHEET)
    for project in unit.projects:
        if not project.unusable:
            continue
        places = _project_places(ctx, project)
        for cell, u in project.unusable.items():
            if u.uncomputed is uncomputed:
                part, label, ind = places.get(cell, ("", cell, None))
                yield _hit(u, cell, part, label, project=project, indicator=ind)


@check("error_values", "unit", placeholders=_PLACEHOLDERS)
def error_values(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A cell of the form holds an error value (#REF!, #N/A …): its content is missing, not blank."""
    return unusable_hits(ctx, uncomputed=False)


@check("uncomputed_formulas", "unit", placeholders=_PLACEHOLDERS)
def uncomputed_formulas(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A cell of the form holds a formula saved without its result (by a program that does not calculate)."""
    return unusable_hits(ctx, uncomputed=True)
