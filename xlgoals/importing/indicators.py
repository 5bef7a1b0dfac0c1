"""A table row as the model's indicator: self-evaluation columns in their fields, the others by header."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from xlgoals.core.model import Indicator
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target
from xlgoals.core.values import ParseError
from xlgoals.importing.columns import COLUMNS
from xlgoals.importing.labels import key
from xlgoals.importing.table import Row

# Slots the model has a field for; a flat table's project columns are the project's, not the indicator's.
_OWN = frozenset({"target", "actual", "reason", "points", "score"})
_WORD_OPERATORS = {
    "大于等于": "≥", "不低于": "≥", "不少于": "≥", "不小于": "≥", "正向": "≥",
    "小于等于": "≤", "不高于": "≤", "不超过": "≤", "不大于": "≤", "反向": "≤",
    "等于": "=", "大于": ">", "小于": "<", "二": "=", "﹦": "=",
}  # fmt: skip
_OPERATOR = re.compile(r"^[<>=≥≤≧≦＜＞＝﹦]{1,2}$")
_POINTS = re.compile(r"^([0-9]+(?:\.[0-9]+)?)分?$")


def _kind(header: str) -> str:
    column = COLUMNS.get(key(header))
    return column.kind if column is not None else ""


def composed(value: str, extra: dict[str, str]) -> str:
    """A bare number with its comparison and unit from their own columns ('100' + '=' + '%' -> '=100%'), in
    whatever order the columns stood; any other value as written."""
    if not value or not value[0].isdigit():
        return value
    op = unit = ""
    for header, text in extra.items():
        kind = _kind(header)
        if kind == "operator" and not op:
            op = text if _OPERATOR.match(text) else _WORD_OPERATORS.get(text, "")
        elif kind == "unit" and not unit and text not in ("-", "/", "—"):
            unit = text
    if unit and value[-1].isdigit():
        value += unit
    return op + value


def _number(text: str, name: str, unparsed: dict[str, str]) -> Decimal | None:
    m = _POINTS.match(text.replace(" ", ""))
    if m is None:
        if text:
            unparsed[name] = text
        return None
    try:
        return Decimal(m.group(1))
    except InvalidOperation:
        unparsed[name] = text
        return None


def indicator(
    row: Row, words: frozenset[str] = DEFAULT_QUALITATIVE, project_slots: frozenset[str] = frozenset()
) -> Indicator:
    """The indicator of a row; with its name cell blank, its level-2 names it. `project_slots` are a flat
    table's columns of project facts, which are not the indicator's."""
    name = row.name.text if row.name is not None else row.level2
    cells = {slot: cell.text for slot, cell in row.cells.items() if slot not in project_slots}
    # A row's 序号 numbers the table's rows, which the project sheet numbers itself.
    extra = {slot: text for slot, text in cells.items() if slot not in _OWN and slot != "seq"}
    if row.other:
        extra["其他"] = " ".join(row.other)
    unparsed: dict[str, str] = {}
    ind = Indicator(
        level1=row.level1,
        level2=row.level2,
        name=name,
        value=cells.get("target", ""),
        extra=extra,
        actual=cells.get("actual", ""),
        reason=cells.get("reason", ""),
        points=_number(cells.get("points", ""), "points", unparsed),
        score=_number(cells.get("score", ""), "score", unparsed),
        unparsed=unparsed,
    )
    try:
        ind.target = parse_target(composed(ind.value, extra), ind.name, words)
    except ParseError:
        ind.target = None
    return ind
