"""One contract for a SheetPlan's two renderers: io/planrender.py (openpyxl, into a file) and excelplan.py
(xlwings, into the open workbook, here through xlwings' real remote engine). The same plans — 校验结果, the
hidden _marks record, 汇总 (a declaration's and a 自评 workbook's), 导入记录 — go through both, and what a user
sees of each cell, column, row and sheet must agree: a feature added to one renderer and not the other fails.

Every field of SheetPlan is named below with how it is compared, or why one renderer leaves it out.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import SAMPLE_TXT
from tests.test_real_tables import REAL
from tests.xlbridge import run_remote
from xlgoals import excelplan
from xlgoals.core import layout
from xlgoals.importing.importer import import_file, placed_selfeval
from xlgoals.importing.record import import_record_plan
from xlgoals.io import planrender
from xlgoals.io.sheetplan import SheetPlan
from xlgoals.unit.pipeline import check_file, check_unit
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import summary_plan
from xlgoals.validation import marks
from xlgoals.workbooks.template import form_of_unit

# How each field of a plan reaches the user, and whether both renderers give it.
COMPARED = {
    "name": "the sheet's name",
    "rows": "each cell's value: text as text, numbers, formulas",
    "links": "each link's place in the workbook",
    "fills": "each cell's fill",
    "bold_rows": "bold text",
    "widths": "column widths",
    "wrap_columns": "wrapped text (and the vertical alignment that goes with it)",
    "small_columns": "small grey text",
    "hidden": "the sheet's visibility",
    "formats": "number formats",
    "header_rows": "bold on the label fill, numbers' headers right-aligned, wrapped",
    "freeze_row": "the frozen header",
}
FILE_ONLY = {
    "repeat_row": "print titles: xlwings' remote engine has no page setup (a sheet made in Excel prints as Excel sets)",
    "autofilter": "the remote engine filters only for Office.js clients; the file's table carries the range",
    "link_tip": "a link's hover text: the remote engine carries it, the test bridge keeps it, files store it; "
    "compared with the links",
    "charts": "the remote engine's chart actions are not verified; desktop Excel draws them (excelplan.add_chart)",
}
SAMPLE_STEM = "chizhou_tangxi_2022_weituoyewu_ziping"  # a published 自评表: a 自评 workbook and its 导入记录


def test_every_field_of_a_plan_is_in_the_contract() -> None:
    fields = {f.name for f in dataclasses.fields(SheetPlan)}
    assert fields == set(COMPARED) | set(FILE_ONLY), "a new SheetPlan field: say how both renderers show it"


def _plans(tmp_path: Path) -> dict[str, SheetPlan]:
    from xlgoals.workbooks.template import write_unit

    broken = import_file(SAMPLE_TXT).unit
    broken.projects[1].budget_year = broken.projects[1].budget_total * 3 if broken.projects[1].budget_total else None
    write_unit(broken, tmp_path / "broken.xlsx")
    checked = check_file(tmp_path / "broken.xlsx")  # read from a file: every finding has its cell, a link
    found = marks.marks_for(checked.report)
    imported = import_file(REAL / f"{SAMPLE_STEM}.txt")
    selfeval = placed_selfeval(imported.unit)
    record = import_record_plan(selfeval, imported.notes, f"{SAMPLE_STEM}.txt", form_of_unit(selfeval))
    assert record is not None
    results = marks.results_plan(checked.report, checked.ruleset.title)
    assert len(results.links) > len(checked.unit.projects)  # the projects' and the findings' cells
    return {
        "校验结果": results,
        "_marks": marks.record_plan(marks.marked_cells(found)),
        "汇总": summary_plan(roll_up(checked.unit, checked.report, checked.ruleset)),
        "自评汇总": summary_plan(roll_up(selfeval, check_unit(selfeval).report)),
        "导入记录": record,
    }


def _seen(ws: Worksheet, width_of: Any) -> dict[str, Any]:
    """What a user sees of a rendered sheet, in terms both renderers can be held to."""
    cells: dict[str, tuple[Any, ...]] = {}
    for row in ws.iter_rows():
        for c in row:
            fill = c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None
            link = c.hyperlink.location if c.hyperlink else None
            if c.value in (None, "") and fill is None and link is None:
                continue
            shown = c.value not in (None, "")
            font = c.font
            cells[c.coordinate] = (
                None if c.value == "" else c.value,
                # Text is text either way: openpyxl stores the '@' format, Excel a leading apostrophe.
                "General" if c.number_format in ("General", "@") else c.number_format,
                fill,
                link,
                # Bold, size and colour of what is written (an empty cell's font shows nothing); a link's own look
                # is Excel's Hyperlink style there.
                (bool(font.b), float(font.sz or 11), None if link else _rgb(font.color)) if shown else None,
                # The title's face: the one face Excel must be told (the body keeps the workbook's own).
                font.name if shown and font.sz and float(font.sz) > 12 else None,
                (bool(c.alignment.wrap_text), c.alignment.horizontal or "general", c.alignment.vertical or "bottom")
                if shown
                else None,
            )
    return {
        "cells": cells,
        "widths": {k: round(width_of(d.width), 1) for k, d in ws.column_dimensions.items() if d.width},
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "hidden": ws.sheet_state,
        "freeze": ws.freeze_panes,
    }


def _rgb(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None) if color is not None else None
    return rgb if isinstance(rgb, str) and rgb not in ("FF000000",) else None


def _file(plan: SheetPlan) -> Worksheet:
    wb = openpyxl.Workbook()
    return planrender.render_plan(wb, plan)


def _excel(plan: SheetPlan, client: str = "Office.js") -> Worksheet:
    wb = openpyxl.Workbook()
    wb.active.title = layout.COVER_SHEET
    wb, _ = run_remote(wb, lambda book: excelplan.render_plan(book, plan), book_name="unit.xlsx", client=client)
    return wb[plan.name]


def _unaligned(seen: dict[str, Any]) -> dict[str, Any]:
    """What RunServerPython's VBA client shows: everything but alignment and frozen panes (excelplan.can_align)."""
    cells = {a: (*v[:-1], None if v[-1] is None else (v[-1][0], "general", "bottom")) for a, v in seen["cells"].items()}
    return {**seen, "cells": cells, "freeze": None}


