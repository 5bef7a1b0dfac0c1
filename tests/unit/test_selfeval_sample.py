"""The Shanghai sample's 2020 declaration becomes a 自评 workbook; filled as a unit would, it scores as computed by
hand, marks the one missing reason at its cell, and the department summary shows the unit's 总分 and 执行率."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.builders.office import convert
from tests.builders.selfeval_sample import BUDGETS, ROWS, TOTALS, UNIT_MEAN, UNIT_RATE, fill
from tests.builders.summary_tables import HEADER_ROW
from xlgoals.core.scoring import score_project
from xlgoals.department.consolidate import consolidate
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file

D = Decimal


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, sample_txt: Path) -> Path:
    """`xlgoals import` then `xlgoals selfeval`, then typed into as a unit would (saved by openpyxl: the
    formulas stay, their cached values go)."""
    folder = tmp_path_factory.mktemp("sample_selfeval")
    runner = CliRunner()
    declared, selfeval = folder / "unit.xlsx", folder / "自评.xlsx"
    assert runner.invoke(app, ["import", str(sample_txt), "-o", str(declared)]).exit_code == 0
    made = runner.invoke(app, ["selfeval", str(declared), "-o", str(selfeval)])
    assert made.exit_code == 0, made.output
    assert "100.00" in made.output  # every sheet's points add up to 100
    return fill(selfeval, folder / "自评_已填.xlsx")


def test_it_scores_as_computed_by_hand(filled: Path) -> None:
    checked = check_file(filled)
    for project in checked.unit.projects:
        score = score_project(project, checked.ruleset)
        assert [s.score for s in score.indicators] == [row[2] for row in ROWS[project.sheet or ""]], project.sheet
        assert score.execution.score == BUDGETS[project.sheet or ""][3]
        assert score.points_total == 100
        assert score.total == TOTALS[project.sheet or ""]


def test_the_missing_reason_is_marked_at_its_cell(filled: Path) -> None:
    report = check_file(filled).report
    assert report.flatten(["code", "severity", "sheet", "cell"]) == [
        ["selfeval.reason-missing", "error", "项目1", "H21"]
    ]
    assert "4.74/5" in report.findings[0].message and "90%" in report.findings[0].message


def test_libreoffice_computes_the_same_scores(filled: Path, soffice: str, tmp_path: Path) -> None:
    computed = convert(soffice, filled, "xlsx", tmp_path, recalc=True)
    book = CalamineWorkbook.from_path(str(computed))
    for sheet, rows in ROWS.items():
        values = book.get_sheet_by_name(sheet).to_python()
        assert [D(repr(values[11 + i][6])) for i in range(len(rows))] == [r[2] for r in rows]
        assert D(repr(values[6][6])) == BUDGETS[sheet][3]
        assert D(repr(values[11 + len(rows)][6])) == TOTALS[sheet]


def test_the_department_summary_shows_the_units_total_and_execution_rate(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "部门汇总.xlsx"
    result = consolidate([filled], out, jobs=1)
    # After 概况 and 单位汇总; each sheet's table under its title block.
    assert result.sheets[:4] == ["概况", "单位汇总", "自评汇总", "自评项目"]
    book = CalamineWorkbook.from_path(str(out))
    units = book.get_sheet_by_name("自评汇总").to_python()[HEADER_ROW - 1 :]
    header, row = units[0], units[1]
    assert row[header.index("平均总分")] == UNIT_MEAN
    assert row[header.index("执行率（%）")] == UNIT_RATE
    assert row[header.index("其中未说明原因")] == 1
    projects = book.get_sheet_by_name("自评项目").to_python()[HEADER_ROW - 1 :]
    assert [r[projects[0].index("总分")] for r in projects[1:]] == [float(t) for t in TOTALS.values()]


def test_a_declaration_and_its_selfeval_are_not_duplicates(filled: Path, tmp_path: Path) -> None:
    declared = filled.with_name("unit.xlsx")
    result = consolidate([declared, filled], tmp_path / "s.xlsx", jobs=1)
    assert result.status_counts()["已读取"] == 2
