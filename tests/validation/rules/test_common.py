"""validation/rules/common.py: what the checks share: where a field or an indicator part sits (as read, or where
the template puts it), amounts as the project's own form types them, a filled field that does not parse."""

from __future__ import annotations

from decimal import Decimal

from tests.builders.units import indicator, project
from xlgoals.core import layout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.values import parse_money
from xlgoals.io.presentation import MoneyUnit
from xlgoals.validation.rules.common import (
    exceeds,
    field_cell,
    indicator_cell,
    is_blank,
    money_text,
    money_unit,
    unparsed_hits,
)

RS = load_ruleset("shanghai-2020")


def test_amounts_as_the_form_types_them() -> None:
    yuan, wan = project(RS), project(RS, money_unit="万元")
    assert (money_unit(yuan), money_unit(wan), money_unit(None)) == (MoneyUnit.YUAN, MoneyUnit.WAN, MoneyUnit.YUAN)
    assert money_text(yuan, Decimal("600000.00")) == "600,000" and money_text(yuan, Decimal("600000.5")) == "600,000.50"
    assert money_text(wan, Decimal(600_000)) == "60" and money_text(wan, Decimal("12345.67")) == "1.234567"


def test_where_fields_and_indicator_parts_are() -> None:
    p = project(RS)
    assert field_cell(p, "budget_year") == layout.PROJECT_FIELD["budget_year"].value_cell
    p.cells["budget_year"] = "C99"
    assert field_cell(p, "budget_year") == "C99"
    twin_a, twin_b = indicator("产出指标", "数量指标", "场次", "3场"), indicator("产出指标", "数量指标", "场次", "3场")
    p.indicators = [twin_a, twin_b]
    assert indicator_cell(p, twin_b, "target") == layout.indicator_cell(layout.INDICATOR_FIRST_ROW + 1, "target")
    read = indicator("产出指标", "数量指标", "场次", "3场", row=40)
    assert indicator_cell(p, read, "name") == layout.indicator_cell(40, "name")


def test_unparsed_and_exceeding_fields() -> None:
    p = project(RS, unparsed={"budget_year": "六十万"}, last_year_budget=Decimal(1), last_year_executed=Decimal(2))
    (hit,) = unparsed_hits(p, ["budget_total", "budget_year"], parse_money)
    assert (hit.field, hit.value) == ("budget_year", "六十万") and hit.params["reason"]
    (over,) = exceeds(p, "last_year_executed", "last_year_budget", "budget")
    assert over.params["budget"] == money_text(p, Decimal(1)) and over.params["budget_label"]
    assert is_blank(None) and is_blank(" \u3000") and not is_blank(0)
