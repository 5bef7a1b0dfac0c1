"""Published 自评 tables, their columns in the model's 自评 fields as the importer fills them, written into the
自评 sheet (printed scores in 原表得分) and checked: each printed 得分 the rules disagree with names both numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from xlgoals.core.model import SELFEVAL_FORM, Unit
from xlgoals.io.selfevalbook import write_selfeval_workbook
from xlgoals.jobs.importer import import_file
from xlgoals.jobs.pipeline import check_file, choose_ruleset
from xlgoals.validation.scoring import score_project

REAL = Path(__file__).resolve().parent.parent / "samples" / "real"


def _as_filled(stem: str) -> Unit:
    """The imported table with its 实际完成值 / 分值 / 得分 / 偏差原因 columns in the model's fields (what the
    importer's 自评 support fills; here from the columns it keeps as written)."""
    unit = import_file(REAL / f"{stem}.txt").unit
    for project in unit.projects:
        # A 自评表 by its title, or by its columns where the copy lost the title (南华县's).
        assert project.form == SELFEVAL_FORM or any("实际完成值" in i.extra for i in project.indicators)
        project.form = SELFEVAL_FORM
        for ind in project.indicators:
            extra = ind.extra
            ind.actual = extra.get("实际完成值", "")
            ind.reason = extra.get("偏差原因分析及改进措施", "")
            ind.points = Decimal(extra["分值"]) if extra.get("分值") else None
            ind.score = Decimal(extra["得分"]) if extra.get("得分") else None
    return unit


def _written(unit: Unit, tmp_path: Path) -> Path:
    path = tmp_path / "自评.xlsx"
    write_selfeval_workbook(unit, choose_ruleset(unit), path)
    return path


def test_ezhou_prints_a_score_its_own_numbers_do_not_give(tmp_path: Path) -> None:
    # 预算执行率 (an indicator there): 年度指标值 100%, 实际完成值 83.5%, 分值 20, 得分 18 printed;
    # by the rules 83.5 ÷ 100 × 20 = 16.70.
    unit = _as_filled("ezhou_2021_shenpiju_shiminzhongxin_ziping")
    differs = [f for f in check_file(_written(unit, tmp_path)).report.findings if f.code == "selfeval.score-differs"]
    assert [(f.cell, f.value) for f in differs] == [("I12", "18")]
    assert "原表得分 18，按规则应为 16.70" in differs[0].message and "“83.5%”" in differs[0].message


@pytest.mark.parametrize(
    "stem",
    [
        "chizhou_tangxi_2022_weituoyewu_ziping",
        "nanhua_yejunjiagong_ziping",
        "ezhou_2021_shenpiju_shiminzhongxin_ziping",
    ],
)
def test_published_selfevaluations_land_in_their_cells(stem: str, tmp_path: Path) -> None:
    unit = _as_filled(stem)
    checked = check_file(_written(unit, tmp_path))
    (project,) = checked.unit.projects
    (source,) = unit.projects
    # Points the table left blank are written as their default share, so the form shows what counts.
    counted = [s.points for s in score_project(source, checked.ruleset).indicators]
    assert [(i.name, i.actual, i.points, i.score) for i in project.indicators] == [
        (i.name, i.actual, points, i.score) for i, points in zip(source.indicators, counted, strict=True)
    ]
    assert project.form == SELFEVAL_FORM and all("printed" in i.cells for i in project.indicators)
    for f in checked.report.findings:
        if f.code == "selfeval.score-differs":
            assert "原表得分" in f.message and "按规则应为" in f.message
