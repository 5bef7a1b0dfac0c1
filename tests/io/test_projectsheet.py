"""io/projectsheet.py: one project's form written onto a sheet (labels, inputs, the indicator table with its
dropdowns), and what it prints: down to the sign-off block, empty indicator rows hidden, the project named."""

from __future__ import annotations

import openpyxl

from xlgoals.core import layout
from xlgoals.core.model import Unit
from xlgoals.core.ruleset import builtin_rulesets
from xlgoals.io.lists import Lists
from xlgoals.io.projectsheet import fit_for_paper, write_project_sheet


def _written(project: object, hidden: bool = False) -> openpyxl.worksheet.worksheet.Worksheet:
    wb = openpyxl.Workbook()
    ws = wb.create_sheet("项目1")
    ws.sheet_state = "hidden" if hidden else "visible"
    write_project_sheet(ws, project, Lists(builtin_rulesets()), "shanghai")  # type: ignore[arg-type]
    return ws


def test_the_form_holds_the_project(sample_unit: Unit) -> None:
    project = sample_unit.projects[0]
    ws = _written(project)
    assert ws[layout.PROJECT_FIELD["name"].value_cell].value == project.name
    assert ws[layout.PROJECT_FIELD["name"].label_cell].value == layout.PROJECT_FIELD["name"].label
    assert [ws.cell(layout.INDICATOR_HEADER_ROW, c).value for c in range(1, 5)] == list(
        layout.INDICATOR_HEADERS.values()
    )[:4]
    first = layout.INDICATOR_FIRST_ROW
    written = [ws[layout.indicator_cell(first + i, "name")].value for i in range(len(project.indicators))]
    assert written == [i.name for i in project.indicators]
    lists = [dv.sqref for dv in ws.data_validations.dataValidation]
    level1 = f"{layout.INDICATOR_COLUMNS['level1']}{first}"
    assert any(level1 in str(ranges) for ranges in lists), "the level-1 column has its dropdown"


def test_what_it_prints(sample_unit: Unit) -> None:
    project = sample_unit.projects[0]
    ws = _written(project)
    fit_for_paper(ws)
    last_filled = layout.INDICATOR_FIRST_ROW + len(project.indicators) - 1
    assert not ws.row_dimensions[last_filled].hidden
    assert all(ws.row_dimensions[r].hidden for r in range(last_filled + 1, layout.INDICATOR_LAST_ROW + 1))
    area = str(ws.print_area)
    assert area.startswith("'项目1'!$A$1:$D$") and int(area.rsplit("$", 1)[1]) > layout.INDICATOR_LAST_ROW
    assert project.name in (ws.oddHeader.left.text or "")


def test_a_blank_hidden_template_gets_no_print_area() -> None:
    ws = _written(None, hidden=True)
    fit_for_paper(ws)
    assert not ws.print_area
    assert ws[layout.PROJECT_FIELD["name"].value_cell].value is None
