"""Budget checks: amounts parse, are not negative, and agree with each other and with last year."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from xlgoals.core.values import ParseError, parse_money
from xlgoals.core.yearonyear import change_percent
from xlgoals.validation.rules.common import (
    MONEY_KEYS,
    exceeds,
    field_cell,
    field_label,
    money_text,
    money_unit,
    project_of,
    unparsed_hits,
)
from xlgoals.validation.rules.registry import Context, Form, Hit, check

# The amounts of a published table are checked whichever form it is: a self-evaluation (自评表) prints its
# 年度资金总额 and 其中 rows as a declaration does (a 自评 sheet's own amounts are its checks').
BOTH: tuple[Form, ...] = ("declaration", "selfeval")


@check("money_parses", "project", placeholders=("label", "reason"), forms=BOTH)
def money_parses(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An amount that was filled is an amount."""
    return unparsed_hits(project_of(ctx), MONEY_KEYS, parse_money)


@check("money_non_negative", "project", placeholders=("label",), forms=BOTH)
def money_non_negative(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """No amount is below zero."""
    project = project_of(ctx)
    for key in MONEY_KEYS:
        amount: Decimal | None = getattr(project, key)
        if amount is not None and amount < 0:
            yield Hit(
                cell=field_cell(project, key),
                field=key,
                value=money_text(project, amount),
                # The amount as the form is typed: a national-form label under 资金情况（万元） says 万元.
                params={"label": f"{field_label(project, key)}（{money_unit(project)}）"},
            )


@check("year_within_total", "project", placeholders=("total", "label", "total_label"))
def year_within_total(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """This year's budget does not exceed the project's total budget."""
    return exceeds(project_of(ctx), "budget_year", "budget_total", "total")


# The national form's parts of 年度资金总额 (其中：财政拨款, 其他资金).
FUNDING_PARTS = ("budget_fiscal", "budget_other")
# Parts some published forms add, kept as text among a project's unlabelled facts (`Project.extra`): filled
# with an amount, the two parts above are not the whole of the total.
OTHER_FUNDING_PARTS = ("上年结转资金", "该项目支出上级资金")


def _has_other_part(extra: Mapping[str, str]) -> bool:
    for label in OTHER_FUNDING_PARTS:
        try:
            if parse_money(extra.get(label)):
                return True
        except ParseError:
            return True  # filled, but not a plain amount (a row of figures, a note): not judged
    return False


@check("funding_adds_up", "project", placeholders=("label", "parts", "sum"), forms=BOTH)
def funding_adds_up(ctx: Context, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The year's total (年度资金总额) is its parts: 其中：财政拨款 plus 其他资金, a blank part counted as 0."""
    project = project_of(ctx)
    total = project.budget_year
    parts = [(key, amount) for key in FUNDING_PARTS if (amount := getattr(project, key)) is not None]
    # A part that did not parse (money.invalid) or cannot be used (an error value) is unknown; without any
    # part there is nothing to add up.
    if total is None or not parts or any(key in project.unparsed for key in FUNDING_PARTS):
        return
    if any(field_cell(project, key) in project.unusable for key in FUNDING_PARTS):
        return
    if _has_other_part(project.extra):
        return
    added = sum((amount for _, amount in parts), Decimal(0))
    if added != total:
        yield Hit(
            cell=field_cell(project, "budget_year"),
            field="budget_year",
            value=money_text(project, total),
            params={
                "label": field_label(project, "budget_year"),
                "parts": "，".join(
                    f"“{field_label(project, key)}” {money_text(project, amount)} {money_unit(project)}"
                    for key, amount in parts
                ),
                "sum": money_text(project, added),
            },
        )


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
    limit = params["max_change_percent"]
    change = change_percent(year, last)
    # Judged on the exact amounts, not the percentage as shown: 520,001 against 400,000 is over 30 % though
    # it shows as +30.0 % (the live check compares the same way).
    if change is not None and abs(year - last) * 100 > Decimal(str(limit)) * last:
        shown = f"{change:+.1f}%"
        if abs(change.quantize(Decimal("0.1"))) <= Decimal(str(limit)):
            shown = f"{(year - last) * 100 / last:+.4f}%"  # over the limit by less than one decimal shows
        yield Hit(
            cell=field_cell(project, "budget_year"),
            field="budget_year",
            value=money_text(project, year),
            params={"last_year": money_text(project, last), "change": shown, "limit": f"{limit:g}"},
        )
