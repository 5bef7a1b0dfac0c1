"""The sign-off block that ends a project sheet as on the official form, and where the indicators end."""

from __future__ import annotations

from collections.abc import Sequence

from xlgoals.core.layout import INDICATOR_FIRST_ROW

# The sign-off block ends each project as on the official form, a blank row under the indicator table: labels
# in A and C, the cells beside them (B, D) take a signature, a name or a date, the last row room for the stamp.
# The reader stops at its first row: nothing from there down is read as an indicator.
SIGNOFF_LABELS: tuple[tuple[str, str], ...] = (
    ("单位负责人：", "财务负责人："),
    ("填表人：", "填报日期："),
    ("", "单位（盖章）："),
)
SIGNOFF_GAP = 1


def signoff_first_row(table_last_row: int) -> int:
    """The sign-off block's first row under an indicator table ending at `table_last_row`."""
    return table_last_row + SIGNOFF_GAP + 1


def is_signoff_row(first: object, third: object) -> bool:
    """Whether a row's A and C cells hold the sign-off block's first labels (where the indicators end)."""
    a, c = SIGNOFF_LABELS[0]
    return isinstance(first, str) and first.strip() == a and isinstance(third, str) and third.strip() == c


def indicators_end(grid: Sequence[Sequence[object]]) -> int:
    """Where a sheet's indicator rows end, as an index into its rows: at the sign-off block, looked for from
    the bottom (it ends the form, so a few rows up at most), or at the sheet's end on a sheet without one."""
    for i in range(len(grid) - 1, INDICATOR_FIRST_ROW - 2, -1):
        row = grid[i]
        if len(row) > 2 and is_signoff_row(row[0], row[2]):
            return i
    return len(grid)
