"""core/schedules.py: deadlines and periods as targets and project dates write them."""

from __future__ import annotations

from datetime import date

import pytest

from xlgoals.core.schedules import parse_period, schedule
from xlgoals.core.values import ParseError


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2023.07-2024.01", (date(2023, 7, 1), date(2024, 1, 31))),
        ("2023年4月-2024年2月", (date(2023, 4, 1), date(2024, 2, 29))),
        ("2020年1月2日至2020年8月30日", (date(2020, 1, 2), date(2020, 8, 30))),
        ("2023/12 ~ 2024/12", (date(2023, 12, 1), date(2024, 12, 31))),
    ],
)
def test_parse_period(text: str, period: tuple[date, date]) -> None:
    assert parse_period(text) == period


def test_parse_period_refuses_a_month_that_does_not_exist() -> None:
    assert parse_period("全年") is None
    with pytest.raises(ParseError, match=r"2023\.13-2024\.01"):
        parse_period("2023.13-2024.01")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年12月前", (None, date(2023, 12, 31))),
        ("2023年6月底前完成", (None, date(2023, 6, 30))),
        ("2024年年底", (None, date(2024, 12, 31))),
        ("12月31日前", (None, None)),  # no year: a deadline, but not a date
        ("1-12月", (None, None)),
        ("2023.07-2024.01", (date(2023, 7, 1), date(2024, 1, 31))),
        ("12", None),  # a bare number is no schedule
        ("13月前", None),
        ("达成", None),
    ],
)
def test_schedule(text: str, expected: tuple[date | None, date | None] | None) -> None:
    assert schedule(text) == expected
