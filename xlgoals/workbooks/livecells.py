"""Live checks into an openpyxl sheet: formulas, lists, hidden helper columns, conditional fills, the status line."""

from __future__ import annotations

from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout, livelayout
from xlgoals.io.cellstyle import FONT, LABEL_FILL, UNLOCKED
from xlgoals.io.presentation import share_formulas
from xlgoals.io.sheetplan import rgb_hex
from xlgoals.validation.live.catalogue import Catalogue
from xlgoals.validation.live.plan import LivePlan

STATUS_FONT = Font(name=FONT, size=10, bold=True)
STATUS_SPAN = 5  # F:J, the columns between the form and the live area
_THIN = Side(style="thin", color="FFBFBFBF")
TABLE_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _put(ws: Worksheet, values: dict[str, str | int], formulas: dict[str, str]) -> None:
    for address, value in values.items():
        cell = ws[address]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # a list item such as '=' is text, never a formula
    for address, formula in formulas.items():
        ws[address] = "=" + formula


def write_lists(ws: Worksheet, catalogue: Catalogue) -> None:
    """The live checks' lists, on the (hidden) lists sheet, each a defined name of the workbook."""
    _put(ws, *catalogue.cells())
    wb = ws.parent
    assert wb is not None
    for name, reference in catalogue.defined_names().items():
        wb.defined_names[name] = DefinedName(name, attr_text=reference)


def write_plan(ws: Worksheet, plan: LivePlan) -> None:
    """Write a live plan's cells and fills; its helper columns (the live area) are hidden; rows whose formulas
    differ only by the row are stored as one shared formula."""
    _put(ws, plan.values, plan.formulas)
    for rng in plan.shared:
        share_formulas(ws, rng)
    for col in plan.unlocked:
        ws.column_dimensions[col].protection = UNLOCKED
    for fmt in plan.formats:
        fill = PatternFill("solid", start_color=rgb_hex(fmt.rgb), end_color=rgb_hex(fmt.rgb))
        rule = Rule(type="expression", dxf=DifferentialStyle(fill=fill), formula=[fmt.formula], stopIfTrue=True)
        ws.conditional_formatting.add(fmt.cells, rule)
    first, last = (layout.column_letters(c) for c in (plan.first_column, livelayout.LIVE_LAST_COLUMN))
    ws.column_dimensions.group(first, last, hidden=True)


def style_status(ws: Worksheet, cell: str) -> None:
    """The status line over STATUS_SPAN columns, wrapped on two lines beside the title, so its fill reads as
    one band whatever it says."""
    row, col = layout.split_address(cell)
    ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + STATUS_SPAN - 1)
    ws[cell].font = STATUS_FONT
    ws[cell].alignment = Alignment(vertical="center", wrap_text=True)


def style_cover_table(ws: Worksheet) -> None:
    """The cover's live table: a bold title, a header on the label fill, thin borders over its rows."""
    title = ws[f"A{livelayout.COVER_LIVE_TITLE_ROW}"]
    title.font = STATUS_FONT
    title.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(f"A{livelayout.COVER_LIVE_TITLE_ROW}:E{livelayout.COVER_LIVE_TITLE_ROW}")
    ws.row_dimensions[livelayout.COVER_LIVE_TITLE_ROW].height = 30
    ws.merge_cells(f"A{livelayout.COVER_LIVE_MISSING_ROW}:E{livelayout.COVER_LIVE_MISSING_ROW}")
    for col in livelayout.COVER_LIVE_COLUMNS:
        head = ws[f"{col}{livelayout.COVER_LIVE_HEADER_ROW}"]
        head.font, head.fill = STATUS_FONT, LABEL_FILL
        for row in (livelayout.COVER_LIVE_COVER_ROW, livelayout.COVER_LIVE_HEADER_ROW, livelayout.COVER_LIVE_TOTAL_ROW):
            ws[f"{col}{row}"].border = TABLE_BORDER
        ws[f"{col}{livelayout.COVER_LIVE_TOTAL_ROW}"].font = STATUS_FONT
    ws.column_dimensions[livelayout.COVER_LIVE_COLUMNS[-1]].width = 10
    # The counts stand centred in their wide columns; a slot 新增项目 writes takes the column's style.
    for col in ("C", "D"):
        ws.column_dimensions[col].alignment = Alignment(horizontal="center")
    for cells in ws.iter_rows(min_row=livelayout.COVER_LIVE_COVER_ROW, max_row=ws.max_row, min_col=3, max_col=4):
        for cell in cells:
            cell.alignment = Alignment(horizontal="center")
    # The slots' filled flags (read by the line about sheets missing from the table) are not shown.
    ws.column_dimensions[livelayout.COVER_LIVE_FILLED_COLUMN].number_format = ";;;"
    flag = layout.column_index(livelayout.COVER_LIVE_FILLED_COLUMN)
    for cells in ws.iter_rows(min_row=livelayout.COVER_LIVE_FIRST_SLOT_ROW, min_col=flag, max_col=flag):
        for cell in cells:
            cell.number_format = ";;;"
