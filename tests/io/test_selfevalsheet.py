"""io/selfevalsheet.py: a project's 自评 sheet from its declaration: the scores it shows are Python's, money in the
form's unit, the scoring explained under the table, 原表得分 only where a published table printed scores."""

from __future__ import annotations

from decimal import Decimal

import openpyxl

from xlgoals.core.model import Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.scoring import score_project
from xlgoals.io.selfevalsheet import has_printed, money_scale, scoring_note, write_selfeval_sheet


def test_money_in_the_forms_unit() -> None:
    assert money_scale(load_ruleset("shanghai-2020")) == 1
    assert money_scale(load_ruleset("national")) == 10000


def test_the_note_says_how_the_sheet_scores() -> None:
    rs = load_ruleset("shanghai-2020")
    assert rs.scoring is not None
    note = scoring_note(rs)
    assert note.startswith("说明：") and rs.title in note
    assert f"预算执行 {rs.scoring.execution.points:g}" in note and all(p.name in note for p in rs.scoring.pools)


def test_the_sheet_scores_as_python_does(sample_unit: Unit) -> None:
    rs = load_ruleset("shanghai-2020")
    project = sample_unit.projects[0].model_copy(deep=True)
    for ind in project.indicators:
        ind.actual = ind.value  # met, as written
    assert not has_printed(project)
    ws = openpyxl.Workbook().create_sheet("项目1")
    score = write_selfeval_sheet(ws, sample_unit, project, rs)
    assert score == score_project(project, rs)
    assert ws["B4"].value == project.name
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "原表得分" not in texts and any(t.startswith("说明：") for t in texts)
    project.indicators[0].score = Decimal(4)  # what a published table printed
    assert has_printed(project)
    printed = openpyxl.Workbook().create_sheet("项目1")
    write_selfeval_sheet(printed, sample_unit, project, rs)
    assert "原表得分" in [c.value for row in printed.iter_rows() for c in row]
