"""Year on year, the one way: like-for-like projects compared, new projects apart, every 同比 from here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_PCT = Decimal("0.01")
ZERO = Decimal("0.00")


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole in percent to two places; None when either is blank or whole is zero (no base)."""
    if part is None or whole is None or whole == 0:
        return None
    return (part * 100 / whole).quantize(_PCT, rounding=ROUND_HALF_UP)


def change_percent(this_year: Decimal | None, last_year: Decimal | None) -> Decimal | None:
    """This year's amount against last year's, in percent to two places: what every 同比 shows."""
    if this_year is None or last_year is None:
        return None
    return percent(this_year - last_year, last_year)


@dataclass(frozen=True)
class YearOnYear:
    """This year against last year over the projects that had a budget both years (可比项目), with the
    projects that had none last year (新增项目) apart.

    A total's 同比 compares like with like: a new project's budget has no base, so counting it would make
    the percentage disagree with the two amounts printed beside it. Every figure a reader needs to recompute
    the percentage is here: `this_year` and `last_year` of the compared projects, and `change` is their
    difference. A project without this year's budget is in neither group (it has nothing to compare)."""

    compared: int = 0
    this_year: Decimal = ZERO
    last_year: Decimal = ZERO
    new: int = 0
    new_this_year: Decimal = ZERO

    @classmethod
    def of(cls, budgets: Iterable[tuple[Decimal | None, Decimal | None]]) -> YearOnYear:
        """From (this year's budget, last year's budget) per project, blanks as None."""
        compared = new = 0
        this_year = last_year = new_this_year = ZERO
        for this, last in budgets:
            if this is None:
                continue
            if last is None:
                new += 1
                new_this_year += this
            else:
                compared += 1
                this_year += this
                last_year += last
        return cls(compared, this_year, last_year, new, new_this_year)

    def __add__(self, other: YearOnYear) -> YearOnYear:
        return YearOnYear(
            self.compared + other.compared,
            self.this_year + other.this_year,
            self.last_year + other.last_year,
            self.new + other.new,
            self.new_this_year + other.new_this_year,
        )

    @classmethod
    def total(cls, parts: Iterable[YearOnYear]) -> YearOnYear:
        out = cls()
        for part in parts:
            out = out + part
        return out

    @property
    def change(self) -> Decimal | None:
        """This year minus last year over the compared projects; None when none had a budget last year."""
        return self.this_year - self.last_year if self.compared else None

    @property
    def percent(self) -> Decimal | None:
        return change_percent(self.this_year, self.last_year) if self.compared else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "this_year": str(self.this_year),
            "last_year": str(self.last_year),
            "change": None if self.change is None else str(self.change),
            "percent": None if self.percent is None else str(self.percent),
            "new": self.new,
            "new_this_year": str(self.new_this_year),
        }
