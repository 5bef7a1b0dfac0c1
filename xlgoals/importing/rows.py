"""A table row whose boundaries the source kept: its cells put in the header's columns by what each can hold.

Merged cells print blank and some extractors drop blank cells altogether, so a row may hold fewer cells than
the header has columns; the cells keep their order, and each goes to the column it fits best."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from xlgoals.core.targets import TargetKind, parse_target
from xlgoals.core.values import ParseError
from xlgoals.importing.cells import Cell
from xlgoals.importing.columns import Column
from xlgoals.importing.levels import LEVEL1_UNMAPPED, fits, level1_name, level2_name, reads_as_level1
from xlgoals.importing.money import PLACEHOLDER, amount

NUMBER = re.compile(r"^[-+]?[0-9]+(?:\.[0-9]+)?分?$")
OPERATOR_CELL = re.compile(
    r"[<>=≥≤≧≦＜＞＝﹦]{1,2}|二|正向|反向|定量|定性|中性|等于|大于|小于|不低于|不高于|不少于|不超过|大于等于|小于等于"
)
_UNIT_CELL = re.compile(r"[^0-9<>=≥≤]{1,8}")
# Cells beyond the header's columns: kept, but they cost the assignment that needs them.
_OTHER = -1.0


@dataclass
class RowContext:
    """What every row of one table shares: its columns and the texts its columns repeat row after row."""

    columns: Sequence[Column]
    # slot -> texts a column repeats ('计划标准', '未达指标值酌情扣分'): never a name or a value
    boilerplate: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def has_operator(self) -> bool:
        return any(c.kind == "operator" for c in self.columns)


def looks_like_value(text: str) -> bool:
    """A cell that reads as a target: a number, a comparison, a deadline or a period."""
    try:
        kind = parse_target(text).kind
    except ParseError:
        return True  # '>=abc' is a malformed target, still a target
    return kind in (TargetKind.QUANTITATIVE, TargetKind.SCHEDULE)


def level_fit(part: str, text: str, nxt: str | None, level1: str | None) -> float | None:
    """How well a cell fits a level column: its own name, a word in that position, or not at all. A name both
    levels use fits the one its neighbours say best and the other a little; a level-2 under a level-1 cell of
    this row must be one the frameworks file under it."""
    l1, l2 = level1_name(text), level2_name(text)
    # Under a level-1 some framework knows, a level-2 it does not file there is not this row's level-2.
    if part == "level2" and l2 is not None and level1 is not None:
        home = level1_name(level1)
        if home is not None and home not in LEVEL1_UNMAPPED and not fits(l2, home):
            return None
    if l1 is not None and l2 is not None:
        first = reads_as_level1(text, nxt)
        return 3.0 if (part == "level1") == first else 1.0
    mine, other = (l1, l2) if part == "level1" else (l2, l1)
    if mine is not None:
        return 3.0
    if other is not None or NUMBER.match(text) or looks_like_value(text):
        return None
    return 0.3  # an unknown word where the table prints this level: '项目决策'


def fit(column: Column, cell: Cell, nxt: Cell | None, ctx: RowContext, level1: Cell | None = None) -> float | None:
    """The merit of `cell` in `column` (higher is better), None when it cannot be that column's."""
    text = cell.text
    for slot, texts in ctx.boilerplate.items():
        if text in texts:
            if column.slot == slot:
                return 4.0
            if column.part in ("name", "target", "level1", "level2", "project"):
                return None
    kind = column.kind
    if kind == "level":
        return level_fit(column.part, text, nxt.text if nxt is not None else None, level1.text if level1 else None)
    if kind == "name":
        if NUMBER.match(text) or text in PLACEHOLDER:
            return None
        if ctx.has_operator and OPERATOR_CELL.fullmatch(text):
            return None
        return 0.2 if level1_name(text) or level2_name(text) else 1.0
    if kind == "value":
        if level1_name(text) or level2_name(text):
            return 0.1  # a level's name is hardly anyone's value
        return 1.5 if looks_like_value(text) else 1.0
    if kind == "number":
        return 2.0 if NUMBER.match(text) else 1.0 if text in PLACEHOLDER else None
    if kind == "prose":
        return 0.8
    if kind == "unit":
        return 1.0 if _UNIT_CELL.fullmatch(text) and not (level1_name(text) or level2_name(text)) else None
    if kind == "operator":
        return 2.0 if OPERATOR_CELL.fullmatch(text) else None
    if kind == "amount":
        return 2.0 if amount(text, column.unit)[0] is not None else None
    if kind == "text":
        return None if NUMBER.match(text) or level1_name(text) or level2_name(text) else 1.0
    return None


def _skip(column: Column, j: int, n: int) -> float:
    """What leaving a column blank costs: levels, a flat table's project columns nothing (merged cells print
    blank); a name or a value much; any other column little, the more the earlier it stands."""
    if column.part in ("level1", "level2", "project", "field", "money", "seq"):
        return 0.0
    if column.part in ("name", "target"):
        return 0.6
    return 0.01 + 0.02 * (n - j)


def place(cells: Sequence[Cell], ctx: RowContext) -> tuple[dict[int, Cell], list[Cell]]:
    """Each cell's column (by index into ctx.columns), keeping the cells' order; the cells left over."""
    columns = ctx.columns
    n = len(columns)

    # `l1`: the cell this row placed in its level-1 column (-1 for none), which its level-2 must fit under.
    @cache
    def best(i: int, j: int, l1: int) -> tuple[float, tuple[tuple[int, int], ...]]:
        if i == len(cells):
            return -sum(_skip(columns[k], k, n) for k in range(j, n)), ()
        if j == n:
            score, rest = best(i + 1, n, l1)
            return score + _OTHER, ((i, -1), *rest)
        options: list[tuple[float, tuple[tuple[int, int], ...]]] = []
        score, rest = best(i, j + 1, l1)
        options.append((score - _skip(columns[j], j, n), rest))
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        merit = fit(columns[j], cells[i], nxt, ctx, cells[l1] if l1 >= 0 else None)
        if merit is not None:
            score, rest = best(i + 1, j + 1, i if columns[j].part == "level1" else l1)
            options.append((score + merit, ((i, j), *rest)))
        # The first best wins a tie: placing before skipping keeps cells where they were printed.
        return max(reversed(options), key=lambda o: o[0])

    _, assignment = best(0, 0, -1)
    placed = {j: cells[i] for i, j in assignment if j >= 0}
    other = [cells[i] for i, j in assignment if j < 0]
    return placed, other
