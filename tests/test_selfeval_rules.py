"""自评 rules: every selfeval.* code of each rule set fires on a bad case alone and keeps quiet on a near miss."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.builders import indicator, unit
from tests.test_rules import set_project
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import SELFEVAL_FORM, Project, Unit
from xlgoals.core.ruleset import RuleSet, load_ruleset
from xlgoals.core.scoring import score_project
from xlgoals.validation.findings import Report, Severity
from xlgoals.validation.rules import validate

RULESETS = ("shanghai-2020", "national", "national-2015")
ERROR, WARNING = Severity.ERROR, Severity.WARNING
P1 = "项目1"
# Each case changes the 自评 unit's one project (tests/test_rules.py's set_project changes its fields).
Mutation = Callable[[Unit, RuleSet], None]


def selfeval_unit(rs: RuleSet) -> Unit:
    """A 自评 every selfeval rule accepts: each target met (the actual repeats it), the budget spent in full."""
    u = unit(rs)
    p = u.projects[0]
    p.form = SELFEVAL_FORM
    p.budget_adjusted = p.budget_executed = Decimal(600000)
    for ind in p.indicators:
        ind.actual = ind.value
    return u


def add(name: str, target: str, actual: str, reason: str = "", role: str = "quantity") -> Mutation:
    """An indicator appended under the level of `role`, with its actual and reason (last row of the table)."""

    def mutate(u: Unit, rs: RuleSet) -> None:
        p = u.projects[0]
        level2: str = getattr(rs.roles, role)[0]
        ind = indicator(rs.level1_by_level2[level2], level2, name, target)
        ind.actual, ind.reason = actual, reason
        p.indicators.append(ind)

    return mutate


def first_indicator(**fields: object) -> Mutation:
    def mutate(u: Unit, rs: RuleSet) -> None:
        for key, value in fields.items():
            setattr(u.projects[0].indicators[0], key, value)

    return mutate


def default_plus(extra: Decimal) -> Mutation:
    def mutate(u: Unit, rs: RuleSet) -> None:
        p = u.projects[0]
        p.indicators[0].points = score_project(p, rs).indicators[0].default_points + extra  # type: ignore[operator]

    return mutate


def rule_score(p: Project, rs: RuleSet) -> Decimal:
    score = score_project(p, rs).indicators[0].score
    assert score is not None
    return score


@dataclass(frozen=True)
class Case:
    code: str
    severity: Severity
    bad: Mutation
    # The cell: a column of the last indicator row ('E' …), or an address.
    cell: str
    good: Mutation


def last(column: str) -> str:
    return f"last:{column}"


CASES = [
    Case(
        "selfeval.actual-missing", ERROR, add("参会人数", ">=500人", ""), last("E"), add("参会人数", ">=500人", "500")
    ),
    Case(
        "selfeval.actual-not-number",
        ERROR,
        add("参会人数", ">=500人", "五百人左右"),
        last("E"),
        add("参会人数", ">=500人", "520人"),
    ),
    Case(
        "selfeval.actual-unit",
        ERROR,
        add("参会人数", ">=500人", "520人次"),
        last("E"),
        add("参会人数", ">=500人", "520 人"),
    ),
    Case(
        "selfeval.actual-level",
        ERROR,
        add("管理制度健全性", "健全", "制度已经建立并运行", role="quality"),
        last("E"),
        add("管理制度健全性", "健全", "达成", role="quality"),
    ),
    Case(
        "selfeval.done-but-short",
        WARNING,
        add("参会人数", ">=500人", "已完成480人"),
        last("E"),
        add("参会人数", ">=500人", "已完成520人"),
    ),
    Case(
        "selfeval.reason-missing",
        ERROR,
        add("参会人数", ">=500人", "450"),
        last("H"),
        add("参会人数", ">=500人", "450", "场地受限"),
    ),
    Case(
        "selfeval.money-invalid",
        ERROR,
        set_project(budget_executed=None, unparsed={"budget_executed": "六十万"}),
        "D7",
        set_project(budget_executed=Decimal(600000)),
    ),
    Case("selfeval.execution-missing", ERROR, set_project(budget_executed=None), "D7", set_project()),
    Case(
        "selfeval.execution-low",
        ERROR,
        set_project(budget_executed=Decimal(480000)),
        "H7",
        set_project(budget_executed=Decimal(480000), execution_reason="年中调减预算"),
    ),
    Case(
        "selfeval.executed-over-budget",
        WARNING,
        set_project(budget_executed=Decimal(660000)),
        "D7",
        set_project(budget_executed=Decimal(600000)),
    ),
    Case(
        "selfeval.points-invalid",
        ERROR,
        first_indicator(unparsed={"points": "五分"}),
        "F12",
        first_indicator(points=None),
    ),
    Case("selfeval.points-total", ERROR, default_plus(Decimal(1)), "F11", default_plus(Decimal(0))),
    Case("selfeval.score-typed", WARNING, set_project(typed_over={"G12": "3"}), "G12", set_project(typed_over={})),
    Case("selfeval.score-differs", WARNING, first_indicator(score=Decimal(1)), "I12", set_project()),
]


def _check(rs_name: str, mutate: Mutation) -> tuple[Report, Project]:
    rs = load_ruleset(rs_name)
    u = selfeval_unit(rs)
    mutate(u, rs)
    return validate(u, rs), u.projects[0]


def _cell(case: Case, project: Project) -> str:
    if case.cell.startswith("last:"):
        return f"{case.cell[5:]}{slayout.SELFEVAL_FIRST_ROW + len(project.indicators) - 1}"
    return case.cell


PARAMS = [pytest.param(rs, case, id=f"{rs}:{case.code}") for rs in RULESETS for case in CASES]


@pytest.mark.parametrize("rs_name", RULESETS)
def test_every_selfeval_code_has_a_case(rs_name: str) -> None:
    codes = {r.code for r in load_ruleset(rs_name).rules if r.code.startswith("selfeval.")}
    assert sorted(c.code for c in CASES) == sorted(codes)


@pytest.mark.parametrize("rs_name", RULESETS)
def test_the_base_selfeval_is_clean_and_scores_full_marks(rs_name: str) -> None:
    report, project = _check(rs_name, set_project())
    assert report.findings == []
    assert score_project(project, load_ruleset(rs_name)).total == 100


@pytest.mark.parametrize(("rs_name", "case"), PARAMS)
def test_rule_fires_on_its_bad_case_alone(rs_name: str, case: Case) -> None:
    report, project = _check(rs_name, case.bad)
    assert report.flatten(["code", "severity", "sheet", "cell"]) == [
        [case.code, case.severity, P1, _cell(case, project)]
    ]


@pytest.mark.parametrize(("rs_name", "case"), PARAMS)
def test_rule_keeps_quiet_on_its_near_miss(rs_name: str, case: Case) -> None:
    assert case.code not in _check(rs_name, case.good)[0].counts_by_code()


@pytest.mark.parametrize(("rs_name", "case"), PARAMS)
def test_message_renders_every_placeholder(rs_name: str, case: Case) -> None:
    (finding,) = _check(rs_name, case.bad)[0].findings
    assert not re.search(r"[{}]", finding.message), finding.message


def test_a_differing_printed_score_names_both_numbers() -> None:
    rs = load_ruleset("national")
    u = selfeval_unit(rs)
    p = u.projects[0]
    p.indicators[0].score = Decimal(1)
    p.total_score = Decimal(90)
    findings = validate(u, rs).findings
    expected = f"{rule_score(p, rs):.2f}"
    assert "原表得分 1，按规则应为" in findings[0].message and expected in findings[0].message
    assert "总分：原表得分 90，按规则应为 100" in findings[1].message


def test_declaration_rules_leave_a_selfeval_alone() -> None:
    # A 自评's targets were checked when declared and are locked now: target.not-quantified and the like stay quiet.
    rs = load_ruleset("shanghai-2020")
    u = selfeval_unit(rs)
    u.projects[0].indicators[0].value = "与合作单位形成有效的合作交流机制"
    u.projects[0].indicators[0].actual = "达成"
    u.projects[0].overview = ""
    assert validate(u, rs).findings == []


def test_where_formulas_cannot_be_told_from_values_only_a_disagreeing_score_is_reported() -> None:
    rs = load_ruleset("national")
    u = selfeval_unit(rs)
    p = u.projects[0]
    expected = rule_score(p, rs)
    p.formulas_seen = False
    p.typed_over = {"G12": str(expected), "G13": "0.5"}
    assert [f.cell for f in validate(u, rs).findings] == ["G13"]
