"""自评 scoring in Python: the rules per target, the points per pool, local schemes as rule-set data."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import indicator
from xlgoals.core.model import SELFEVAL_FORM, Indicator, Project
from xlgoals.core.ruleset import RuleSet, RuleSetError, load_ruleset, parse_ruleset, scoring_of
from xlgoals.core.scoring import Quantity, achieved, default_points, row_rule, score_project, share

D = Decimal


def _share(target: str, actual: str, name: str = "指标", level2: str = "数量指标", rs: str = "national") -> object:
    ruleset = load_ruleset(rs)
    ind = indicator(ruleset.level1_by_level2.get(level2, "产出指标"), level2, name, target)
    return achieved(row_rule(ind, ruleset), actual)[0]


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        (">=80", "72", D("0.9")),  # 正向: 实际 ÷ 目标
        (">=80", "96", D(1)),  # never above the points
        ("<=30天", "40天", D("0.75")),  # 反向: 目标 ÷ 实际
        ("<=30天", "25", D(1)),
        ("<=0", "0", D(1)),  # 安全事故 <=0: met or not
        ("<=0", "1", D(0)),
        (">=0", "0", D(1)),
        ("=100%", "100", D(1)),  # 等于: met or not
        ("=100%", "98%", D(0)),
        ("1-3个工作日", "2个工作日", D(1)),  # a range: met inside
        ("1-3个工作日", "5", D(0)),
        ("≤90万元", "89.974", D(1)),  # a bare number is in the unit the target is written in
        ("≤90万元", "1000000元", D("0.9")),  # 元 for a target in 万元: 100 万元
        ("≥1.5万人", "12000人", D("0.8")),
        ("≥100百分比", "100%", D(1)),  # 百分比 is %
        ("较上年提高5%", "4%", D("0.8")),
        (">=500人", "≥520人", D(1)),  # a sign before the achieved number is taken off
        (">=500人", "５２０人", D(1)),  # full width folded
        (">=500人", "1,000 人", D(1)),
        (">=500人", "520人次", None),  # another unit: not comparable
        (">=500人", "约520人", None),
        ("合规", "达成", D(1)),
        ("合规", "部分达成", D("0.5")),
        ("合规", "合规", D(1)),  # repeating the target is 达成
        ("合规", "达成预期指标", D(1)),  # as published tables write it
        ("合规", "基本合规吧", None),
        ("2020年12月前", "部分达成", D(0)),  # a deadline is met or not
        ("2020年12月前", "达成", D(1)),
    ],
)
def test_share_achieved(target: str, actual: str, expected: Decimal | None) -> None:
    assert _share(target, actual) == expected


def test_a_bare_number_is_reached_unless_it_is_a_cost() -> None:
    assert _share("550", "440") == D("0.8")
    assert _share("150万", "180万", level2="经济成本指标") == D(150) / D(180)


def test_a_unit_in_the_name_is_the_targets_unit() -> None:
    assert _share("<=60", "600000元", name="项目成本（万元）", level2="经济成本指标") == D(1)
    assert _share("<=60", "75", name="项目成本（万元）", level2="经济成本指标") == D("0.8")


@given(st.decimals(min_value="0.01", max_value=10**6, places=2), st.lists(st.decimals(0, 10**7, places=2), min_size=2))
def test_shares_stay_between_0_and_1_and_follow_the_direction(target: Decimal, actuals: list[Decimal]) -> None:
    ge = Quantity("ge", target, None, (), "")
    le = Quantity("le", target, None, (), "")
    ordered = sorted(actuals)
    up = [share(ge, a) for a in ordered]
    down = [share(le, a) for a in ordered]
    assert all(0 <= s <= 1 for s in up + down)
    assert up == sorted(up) and down == sorted(down, reverse=True)


def _levels(rs: RuleSet, pairs: list[tuple[str, str]]) -> list[Indicator]:
    return [indicator(l1, l2, f"指标{i}", "达标") for i, (l1, l2) in enumerate(pairs)]


def test_national_cost_indicators_share_the_output_points() -> None:
    rs = load_ruleset("national")
    inds = _levels(rs, [("成本指标", "经济成本指标"), ("产出指标", "数量指标"), ("效益指标", "社会效益指标")])
    inds.append(indicator("满意度指标", "服务对象满意度指标", "满意度", ">=90%"))
    assert default_points(inds, scoring_of(rs)) == [D(25), D(25), D(30), D(10)]


def test_national_2015_satisfaction_under_benefits_has_the_satisfaction_points() -> None:
    rs = load_ruleset("national-2015")
    inds = _levels(rs, [("效益指标", "社会效益指标"), ("效益指标", "服务对象满意度指标"), ("产出指标", "成本指标")])
    assert default_points(inds, scoring_of(rs)) == [D(30), D(10), D(50)]


def test_shanghai_maps_its_four_level1s_to_the_national_split() -> None:
    rs = load_ruleset("shanghai-2020")
    pairs = [("投入与管理", "投入管理"), ("产出目标", "数量"), ("效果目标", "社会效益"), ("效果目标", "满意度")]
    inds = _levels(rs, [*pairs, ("影响力目标", "长效管理"), ("不知道", "某某")])
    assert default_points(inds, scoring_of(rs)) == [D(25), D(25), D(15), D(10), D(15), None]


def test_even_shares_are_to_the_cent_and_add_up_to_the_pool() -> None:
    rs = load_ruleset("national")
    inds = _levels(rs, [("产出指标", "数量指标")] * 3 + [("效益指标", "社会效益指标")] * 7)
    points = default_points(inds, scoring_of(rs))
    assert points[:3] == [D("16.67"), D("16.67"), D("16.66")]
    assert sum(p for p in points[3:] if p is not None) == 30


def _national_with(scoring: str) -> RuleSet:
    text = resources.files("xlgoals.core").joinpath("rulesets/national.toml").read_text(encoding="utf-8")
    return parse_ruleset(text[: text.index("\n[scoring]")] + scoring, "本局.toml")


HUBEI = """
[scoring]
why = "本市：预算执行 20 分按 20 × 执行率计分，绩效目标 80 分。"
[scoring.execution]
points = 20
why = "本市口径。"
[[scoring.pools]]
name = "绩效目标"
points = 80
level1 = ["*"]
why = "本市口径：一个计分组，分值由单位自定。"
[scoring.qualitative]
why = "本市口径。"
[[scoring.qualitative.levels]]
name = "达成"
fraction = 1
[[scoring.qualitative.levels]]
name = "未达成"
fraction = 0
"""


def _selfeval(indicators: list[Indicator], budget: int, executed: int) -> Project:
    return Project(form=SELFEVAL_FORM, indicators=indicators, budget_adjusted=D(budget), budget_executed=D(executed))


def test_a_local_scheme_is_data_execution_20_times_the_rate_and_one_pool_of_80() -> None:
    rs = _national_with(HUBEI)
    inds = _levels(rs, [("产出指标", "数量指标"), ("效益指标", "社会效益指标")])
    for ind in inds:
        ind.actual = "达成"
    inds[1].points, inds[0].points = D(50), D(30)  # free per-indicator weights, summing to 80
    score = score_project(_selfeval(inds, 100, 85), rs)
    assert score.execution.score == D(17)  # 20 × 85 %
    assert [s.score for s in score.indicators] == [D(30), D(50)]
    assert score.points_total == 100 and score.total == D(97)


def test_execution_full_from_a_rate_is_a_parameter() -> None:
    rs = _national_with(HUBEI.replace("points = 20\n", "points = 20\nfull_from_percent = 90\n"))
    assert score_project(_selfeval([], 100, 92), rs).execution.score == D(20)
    assert score_project(_selfeval([], 100, 80), rs).execution.score == D(16)


def test_a_bureau_file_without_scoring_scores_as_the_builtin_of_its_form() -> None:
    rs = _national_with("")
    assert rs.scoring is None
    assert scoring_of(rs) == scoring_of(load_ruleset("national"))


def test_a_word_in_two_levels_is_refused_naming_it() -> None:
    bad = HUBEI.replace('name = "未达成"\nfraction = 0', 'name = "未达成"\nfraction = 0\nwords = ["达成"]')
    with pytest.raises(RuleSetError, match="达成"):
        _national_with(bad)
