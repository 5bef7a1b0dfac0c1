"""Unit roll-up: the sample's real figures, indicator and finding counts, the 汇总 sheet, the CLI."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import TargetKind, parse_target
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import Checked, check_file
from xlgoals.unit.rollup import KINDS, Change, indicator_kind, percent, roll_up
from xlgoals.unit.summarysheet import PROJECT_HEADER_ROW, PROJECT_HEADERS, TOTAL_LABEL, write_back, write_summary_sheet

# The real sample (samples/002_de489847e14864e5.txt): 项目总预算 / 当年预算 / 上年预算额 / 上年执行数 per project.
SAMPLE_MONEY = [
    ("上海国际生物技术与医药交流对接", 600_000, 600_000, 600_000, 600_000),
    ("上海中医药与天然药物国际交流推广", 400_000, 400_000, 400_000, 400_000),
    ("生物医药孵化器运行保障", 4_989_200, 4_989_200, 5_286_280, 5_286_280),
]
SAMPLE_INDICATORS = [16, 8, 6]


@pytest.fixture(scope="module")
def checked(sample_xlsx: Path) -> Checked:
    return check_file(sample_xlsx)


def test_sample_totals(checked: Checked) -> None:
    r = roll_up(checked.unit, checked.report)
    assert r.totals == {
        "budget_total": Decimal(5_989_200),
        "budget_year": Decimal(5_989_200),
        "last_year_budget": Decimal(6_286_280),
        "last_year_executed": Decimal(6_286_280),
    }
    assert r.unit == checked.unit.name and r.year == 2020


def test_sample_per_project(checked: Checked) -> None:
    r = roll_up(checked.unit, checked.report)
    fields = ("budget_total", "budget_year", "last_year_budget", "last_year_executed")
    got = [(p.name, *(p.money[f] for f in fields)) for p in r.projects]
    assert got == [(n, *(Decimal(v) for v in money)) for n, *money in SAMPLE_MONEY]
    assert [p.sheet for p in r.projects] == ["项目1", "项目2", "项目3"]
    assert [p.indicators.total for p in r.projects] == SAMPLE_INDICATORS


def test_year_on_year_and_execution(checked: Checked) -> None:
    r = roll_up(checked.unit, checked.report)
    assert r.change.amount == Decimal(5_989_200 - 6_286_280)
    assert r.change.percent == Decimal("-4.73")  # -297,080 / 6,286,280 = -4.7258 %
    assert r.execution_rate == Decimal("100.00")
    third = r.projects[2]
    assert third.change.amount == Decimal(4_989_200 - 5_286_280)
    assert third.change.percent == Decimal("-5.62")  # -297,080 / 5,286,280 = -5.6198 %
    assert [p.change.percent for p in r.projects[:2]] == [Decimal("0.00"), Decimal("0.00")]


def test_indicator_counts_add_up(checked: Checked) -> None:
    r = roll_up(checked.unit, checked.report)
    counts = r.indicators
    assert counts.total == sum(SAMPLE_INDICATORS)
    assert sum(counts.by_kind.values()) == counts.total
    assert sum(counts.level1_totals().values()) == counts.total
    assert list(counts.by_level1) == [lv.name for lv in checked.ruleset.level1]
    for kind in KINDS:
        assert sum(k[kind] for k in counts.by_level1.values()) == counts.by_kind[kind]
    assert sum(p.indicators.by_kind["quantitative"] for p in r.projects) == counts.by_kind["quantitative"]
    # Each descriptive target is what the rule set reports as 'not quantified': two views of the same data.
    not_quantified = sum(1 for f in checked.report.findings if f.code == "target.not-quantified")
    assert counts.by_kind["descriptive"] == not_quantified > 0


def test_findings_per_severity(checked: Checked) -> None:
    r = roll_up(checked.unit, checked.report)
    assert r.findings == checked.report.counts()
    assert r.findings is not None and r.findings["warning"] > 0
    per_project = [p.findings for p in r.projects]
    assert all(f is not None for f in per_project)
    bound = sum(1 for f in checked.report.findings if f.project is not None)
    assert sum(sum(f.values()) for f in per_project if f is not None) == bound
    assert roll_up(checked.unit).findings is None


def test_kinds_empty_and_unparsed() -> None:
    inds = [
        Indicator(level1="产出目标", level2="数量", name="场次", value=">=abc", target=None),
        Indicator(level1="产出目标", level2="数量", name="人次", value="", target=parse_target("")),
        Indicator(level1="产出目标", level2="质量", name="合格率", value="=100%", target=parse_target("=100%")),
    ]
    assert [indicator_kind(i) for i in inds] == ["unparsed", "empty", TargetKind.QUANTITATIVE.value]
    unit = Unit(name="测试单位", projects=[Project(name="甲", indicators=inds, budget_year=Decimal(10))])
    r = roll_up(unit)
    assert r.indicators.by_kind == {
        "quantitative": 1,
        "qualitative": 0,
        "descriptive": 0,
        "schedule": 0,
        "empty": 1,
        "unparsed": 1,
    }
    assert r.indicators.by_level1 == {"产出目标": r.indicators.by_kind}


def test_blank_figures_give_no_rate() -> None:
    new = Project(name="新项目", budget_year=Decimal(100), budget_total=Decimal(100))
    r = roll_up(Unit(name="单位", projects=[new]))
    p = r.projects[0]
    assert p.change.amount is None and p.change.percent is None and p.execution_rate is None
    # Year on year compares only projects that had a budget last year: a new project is shown apart.
    assert r.change.amount is None and r.change.percent is None
    assert r.new_projects == [p]
    old = Project(name="老项目", sheet="项目2", budget_year=Decimal(110), last_year_budget=Decimal(100))
    both = roll_up(Unit(name="单位", projects=[new, old]))
    assert both.change == Change(Decimal(10), Decimal("10.00")) and both.new_projects == [both.projects[0]]
    assert percent(Decimal(1), Decimal(0)) is None and percent(Decimal(1), Decimal(3)) == Decimal("33.33")


def test_to_dict_is_json_with_exact_money(checked: Checked) -> None:
    data = json.loads(json.dumps(roll_up(checked.unit, checked.report).to_dict(), ensure_ascii=False))
    assert data["totals"]["budget_year"] == "5989200.00"
    assert data["change"] == {"amount": "-297080.00", "percent": "-4.73"}
    assert [p["money"]["budget_year"] for p in data["projects"]] == ["600000.00", "400000.00", "4989200.00"]
    assert data["indicators"]["total"] == sum(SAMPLE_INDICATORS)


def _summary(path: Path) -> list[tuple[object, ...]]:
    """What a reader that never recalculates sees: the values stored with 汇总's formulas."""
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames.count(layout.SUMMARY_SHEET) == 1
    return [tuple(row) for row in wb[layout.SUMMARY_SHEET].iter_rows(values_only=True)]


