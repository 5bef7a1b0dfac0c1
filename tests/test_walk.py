"""Found walking the year as its users would: each test holds one fix in place."""

from __future__ import annotations

from pathlib import Path

from tests.builders import project, unit
from tests.office import convert_all
from xlgoals.core import layout, livelayout
from xlgoals.io.files import read_grids
from xlgoals.io.selfevalbook import build_selfeval_workbook
from xlgoals.io.template import save, write_template
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
