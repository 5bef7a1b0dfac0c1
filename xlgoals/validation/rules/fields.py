"""Project header checks: required fields, choices, 是/否 and the planned dates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.core import layout
from xlgoals.core.model import DATE_FIELDS
from xlgoals.core.values import format_date, parse_date
from xlgoals.io.presentation import LONG_TEXT_WIDTH, fits_row, printable_chars
from xlgoals.validation.rules.common import (
    field_cell,
    field_label,
    is_blank,
    project_form,
    project_of,
    unparsed_hits,
)
from xlgoals.validation.rules.registry import Context, Hit, check


@check("required_fields", "project", placeholders=("label",))
def required_fields(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Every field the project's form marks required is filled; text that did not parse, an error value and a
    formula never computed are other rules' (they are not 未填写)."""
    project = project_of(ctx)
    for spec in layout.project_fields(project_form(ctx, project)):
        if spec.required and spec.key not in project.unparsed and is_blank(getattr(project, spec.key)):
            if field_cell(project, spec.key) in project.unusable:
                continue
            yield Hit(cell=field_cell(project, spec.key), field=spec.key, params={"label": spec.label})


@check("known_choice", "project", placeholders=("label", "choices"))
def known_choice(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """项目类别 and 绩效类型 are among the rule set's choices."""
    project = project_of(ctx)
    choices = ctx.ruleset.choices
    for key, allowed in (("category", choices.category), ("perf_type", choices.perf_type)):
        text: str = getattr(project, key)
        if text and text not in allowed:
            yield Hit(
                cell=field_cell(project, key),
                field=key,
                value=text,
                params={"label": field_label(project, key), "choices": "、".join(allowed)},
            )


@check("yes_no", "project", placeholders=("label", "choices"))
def yes_no(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """是否含有政府购买服务 holds one of the rule set's yes/no words."""
    project = project_of(ctx)
    text = project.unparsed.get("gov_purchase")
    if text is not None:
        yield Hit(
            cell=field_cell(project, "gov_purchase"),
            field="gov_purchase",
            value=text,
            params={
                "label": field_label(project, "gov_purchase"),
                "choices": "、".join(ctx.ruleset.choices.yes_no),
            },
        )


@check("date_parses", "project", placeholders=("label", "reason"))
def date_parses(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A planned date that was filled is a date."""
    return unparsed_hits(project_of(ctx), DATE_FIELDS, parse_date)


@check("date_order", "project", placeholders=("start", "end"))
def date_order(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The planned start is not after the planned end."""
    project = project_of(ctx)
    if project.start is not None and project.end is not None and project.start > project.end:
        end = format_date(project.end)
        yield Hit(
            cell=field_cell(project, "end"),
            field="end",
            value=end,
            params={"start": format_date(project.start), "end": end},
        )


@check("date_in_year", "project", placeholders=("label", "year"))
def date_in_year(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Planned dates fall inside the unit's fiscal year."""
    project = project_of(ctx)
    year = ctx.unit.year
    if year is None:
        return
    for key in DATE_FIELDS:
        day = getattr(project, key)
        if day is not None and day.year != year:
            yield Hit(
                cell=field_cell(project, key),
                field=key,
                value=format_date(day),
                params={"label": field_label(project, key), "year": year},
            )


@check("long_text_prints", "project", placeholders=("label", "chars", "limit"))
def long_text_prints(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A long text (项目概况 ...) fits the tallest row its box can have, or print cuts it off."""
    project = project_of(ctx)
    limit = printable_chars(LONG_TEXT_WIDTH)
    for spec in layout.project_fields(project_form(ctx, project)):
        text = getattr(project, spec.key) if spec.kind == "long" else ""
        if text and not fits_row(text, LONG_TEXT_WIDTH):
            yield Hit(
                cell=field_cell(project, spec.key),
                field=spec.key,
                params={"label": spec.label, "chars": len(text), "limit": limit},
            )
