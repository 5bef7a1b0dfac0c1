"""Every 同比 shown reads right: recomputed from the two amounts on its own row, in the workbook and the terminal.

The department's 单位汇总 and 概况, the unit's 汇总 sheet, and the rollup and consolidate tables of the command
line all show a percentage only beside the like-for-like amounts it comes from (projects with a budget both
years), new projects on a line of their own. (The web page's tables: tests/shells/test_web_browser.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders.departments import make_department
from tests.builders.summary_tables import amount, records
from xlgoals.core.yearonyear import YearOnYear, change_percent
from xlgoals.department.consolidate import OVERVIEW_SHEET, UNITS_SHEET, consolidate
from xlgoals.io.presentation import MoneyUnit


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("yoy") / "dept"
    make_department(root, units=6, seed=3)
    return root


def _percent(this: Decimal, last: Decimal) -> Decimal:
    shown = change_percent(this, last)
    assert shown is not None
    return shown


@pytest.mark.parametrize("unit", list(MoneyUnit))
def test_department_workbook_rows_agree_with_their_percentages(
    department: Path, tmp_path: Path, unit: MoneyUnit
) -> None:
    out = tmp_path / "summary.xlsx"
    result = consolidate([department], out, group_by="department", jobs=2, money_unit=unit)
    rows = records(out, UNITS_SHEET)
    assert len(rows) == len(result.units) + len(result.groups) + 1
    scale = Decimal(10000) if unit is MoneyUnit.WAN else Decimal(1)
    checked = 0
    for row in rows:
        this, last = row[f"可比项目当年（{unit}）"], row[f"可比项目上年（{unit}）"]
        new = Decimal(str(row[f"新增项目当年（{unit}）"]))
        # This year's budget is the compared projects' plus the new ones', on every row.
        assert Decimal(str(row[f"项目当年预算（{unit}）"])) == Decimal(str(this or 0)) + new
        if this is None:
            assert row["同比增减（%）"] is None
            continue
        this_year, last_year = Decimal(str(this)) * scale, Decimal(str(last)) * scale
        assert Decimal(str(row["同比增减（%）"])) == _percent(this_year, last_year), row["单位"]
        checked += 1
    assert checked == len(rows)
    total = rows[-1]
    assert total["单位"] == "部门合计" and result.total.year_on_year.new > 0  # the generated units have new projects

    overview = {r["项目"]: r for r in records(out, OVERVIEW_SHEET)}
    line = overview["同比增减（可比项目）"]
    this_year, last_year, change = (amount(t) for t in re.findall(r"(?:当年|上年|增减) ([^，。]+)", line["说明"]))
    assert this_year - last_year == change
    assert amount(line["数值"]) == _percent(this_year, last_year)
    assert amount(overview["项目当年预算"]["数值"]) == sum(
        amount(t) for t in re.findall(r"当年 ([0-9,.]+)", overview["项目当年预算"]["说明"])
    )


def _cli(*args: str) -> str:
    """The command's output on a wide terminal, as a person reads it (one table row a line)."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "xlgoals", *args], capture_output=True, text=True, env=env)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def test_terminal_rollup_and_consolidate_rows_agree_with_their_percentages(department: Path, tmp_path: Path) -> None:
    unit_file = next(department.rglob("0001_*.xlsx"))
    for money in ("元", "万元"):
        out = _cli("rollup", str(unit_file), "--unit", money)
        rows = [line.strip() for line in out.splitlines() if line.strip().startswith(("项目", "其中", "合计"))]
        assert any(r.startswith("其中可比项目") for r in rows) and any(r.startswith("其中新增项目") for r in rows)
        shown = 0
        for row in rows:
            # 工作表：项目名称  当年预算  上年预算  同比  …: a percentage follows from the two amounts before it.
            cells = [*re.split(r"\s{2,}", row), "", ""]
            if re.fullmatch(r"[+-][0-9.]+%", cells[3]):
                assert amount(cells[3]) == _percent(amount(cells[1]), amount(cells[2])), row
                shown += 1
            else:
                # no base (or an amount not read, as 0089's 六十万), no 同比
                assert row.startswith(("合计", "其中新增")) or {"—", "无法读取"} & {*cells[1:3]}, row
        assert shown >= 2
        said = next(line for line in out.splitlines() if line.startswith("可比项目"))
        this_year, last_year = (amount(t) for t in re.findall(r"(?:当年|上年) ([0-9,.]+)", said))
        assert f"{_percent(this_year, last_year):+.2f}%" in said and money in said

    out = _cli("consolidate", str(department), "-o", str(tmp_path / "s.xlsx"), "--group-by", "department")
    rows = [line.strip() for line in out.splitlines() if re.search(r" [+-][0-9.]+% ", line)]
    assert len(rows) >= 2 and rows[-1].startswith("部门合计")  # the groups' subtotals and 部门合计
    for row in rows:
        # 分组  单位  项目  当年预算  可比当年  可比上年  同比  错/警
        this, last, pct = re.split(r"\s{2,}", row)[-4:-1]
        assert amount(pct) == _percent(amount(this), amount(last)), row
    said = next(line for line in out.splitlines() if "部门合计：可比项目" in line)
    this_year, last_year = (amount(t) for t in re.findall(r"(?:当年|上年) ([0-9,]+)", said))
    assert f"{_percent(this_year, last_year):+.2f}%" in said


money = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))


@given(st.lists(st.tuples(money, money), max_size=30))
def test_year_on_year_is_like_for_like(budgets: list[tuple[Decimal | None, Decimal | None]]) -> None:
    yoy = YearOnYear.of(budgets)
    compared = [(t, last) for t, last in budgets if t is not None and last is not None]
    assert yoy.compared == len(compared) and yoy.new == sum(1 for t, last in budgets if t is not None and last is None)
    assert yoy.this_year + yoy.new_this_year == sum((t for t, _ in budgets if t is not None), Decimal(0))
    if compared:
        assert yoy.change == yoy.this_year - yoy.last_year
        assert yoy.percent == change_percent(yoy.this_year, yoy.last_year)
    else:
        assert yoy.change is None and yoy.percent is None
    halves = YearOnYear.of(budgets[::2]) + YearOnYear.of(budgets[1::2])
    assert (halves.compared, halves.this_year, halves.last_year, halves.new) == (
        yoy.compared,
        yoy.this_year,
        yoy.last_year,
        yoy.new,
    )