def _excel_width(bridge_width: float) -> float:
    # The bridge turns the remote engine's points into a file's characters at 7 px a character; the renderer
    # gave it characters × POINTS_PER_CHARACTER points. Undo both to compare characters with characters.
    return bridge_width * 7 * 72 / 96 / excelplan.POINTS_PER_CHARACTER


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SheetPlan]:
    return _plans(tmp_path_factory.mktemp("plans"))


@pytest.mark.parametrize("name", ["校验结果", "_marks", "汇总", "自评汇总", "导入记录"])
def test_both_renderers_show_the_same_sheet(plans: dict[str, SheetPlan], name: str) -> None:
    plan = plans[name]
    in_file, in_excel = _seen(_file(plan), float), _seen(_excel(plan), _excel_width)
    assert in_excel["cells"].keys() == in_file["cells"].keys()
    differing = {
        address: (in_file["cells"][address], in_excel["cells"][address])
        for address in in_file["cells"]
        if in_file["cells"][address] != in_excel["cells"][address]
    }
    assert differing == {}
    for aspect in ("widths", "heights", "hidden", "freeze"):
        assert in_excel[aspect] == in_file[aspect], aspect


@pytest.mark.parametrize("name", ["校验结果", "汇总"])
def test_the_vba_client_shows_the_same_sheet_but_its_alignment(plans: dict[str, SheetPlan], name: str) -> None:
    """RunServerPython's VBA client (Remote.bas and our XlgoalsActions.bas) gets every feature it has a Sub for."""
    plan = plans[name]
    assert _seen(_excel(plan, "VBA"), _excel_width) == _unaligned(_seen(_file(plan), float))


def test_the_plans_exercise_every_compared_feature(plans: dict[str, SheetPlan]) -> None:
    """A contract over plans that never link, fill or hide would hold both renderers to nothing."""
    every = plans.values()
    assert all(any(getattr(p, f) for p in every) for f in COMPARED if f != "name"), [
        f for f in COMPARED if f != "name" and not any(getattr(p, f) for p in every)
    ]
    assert any(p.charts for p in every) and any(p.autofilter for p in every)
