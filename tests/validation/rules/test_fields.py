"""validation/rules/fields.py: a project's header fields: required ones filled, choices known, dates real, in order
and in the year, long texts that print whole."""

from __future__ import annotations

from datetime import date

from tests.builders.checks import checks_in, run_check
from tests.builders.units import project, unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.rules import fields

RS = load_ruleset("shanghai-2020")


def _fields(**changes: object) -> dict[str, list[str | None]]:
    u = unit(RS, project(RS, **changes))
    return {i.name: [h.field for h in run_check(i.fn, u, RS)] for i in checks_in(fields)}


def test_a_complete_header_passes() -> None:
    assert all(found == [] for found in _fields().values())


def test_each_check_names_its_field() -> None:
    assert _fields(overview="")["required_fields"] == ["overview"]
    assert _fields(category="自创类别")["known_choice"] == ["category"]
    assert _fields(start=date(2020, 9, 1), end=date(2020, 8, 30))["date_order"] != []
    assert _fields(end=date(2021, 3, 1))["date_in_year"] == ["end"]
    assert _fields(overview="很长的概况" * 400)["long_text_prints"] == ["overview"]
