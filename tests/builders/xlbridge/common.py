"""What the bridge's parts share: the client kinds, Excel's limits, ranges and the sheet an action names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal, cast

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

Client = Literal["Office.js", "VBA"]

# Excel stamps a note with the signed-in user; openpyxl needs some author to write one.
NOTE_AUTHOR = "Excel"

# Actions that change what the user sees rather than (only) the file. apply_actions returns them.
UI_ACTIONS = frozenset({"alert", "activateSheet", "rangeSelect", "save", "calculate", "setScreenUpdating"})

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
# Formatting whole rows or columns cell by cell would take minutes; Excel stores it as row/column styles,
# which this bridge doesn't model.
_MAX_FORMAT_CELLS = 1_000_000

Rect = tuple[int, int, int, int]
Handler = Callable[[openpyxl.Workbook, dict[str, Any]], None]


def print_area(ws: Worksheet) -> str | None:
    if not ws.print_area:
        return None
    return ",".join(area.rsplit("!", 1)[-1] for area in ws.print_area.split(","))


def bounds_of(reference: str) -> Rect:
    """(first_row, first_col, last_row, last_col) of an A1 reference such as "B2:C5"."""
    min_col, min_row, max_col, max_row = range_boundaries(reference)
    if min_col is None or min_row is None or max_col is None or max_row is None:
        raise ValueError(f"not a bounded range: {reference}")
    return min_row, min_col, max_row, max_col


def address_of(rect: Rect, absolute: bool = False) -> str:
    first_row, first_col, last_row, last_col = rect
    dollar = "$" if absolute else ""
    start = f"{dollar}{get_column_letter(first_col)}{dollar}{first_row}"
    if (first_row, first_col) == (last_row, last_col):
        return start
    return f"{start}:{dollar}{get_column_letter(last_col)}{dollar}{last_row}"


def args_of(action: dict[str, Any]) -> list[Any]:
    args = action.get("args")
    return args if isinstance(args, list) else [args]


def sheet_of(wb: openpyxl.Workbook, action: dict[str, Any]) -> Worksheet:
    return cast(Worksheet, wb.worksheets[action["sheet_position"]])


def all_sheets(wb: openpyxl.Workbook) -> list[Any]:
    # Worksheets and chartsheets in tab order; openpyxl offers no public way to reorder them.
    sheets: list[Any] = wb._sheets  # type: ignore[attr-defined]
    return sheets


def active_sheet(wb: openpyxl.Workbook) -> Worksheet:
    return cast(Worksheet, wb.active)


def rect_of(action: dict[str, Any]) -> Rect:
    first_row = action["start_row"] + 1
    first_col = action["start_column"] + 1
    return first_row, first_col, first_row + action["row_count"] - 1, first_col + action["column_count"] - 1


def cells_in(ws: Worksheet, rect: Rect) -> Iterator[Cell | MergedCell]:
    first_row, first_col, last_row, last_col = rect
    if (last_row - first_row + 1) * (last_col - first_col + 1) > _MAX_FORMAT_CELLS:
        raise NotImplementedError(f"formatting {address_of(rect)} cell by cell: whole rows/columns aren't modelled")
    for row in range(first_row, last_row + 1):
        for col in range(first_col, last_col + 1):
            yield ws.cell(row, col)


def existing_cells(ws: Worksheet, rect: Rect) -> list[Cell | MergedCell]:
    # Clearing only needs cells that exist: a missing cell is already empty and unformatted.
    first_row, first_col, last_row, last_col = rect
    return [
        cell
        for (row, col), cell in list(ws._cells.items())
        if first_row <= row <= last_row and first_col <= col <= last_col
    ]
