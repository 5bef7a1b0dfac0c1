"""jobs/selfevalsummary.py: the 汇总 sheet of a 自评 workbook: a row per project whose figures are formulas over its
自评 sheet, stored with the values Python computed (the sample's, by hand), and the 合计 row's mean 总分."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.builders.selfeval_sample import TOTALS, UNIT_MEAN
from xlgoals.core.ruleset import load_ruleset
from xlgoals.io.presentation import MoneyUnit
from xlgoals.io.reader import read
from xlgoals.io.sheetplan import Formula
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.selfevalsummary import HEADERS, TITLE, selfeval_plan


def test_the_plan_holds_each_projects_total_as_a_formula_with_its_value(sample_selfeval: Path) -> None:
    rollup = roll_up(read(sample_selfeval), None, load_ruleset("shanghai-2020"))
    plan = selfeval_plan(rollup)
    assert plan.rows[0] == [TITLE]
    header = plan.header_rows[0]
    assert plan.rows[header - 1] == list(HEADERS)
    total_col = HEADERS.index("总分")
    body = plan.rows[header : header + len(TOTALS)]
    assert [row[1] for row in body] == list(TOTALS)
    for row in body:
        cell = row[total_col]
        assert isinstance(cell, Formula) and cell.expr.startswith(f"N('{row[1]}'!G")
        assert Decimal(str(cell.cached)) == TOTALS[str(row[1])]
    sums = plan.rows[header + len(TOTALS)]
    assert sums[2] == "合计（3 个项目）"
    assert isinstance(sums[total_col], Formula) and Decimal(str(sums[total_col].cached)) == Decimal(str(UNIT_MEAN))


def test_money_in_wan_says_so_in_its_headers(sample_selfeval: Path) -> None:
    plan = selfeval_plan(roll_up(read(sample_selfeval), None, load_ruleset("shanghai-2020")), MoneyUnit.WAN)
    headers = plan.rows[plan.header_rows[0] - 1]
    assert "全年预算数（万元）" in headers and "全年预算数（元）" not in headers