def _charts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]


def test_write_back_is_idempotent_with_chart(sample_xlsx: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    before = sample_xlsx.read_bytes()
    checked = check_file(sample_xlsx)
    write_back(sample_xlsx, first, roll_up(checked.unit, checked.report))
    again = check_file(first)
    write_back(first, second, roll_up(again.unit, again.report))
    assert sample_xlsx.read_bytes() == before

    rows = _summary(first)
    assert rows == _summary(second)
    assert openpyxl.load_workbook(first).sheetnames == openpyxl.load_workbook(second).sheetnames
    header = rows[PROJECT_HEADER_ROW - 1]
    assert header[: len(PROJECT_HEADERS)] == PROJECT_HEADERS
    body = rows[PROJECT_HEADER_ROW : PROJECT_HEADER_ROW + len(SAMPLE_MONEY)]
    assert [(r[2], r[3], r[4], r[5], r[6]) for r in body] == SAMPLE_MONEY
    total = rows[PROJECT_HEADER_ROW + len(SAMPLE_MONEY)]
    assert total[2] == TOTAL_LABEL and total[4] == 5_989_200 and total[5] == 6_286_280
    assert total[7] == -297_080 and total[8] == pytest.approx(-0.0473)
    formulas = openpyxl.load_workbook(first)[layout.SUMMARY_SHEET]
    assert (
        formulas.cell(PROJECT_HEADER_ROW + 1, 5).value
        == "=IF(ISNUMBER('项目1'!D14),'项目1'!D14,IF(ISERROR('项目1'!D14),\"（无法读取）\","
        'IF(TRIM(\'项目1\'!D14)="","","（无法读取）")))'
    )
    assert (
        formulas.cell(PROJECT_HEADER_ROW + 4, 5).value == f"=SUM(E{PROJECT_HEADER_ROW + 1}:E{PROJECT_HEADER_ROW + 3})"
    )

    for path in (first, second):
        charts = _charts(path)
        assert len(charts) == 1
        first_row = PROJECT_HEADER_ROW + 1
        last_row = PROJECT_HEADER_ROW + len(SAMPLE_MONEY)
        assert f"'{layout.SUMMARY_SHEET}'!$E${first_row}:$E${last_row}" in charts[0]
        assert "barChart" in charts[0]


def test_write_back_refuses_its_input(sample_xlsx: Path) -> None:
    checked = check_file(sample_xlsx)
    with pytest.raises(XlgoalsError):
        write_back(sample_xlsx, sample_xlsx, roll_up(checked.unit, checked.report))


def test_summary_sheet_on_a_workbook_keeps_text_as_text() -> None:
    wb = openpyxl.Workbook()
    unit = Unit(name="单位", year=2020, projects=[Project(name='=HYPERLINK("http://x")', budget_year=Decimal(5))])
    ws = write_summary_sheet(wb, roll_up(unit))
    name = ws.cell(PROJECT_HEADER_ROW + 1, 3)
    assert name.value == '=HYPERLINK("http://x")' and name.data_type == "s"
    write_summary_sheet(wb, roll_up(unit))
    assert wb.sheetnames.count(layout.SUMMARY_SHEET) == 1


def test_cli_rollup(sample_xlsx: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["rollup", str(sample_xlsx), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["budget_year"] == "5989200.00"

    out = tmp_path / "rolled.xlsx"
    result = runner.invoke(app, ["rollup", str(sample_xlsx), "--write-back", str(out)])
    assert result.exit_code == 0, result.output
    assert "5,989,200" in result.stdout
    assert len(_charts(out)) == 1

    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    assert runner.invoke(app, ["rollup", str(bad)]).exit_code == 2


def test_write_back_keeps_macros(tmp_path: Path) -> None:
    from xlgoals.macro.xlsm import write_xlsm_template

    src, out = tmp_path / "t.xlsm", tmp_path / "rolled.xlsm"
    write_xlsm_template(src)
    checked = check_file(src)
    write_back(src, out, roll_up(checked.unit, checked.report))
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert layout.SUMMARY_SHEET in wb.sheetnames
    assert wb[layout.SUMMARY_SHEET].cell(PROJECT_HEADER_ROW + 1, 3).value == TOTAL_LABEL  # no projects yet
