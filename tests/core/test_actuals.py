"""core/actuals.py: 实际完成值 read as the 自评 sheet's formulas read it (folded, cleaned, signed, a unit off)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlgoals.core.actuals import (
    MAX_DIGITS,
    Suffix,
    clean,
    first_number,
    is_plain,
    number,
    suffix_index,
    unit_after_number,
    unsigned,
)

PERSONS = (Suffix("万人"), Suffix("人", 1, 10000))  # a target written in 万人
PERCENT = (Suffix("%"),)


def test_clean_folds_full_width_and_drops_spaces_and_separators() -> None:
    assert clean("１，２３４．５０ ％") == "1234.50%"
    assert clean("\u3000≥ 98\u00a0%\n") == "≥98%"
    assert clean("达成") == "达成"  # nothing else changes


@pytest.mark.parametrize(("text", "bare"), [(">=95", "95"), ("≥95", "95"), ("<3", "3"), ("=1", "1"), ("95", "95")])
def test_unsigned_takes_one_leading_sign_off(text: str, bare: str) -> None:
    assert unsigned(text) == bare


def test_suffix_index_is_one_based_and_first_match_wins() -> None:
    assert suffix_index("3万人", PERSONS) == 1
    assert suffix_index("30000人", PERSONS) == 2
    assert suffix_index("30000", PERSONS) == 0


@pytest.mark.parametrize(
    ("actual", "suffixes", "expected"),
    [
        ("95%", PERCENT, Decimal(95)),
        ("＞＝９５．５％", PERCENT, Decimal("95.5")),
        ("30000人", PERSONS, Decimal(3)),  # converted into the target's 万人
        ("2.5万人", PERSONS, Decimal("2.5")),
        ("1,234", (), Decimal(1234)),
        ("达成", PERCENT, None),
        ("95台", PERCENT, None),  # another unit: not comparable
        ("1.2.3", (), None),
        ("", (), None),
    ],
)
def test_number_in_the_targets_unit(actual: str, suffixes: tuple[Suffix, ...], expected: Decimal | None) -> None:
    assert number(actual, suffixes) == expected


def test_is_plain_bounds_the_digits() -> None:
    assert is_plain("9" * MAX_DIGITS) and not is_plain("9" * (MAX_DIGITS + 1))
    assert not is_plain(".5") and not is_plain("5.") and not is_plain("-5")


def test_unit_after_number() -> None:
    assert unit_after_number("480人次") == "人次"
    assert unit_after_number("≥ 98 %") == "%"
    assert unit_after_number("480") is None and unit_after_number("约480人") is None


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("已完成480人", Decimal("0.048")), ("共3万人参加", Decimal(3)), ("完成480。", Decimal(480)), ("完成100台", None)],
)
def test_first_number_of_a_sentence(actual: str, expected: Decimal | None) -> None:
    assert first_number(actual, PERSONS) == expected


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", "%", "％"]), st.sampled_from(["", ">=", "≥"]))
def test_a_written_number_reads_back(value: int, unit: str, sign: str) -> None:
    assert number(f"{sign}{value:,}{unit}", PERCENT) == Decimal(value)
