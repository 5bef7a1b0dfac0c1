"""Helpers the checks share: where a field or indicator sits, and targets judged by the rule set's words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from xlgoals.core import layout
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.ruleset import RuleSet, builtin_named
from xlgoals.core.targets import Target, TargetKind, parse_target_cached
from xlgoals.core.values import ParseError, format_money
from xlgoals.io.presentation import MoneyUnit
from xlgoals.validation.rules.registry import Context, Hit

_WORDY = frozenset({TargetKind.QUALITATIVE, TargetKind.DESCRIPTIVE})
# The amounts of either form (the national form's 其中：财政拨款 and 其他资金 among them); a form's own are
# filled, the other's blank.
MONEY_KEYS = tuple(key for key, spec in layout.ANY_PROJECT_FIELD.items() if spec.kind == "money")


def project_of(ctx: Context) -> Project:
    assert ctx.project is not None, "the engine gives project- and indicator-scope checks their project"
    return ctx.project


def field_cell(project: Project, field: str) -> str:
    """Where a header field was read from; a model built in memory points where the template puts it."""
    return project.cells.get(field) or layout.ANY_PROJECT_FIELD[field].value_cell


def money_unit(project: Project | None) -> MoneyUnit:
    """The unit a project's form is typed in: the national form's 万元, else 元."""
    return MoneyUnit.WAN if project is not None and project.money_unit == MoneyUnit.WAN.value else MoneyUnit.YUAN


_WAN = Decimal(10_000)


def money_text(project: Project, amount: Decimal) -> str:
    """An amount as the project's own form has it typed ('60' on a national sheet in 万元, '600,000' in 元), for
    a message that says {unit} after it: separators, no decimals it does not have."""
    if money_unit(project) is MoneyUnit.YUAN:
        return format_money(amount)
    wan = (amount / _WAN).quantize(Decimal("0.000001"))  # the fen, in 万元
    whole = wan.to_integral_value()
    return f"{whole:,f}" if wan == whole else f"{wan.normalize():,f}"


def field_label(project: Project, field: str) -> str:
    """A header field's label as the project's own form writes it (年度资金总额 on the national form)."""
    return layout.field_of(field, project.cells).label


def project_form(ctx: Context, project: Project) -> layout.Form:
    """The form a project's header follows: a project read from a sheet has that sheet's (its cells say which);
    one built in memory the form its unit's framework writes it in (the rule set's when the unit names no
    built-in framework)."""
    if project.cells:
        return "national" if layout.NATIONAL_MARK.key in project.cells else "shanghai"
    framework = builtin_named(ctx.unit.framework) if ctx.unit.framework else None
    return framework.form if framework is not None else ctx.ruleset.form


def cover_cell(unit: Unit, field: str) -> str:
    return unit.cells.get(field) or layout.COVER_FIELD[field].value_cell


def indicator_cell(project: Project, indicator: Indicator, part: str) -> str:
    """Where an indicator's part was read from; in memory, the row the template writes it to."""
    if part in indicator.cells:
        return indicator.cells[part]
    # Identity, not equality: two identical rows still sit on different sheet rows.
    index = next(i for i, ind in enumerate(project.indicators) if ind is indicator)
    return layout.indicator_cell(layout.INDICATOR_FIRST_ROW + index, part)


def indicator_hit(
    project: Project, indicator: Indicator, part: str, value: str | None = None, params: Mapping[str, Any] | None = None
) -> Hit:
    """A hit on one of an indicator's cells (`part`: 'level1', 'level2', 'name', 'target'), showing `value`, the
    target value unless given."""
    return Hit(
        indicator=indicator,
        cell=indicator_cell(project, indicator, part),
        field=part,
        value=indicator.value if value is None else value,
        params=params or {},
    )


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def target_of(ruleset: RuleSet, indicator: Indicator) -> Target | None:
    """The parsed target, with grade word vs sentence decided by the rule set's vocabulary.

    The reader classifies with the default vocabulary; a bureau's own word list must win here.
    """
    target = indicator.target
    if target is None or target.kind not in _WORDY or not ruleset.own_words:
        return target
    # A workbook repeats values across projects, a department across workbooks.
    return parse_target_cached(indicator.value, indicator.name, ruleset.qualitative_words)


def judged_targets(ctx: Context) -> list[Target | None]:
    """target_of each of the project's indicators, in order; judged once per run for all the checks that ask."""
    targets: list[Target | None] | None = ctx.shared.get("targets")
    if targets is None:
        rs = ctx.ruleset
        targets = ctx.shared["targets"] = [target_of(rs, ind) for ind in project_of(ctx).indicators]
    return targets


def unparsed_hits(project: Project, keys: Iterable[str], parse: Callable[[str], object]) -> Iterator[Hit]:
    """A hit for each field among `keys` that was filled but does not parse, with the parser's reason."""
    for key in keys:
        text = project.unparsed.get(key)
        reason = None if text is None else parse_problem(parse, text)
        if reason is not None:
            label = field_label(project, key)
            yield Hit(cell=field_cell(project, key), field=key, value=text, params={"label": label, "reason": reason})


def exceeds(project: Project, field: str, limit_field: str, param: str) -> Iterator[Hit]:
    """A hit when `field` is above `limit_field` (both filled); the limit is shown as `param`, its label as
    `param`_label and the field's as `label`, both as the project's form writes them."""
    value, limit = getattr(project, field), getattr(project, limit_field)
    if value is not None and limit is not None and value > limit:
        yield Hit(
            cell=field_cell(project, field),
            field=field,
            value=money_text(project, value),
            params={
                param: money_text(project, limit),
                "label": field_label(project, field),
                f"{param}_label": field_label(project, limit_field),
            },
        )


def parse_problem(parse: Callable[[str], object], text: str) -> str | None:
    """The parser's Chinese explanation of why `text` does not parse; None when it does."""
    try:
        parse(text)
    except ParseError as e:
        return e.message
    return None
