"""Budget checks: amounts parse, are not negative, and agree with each other and with last year."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from xlgoals.core import layout
from xlgoals.core.values import format_money, parse_money
from xlgoals.validation.rules.common import MONEY_KEYS, exceeds, field_cell, project_of, unparsed_hits
from xlgoals.validation.rules.registry import Context, Hit, check


@check("money_parses", "project", placeholders=("label", "reason"))
def money_parses(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An amount that was filled is an amount."""
    return unparsed_hits(project_of(ctx), MONEY_KEYS, parse_money)


@check("money_non_negative", "project", placeholders=("label",))
def money_non_negative(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """No amount is below zero."""
    project = project_of(ctx)
    for key in MONEY_KEYS:
        amount: Decimal | None = getattr(project, key)
        if amount is not None and amount < 0:
            yield Hit(
                cell=field_cell(project, key),
                field=key,
                value=format_money(amount),
                # The amount is shown in yuan: a national-form label (written in 万元) says so.
                params={"label": layout.yuan_label(layout.field_of(key, project.cells))},
            )


@check("year_within_total", "project", placeholders=("total", "label", "total_label"))
def year_within_total(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """This year's budget does not exceed the project's total budget."""
    return exceeds(project_of(ctx), "budget_year", "budget_total", "total")


@check("executed_within_budget", "project", placeholders=("budget", "label", "budget_label"))
def executed_within_budget(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Last year's executed amount does not exceed last year's budget."""
    return exceeds(project_of(ctx), "last_year_executed", "last_year_budget", "budget")


@check(
    "year_on_year",
    "project",
    placeholders=("last_year", "change", "limit"),
    defaults={"max_change_percent": 30.0},
)
def year_on_year(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """This year's budget moves from last year's by at most `max_change_percent` either way."""
    project = project_of(ctx)
    year, last = project.budget_year, project.last_year_budget
    # Without a positive last-year budget the project is new: there is no change to judge.
    if year is None or last is None or last <= 0:
        return
    change = (year - last) / last * 100
    limit = params["max_change_percent"]
    if abs(change) > Decimal(str(limit)):
        yield Hit(
            cell=field_cell(project, "budget_year"),
            field="budget_year",
            value=format_money(year),
            params={"last_year": format_money(last), "change": f"{change:+.1f}%", "limit": f"{limit:g}"},
        )
