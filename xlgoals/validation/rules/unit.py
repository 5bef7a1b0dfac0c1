"""Unit-wide checks: the cover sheet and the set of projects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.core import layout
from xlgoals.core.model import Project
from xlgoals.validation.rules.common import cover_cell, field_cell, is_blank
from xlgoals.validation.rules.registry import Context, Hit, check


@check("cover_required", "unit", placeholders=("label",))
def cover_required(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every cover field the template marks required is filled; text that did not parse, an error value and a
    formula never computed are other rules'."""
    unit = ctx.unit
    for spec in layout.COVER_FIELDS:
        if spec.required and spec.key not in unit.unparsed and is_blank(getattr(unit, spec.key)):
            if cover_cell(unit, spec.key) in unit.unusable:
                continue
            yield Hit(
                sheet=layout.COVER_SHEET,
                cell=cover_cell(unit, spec.key),
                field=spec.key,
                params={"label": spec.label},
            )


@check("cover_year", "unit", placeholders=("label",))
def cover_year(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The fiscal year on the cover is a year."""
    text = ctx.unit.unparsed.get("year")
    if text is not None:
        yield Hit(
            sheet=layout.COVER_SHEET,
            cell=cover_cell(ctx.unit, "year"),
            field="year",
            value=text,
            params={"label": layout.COVER_FIELD["year"].label},
        )


@check("framework_matches", "unit", placeholders=("expected",))
def framework_matches(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The cover's 指标体系 names the rule set in use, by name or title.

    The pipeline falls back to the default rule set for a name it does not know, so a mismatch here
    means either an unknown framework or a unit checked against another framework than it declares.
    """
    framework = ctx.unit.framework.strip()
    if framework and framework not in (ctx.ruleset.name, ctx.ruleset.title):
        yield Hit(
            sheet=layout.COVER_SHEET,
            cell=cover_cell(ctx.unit, "framework"),
            field="framework",
            value=framework,
            params={"expected": ctx.ruleset.title},
        )


@check("has_projects", "unit")
def has_projects(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The workbook declares at least one project."""
    if not ctx.unit.projects:
        yield Hit(sheet=layout.COVER_SHEET)


@check("project_names_unique", "unit", placeholders=("first_sheet",))
def project_names_unique(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """No project name appears twice in a unit; each repeat is reported on its own sheet."""
    seen: dict[str, Project] = {}
    for project in ctx.unit.projects:
        key = "".join(project.name.split())
        if not key:
            continue
        first = seen.setdefault(key, project)
        if first is not project:
            yield Hit(
                project=project,
                cell=field_cell(project, "name"),
                field="name",
                value=project.name,
                params={"first_sheet": first.sheet or first.name},
            )


@check("sheets_read", "unit", placeholders=("label", "label_cell"))
def sheets_read(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every sheet that is neither the workbook's own nor laid out as a project is named: nothing is skipped
    without a word. No cell is marked: the sheet is the user's, not ours to colour."""
    spec = layout.PROJECT_FIELD["name"]
    for sheet in ctx.unit.other_sheets:
        yield Hit(sheet=sheet, params={"label": spec.label, "label_cell": spec.label_cell})


@check("blank_project_sheets", "unit")
def blank_project_sheets(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A project sheet left blank is not a project, and is said to be so."""
    for sheet in ctx.unit.blank_sheets:
        yield Hit(sheet=sheet)


@check("template_untouched", "unit")
def template_untouched(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The hidden template is what 新增项目 copies; what is typed into it is not a project."""
    if ctx.unit.template_filled:
        yield Hit(sheet=layout.PROJECT_TEMPLATE_SHEET)


@check("reserved_sheet_names", "unit", placeholders=("new_name",))
def reserved_sheet_names(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A project sheet named like one of the workbook's own (汇总, 校验结果, 导入记录 …) is not read: the
    汇总 and 校验 buttons replace those sheets. It is said, with a free name to give it."""
    taken = [*(p.sheet or "" for p in ctx.unit.projects), *ctx.unit.blank_sheets, *ctx.unit.other_sheets]
    for sheet in ctx.unit.reserved_sheets:
        new_name = layout.next_project_sheet_name(taken)
        taken.append(new_name)
        yield Hit(sheet=sheet, params={"new_name": new_name})


@check("cells_within_read_bounds", "unit", placeholders=("bounds",))
def cells_within_read_bounds(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Content beyond the area the reader takes from a sheet is named, never silently dropped."""
    bounds = f"A1:{layout.address(layout.READ_MAX_ROW, layout.READ_MAX_COLUMN)}"
    for sheet, cell in ctx.unit.unread_cells.items():
        yield Hit(sheet=sheet, cell=cell, params={"bounds": bounds})
