"""The live flags of a recalculated workbook, read from its cells alone: what the formulas found, cell by cell.

A sheet's live area describes itself (plan.py): entry rows name rule, cell and severity beside their counts, and
each per-row flag column names, in the row above the indicator table, the rule, part and severity of each of
its decimal digits (a count from 0 to 9; '?' marks a count of cells left undecided). So any reader of the
recalculated values (calamine, openpyxl, a spreadsheet's export) can list the live findings without our code.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlgoals.core import layout, livelayout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.layout import Grid
from xlgoals.validation.live.plan import FLAGS


@dataclass(frozen=True)
class LiveFlag:
    """A rule's live verdict on one cell: how many findings it counts there, and how many it leaves to 校验."""

    code: str
    cell: str
    severity: str
    count: int
    undecided: int


def _number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


def _at(grid: Grid, row: int, col: int) -> object:
    if row > len(grid) or col > len(grid[row - 1]):
        return None
    return grid[row - 1][col - 1]


def read_flags(grid: Grid) -> list[LiveFlag]:
    """Every (rule, cell) the sheet's live checks look at, with its count; none on a sheet without them."""
    flags: list[LiveFlag] = []
    selfeval = slayout.is_selfeval_grid(grid)
    first = livelayout.SELFEVAL_LIVE_FIRST_COLUMN if selfeval else livelayout.LIVE_FIRST_COLUMN
    row = 2
    while isinstance(head := _at(grid, row, first), str) and head.count("|") == 2:
        code, cell, severity = head.split("|")
        count, undecided = _at(grid, row, first + 1), _at(grid, row, first + 2)
        flags.append(LiveFlag(code, cell, severity, _number(count), _number(undecided)))
        row += 1
    # The flag columns' header row: two rows above the indicator table (plan.py), as the sheet's form lays it.
    header = slayout.SELFEVAL_FIRST_ROW - 2 if selfeval else livelayout.LIVE_FLAG_HEADER_ROW
    letters = slayout.SELFEVAL_COLUMNS if selfeval else dict(layout.INDICATOR_COLUMNS)
    # A rule's count and its undecided count may fall in two flag columns: both go to one flag per cell.
    counts: dict[tuple[str, str, str], list[int]] = {}
    for col in range(first, livelayout.LIVE_LAST_COLUMN + 1):
        head = _at(grid, header, col)
        if not isinstance(head, str) or not head.startswith(FLAGS + "|"):
            continue
        digits = head.split("|")[1:]
        r = header + 2
        while isinstance(value := _at(grid, r, col), int | float) and not isinstance(value, bool):
            packed = _number(value)
            for k, digit in enumerate(digits):
                undecided = digit.startswith("?")
                code, part, severity = digit.lstrip("?").split(":")
                counts.setdefault((code, f"{letters[part]}{r}", severity), [0, 0])[undecided] = packed // 10**k % 10
            r += 1
    flags += [LiveFlag(code, cell, severity, n, undecided) for (code, cell, severity), (n, undecided) in counts.items()]
    return flags


def totals(grid: Grid) -> dict[str, int]:
    """A project sheet's live counts as its status line shows them."""
    cells = {
        "error": livelayout.LIVE_ERRORS_CELL,
        "warning": livelayout.LIVE_WARNINGS_CELL,
        "info": livelayout.LIVE_INFOS_CELL,
        "filled": livelayout.LIVE_FILLED_CELL,
        "gate": livelayout.LIVE_GATE_CELL,
        "undecided": livelayout.LIVE_UNDECIDED_CELL,
    }
    return {key: _number(layout.grid_value(grid, cell)) for key, cell in cells.items()}
