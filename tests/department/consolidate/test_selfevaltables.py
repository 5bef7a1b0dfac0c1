"""jobs/consolidate/selfevaltables.py: the department summary's 自评 view: a row per unit with its figures, the
department's total (mean 总分 over every project), a row per project, and the same as JSON."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.builders.selfeval_sample import TOTALS, UNIT_MEAN
from xlgoals.core.ruleset import load_ruleset
from xlgoals.department.consolidate.selfevaltables import DEPARTMENT_TOTAL, UnitRow, selfeval_dict, unit_rows
from xlgoals.io.reader import read
from xlgoals.unit.selfevalfigures import unit_selfeval


def test_units_then_the_departments_total(sample_selfeval: Path) -> None:
    figures = unit_selfeval(read(sample_selfeval), load_ruleset("shanghai-2020"))
    assert figures is not None
    units = [UnitRow("一区", "甲", 2020, "甲.xlsx", figures), UnitRow("", "乙", 2020, "乙.xlsx", figures)]
    rows = unit_rows(units)
    assert [r[:5] for r in rows] == [
        ("一区", "甲", 2020, "甲.xlsx", 3),
        (None, "乙", 2020, "乙.xlsx", 3),
        (None, DEPARTMENT_TOTAL, None, "2 个单位", 6),
    ]
    assert rows[-1][5] == 2 * figures.budget and rows[-1][8] == Decimal(str(UNIT_MEAN))
    assert rows[0][7] == Decimal("85.82")  # 执行率 in percent, to the cent
    projects = units[0].project_rows()
    assert [(p[4], p[11]) for p in projects] == list(TOTALS.items())
    data = selfeval_dict(units)
    assert [u["unit"] for u in data["units"]] == ["甲", "乙"] and data["total"]["mean_total"] == str(UNIT_MEAN)
