"""The indicator table's header: its columns in order, a value column split by period, or none printed."""

from __future__ import annotations

from dataclasses import dataclass

from xlgoals.importing.cells import Cell
from xlgoals.importing.columns import ANNUAL, Column, column_of, period_of
from xlgoals.importing.labels import find_label, key
from xlgoals.importing.levels import level1_name, level2_name
from xlgoals.importing.rows import looks_like_value

_LEVELS = ("level1", "level2")
_IMPLIED_NAME = Column("name", "name", "三级指标")


@dataclass
class Header:
    """An indicator table's columns in order, and the index of the first cell after the header."""

    columns: list[Column]
    end: int

    @property
    def after_name(self) -> list[Column]:
        i = next(k for k, c in enumerate(self.columns) if c.part == "name")
        return [c for c in self.columns[i + 1 :] if c.part not in _LEVELS]

    @property
    def width(self) -> int:
        return len(self.columns)


def header_at(cells: list[Cell], i: int) -> Header | None:
    """The header when cells[i:] open an indicator table: a value column, and names or levels before it."""
    columns: list[Column] = []
    j = i
    while j < len(cells):
        column = column_of(cells[j].text)
        if column is None and j + 1 < len(cells):
            # A header cell wrapped over two cells: '一级' / '指标'.
            column = column_of(cells[j].text + cells[j + 1].text)
            if column is not None:
                j += 1
        if column is None or column in columns:
            break
        columns.append(column)
        j += 1
    parts = [c.part for c in columns]
    if "target" not in parts or not {"name", "level1", "level2"} & set(parts) or parts[0] in ("target", "actual"):
        return None
    if "name" not in parts:
        # Levels and values without a name header: the names stand right after the levels (their header cell
        # was merged with the level's, or lost).
        last = max(k for k, p in enumerate(parts) if p in _LEVELS)
        columns.insert(last + 1, _IMPLIED_NAME)
    # Sub-headers splitting the value column by period ('半年' / '全年'): the year's is the target.
    periods: list[str] = []
    while j < len(cells) and period_of(cells[j].text) is not None and cells[j].text not in periods:
        periods.append(cells[j].text)
        j += 1
    if len(periods) >= 2:
        at = next(k for k, c in enumerate(columns) if c.part == "target")
        split = [
            Column("target", "value", key(p)) if period_of(p) in ANNUAL else Column("extra", "value", key(p))
            for p in periods
        ]
        columns[at : at + 1] = split
    elif periods:
        j -= len(periods)
    return Header(columns, j)


_UNNAMED = Column("extra", "number", "未标明的列")


def implicit_header(cells: list[Cell], i: int) -> Header | None:
    """A table whose header is not in the text (a fragment, a table printed without it): a level-1, a level-2,
    a name and a value one after another open it."""
    if i + 3 >= len(cells):
        return None
    l1, l2, name, value = (c.text for c in cells[i : i + 4])
    if level1_name(l1) is None or level2_name(l2) is None or level1_name(name) or level2_name(name):
        return None
    if name.startswith((":", "：")) or find_label(name) is not None or not looks_like_value(value):
        return None
    if l1.endswith((":", "：")) or l2.endswith((":", "：")):
        return None  # '数量指标:' heads a sentence: prose listing indicators, not a table
    columns = [c for c in map(column_of, ("一级指标", "二级指标", "三级指标", "指标值")) if c is not None]
    return Header([*columns, _UNNAMED], i)
