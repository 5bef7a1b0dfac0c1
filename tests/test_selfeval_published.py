"""Every published 自评 table in samples/real imports as 自评: actuals, points, printed scores and reasons in their
cells (not in 导入记录), and validate names each printed 得分 that disagrees with the rules with both numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlgoals.core.model import SELFEVAL_FORM
from xlgoals.core.scoring import score_project
from xlgoals.importing.importer import import_file, placed_selfeval
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file

REAL = Path(__file__).resolve().parent.parent / "samples" / "real"
SELFEVALS = sorted(p.stem for p in REAL.glob("*_ziping.txt"))
# The printed 得分 the rules disagree with, by table: (cell, printed).
DISAGREEING = {
    # 预算执行率 printed 98 of 100 points at 83.5 %, and as an indicator 18 of 20 for 83.5 % of 100 % (16.70).
    "ezhou_2021_shenpiju_shiminzhongxin_ziping": [("I7", "98"), ("I12", "18")],
    # 配套烘干杀菌设备及包装设备购置及安装: 9.30 printed for an actual of 20 against 550.
    "nanhua_yejunjiagong_ziping": [("I13", "9.30")],
    # 总分 printed 100 where its own points add up to 110 (预算执行 10 beside 产出 70, 效益 20, 满意度 10) and
    # every one is earned.
    "zhongjiang_2022_shuibiaochi_ziping": [("I21", "100")],
}


def test_the_shared_set_of_self_evaluations_is_here() -> None:
    assert len(SELFEVALS) == 6


@pytest.mark.parametrize("stem", SELFEVALS)
def test_a_published_selfevaluation_imports_as_selfeval(stem: str, tmp_path: Path) -> None:
    out = tmp_path / f"{stem}.xlsx"
    result = CliRunner().invoke(app, ["import", str(REAL / f"{stem}.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    checked = check_file(out)
    (source,) = placed_selfeval(import_file(REAL / f"{stem}.txt").unit).projects
    (project,) = checked.unit.projects
    assert project.form == SELFEVAL_FORM
    # Points the table left blank are written as their default share, so the form shows what counts.
    score = score_project(source, checked.ruleset)
    counted = [s.points for s in score.indicators]
    assert [(i.name, i.actual, i.points, i.score, i.reason) for i in project.indicators] == [
        (i.name, i.actual, points, i.score, i.reason) for i, points in zip(source.indicators, counted, strict=True)
    ]
    assert (project.execution_points, project.execution_score, project.total_score) == (
        score.execution.points,  # the table's own, else the rule set's
        source.execution_score,
        source.total_score,
    )
    differs = [f for f in checked.report.findings if f.code == "selfeval.score-differs"]
    assert [(f.cell, f.value) for f in differs] == DISAGREEING.get(stem, [])
    assert all("原表得分" in f.message and "按规则应为" in f.message for f in differs)


def test_each_disagreement_names_both_numbers(tmp_path: Path) -> None:
    out = tmp_path / "e.xlsx"
    CliRunner().invoke(app, ["import", str(REAL / "ezhou_2021_shenpiju_shiminzhongxin_ziping.txt"), "-o", str(out)])
    messages = [f.message for f in check_file(out).report.findings if f.code == "selfeval.score-differs"]
    assert "预算执行率：原表得分 98，按规则应为 83.50（执行率 83.50%，分值 100）" in messages[0]
    assert "“预算执行率”：原表得分 18，按规则应为 16.70（实际完成值“83.5%”对年度指标值“100%”" in messages[1]
