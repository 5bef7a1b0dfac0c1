"""Parse and format the values a budget unit types: text as Excel holds it, money and dates."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    InvalidOperation,
    Overflow,
)
from typing import TypeAlias

from xlgoals.core.cellerrors import Unusable

__all__ = [
    "CellValue",
    "GridValue",
    "ParseError",
    "cell_text",
    "format_date",
    "format_money",
    "parse_date",
    "parse_money",
    "shown_text",
]

# time/timedelta are what calamine and openpyxl hand over for time- and duration-formatted cells.
CellValue: TypeAlias = str | int | float | Decimal | date | datetime | time | timedelta | bool | None
# What a sheet's grid holds: a value, or a cell whose value cannot be used (an error value, a formula saved
# without its value), which every reader must tell apart from a blank.
GridValue: TypeAlias = CellValue | Unusable


class ParseError(ValueError):
    """A typed value that cannot be understood.

    `code` is a stable machine code ('money.invalid', 'date.invalid', 'target.malformed'), `text` the
    offending input as text, `message` a Chinese sentence for the budget officer.
    """

    def __init__(self, code: str, text: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.text = text
        self.message = message

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str, str]]:
        # Without this, unpickling (e.g. across a process pool) calls __init__ with only the message.
        return (type(self), (self.code, self.text, self.message))


# --- text normalisation -------------------------------------------------------------------------------

# Only the width variants are folded, not full NFKC: NFKC would also turn '①' or a superscript '²' into
# digits, so '10²' would silently become the amount 102.
_FOLD: dict[int, str | None] = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in (*range(0xFF01, 0xFF5F), *range(0xFE50, 0xFE70), *range(0xFFE0, 0xFFE7), 0x3000)
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
_FOLD.update(
    {
        0x2212: "-",  # MINUS SIGN, which Word and WPS substitute for '-'
        0x200B: None,  # zero-width characters survive copy-paste from web pages and are invisible in Excel
        0x200C: None,
        0x200D: None,
        0x2060: None,
        0xFEFF: None,
        0x00AD: None,
    }
)
_WS = re.compile(r"\s+")
# What cell_text strips from either end: whitespace (str.isspace, which is also re's \s) and the zero-width
# characters web pages leave behind. str.strip with these is one C call; the test holds it to the regex
# r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$" over every code point.
EDGE_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u200b\u200c\u200d\u2060\ufeff"
)


def fold(text: str) -> str:
    """Width-folded, trimmed, with whitespace runs collapsed to one space."""
    if not text.isascii():
        text = text.translate(_FOLD)
    return _WS.sub(" ", text).strip()


def float_decimal(value: float) -> Decimal:
    # 15 significant digits is what Excel stores and shows, so 0.1+0.2 reads back as the 0.3 on screen.
    return Decimal(format(value, ".15g"))


def plain_decimal(d: Decimal) -> str:
    return format(d, "f")


def cell_text(value: CellValue) -> str:
    """The cell as the user sees it: stripped text, '' for blank, numbers without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip(EDGE_CHARS)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return plain_decimal(float_decimal(value)) if value else "0"
    if isinstance(value, Decimal):
        return plain_decimal(value) if value.is_finite() else str(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return format_date(value)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    return str(value).strip()


def shown_text(value: GridValue) -> str:
    """cell_text of a grid's cell: an error value as Excel shows it ('#N/A'), a formula never computed as ''."""
    return value.error if isinstance(value, Unusable) else cell_text(value)


# --- money --------------------------------------------------------------------------------------------

_CENT = Decimal("0.01")
# Trapping context: a number too large for 28 digits must become a ParseError, not a silent rounding.
_MONEY_CTX = Context(prec=28, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
_MONEY_MULT = {
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
    "萬": Decimal(10_000),
    "億": Decimal(100_000_000),
}
_MONEY = re.compile(
    r"(?P<s1>[-+])? ?(?:¥|RMB|CNY|人民币)? ?(?P<s2>[-+])? ?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?P<frac>\.[0-9]+)?"
    r" ?(?P<mult>千万|百万|千|万|亿|萬|億)? ?(?:元|圆)?",
    re.IGNORECASE,
)


def _money_error(text: str, why: str = "") -> ParseError:
    return ParseError(
        "money.invalid",
        text,
        f"金额“{text}”无法识别{why}，请填写阿拉伯数字金额，例如“600,000”或“60万元”。",
    )


def _to_cents(amount: Decimal, value: CellValue) -> Decimal:
    # The cell's text is only worked out for a message: most amounts are fine.
    if not amount.is_finite():
        raise _money_error(cell_text(value), "（不是有效数值）")
    try:
        return amount.quantize(_CENT, context=_MONEY_CTX)
    except DecimalException:
        raise _money_error(cell_text(value), "（数额过大）") from None


def parse_money(value: CellValue) -> Decimal | None:
    """Yuan to the cent (ROUND_HALF_UP), None for blank; ParseError('money.invalid') otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _money_error(cell_text(value), "（是逻辑值）")
    if isinstance(value, int):
        return _to_cents(Decimal(value), value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _money_error(cell_text(value), "（不是有效数值）")
        return _to_cents(float_decimal(value), value)
    if isinstance(value, Decimal):
        return _to_cents(value, value)
    if not isinstance(value, str):
        # A number in a date-formatted cell arrives as a date; say so, because the fix is the cell format.
        raise _money_error(cell_text(value), "（单元格是日期或时间格式，请改为数值格式）")
    text = cell_text(value)
    if not text:
        return None
    m = _MONEY.fullmatch(fold(text))
    if m is None or (m["s1"] and m["s2"]):
        raise _money_error(text)
    amount = Decimal(m["int"].replace(",", "").replace(" ", "") + (m["frac"] or ""))
    if m["mult"]:
        amount = _MONEY_CTX.multiply(amount, _MONEY_MULT[m["mult"]])
    if "-" in (m["s1"], m["s2"]):
        amount = amount.copy_negate()
    return _to_cents(amount, text)


def format_money(amount: Decimal) -> str:
    """'600,000' for whole yuan, '600,000.50' otherwise, '-1,200' for negatives."""
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {amount}")
    # Enough precision for any finite amount, so formatting never fails where parsing succeeded.
    ctx = Context(prec=max(28, amount.adjusted() + 4), rounding=ROUND_HALF_UP)
    cents = amount.quantize(_CENT, context=ctx)
    if cents.is_zero():
        cents = cents.copy_abs()  # no '-0' for a negative zero
    if cents == cents.to_integral_value():
        return f"{cents:,.0f}"
    return f"{cents:,.2f}"


# --- dates --------------------------------------------------------------------------------------------

_MIN_DATE = date(1900, 1, 1)
_MAX_DATE = date(2200, 12, 31)
# Excel's 1900 system counts 1900-02-29, which never existed; serials from 61 on are offset by it.
_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = (_MAX_DATE - _EXCEL_EPOCH).days
_DATE = re.compile(
    r"(?P<y>[0-9]{4}) ?(?:"
    r"(?P<sep>[-/.]) ?(?P<m>[0-9]{1,2}) ?(?P=sep) ?(?P<d>[0-9]{1,2})"
    r"|年 ?(?P<m2>[0-9]{1,2}) ?月 ?(?P<d2>[0-9]{1,2}) ?[日号]?"
    r"|(?P<m3>[0-9]{2})(?P<d3>[0-9]{2})"
    r")(?:(?: |T)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.[0-9]{1,6})?)?)?"
)


def date_error(text: str, message: str | None = None) -> ParseError:
    return ParseError("date.invalid", text, message or f"日期“{text}”无法识别，请按“2020-01-02”格式填写。")


# `value` is the cell as given: its text is only worked out for a message, as most dates are fine.
def _checked(y: int, m: int, d: int, value: CellValue) -> date:
    try:
        result = date(y, m, d)
    except ValueError:
        text = cell_text(value)
        raise date_error(text, f"日期“{text}”不存在，请检查年、月、日。") from None
    if not _MIN_DATE <= result <= _MAX_DATE:
        text = cell_text(value)
        raise date_error(text, f"日期“{text}”超出1900年至2200年的范围，请检查年份。")
    return result


def _from_number(number: Decimal, value: CellValue) -> date:
    text = cell_text(value)
    if not number.is_finite() or number < 1:
        raise date_error(text)
    if number >= 22001232:
        raise date_error(text, f"日期“{text}”超出1900年至2200年的范围，请按“2020-01-02”格式填写。")
    whole = int(number)  # the fraction is the time of day
    if 19000101 <= whole <= 22001231:
        # An 8-digit number cannot be a serial in range; it is yyyymmdd typed into a numeric cell.
        return _checked(whole // 10000, whole // 100 % 100, whole % 100, value)
    if whole > _MAX_SERIAL:
        raise date_error(text, f"日期“{text}”超出1900年至2200年的范围，请按“2020-01-02”格式填写。")
    if whole == 60:
        raise date_error(text, f"日期序号“{text}”对应不存在的1900-02-29，请检查日期。")
    if whole < 60:
        return _EXCEL_EPOCH + timedelta(days=whole + 1)
    return _EXCEL_EPOCH + timedelta(days=whole)


def parse_date(value: CellValue) -> date | None:
    """A date in 1900..2200, None for blank; 1900-system serials too. Else ParseError('date.invalid')."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise date_error(cell_text(value))
    if isinstance(value, date):  # a datetime too: its time of day is dropped
        return _checked(value.year, value.month, value.day, value)
    if isinstance(value, int):
        return _from_number(Decimal(value), value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise date_error(cell_text(value))
        return _from_number(float_decimal(value), value)
    if isinstance(value, Decimal):
        return _from_number(value, value)
    if not isinstance(value, str):
        raise date_error(cell_text(value))
    text = cell_text(value)
    if not text:
        return None
    m = _DATE.fullmatch(fold(text))
    if m is None:
        raise date_error(text)
    if m["H"] is not None and (int(m["H"]) > 23 or int(m["M"]) > 59 or int(m["S"] or 0) > 59):
        raise date_error(text)
    month = m["m"] or m["m2"] or m["m3"]
    day = m["d"] or m["d2"] or m["d3"]
    return _checked(int(m["y"]), int(month), int(day), text)


def format_date(d: date) -> str:
    """'2020-01-02'; a datetime loses its time."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
