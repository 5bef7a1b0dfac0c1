"""Found walking the year as its users would: each test holds one fix in place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.builders.office import convert_all
from tests.builders.units import project, unit
from xlgoals.core import layout, livelayout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.department.consolidate import consolidate
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read
from xlgoals.unit.rollup import roll_up
from xlgoals.workbooks.selfevalbook import build_selfeval_workbook
from xlgoals.workbooks.template import save, write_template, write_unit


def test_the_selfeval_cover_names_a_project_not_yet_begun(soffice: str, tmp_path: Path) -> None:
    """A 自评 sheet comes with its project's name; the cover's table shows that name (status 未填写) before the
    unit fills anything, not "（未填写）"; a declaration's blank sheet still reads "（未填写）"."""
    rs = load_ruleset("national")
    named = unit(rs, project(rs, sheet="项目1", name="社区养老服务补贴"), project(rs, sheet="项目2", name="老年食堂"))
    wb, _ = build_selfeval_workbook(named, rs)
    wb["项目2"]["E12"] = "按计划推进"
    selfeval = tmp_path / "selfeval.xlsx"
    save(wb, selfeval)
    declaration = tmp_path / "declaration.xlsx"
    write_template(declaration, projects=2)
    outs = convert_all(soffice, [selfeval, declaration], "xlsx", tmp_path / "lo", recalc=True)
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    cover = read_grids(outs[0]).sheets[layout.COVER_SHEET].rows
    assert cover[first - 1][:2] == ["项目1", "社区养老服务补贴"] and cover[first - 1][4] == "未填写"
    assert cover[first][:2] == ["项目2", "老年食堂"] and cover[first][4] != "未填写"
    blank = read_grids(outs[1]).sheets[layout.COVER_SHEET].rows
    assert blank[first - 1][:2] == ["项目1", "（未填写）"] and blank[first - 1][4] == "未填写"


def _two_projects_one_typed_in_words(tmp_path: Path, **cells: str | None) -> Path:
    """A unit of two projects; 项目2's 上年预算执行数 typed as “三十万” (and `cells`, by field, set as given)."""
    rs = load_ruleset("shanghai-2020")
    two = unit(rs, project(rs, last_year_executed=Decimal("540000")), project(rs, sheet="项目2", name="第二个项目"))
    path = tmp_path / "unit.xlsx"
    write_unit(two, path)
    wb = openpyxl.load_workbook(path)
    for field, value in {"last_year_executed": "三十万", **cells}.items():
        wb["项目2"][layout.PROJECT_FIELD[field].value_cell] = value
    wb.save(path)
    return path


def test_an_amount_typed_in_words_is_left_out_of_the_totals_and_said(tmp_path: Path) -> None:
    """上年预算执行数 typed as “三十万” used to read as blank: the execution rate fell (the project's budget
    counted, its execution not) and roll-up and consolidation said nothing. Now it is an amount not read, left
    out of the rate and named with its cell, as an error value is."""
    path = _two_projects_one_typed_in_words(tmp_path)
    r = roll_up(read(path))
    assert r.execution_rate == Decimal("90.00")  # 540,000 / 600,000: 项目2 left out, not counted as 0 (45 %)
    (lost,) = r.uncounted
    assert "项目2!D15" in lost.describe() and "“三十万”" in lost.describe() and lost.to_dict()["text"] == "三十万"
    result = consolidate([path], tmp_path / "summary.xlsx", jobs=1)
    (entry,) = result.uncounted
    assert "项目2!D15" in entry.reason and "三十万" in entry.reason and "改为阿拉伯数字" in entry.reason


def test_the_summary_recalculated_shows_an_amount_typed_in_words_as_unreadable(soffice: str, tmp_path: Path) -> None:
    """汇总's formulas turned any non-number into "": after LibreOffice (or Excel) recalculated, 项目2's 上年执行数
    typed as “三十万” printed as a blank, counted in no note, while the command line said it was left out. Now it
    shows 无法读取 and the note under the table counts it; a blank amount stays blank."""
    from xlgoals.unit.summarysheet import write_back

    path = _two_projects_one_typed_in_words(tmp_path, last_year_budget=None)
    rolled = tmp_path / "rolled.xlsx"
    write_back(path, rolled, roll_up(read(path)))
    (recalc,) = convert_all(soffice, [rolled], "xlsx", tmp_path / "lo", recalc=True)
    rows = [list(r) for r in openpyxl.load_workbook(recalc, data_only=True)[layout.SUMMARY_SHEET].values]
    second = next(r for r in rows if r[1] == "项目2")
    assert second.count("（无法读取）") == 1 and "三十万" not in second
    assert second[5] in (None, "")  # its 上年预算, blank on the project sheet, is blank here too
    (note,) = [str(r[0]) for r in rows if str(r[0]).startswith("注意")]
    assert note.startswith("注意：有 1 项金额无法读取") and "文字" in note


def test_consolidate_says_when_the_inbox_mixes_years(tmp_path: Path) -> None:
    """Last year's workbook of one unit, dropped in the inbox with this year's, was summed into 部门合计 as another
    unit without a word on the command line; now it names the file that stands apart and what to do."""
    from typer.testing import CliRunner

    from xlgoals.shells.cli import app

    rs = load_ruleset("shanghai-2020")
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    write_unit(unit(rs, name="甲单位", year=2021), inbox / "甲.xlsx")
    write_unit(unit(rs, name="乙单位", year=2021), inbox / "乙.xlsx")
    write_unit(unit(rs, name="甲单位", year=2020), inbox / "甲_去年.xlsx")
    out = CliRunner().invoke(app, ["consolidate", str(inbox), "-o", str(tmp_path / "s.xlsx")], terminal_width=200)
    said = "".join(out.output.split())  # rich wraps long paths anywhere
    assert "不属同一年度（2020年度1个，2021年度2个）" in said, out.output
    assert "甲_去年.xlsx（2020年度）" in said and "甲.xlsx（" not in said and "请移出后重新汇总" in said
    write_unit(unit(rs, name="甲单位", year=2021), inbox / "甲_去年.xlsx")  # all of one year: nothing said
    out = CliRunner().invoke(app, ["consolidate", str(inbox), "-o", str(tmp_path / "t.xlsx")], terminal_width=200)
    assert "不属同一年度" not in out.output
