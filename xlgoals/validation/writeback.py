"""Write validation results into a copy of the workbook file (the CLI's --write-back): marks, notes, 校验结果."""

from __future__ import annotations

import os

from xlgoals.core.values import GridValue
from xlgoals.io.bookedit import CellMark, edit_copy
from xlgoals.io.files import BookGrid
from xlgoals.io.transplant import Placement
from xlgoals.validation import marks
from xlgoals.validation.findings import Report


def write_back(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    report: Report,
    ruleset_title: str,
    grids: BookGrid | None = None,
) -> None:
    """Copy `src` to `out` with marks, the results sheet and the record of marked cells; the last run's marks
    (as its record lists them) are cleared first. `grids`: `src` as the reader read it."""
    from xlgoals.io.files import read_grids

    book = grids if grids is not None and grids.container is not None else read_grids(src)
    mark_list = marks.marks_for(report)
    edit_copy(
        src,
        out,
        book,
        clear=marks.recorded(_record_rows(book)),
        marks=[CellMark(m.sheet, m.cell, marks.FILL_HEX[m.severity], m.note) for m in mark_list],
        sheets=[
            Placement(marks.results_plan(report, ruleset_title), 1),
            Placement(marks.record_plan(marks.marked_cells(mark_list)), None),
        ],
        author=marks.NOTE_AUTHOR,
    )


def _record_rows(book: BookGrid) -> list[list[GridValue]]:
    """The rows of the last run's record sheet: all of them, though the reader bounds what it reads."""
    from xlgoals.core import layout

    grid = book.sheets.get(layout.MARKS_SHEET)
    if grid is None:
        return []
    if grid.outside is None:
        return grid.rows
    from xlgoals.io.files import read_sheet_rows

    assert book.container is not None
    return read_sheet_rows(book.container, layout.MARKS_SHEET)
