"""The 自评 sheet as written and read back: locks, inputs, cached scores, printed scores, typed-over formulas, paper."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.builders import indicator
from tests.office import convert
from tests.test_print import pages
from tests.test_vba import buttons_in
from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import SELFEVAL_FORM, Project, Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.scoring import score_project
from xlgoals.io.reader import read
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook

D = Decimal
NATIONAL = load_ruleset("national")


def _unit(printed: bool = False, indicators: int = 0) -> Unit:
    inds = [
        indicator("产出指标", "数量指标", "培训人数", ">=500人"),
        indicator("产出指标", "质量指标", "培训合格率", ">=95%"),
        indicator("效益指标", "社会效益指标", "群众知晓度", "明显提高"),
        indicator("满意度指标", "服务对象满意度指标", "参训人员满意度", ">=90%"),
    ]
    inds += [indicator("成本指标", "经济成本指标", f"成本{i}", "<=10万元") for i in range(indicators)]
    for ind, actual in zip(inds, ["480", "96%", "部分达成", "92%"], strict=False):
        ind.actual = actual
    inds[0].reason = "部分学员因疫情未能参训"
    inds[1].points = D(20)
    if printed:
        inds[0].score, inds[1].score = D(25), D(20)
    project = Project(
        name="基层干部培训",
        form=SELFEVAL_FORM,
        goals="全年培训基层干部500人次。",
        budget_year=D(600000),
        budget_adjusted=D(600000),
        budget_executed=D(510000),
        execution_reason="部分培训改为线上",
        total_score=D(88) if printed else None,
        indicators=inds,
        sheet="项目1",
    )
    return Unit(name="某某培训中心", year=2021, framework="national", projects=[project])


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("selfeval_sheet") / "自评.xlsx"
    write_selfeval_workbook(_unit(), NATIONAL, path)
    return path


def test_targets_are_locked_and_inputs_open_under_protection_without_password(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["项目1"]
    assert ws.protection.sheet and not ws.protection.password
    for cell in ("D12", "C12", "A12", "B4", "B9", "G12", "F7", "E7"):
        assert ws[cell].protection.locked, cell
    for cell in ("E12", "F12", "H12", "C7", "D7", "H7", "E9", "B7"):
        assert not ws[cell].protection.locked, cell
    assert all(ws.column_dimensions[c].hidden for c in slayout.SELFEVAL_HELPERS.values())
    assert ws["A1"].value == slayout.SELFEVAL_TITLE and ws["E12"].number_format == "@"
    assert ws.print_area == "'项目1'!$A$1:$H$19" and ws.page_setup.paperSize == 9
    assert ws["G12"].value.startswith("=") and ws["D12"].value == ">=500人"


def test_national_money_is_typed_in_wan_and_read_in_yuan(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["项目1"]
    assert ws["A6"].value == "项目资金\n（万元）" and ws["C7"].value == 60 and ws["B7"].value == 60
    project = read(book).projects[0]
    assert (project.budget_adjusted, project.budget_executed, project.money_unit) == (D(600000), D(510000), "万元")


def test_what_was_written_reads_back(book: Path) -> None:
    before, after = _unit().projects[0], read(book).projects[0]
    assert after.form == SELFEVAL_FORM and after.typed_over == {} and after.formulas_seen
    assert [(i.level1, i.level2, i.name, i.value, i.actual, i.reason) for i in after.indicators] == [
        (i.level1, i.level2, i.name, i.value, i.actual, i.reason) for i in before.indicators
    ]
    assert after.indicators[1].points == 20 and after.execution_reason == before.execution_reason
    assert after.goals == before.goals and after.indicators[0].score is None


def test_the_scores_are_cached_for_readers_that_never_recalculate(book: Path) -> None:
    score = score_project(read(book).projects[0], NATIONAL)
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("项目1").to_python()
    assert [Decimal(repr(rows[11 + i][6])) for i in range(4)] == [s.score for s in score.indicators]
    assert Decimal(repr(rows[15][6])) == score.total


def test_a_score_typed_over_its_formula_is_reported_with_what_the_rules_give(book: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(book)
    wb["项目1"]["G12"] = 30  # a unit overwrites the formula (the sheet is protected without a password)
    wb["项目1"]["G13"] = 20  # the same number the rules give: still a typed value that no longer follows
    path = tmp_path / "改写.xlsx"
    wb.save(path)  # openpyxl drops every cached value: the scores still come from the inputs
    checked = check_file(path)
    typed = [f for f in checked.report.findings if f.code == "selfeval.score-typed"]
    assert [(f.cell, f.value) for f in typed] == [("G12", "30"), ("G13", "20")]
    # 产出's 50 points: 培训合格率 has its own 20, 培训人数 the default 25; 480 ÷ 500 × 25 = 24.
    assert "被改写为 30（按规则应为 24）" in typed[0].message
    assert score_project(checked.unit.projects[0], checked.ruleset).indicators[0].score == D(24)


def test_printed_scores_sit_beside_the_rules_and_disagreements_name_both(tmp_path: Path) -> None:
    path = tmp_path / "原表.xlsx"
    write_selfeval_workbook(_unit(printed=True), NATIONAL, path)
    ws = openpyxl.load_workbook(path)["项目1"]
    assert ws["I11"].value == "原表得分" and ws["I12"].value == 25 and ws.print_area == "'项目1'!$A$1:$I$19"
    checked = check_file(path)
    differs = [f for f in checked.report.findings if f.code == "selfeval.score-differs"]
    assert [(f.cell, f.value) for f in differs] == [("I12", "25"), ("I16", "88")]
    assert "原表得分 25，按规则应为 24" in differs[0].message


def test_it_prints_within_two_pages_per_project_plus_the_cover(soffice: str, tmp_path: Path) -> None:
    unit = _unit(indicators=26)  # 30 indicators: the size of a large project's table
    unit.projects[0].goals = "培训基层干部，提升履职能力。" * 20
    for ind in unit.projects[0].indicators:
        ind.reason = ind.reason or "按计划完成，未发现偏差；下一年度继续加强过程管理和资金监管。"
    unit.projects.append(_unit().projects[0].model_copy(update={"sheet": "项目2"}))
    path = tmp_path / "自评.xlsx"
    write_selfeval_workbook(unit, NATIONAL, path)
    assert pages(convert(soffice, path, "pdf", tmp_path)) <= 1 + 2 * len(unit.projects)


def test_selfeval_xlsm_carries_the_check_buttons(sample_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "自评.xlsm"
    result = CliRunner().invoke(app, ["selfeval", str(sample_xlsx), "-o", str(out), "--xlsm"])
    assert result.exit_code == 0, result.output
    found = {sheet: sorted(caption for caption, _ in buttons) for sheet, buttons in buttons_in(out).items() if buttons}
    assert found[layout.COVER_SHEET] == sorted(["校验全部", "汇总", "导出汇总", "汇总文件夹"])
    assert found["项目1"] == sorted(["校验本表", "校验全部"]) and "新增项目" not in str(found)
    assert [p.form for p in read(out).projects] == [SELFEVAL_FORM] * 3
    # The buttons find the department's server on the cover by the same name as the declaration's.
    server = openpyxl.load_workbook(out, keep_vba=True).defined_names[layout.SERVER_NAME].attr_text
    assert server == f"'{layout.COVER_SHEET}'!$B$12"
