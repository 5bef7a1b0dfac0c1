"""jobs/selfevalfigures.py: 自评 figures of projects and units (总分 and grade, 执行率, projects under 80 and 60,
shortfalls without a reason), from the rule set's scores of the inputs, as computed by hand for the sample."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.builders.selfeval_sample import BUDGETS, TOTALS, UNIT_MEAN, UNIT_RATE
from xlgoals.core.ruleset import load_ruleset
from xlgoals.io.reader import read
from xlgoals.unit.selfevalfigures import GOOD, grade, merged, project_selfeval, unit_selfeval


@pytest.mark.parametrize(
    ("total", "name"), [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("60", "中"), ("59.99", "差")]
)
def test_grades_as_the_finance_ministry_sets_them(total: str, name: str) -> None:
    assert grade(Decimal(total)) == name


def test_the_samples_figures_are_the_hand_computed_ones(sample_selfeval: Path, sample_xlsx: Path) -> None:
    rs = load_ruleset("shanghai-2020")
    figures = unit_selfeval(read(sample_selfeval), rs)
    assert figures is not None
    assert {p.sheet: p.total for p in figures.projects} == TOTALS
    assert figures.mean == Decimal(str(UNIT_MEAN))
    assert figures.rate is not None and round(figures.rate * 100, 2) == Decimal(str(UNIT_RATE))
    assert figures.budget == sum(Decimal(b[0]) for b in BUDGETS.values())
    assert figures.lowest == min(TOTALS.values()) and figures.under(GOOD) == 0
    p1 = project_selfeval(read(sample_selfeval).projects[0], rs)
    # 项目1: 邀请演讲专家数 and 研讨会议程活动完成率 missed, the second without a reason.
    assert (p1.grade, p1.shortfalls, p1.unexplained) == ("优", 4, 1)
    assert p1.indicator_score == p1.total - (p1.execution_score or 0)
    assert figures.to_dict()["mean_total"] == str(UNIT_MEAN)
    assert unit_selfeval(read(sample_xlsx), rs) is None  # a declaration has no 自评
    both = merged([figures, figures])
    assert len(both.projects) == 6 and both.mean == figures.mean and both.budget == 2 * figures.budget
