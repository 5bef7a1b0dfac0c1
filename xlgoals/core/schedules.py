"""Deadlines and periods written as a target or a project's dates: '2023年12月前', '2023.07-2024.01', '1-12月'."""

from __future__ import annotations

import re
from datetime import date, timedelta

from xlgoals.core.values import CellValue, cell_text, date_error, fold

DASH = r" ?(?:-|~|—|–|至|到) ?"
_YM = r"(?P<{y}>[0-9]{{4}}) ?(?:[.\-/]|年) ?(?P<{m}>[0-9]{{1,2}}) ?月?(?: ?[.\-/]? ?(?P<{d}>[0-9]{{1,2}}) ?[日号]?)?"
_PERIOD = re.compile(_YM.format(y="y1", m="m1", d="d1") + DASH + _YM.format(y="y2", m="m2", d="d2") + r"(?:期间|内)?")
_MONTHS = re.compile(r"(?P<m1>[0-9]{1,2}) ?月?" + DASH + r"(?P<m2>[0-9]{1,2}) ?月(?:份)?(?:期间|内)?")
_DEADLINE = re.compile(
    r"(?:(?P<y>[0-9]{4}) ?年 ?(?:度 ?)?)?"
    r"(?:(?P<m>[0-9]{1,2}) ?月 ?(?:(?P<d>[0-9]{1,2}) ?[日号]|(?P<eom>底|末))?|(?P<eoy>年底|年末))"
    r" ?(?:前|之前|以前|内|以内)?(?:完成|完工|结束|办结)?"
)


def _month_end(y: int, m: int) -> date:
    return (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)) if 1 <= m <= 12 else date(y, 12, 31)


def _ym(y: str | None, m: str | None, d: str | None, end: bool) -> date | None:
    if y is None or m is None or not 1 <= int(m) <= 12:
        return None
    try:
        if d is not None:
            return date(int(y), int(m), int(d))
        return _month_end(int(y), int(m)) if end else date(int(y), int(m), 1)
    except ValueError:
        return None


def parse_period(value: CellValue) -> tuple[date, date] | None:
    """(first day, last day) of a written period: '2023.07-2024.01', '2023年4月-2024年2月'; None if not one."""
    text = fold(cell_text(value))
    m = _PERIOD.fullmatch(text)
    if m is None:
        return None
    start = _ym(m["y1"], m["m1"], m["d1"], end=False)
    end = _ym(m["y2"], m["m2"], m["d2"], end=True)
    if start is None or end is None:
        raise date_error(text, f"期间“{text}”中的年月不存在，请检查。")
    return start, end


def schedule(text: str) -> tuple[date | None, date | None] | None:
    """(start, end) of a deadline or period in folded target text, each None where the text gives no year
    ('12月31日前', '1-12月'); None if the text is not a schedule."""
    m = _PERIOD.fullmatch(text)
    if m is not None:
        start, end = _ym(m["y1"], m["m1"], m["d1"], False), _ym(m["y2"], m["m2"], m["d2"], True)
        if start is not None and end is not None:
            return start, end
    m = _MONTHS.fullmatch(text)
    if m is not None and 1 <= int(m["m1"]) <= int(m["m2"]) <= 12:
        return None, None
    m = _DEADLINE.fullmatch(text)
    if m is not None and (m["eoy"] or m["m"]) and (m["y"] or m["d"] or m["eom"] or m["eoy"] or text != m["m"]):
        if m["m"] and not 1 <= int(m["m"]) <= 12:
            return None
        due: date | None = None
        if m["y"]:
            due = _ym(m["y"], m["m"] or "12", m["d"], end=True) if not m["eoy"] else date(int(m["y"]), 12, 31)
            if due is None:
                return None
        return None, due
    return None
