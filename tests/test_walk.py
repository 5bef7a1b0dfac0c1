"""Found walking the year as its users would: each test holds one fix in place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.builders import project, unit
from tests.office import convert_all
from xlgoals.core import layout, livelayout
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read
from xlgoals.io.selfevalbook import build_selfeval_workbook
from xlgoals.io.template import save, write_template, write_unit
from xlgoals.jobs.consolidate import consolidate
from xlgoals.jobs.rollup import roll_up
from xlgoals.validation.ruleset import load_ruleset


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


def test_an_amount_typed_in_words_is_left_out_of_the_totals_and_said(tmp_path: Path) -> None:
    """上年预算执行数 typed as “三十万” used to read as blank: the execution rate fell (the project's budget
    counted, its execution not) and roll-up and consolidation said nothing. Now it is an amount not read, left
    out of the rate and named with its cell, as an error value is."""
    rs = load_ruleset("shanghai-2020")
    two = unit(rs, project(rs, last_year_executed=Decimal("540000")), project(rs, sheet="项目2", name="第二个项目"))
    path = tmp_path / "unit.xlsx"
    write_unit(two, path)
    wb = openpyxl.load_workbook(path)
    wb["项目2"][layout.PROJECT_FIELD["last_year_executed"].value_cell] = "三十万"
    wb.save(path)
    r = roll_up(read(path))
    assert r.execution_rate == Decimal("90.00")  # 540,000 / 600,000: 项目2 left out, not counted as 0 (45 %)
    (lost,) = r.uncounted
    assert "项目2!D15" in lost.describe() and "“三十万”" in lost.describe() and lost.to_dict()["text"] == "三十万"
    result = consolidate([path], tmp_path / "summary.xlsx", jobs=1)
    (entry,) = result.uncounted
    assert "项目2!D15" in entry.reason and "三十万" in entry.reason
