"""Amounts with their unit wherever it is stated, and money blocks under column heads.

Blocks of lines under 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分, or under one 金额（万元）
column; a report's sentence stating the money; the unit a text gives the same number elsewhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from xlgoals.core.values import ParseError, parse_money
from xlgoals.importing.cells import Cell
from xlgoals.importing.labels import Label, find_label, key

MULTIPLIER = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_LEADING = re.compile(r"^[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:千万|百万|千|万|亿)?元?")
_OWN_UNIT = re.compile(r"[千万亿元]$")
# Words a cell may open an amount with ('为150万元', '共90万元', '合计814'): not '约', which makes it no amount.
_STATING = re.compile(r"^(?:为|共|合计|计)")

# Column heads of a money block, and what each column holds.
HEADS = {
    "年初预算数": "initial", "年初预算": "initial", "全年预算数": "adjusted", "调整后预算数": "adjusted",
    "全年预算": "adjusted", "预算数": "adjusted", "全年执行数": "executed", "执行数": "executed",
    "实际执行数": "executed", "分值": "points", "执行率": "rate", "预算执行率": "rate", "得分": "score",
    "金额": "amount", "预算金额": "amount",
}  # fmt: skip
_BUDGETS = ("initial", "adjusted", "amount")
_HEAD_NOTE = re.compile(r"[(（](?:[A-Z](?:/[A-Z])?|%|单位:?)?(万元|元|千元|亿元)?[)）]$")
# What a money block's cell may hold: an amount, a rate, a score, or a dash for none.
PLACEHOLDER = frozenset({"—", "-", "/", "——", "－", "―", "无"})
_FIGURE = re.compile(r"^(?:[-+]?[0-9][0-9,]*(?:\.[0-9]+)?(?:千万|百万|千|万|亿)?元?%?|[—\-－/―]+)$")


@dataclass(frozen=True)
class Head:
    what: str  # initial | adjusted | executed | points | rate | score | amount
    text: str  # as printed, without its unit
    unit: str = ""


def head_of(text: str) -> Head | None:
    """A money block's column head: '年初预算数', '全年预算数(A)', '执行率(B/A)', '金额（万元）'."""
    k = key(unicodedata.normalize("NFKC", text))
    unit = ""
    m = _HEAD_NOTE.search(k)
    if m is not None:
        unit = m.group(1) or ""
        k = k[: m.start()]
    what = HEADS.get(k)
    return Head(what, k, unit) if what is not None else None


def figure(text: str) -> bool:
    return bool(_FIGURE.match(unicodedata.normalize("NFKC", text).replace(" ", "")))


def amount(text: str, unit: str) -> tuple[Decimal | None, bool]:
    """(yuan, whether a unit was known) for a money cell of a table kept in `unit`; a number's own 万/元
    overrides the table's. Only the leading amount counts: '854万(高标准农田建设400万元,...)' is 8,540,000."""
    m = _LEADING.match(_STATING.sub("", unicodedata.normalize("NFKC", text).replace(" ", ""), count=1))
    if m is None:
        return None, bool(unit)
    written = m.group(0)
    try:
        value = parse_money(written)
    except ParseError:
        return None, bool(unit)
    if value is None:
        return None, bool(unit)
    if _OWN_UNIT.search(written):
        return value, True
    return (value * MULTIPLIER.get(unit, Decimal(1))).quantize(Decimal("0.01")), unit in MULTIPLIER


@dataclass
class Line:
    """A line of a money block: its label and its figures under the block's heads."""

    label: Cell
    target: Label
    figures: list[tuple[Head, Cell]] = field(default_factory=list)


def heads_at(cells: list[Cell], i: int) -> tuple[list[Head], int] | None:
    """The block's heads when cells[i:] open a money block: two or more heads, or one 金额 with its unit."""
    heads: list[Head] = []
    j = i
    while j < len(cells):
        head = head_of(cells[j].text)
        if head is None or head in heads:
            break
        heads.append(head)
        j += 1
    budgets = [h for h in heads if h.what in (*_BUDGETS, "executed")]
    if (len(heads) >= 2 and budgets) or (len(heads) == 1 and heads[0].what == "amount" and heads[0].unit):
        return heads, j
    return None


def money_label(text: str) -> Label | None:
    found = find_label(text)
    if found is None or found[2]:
        return None
    label = found[0]
    return label if label.kind in ("money", "number") or label.target.startswith("money.") else None


def read_block(cells: list[Cell], start: int, heads: list[Head], marked: bool) -> tuple[list[Line], int, list[Cell]]:
    """The block's lines from cells[start:], until a cell that is neither a money line's label nor a figure;
    the index after the block and figures standing before any line (a total printed beside the heads)."""
    lines: list[Line] = []
    loose: list[Cell] = []
    i = start
    while i < len(cells):
        cell = cells[i]
        label = money_label(cell.text)
        if label is not None:
            line = Line(cell, label)
            lines.append(line)
            i += 1
            k = 0
            while i < len(cells) and figure(cells[i].text) and (not marked or cells[i].row == cell.row):
                if k < len(heads):
                    line.figures.append((heads[k], cells[i]))
                else:
                    loose.append(cells[i])
                k += 1
                i += 1
            continue
        if figure(cell.text) and not lines:
            loose.append(cell)
            i += 1
            continue
        break
    return lines, i, loose


def first_budget(figures: Iterable[tuple[Head, Cell]]) -> tuple[Head, Cell] | None:
    """The line's amount for the year: 年初预算数 where the block has it, else 全年预算数 or 金额."""
    by = {h.what: (h, c) for h, c in figures}
    return next((by[w] for w in _BUDGETS if w in by), None)


_STATED = r"(?<![0-9.,]){}\s*(亿元|万元|千元|元|万)"


def unit_stated(written: str, text: str) -> str | None:
    """The unit the same number carries elsewhere in the text ('500' beside a notice's '资金500万元'), when
    every place that writes it with a unit agrees."""
    number = _LEADING.match(unicodedata.normalize("NFKC", written).replace(" ", ""))
    if number is None:
        return None
    units = {m.group(1) for m in re.finditer(_STATED.format(re.escape(number.group(0))), text)}
    units = {"万元" if u == "万" else u for u in units}
    return units.pop() if len(units) == 1 else None


# A report's sentence stating the project's money: '批复下达预算资金10万元', '本项目累计安排资金10万元'.
_PROSE_BUDGET = re.compile(
    r"(?:批复下达|下达|安排|申请|批复|拨付|到位)(?:预算)?资金(?:总额)?(?:为|共|:)?\s*"
    r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(亿元|万元|元)"
)


def prose_budget(text: str) -> tuple[Decimal, str] | None:
    """The one amount a report's sentences give as the project's money (yuan, and the sentence's words
    around it); None when there is none or they differ."""
    found = {}
    for m in _PROSE_BUDGET.finditer(unicodedata.normalize("NFKC", text)):
        value, _ = amount(m.group(1) + m.group(2), "")
        if value is not None:
            found[value] = m.group(0)
    if len(found) != 1:
        return None
    ((value, words),) = found.items()
    return value, words
