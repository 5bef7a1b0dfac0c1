"""The Shanghai sample's 2020 declaration becomes a 自评 workbook; filled as a unit would, it scores as computed by
hand, marks the one missing reason at its cell, and the department summary shows the unit's 总分 and 执行率."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.office import convert
from tests.summary_tables import HEADER_ROW
from xlgoals.core.scoring import score_project
from xlgoals.department.consolidate import consolidate
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file

D = Decimal
# Points (Shanghai rule set): 预算执行 10; the 产出 pool (投入与管理 + 产出目标) 50, the 效益 pool (效果目标 but 满意度,
# 影响力目标) 30, 满意度 10, each split evenly over its indicators.
# 项目1: 10 indicators share 产出's 50 (5 each), 5 share 效益's 30 (6 each), 参会人员满意度 has 满意度's 10.
# Each row: (实际完成值, 偏差原因, 得分 by hand).
PROJECT1 = [
    ("100", "", D("5")),  # 资金到位率(%) =100: met, 5
    ("达成", "", D("5")),  # 资金使用合规性 合规
    ("规范", "", D("5")),  # 合同签署规范性 规范: repeating the target is 达成
    ("部分达成", "制度修订中", D("2.5")),  # 财务制度健全性: 部分达成 is 50 % of 5
    ("达成", "", D("5")),
    ("72", "两位专家因故未能到场", D("4.5")),  # 邀请演讲专家数 >=80: 72 ÷ 80 × 5 = 4.5
    ("620", "", D("5")),  # 参会观众数 >=500: 620 ÷ 500 > 1, capped at 5
    ("3", "", D("5")),  # 专业媒体数 >=3
    ("达成", "", D("5")),
    ("90%", "", D("4.74")),  # 研讨会议程活动完成率(%) >=95: 90 ÷ 95 × 5 = 4.7368… → 4.74, and NO reason
    ("达成", "", D("6")),  # 拓展国内外交流合作渠道 (a sentence as target): 达成, 6
    ("92", "", D("10")),  # 参会人员满意度(%) >=85: met, 10
    ("达成", "", D("6")),
    ("达成", "", D("6")),
    ("部分达成", "合作协议尚在商谈", D("3")),  # 建立合作机制: 50 % of 6
    ("5", "", D("6")),  # 专业媒体报道数 >=3
]
# 项目2: 投入与管理 2 + 产出目标 3 share 50 (10 each); 影响力目标 2 share 30 (15 each); 满意度 10.
PROJECT2 = [
    ("达成", "", D("10")),
    ("达成", "", D("10")),
    ("380", "线下名额受限", D("9.5")),  # 参会人数 >=400: 380 ÷ 400 × 10 = 9.5
    ("100", "", D("10")),
    ("96", "", D("10")),
    ("88", "", D("10")),
    ("100", "", D("15")),
    ("90", "", D("15")),
]
# 项目3: 投入与管理 1 + 产出目标 3 share 50 (12.5 each); 影响力目标 1 has 30; 满意度 10.
PROJECT3 = [("100%", "", D("12.5"))] * 4 + [("96%", "", D("10")), ("98%", "", D("30"))]
# (全年预算数, 全年执行数, 执行偏差说明, 执行得分 by hand: 10 × 执行率, never above 10).
BUDGETS = {
    "项目1": (600000, 540000, "", D("9")),  # 540,000 ÷ 600,000 = 90 %: 9
    "项目2": (400000, 400000, "", D("10")),
    "项目3": (4989200, 4200000, "部分设备采购延至次年", D("8.42")),  # 84.18 %: 8.418… → 8.42
}
ROWS = {"项目1": PROJECT1, "项目2": PROJECT2, "项目3": PROJECT3}
# 总分 = the scores added up: 项目1 83.74 + 9 = 92.74; 项目2 89.5 + 10 = 99.5; 项目3 90 + 8.42 = 98.42.
TOTALS = {"项目1": D("92.74"), "项目2": D("99.50"), "项目3": D("98.42")}
# The unit: the mean 总分 (92.74 + 99.5 + 98.42) ÷ 3 = 96.886… → 96.89; 执行率 5,140,000 ÷ 5,989,200 = 85.82 %.
UNIT_MEAN, UNIT_RATE = 96.89, 85.82


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


def fill(selfeval: Path, path: Path) -> Path:
    """The sample's 自评 workbook typed into as ROWS and BUDGETS say, saved at `path`."""
    wb = openpyxl.load_workbook(selfeval)
    for sheet, rows in ROWS.items():
        ws = wb[sheet]
        budget, executed, note, _ = BUDGETS[sheet]
        ws["C7"], ws["D7"] = budget, executed
        ws["H7"] = note or None
        for i, (actual, reason, _) in enumerate(rows):
            ws[f"E{12 + i}"], ws[f"H{12 + i}"] = actual, reason or None
    wb.save(path)
    return path


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
