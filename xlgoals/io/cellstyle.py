"""The template's look (fonts, fills, borders, protection) and the one way a value goes into a cell."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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
    for row, height in project_row_heights(lambda r, c: str(ws.cell(r, c).value or ""), ws.max_row).items():
        ws.row_dimensions[row].height = height


def project_row_heights(text: Callable[[int, int], str], last_row: int) -> dict[int, float]:
    """The heights fit_project_rows gives, from the text at each (row, column); `last_row`: the sheet's last.
    A 自评 sheet has rows of its own: selfeval_row_heights."""
    if is_selfeval_form(text):
        return selfeval_row_heights(text, last_row)
    heights: dict[int, float] = {}
    form = layout.form_of_mark(text(*layout.split_address(layout.NATIONAL_MARK.label_cell)))
    for spec in layout.project_fields(form):
        if spec.merge_to:
            row, col = layout.split_address(spec.value_cell)
            heights[row] = row_height([(text(row, col), LONG_TEXT_WIDTH)], LONG_TEXT_ROW_HEIGHT)
    widths = [(layout.column_index(c), layout.PROJECT_COLUMN_WIDTHS[c]) for c in layout.INDICATOR_COLUMNS.values()]
    # Bounded as the reader is: a stray value far down must not make a million rows of cells.
    for row in range(layout.INDICATOR_FIRST_ROW, min(last_row, layout.READ_MAX_ROW) + 1):
        heights[row] = row_height([(text(row, col), w) for col, w in widths], 15)
    return heights


def selfeval_row_heights(text: Callable[[int, int], str], last_row: int) -> dict[int, float]:
    """A 自评 sheet's heights from its texts: 年度总体目标's two texts, the execution note, and each indicator
    row's texts down to the 总分 row, so everything prints whole."""
    w, field = slayout.SELFEVAL_WIDTHS, slayout.SELFEVAL_FIELD

    def at(address: str) -> str:
        return text(*layout.split_address(address))

    goals, achieved, reason = (field[key].value_cell for key in ("goals", "goals_achieved", "execution_reason"))
    heights = {
        layout.split_address(goals)[0]: row_height(
            [(at(goals), w["B"] + w["C"] + w["D"]), (at(achieved), w["E"] + w["F"] + w["G"] + w["H"])], 45
        ),
        layout.split_address(reason)[0]: row_height([(at(reason), w["H"])], 24),
    }
    columns = [slayout.SELFEVAL_COLUMNS[p] for p in ("level1", "level2", "name", "target", "actual", "reason")]
    row = slayout.SELFEVAL_FIRST_ROW
    while row <= min(last_row, layout.READ_MAX_ROW) and at(f"A{row}") != slayout.SELFEVAL_TOTAL_LABEL:
        heights[row] = row_height([(at(f"{c}{row}"), w[c]) for c in columns], 18)
        row += 1
    return heights


def is_project_form(text: Callable[[int, int], str]) -> bool:
    """A sheet laid out as our project form (its first label where the template puts it), not a user's own;
    a 自评 sheet is one too."""
    first = layout.PROJECT_FIELDS[0]
    return text(*layout.split_address(first.label_cell)).strip() == first.label


def is_selfeval_form(text: Callable[[int, int], str]) -> bool:
    """A 自评 sheet, told by its mark as the reader tells it: its cells go back to their own fills."""
    mark = slayout.SELFEVAL_MARK
    return layout.normalize_label(text(*layout.split_address(mark.label_cell))) == mark.label


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
