"""A sheet plan rendered by xlwings into the open workbook: what io/planrender.py does to a file, done in Excel."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlgoals.core import layout
from xlgoals.io.sheetplan import SMALL_POINTS, SMALL_RGB, TITLE_FACE, TITLE_POINTS, Formula, SheetPlan, excel_number

if TYPE_CHECKING:
    import xlwings as xw

# Excel's ColumnWidth counts characters; the remote engine's setColumnWidth takes points.
POINTS_PER_CHARACTER = 5.6


def is_remote(book: xw.Book) -> bool:
    """Whether the book is xlwings' remote engine's (a button without local Python, the Office.js pane)."""
    return type(book.impl).__module__.endswith("_xlremote")


def can_align(book: xw.Book) -> bool:
    """Whether Excel on this call aligns cells and freezes panes: desktop Excel and the Office.js pane do;
    RunServerPython's VBA client does not (xlwings refuses alignment to it, and Remote.bas has no freeze), so
    there a rendered sheet keeps Excel's default alignment and scrolls whole."""
    return not is_remote(book) or book.api["client"] == "Office.js"


def _as_typed(value: Any) -> Any:
    # Excel re-reads written strings as if typed ('=100' becomes a formula, '50%' a number); a leading
    # apostrophe keeps them text, as openpyxl stores them.
    if isinstance(value, str) and value:
        return "'" + value
    if isinstance(value, Formula):
        return "=" + value.expr
    return excel_number(value) if isinstance(value, Decimal) else value


def render_plan(book: xw.Book, plan: SheetPlan, after: str | None = None) -> xw.Sheet:
    """Replace sheet `plan.name` with the plan's content, as io.planrender.render_plan does in a file."""
    from xlgoals.validation import marks

    names = [s.name for s in book.sheets]
    if plan.name in names:
        book.sheets[plan.name].delete()
        names.remove(plan.name)
    anchor = book.sheets[after] if after in names else book.sheets[len(names) - 1]
    sheet = book.sheets.add(plan.name, after=anchor)
    block = plan.block()
    aligns = can_align(book)
    if block and plan.width:
        sheet.range((1, 1), (len(block), plan.width)).value = [[_as_typed(v) for v in row] for row in block]
        if aligns:  # every written cell at the top of its row, as the file's renderer aligns them
            sheet.range((1, 1), (len(block), plan.width)).vertical_alignment = "top"
    for row in plan.bold_rows + plan.header_rows:
        sheet.range((row, 1), (row, max(plan.width, 1))).font.bold = True
    if 1 in plan.bold_rows and 1 not in plan.header_rows and block and block[0][0] is not None:
        sheet.range("A1").font.name, sheet.range("A1").font.size = TITLE_FACE, TITLE_POINTS
    for row in plan.header_rows:
        values, right = plan.rows[row - 1], set(plan.right_aligned(row))
        written = [c for c, v in enumerate(values, start=1) if v is not None]
        for first, last in _runs(written):
            cells = sheet.range((row, first), (row, last))
            cells.color, cells.wrap_text = layout.LABEL_RGB, True
            if aligns:
                cells.vertical_alignment = "center"
        for first, last in _runs([c for c in written if c in right] if aligns else []):
            sheet.range((row, first), (row, last)).horizontal_alignment = "right"
        for first, last in _runs([c for c in written if c not in right] if aligns else []):
            sheet.range((row, first), (row, last)).horizontal_alignment = "left"
    plain = [r for r in range(1, len(block) + 1) if r not in plan.bold_rows and r not in plan.header_rows]
    for letter in sorted(plan.small_columns):
        col = layout.column_index(letter)
        for first, last in _runs(
            [r for r in plain if col <= len(plan.rows[r - 1]) and plan.rows[r - 1][col - 1] is not None]
        ):
            small = sheet.range((first, col), (last, col)).font
            small.size, small.color = SMALL_POINTS, SMALL_RGB
    for address, number_format in plan.formats.items():
        sheet.range(address).number_format = number_format
    for address, rgb in plan.fills.items():
        sheet.range(address).color = rgb
    for link in plan.links:
        row, col = layout.split_address(link.cell)
        shown = block[row - 1][col - 1]
        # The shown text comes from the plan: the remote engine cannot read back what this run wrote.
        sheet.range(link.cell).add_hyperlink(
            marks.link_target(link.sheet, link.target), text_to_display=str(shown), screen_tip=plan.tooltip(link)
        )
    scale = POINTS_PER_CHARACTER if is_remote(book) else 1.0
    for letter, width in plan.column_widths().items():
        sheet.range(f"{letter}1").column_width = width * scale
    for row, height in plan.row_heights().items():
        sheet.range(f"A{row}").row_height = height
    for letter in sorted(plan.wrap_columns):
        sheet.range(f"{letter}1:{letter}{max(len(block), 1)}").wrap_text = True
    if plan.freeze_row and aligns:
        sheet.freeze_panes.freeze_at(f"1:{plan.freeze_row}")
    if plan.hidden:
        sheet.visible = False
    return sheet


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending numbers as runs (first, last) of consecutive ones: one action a run, not one a cell."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def add_chart(book: xw.Book, sheet: xw.Sheet, plan: SheetPlan) -> None:
    """The plan's bar charts drawn by Excel on the rendered sheet (desktop Excel only)."""
    if is_remote(book):
        # The remote engine's chart actions are not verified here; the table carries the same figures.
        return
    for spec in plan.charts:
        labels, values = (
            f"{layout.address(spec.first_row, col)}:{layout.address(spec.last_row, col)}"
            for col in (spec.label_column, spec.value_column)
        )
        anchor = sheet.range(spec.anchor)
        chart = sheet.charts.add(left=anchor.left, top=anchor.top, width=680, height=spec.height * 28.35)
        chart.chart_type = "bar_clustered"
        # Excel takes the text column of a two-area source as the categories.
        chart.set_source_data(sheet.range(f"{labels},{values}"))
