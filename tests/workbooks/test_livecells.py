"""io/livecells.py: a live plan written into a sheet as it says (constants as text, formulas, conditional fills,
shared formulas), its helper columns hidden, the catalogue's lists named in the workbook."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from xlgoals.core import layout, livelayout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.validation.live import Catalogue, LivePlan, project_plan
from xlgoals.workbooks.livecells import style_status, write_lists, write_plan
from xlgoals.workbooks.template import save


def test_a_project_plan_written_and_saved(tmp_path: Path) -> None:
    rs = load_ruleset("shanghai-2020")
    catalogue = Catalogue(rs)
    plan = project_plan("shanghai", rs, layout.INDICATOR_LAST_ROW, catalogue)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目1"
    write_lists(wb.create_sheet(layout.LISTS_SHEET), catalogue)
    write_plan(ws, plan)
    style_status(ws, livelayout.PROJECT_STATUS_CELL)
    path = tmp_path / "live.xlsx"
    save(wb, path)
    back = openpyxl.load_workbook(path)
    sheet = back["项目1"]
    assert set(catalogue.defined_names()) <= set(back.defined_names)
    some = sorted(plan.formulas)[:50]
    for address in some:
        written = sheet[address].value
        # A row's formulas shared by the file read back as the first row's text or a shared-formula marker.
        assert isinstance(written, str) and (written == "=" + plan.formulas[address] or written == "="), address
    for address, value in list(plan.values.items())[:50]:
        assert sheet[address].value == value and (not isinstance(value, str) or sheet[address].data_type == "s")
    assert len(sheet.conditional_formatting) >= len({f.cells for f in plan.formats}) > 0
    first = layout.column_letters(livelayout.LIVE_FIRST_COLUMN)
    assert sheet.column_dimensions[first].hidden
    assert any(livelayout.PROJECT_STATUS_CELL in str(r) for r in sheet.merged_cells.ranges)


def test_an_empty_plan_writes_no_cells() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    write_plan(ws, LivePlan())
    assert ws.max_row == 1 and ws["A1"].value is None and not ws.conditional_formatting
