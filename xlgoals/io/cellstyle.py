"""The template's look (fonts, fills, borders, protection) and the one way a value goes into a cell."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.values import CellValue
from xlgoals.io.presentation import LONG_TEXT_WIDTH, row_height
from xlgoals.io.sheetplan import excel_number, rgb_hex

FONT = "宋体"
TITLE_FONT = Font(name=FONT, size=16, bold=True)
LABEL_FONT = Font(name=FONT, size=10, bold=True)
BODY_FONT = Font(name=FONT, size=10)
HELP_FONT = Font(name=FONT, size=9, color="FF595959")
LABEL_FILL = PatternFill("solid", fgColor=rgb_hex(layout.LABEL_RGB))
INPUT_FILL = PatternFill("solid", fgColor=rgb_hex(layout.INPUT_RGB))
_THIN = Side(style="thin", color="FF808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LABEL_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True)
INPUT_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
LONG_TEXT_ROW_HEIGHT = 96


def style_label(cell: Cell, label: str) -> None:
    cell.value = label
    cell.font, cell.fill, cell.border, cell.alignment = LABEL_FONT, LABEL_FILL, BORDER, LABEL_ALIGN


def style_input(cell: Cell) -> None:
    cell.font, cell.fill, cell.border = BODY_FONT, INPUT_FILL, BORDER
    cell.alignment, cell.protection = INPUT_ALIGN, UNLOCKED


def writable_text(text: str) -> str:
    """Text a workbook can hold: control characters (which XML 1.0 cannot carry) become U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def put(cell: Cell, value: CellValue) -> None:
    """Write a value as the user would have typed it: text stays text even when it starts with '='.

    Text read from hostile files may hold control characters, which XML 1.0 cannot carry: they become U+FFFD.
    A NaN or infinity read as a number has no representation in the file format: it is written as text."""
    if isinstance(value, str):
        value = writable_text(value)
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"  # '=100' is a target value, not a formula
    elif isinstance(value, float | Decimal) and not math.isfinite(value):
        cell.value = str(value)
    elif isinstance(value, Decimal):
        cell.value = excel_number(value)
    else:
        cell.value = value


def protect(ws: Worksheet) -> None:
    # No password: protection guards against accidental edits of labels, not against the unit itself.
    # Formatting and notes stay allowed so validation can colour and annotate input cells in Excel.
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.objects = False


def fit_row_height(ws: Worksheet, row: int, cells: Sequence[tuple[str, float]], minimum: float) -> None:
    """Grow a row so wrapped text prints whole; Excel does not autofit merged or pre-sized rows."""
    ws.row_dimensions[row].height = row_height([(str(ws[c].value or ""), w) for c, w in cells], minimum)


def fit_project_rows(ws: Worksheet) -> None:
    """Row heights of a project sheet's long texts and indicator rows from their text, as written now:
    run on writing and on every write-back, so texts edited since print whole."""
    if ws[slayout.SELFEVAL_MARK.label_cell].value == slayout.SELFEVAL_MARK.label:
        from xlgoals.io.selfevalsheet import fit_selfeval_rows

        fit_selfeval_rows(ws)
        return
    form = layout.form_of_mark(str(ws[layout.NATIONAL_MARK.label_cell].value or ""))
    for spec in layout.project_fields(form):
        if spec.merge_to:
            fit_row_height(
                ws, layout.split_address(spec.value_cell)[0], [(spec.value_cell, LONG_TEXT_WIDTH)], LONG_TEXT_ROW_HEIGHT
            )
    widths = [(col, layout.PROJECT_COLUMN_WIDTHS[col]) for col in layout.INDICATOR_COLUMNS.values()]
    # Bounded as the reader is: a stray value far down must not make a million rows of cells.
    for row in range(layout.INDICATOR_FIRST_ROW, min(ws.max_row, layout.READ_MAX_ROW) + 1):
        fit_row_height(ws, row, [(f"{col}{row}", w) for col, w in widths], 15)


def merge_row(
    ws: Worksheet,
    cell: str,
    value: str,
    font: Font,
    height: float | None = None,
    last: str = layout.PROJECT_LAST_COLUMN,
) -> None:
    row = cell[1:]
    ws.merge_cells(f"A{row}:{last}{row}")
    ws[cell].value = value
    ws[cell].font, ws[cell].alignment = font, CENTER
    if height:
        ws.row_dimensions[int(row)].height = height
