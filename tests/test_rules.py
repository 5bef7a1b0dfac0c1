"""Validation rules: every rule code of both rule sets fires on a bad case and keeps quiet on a near miss."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import indicator, project, unit
from xlgoals.core import layout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.model import Project, Unit
from xlgoals.core.ruleset import RuleSet, RuleSetError, load_ruleset, parse_ruleset
from xlgoals.io.presentation import LONG_TEXT_WIDTH, printable_chars
from xlgoals.validation.findings import _FORMATTER, Report, Severity, render
from xlgoals.validation.rules import CHECKS, Context, check_ruleset, validate

RULESETS = ("shanghai-2020", "national", "national-2015")
COVER = layout.COVER_SHEET
P1 = "项目1"
# Indicators a case appends carry the cells of this sheet row, as the reader sets them.
ROW = 40
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

Mutation = Callable[[Unit, RuleSet], None]


def first(u: Unit) -> Project:
    return u.projects[0]


def set_unit(**fields: Any) -> Mutation:
    def mutate(u: Unit, rs: RuleSet) -> None:
        for key, value in fields.items():
            setattr(u, key, value)

    return mutate


def set_project(**fields: Any) -> Mutation:
    def mutate(u: Unit, rs: RuleSet) -> None:
        for key, value in fields.items():
            setattr(first(u), key, value)

    return mutate


def home(rs: RuleSet, role: str) -> tuple[str, str]:
    """(level-1, level-2) of the first level-2 playing `role` in the rule set."""
    level2: str = getattr(rs.roles, role)[0]
    level1 = rs.level1_by_level2.get(level2)
    assert level1 is not None
    return level1, level2


def append(name: str, value: str, *, under: str, level1: str | None = None, level2_of: str | None = None) -> Mutation:
    """Add an indicator at ROW under the level-1 of role `under`, with the level-2 of role `level2_of`."""

    def mutate(u: Unit, rs: RuleSet) -> None:
        l1, l2 = home(rs, under)
        if level2_of is not None:
            l2 = home(rs, level2_of)[1]
        first(u).indicators.append(indicator(level1 or l1, l2, name, value, row=ROW))

    return mutate


def home_of(role: str) -> Callable[[RuleSet], str]:
    """The level-2 of `role` in the rule set, when it is known."""
    return lambda rs: home(rs, role)[1]


def append_level2(level2: str | Callable[[RuleSet], str], *, under: str) -> Mutation:
    def mutate(u: Unit, rs: RuleSet) -> None:
        name = level2(rs) if callable(level2) else level2
        first(u).indicators.append(indicator(home(rs, under)[0], name, "专家评审通过数", ">=3项", row=ROW))

    return mutate


def drop_last_level1(u: Unit, rs: RuleSet) -> None:
    last = [lv for lv in rs.level1 if lv.required][-1].name
    first(u).indicators = [ind for ind in first(u).indicators if ind.level1 != last]


def keep_one_per_level1(u: Unit, rs: RuleSet) -> None:
    seen: set[str] = set()
    kept = []
    for ind in first(u).indicators:
        if ind.level1 not in seen:
            seen.add(ind.level1)
            kept.append(ind)
    first(u).indicators = kept


def drop_timeliness(u: Unit, rs: RuleSet) -> None:
    first(u).indicators = [ind for ind in first(u).indicators if ind.level2 not in rs.roles.timeliness]


def move_timeliness_last(u: Unit, rs: RuleSet) -> None:
    inds = first(u).indicators
    first(u).indicators = [i for i in inds if i.level2 not in rs.roles.timeliness] + [
        i for i in inds if i.level2 in rs.roles.timeliness
    ]


def second_project(name: str) -> Mutation:
    def mutate(u: Unit, rs: RuleSet) -> None:
        u.projects = [*u.projects, project(rs, name=name, sheet="项目2")]

    return mutate


@dataclass(frozen=True)
class Case:
    code: str
    severity: Severity | Mapping[str, Severity]
    bad: Mutation
    sheet: str | None
    # A mapping gives the cell per rule set where the two frameworks' tables differ.
    cell: str | Mapping[str, str] | None
    good: Mutation
    # The rule sets that have the rule; None for all of them.
    only: tuple[str, ...] | None = None

    def severity_in(self, rs: str) -> Severity:
        return self.severity if isinstance(self.severity, Severity) else self.severity[rs]

    def cell_in(self, rs: str) -> str | None:
        return self.cell if self.cell is None or isinstance(self.cell, str) else self.cell[rs]


SAME_NAME = "上海国际生物技术与医药交流对接"

CASES = [
    # cover sheet and the set of projects
    Case("unit.required", ERROR, set_unit(name=""), COVER, "B3", set_unit(department="")),
    Case(
        "unit.year-invalid",
        ERROR,
        set_unit(year=None, unparsed={"year": "二〇二〇"}),
        COVER,
        "B4",
        set_unit(year=None),  # blank is unit.required's finding
    ),
    Case(
        "unit.framework-unknown",
        ERROR,
        set_unit(framework="浙江（2021）"),
        COVER,
        "B5",
        lambda u, rs: setattr(u, "framework", rs.name),
    ),
    Case("unit.no-projects", ERROR, set_unit(projects=[]), COVER, None, set_unit(contact="")),
    Case(
        "sheet.unread-cells",
        WARNING,
        set_unit(unread_cells={"项目1": "XFD1048576"}),
        "项目1",
        "XFD1048576",
        set_unit(unread_cells={}),
    ),
    Case(
        "project.duplicate-name",
        ERROR,
        second_project(SAME_NAME),
        "项目2",
        "B4",
        second_project("上海中医药与天然药物国际交流推广"),
    ),
    # every sheet accounted for
    Case("sheet.unread", WARNING, set_unit(other_sheets=["备注"]), "备注", None, set_unit(blank_sheets=["项目2"])),
    Case("sheet.blank-project", INFO, set_unit(blank_sheets=["项目2"]), "项目2", None, set_unit(other_sheets=["备注"])),
    Case(
        "sheet.template-filled",
        WARNING,
        set_unit(template_filled=True),
        layout.PROJECT_TEMPLATE_SHEET,
        None,
        set_unit(blank_sheets=["项目2"]),
    ),
    Case(
        "sheet.reserved-name",
        ERROR,
        set_unit(reserved_sheets=[layout.SUMMARY_SHEET]),
        layout.SUMMARY_SHEET,
        None,
        set_unit(blank_sheets=["项目2"]),
    ),
    # project header
    Case("field.required", ERROR, set_project(goals=""), P1, "B12", set_project(last_year_budget=None)),
    Case(
        "field.too-long-to-print",
        Severity.INFO,
        set_project(overview="项" * (printable_chars(LONG_TEXT_WIDTH) + 50)),
        P1,
        "B7",
        set_project(overview="项" * (printable_chars(LONG_TEXT_WIDTH) - 50)),
    ),
    Case(
        "choice.unknown",
        WARNING,
        set_project(category="专项经费"),
        P1,
        "D4",
        set_project(category="经常性项目"),
    ),
    Case(
        "yesno.invalid",
        ERROR,
        set_project(gov_purchase=None, unparsed={"gov_purchase": "不确定"}),
        P1,
        "B6",
        set_project(gov_purchase=True),
    ),
    Case(
        "date.invalid",
        ERROR,
        set_project(start=None, unparsed={"start": "2020-02-30"}),
        P1,
        "B5",
        set_project(start=date(2020, 2, 29)),
    ),
    Case(
        "date.order",
        ERROR,
        set_project(start=date(2020, 9, 1)),
        P1,
        "D5",
        set_project(start=date(2020, 8, 30)),
    ),
    Case(
        "date.outside-year",
        WARNING,
        set_project(end=date(2021, 3, 31)),
        P1,
        "D5",
        set_project(end=date(2020, 12, 31)),
    ),
    # money
    Case(
        "money.invalid",
        ERROR,
        set_project(budget_total=None, unparsed={"budget_total": "六十万"}),
        P1,
        "B14",
        set_project(budget_total=Decimal("600000")),
    ),
    Case(
        "money.negative",
        ERROR,
        set_project(last_year_executed=Decimal(-1)),
        P1,
        "D15",
        set_project(last_year_executed=Decimal(0)),
    ),
    Case(
        "money.year-over-total",
        ERROR,
        set_project(budget_year=Decimal(700000)),
        P1,
        "D14",
        set_project(budget_year=Decimal(700000), budget_total=Decimal(700000)),
    ),
    Case(
        "money.funding-mismatch",
        ERROR,
        set_project(budget_fiscal=Decimal(500000)),
        P1,
        "D14",
        # A blank part counts as 0: the whole total from 财政拨款 alone adds up.
        set_project(budget_fiscal=Decimal(600000)),
    ),
    Case(
        "money.executed-over-budget",
        WARNING,
        set_project(last_year_executed=Decimal(650000)),
        P1,
        "D15",
        set_project(last_year_executed=Decimal(599999)),
    ),
    Case(
        "money.yoy-jump",
        WARNING,
        set_project(budget_year=Decimal(900000), budget_total=Decimal(900000)),
        P1,
        "D14",
        set_project(budget_year=Decimal(780000), budget_total=Decimal(780000)),  # +30% is the limit itself
    ),
    # indicator levels
    Case(
        "level1.unknown",
        ERROR,
        append("专家评审通过数", ">=3项", under="quality", level1="保障目标"),
        P1,
        f"A{ROW}",
        append("专家评审通过数", ">=3项", under="quality"),
    ),
    Case("level1.missing", ERROR, drop_last_level1, P1, layout.INDICATOR_SECTION_CELL, keep_one_per_level1),
    Case(
        "level2.unknown",
        {"shanghai-2020": WARNING, "national": ERROR, "national-2015": ERROR},
        append_level2("其他产出", under="quality"),
        P1,
        f"B{ROW}",
        lambda u, rs: append_level2(home(rs, "cost")[1], under="quality")(u, rs),
    ),
    Case(
        "level2.misplaced",
        ERROR,
        append("受益对象满意度(%)", ">=90", under="quantity", level2_of="satisfaction"),
        P1,
        f"B{ROW}",
        append("受益对象满意度(%)", ">=90", under="satisfaction"),
    ),
    Case(
        "level2.missing",
        ERROR,
        drop_timeliness,
        P1,
        # the first row of 产出: after 投入与管理's (or 2021's 成本指标's) one row, the first row in the 2015 form
        {"shanghai-2020": "A19", "national": "A19", "national-2015": "A18"},
        move_timeliness_last,
    ),
    Case(
        "indicator.name-missing",
        ERROR,
        append("", ">=3项", under="quality"),
        P1,
        f"C{ROW}",
        append("专家评审通过数", ">=3项", under="quality"),
    ),
    Case(
        "indicator.duplicate",
        ERROR,
        append("验收合格率（%）", "=100", under="quality"),  # the base's 验收合格率(%), full-width brackets
        P1,
        f"C{ROW}",
        append("初验合格率（%）", "=100", under="quality"),
    ),
    Case(
        "indicator.misfiled",
        WARNING,
        append("使用合理", "=100%", under="quantity"),
        P1,
        f"C{ROW}",
        append("参会人数", ">=400人", under="quantity"),
    ),
    # target values
    Case(
        "target.missing",
        ERROR,
        append("专家评审通过数", "", under="quality"),
        P1,
        f"D{ROW}",
        append("专家评审通过数", ">=3项", under="quality"),
    ),
    Case(
        "target.malformed",
        ERROR,
        append("专家评审通过数", ">=abc", under="quality"),
        P1,
        f"D{ROW}",
        append("专家评审通过数", ">=3项", under="quality"),
    ),
    Case(
        "target.percent-range",
        ERROR,
        append("验收通过率", ">=120%", under="quality"),
        P1,
        f"D{ROW}",
        append("验收通过率", "=100%", under="quality"),
    ),
    Case(
        "target.satisfaction-floor",
        ERROR,
        append("受益对象满意度", ">=80%", under="satisfaction"),
        P1,
        f"D{ROW}",
        append("受益对象满意度", ">=85%", under="satisfaction"),
    ),
    Case(
        "target.unit-conflict",
        ERROR,
        append("培训覆盖率(%)", ">=500人", under="quality"),
        P1,
        f"D{ROW}",
        append("培训经费（万元）", "<=50万元", under="cost"),
    ),
    Case(
        "target.not-quantified",
        WARNING,
        append("合作机制建立情况", "与合作单位形成有效的合作交流机制", under="quality"),
        P1,
        f"D{ROW}",
        append("合作机制建立情况", "建立", under="quality"),
    ),
    Case(
        "target.vague",
        WARNING,
        append("服务质量改善程度", "大幅提高", under="quality"),
        P1,
        f"D{ROW}",
        append("服务质量改善程度", "显著提高", under="quality"),
    ),
    # cells that cannot be used (the reader reads them blank and records them) and blank levels
    Case(
        "cell.error-value",
        ERROR,
        set_project(budget_year=None, unusable={"D14": Unusable("#REF!", "#REF!+1")}),
        P1,
        "D14",
        set_project(budget_year=Decimal(600000), unusable={}),
    ),
    Case(
        "cell.uncomputed",
        ERROR,
        set_project(last_year_budget=None, unusable={"B15": Unusable("", "B14*0.8")}),
        P1,
        "B15",
        set_project(last_year_budget=Decimal(480000)),
    ),
    Case(
        "level1.empty",
        ERROR,
        lambda u, rs: first(u).indicators.append(
            indicator("", home(rs, "quality")[1], "专家评审通过数", ">=3", row=ROW)
        ),
        P1,
        f"A{ROW}",
        append("专家评审通过数", ">=3项", under="quality"),
    ),
    Case(
        "level2.empty",
        {"shanghai-2020": WARNING, "national": ERROR, "national-2015": ERROR},
        append_level2("", under="quality"),
        P1,
        f"B{ROW}",
        append_level2(home_of("quality"), under="quality"),
    ),
    Case(
        "level1.cost-missing",
        WARNING,
        lambda u, rs: setattr(first(u), "indicators", [i for i in first(u).indicators if i.level1 != "成本指标"]),
        P1,
        layout.INDICATOR_SECTION_CELL,
        set_unit(),
        only=("national",),
    ),
]

COLUMNS = ["code", "severity", "sheet", "cell"]


def _check(rs_name: str, mutate: Mutation) -> Report:
    rs = load_ruleset(rs_name)
    u = unit(rs)
    mutate(u, rs)
    return validate(u, rs)


def _codes(rs_name: str) -> set[str]:
    # The year-over-year rules need an archive: tests/test_history.py has a failing and a passing case of each;
    # the self-evaluation rules a 自评 project: tests/test_selfeval_rules.py has theirs.
    return {r.code for r in load_ruleset(rs_name).rules if not r.code.startswith(("history.", "selfeval."))}


PARAMS = [
    pytest.param(rs, case, id=f"{rs}:{case.code}")
    for rs in RULESETS
    for case in CASES
    if case.only is None or rs in case.only
]


@pytest.mark.parametrize("rs_name", RULESETS)
def test_every_rule_code_has_a_failing_and_a_passing_case(rs_name: str) -> None:
    assert sorted(c.code for c in CASES if c.only is None or rs_name in c.only) == sorted(_codes(rs_name))


@pytest.mark.parametrize("rs_name", RULESETS)
def test_the_base_unit_is_clean(rs_name: str) -> None:
    assert _check(rs_name, set_unit()).findings == []


@pytest.mark.parametrize(("rs_name", "case"), PARAMS)
def test_rule_fires_on_its_bad_case_alone(rs_name: str, case: Case) -> None:
    report = _check(rs_name, case.bad)
    assert report.flatten(COLUMNS) == [[case.code, case.severity_in(rs_name), case.sheet, case.cell_in(rs_name)]]


@pytest.mark.parametrize(("rs_name", "case"), PARAMS)
def test_rule_keeps_quiet_on_its_near_miss(rs_name: str, case: Case) -> None:
    assert case.code not in _check(rs_name, case.good).counts_by_code()


@pytest.mark.parametrize(("rs_name", "case"), PARAMS)
def test_message_renders_every_placeholder(rs_name: str, case: Case) -> None:
    (finding,) = _check(rs_name, case.bad).findings
    assert finding.message
    assert not re.search(r"[{}]", finding.message), finding.message


# --- details of single rules ---------------------------------------------------------------------


def _rows(rs_name: str, mutate: Mutation, columns: list[str] = COLUMNS) -> list[list[Any]]:
    return _check(rs_name, mutate).flatten(columns)


def test_cells_read_from_the_sheet_win_over_the_template_layout() -> None:
    def moved(u: Unit, rs: RuleSet) -> None:
        set_project(budget_year=Decimal(700000), cells={"budget_year": "F20"})(u, rs)

    assert _rows("shanghai-2020", moved) == [["money.year-over-total", ERROR, P1, "F20"]]


def test_in_memory_indicators_point_at_the_row_the_template_writes_them_to() -> None:
    def bad_first(u: Unit, rs: RuleSet) -> None:
        inds = first(u).indicators
        inds[0] = indicator(inds[0].level1, inds[0].level2, inds[0].name, ">=abc")

    assert _rows("shanghai-2020", bad_first) == [["target.malformed", ERROR, P1, "D18"]]


def test_a_fall_in_budget_is_a_year_on_year_jump_too() -> None:
    rows = _rows("shanghai-2020", set_project(budget_year=Decimal(400000)), ["code", "message"])
    assert [code for code, _ in rows] == ["money.yoy-jump"]
    assert "-33.3%" in rows[0][1] and "±30%" in rows[0][1]


def test_a_jump_over_the_limit_by_less_than_the_shown_decimal_is_a_jump() -> None:
    # 600,000 last year (the base project): 780,001 is +30.0002 %, over the limit though +30.0 % is shown.
    mutate = set_project(budget_year=Decimal(780001), budget_total=Decimal(780001))
    rows = _rows("shanghai-2020", mutate, ["code", "message"])
    assert [code for code, _ in rows] == ["money.yoy-jump"]
    assert "+30.0002%" in rows[0][1]


def test_both_dates_outside_the_year_are_reported_at_their_own_cells() -> None:
    mutate = set_project(start=date(2019, 8, 1), end=date(2021, 1, 31))
    assert _rows("shanghai-2020", mutate, ["code", "cell"]) == [
        ["date.outside-year", "B5"],
        ["date.outside-year", "D5"],
    ]


@pytest.mark.parametrize("value", ["<=95%", ">=0.8", "=60"])
def test_a_satisfaction_target_below_the_floor_or_capped_is_flagged(value: str) -> None:
    rows = _rows("shanghai-2020", append("受益对象满意度", value, under="satisfaction"), ["code"])
    assert rows == [["target.satisfaction-floor"]]


def test_satisfaction_is_also_recognised_by_name_outside_its_level2() -> None:
    rows = _rows("shanghai-2020", append("群众满意率", ">=80%", under="quality"), ["code"])
    assert rows == [["target.satisfaction-floor"]]


def test_a_count_of_satisfied_people_is_not_held_to_a_percentage_floor() -> None:
    assert _rows("shanghai-2020", append("满意回访人数", ">=50人", under="quantity")) == []


def test_units_in_wan_yuan_and_yuan_agree() -> None:
    assert _rows("national", append("培训经费（万元）", "<=500000元", under="cost")) == []


def test_a_rate_word_in_a_count_indicator_name_is_misfiled() -> None:
    rows = _rows("shanghai-2020", append("专家出席率", ">=90", under="quantity"), ["code", "cell"])
    assert rows == [["indicator.misfiled", f"C{ROW}"]]


def test_a_grade_word_under_quantity_is_misfiled() -> None:
    rows = _rows("national", append("会议组织", "规范", under="quantity"), ["code", "severity"])
    assert rows == [["indicator.misfiled", WARNING]]


def test_national_expects_a_cost_level1_where_shanghai_and_the_2015_form_do_not() -> None:
    def drop_cost(u: Unit, rs: RuleSet) -> None:
        first(u).indicators = [i for i in first(u).indicators if i.level2 not in rs.roles.cost]

    assert _rows("shanghai-2020", drop_cost) == []
    assert _rows("national-2015", drop_cost) == []
    assert _rows("national", drop_cost, ["code", "severity"]) == [["level1.cost-missing", WARNING]]


def test_a_project_without_indicators_misses_every_required_level1_once() -> None:
    rows = _rows("shanghai-2020", set_project(indicators=[]), ["code", "message"])
    assert [code for code, _ in rows] == ["level1.missing"] * 4
    names = [lv.name for lv in load_ruleset("shanghai-2020").level1]
    assert sorted(next(n for n in names if f"“{n}”" in message) for _, message in rows) == sorted(names)


def test_misplaced_message_names_where_the_level2_belongs() -> None:
    mutate = append("受益对象满意度(%)", ">=90", under="quantity", level2_of="satisfaction")
    (message,) = _check("shanghai-2020", mutate).flatten(["message"])[0]
    assert message == "二级目标“满意度”属于一级目标“效果目标”，不应放在“产出目标”下，请把这一行移到“效果目标”下。"


# --- the rule set's qualitative vocabulary, not the reader's, decides what is a sentence ---------------


def _shanghai_with_words(words: list[str]) -> RuleSet:
    text = (resources.files("xlgoals.core") / "rulesets" / "shanghai-2020.toml").read_text(encoding="utf-8")
    start = text.index("[qualitative]")
    end = text.index("\n\n", start)
    return parse_ruleset(text[:start] + f"[qualitative]\nwords = {words!r}" + text[end:], "bureau.toml")


def _not_quantified(rs: RuleSet, value: str) -> list[list[Any]]:
    u = unit(rs)
    first(u).indicators.append(indicator(*home(rs, "quality"), "会议组织情况", value, row=ROW))
    return [row for row in validate(u, rs).flatten(["code"]) if row == ["target.not-quantified"]]


def test_a_phrase_the_rule_set_does_not_list_is_not_quantified() -> None:
    # The reader's default vocabulary accepts '达到预期目标'; the built-in rule sets do not list it.
    assert _not_quantified(load_ruleset("shanghai-2020"), "达到预期目标") == [["target.not-quantified"]]


def test_a_bureau_can_accept_its_own_set_phrases() -> None:
    rs = _shanghai_with_words(["合规", "圆满完成会议组织"])
    assert _not_quantified(rs, "圆满完成会议组织") == []
    assert _not_quantified(load_ruleset("shanghai-2020"), "圆满完成会议组织") == [["target.not-quantified"]]


# --- one run of every rule finds what each rule finds alone -------------------------------------------


def _every_bad_case(rs: RuleSet, rs_name: str) -> Unit:
    """A unit with every rule's bad case at once, its first project repeated on a second sheet."""
    u = unit(rs)
    for case in CASES:
        if case.only is None or rs_name in case.only:
            case.bad(u, rs)
    u.projects = [*u.projects, first(u).model_copy(update={"sheet": "项目2"})]
    return u


@pytest.mark.parametrize("words", [None, ["合规", "完成", "圆满完成会议组织"]], ids=["built-in", "bureau-words"])
@pytest.mark.parametrize("rs_name", RULESETS)
def test_each_rule_alone_finds_what_it_finds_among_all(rs_name: str, words: list[str] | None) -> None:
    # Checks share what they derive from a project in one run (its targets judged by the rule set's words):
    # whichever check derives it first, every rule's findings are those it has running alone.
    rs = load_ruleset(rs_name) if words is None else _shanghai_with_words(words)
    u = _every_bad_case(rs, rs.name if words is None else "shanghai-2020")
    first(u).indicators.append(indicator(*home(rs, "quantity"), "参会人数", "圆满完成会议组织", row=ROW + 1))
    together = validate(u, rs).findings
    assert len({f.code for f in together}) >= 15
    for rule in rs.rules:
        alone = validate(u, rs.model_copy(update={"rules": [rule]})).findings
        assert alone == [f for f in together if f.code == rule.code], rule.code


def test_history_checks_find_nothing_without_history() -> None:
    # The engine does not call them without an archive; called anyway, they agree.
    rs = load_ruleset("shanghai-2020")
    u = _every_bad_case(rs, "shanghai-2020")
    history = [info for info in CHECKS.values() if info.history]
    assert {info.name for info in history} >= {"history_no_previous", "indicator_dropped", "target_lowered"}
    places = {"unit": [Context(u, rs)], "project": [Context(u, rs, p) for p in u.projects]}
    for info in history:
        for ctx in places[info.scope]:
            assert list(info.fn(ctx, info.defaults)) == [], info.name


_PIECES = st.sampled_from(
    ["项目", "{label}", "{cell}", "{missing}", "{label:>4}", "{value!r}", "{0}", "{}", "{{", "}}", "{", "}", " ", "x"]
)


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_plain_templates_render_as_the_formatter_does(template: str) -> None:
    params = {"label": "项目名称", "cell": "B5", "value": Decimal("1.50"), "n": 3}
    try:
        expected = _FORMATTER.vformat(template, (), params)
    except (ValueError, IndexError):
        expected = template
    assert render(template, params) == expected


_AMOUNTS = st.none() | st.decimals(min_value=-(10**9), max_value=10**10, places=2, allow_nan=False)


@given(total=_AMOUNTS, fiscal=_AMOUNTS, other=_AMOUNTS)
def test_funding_mismatch_fires_exactly_when_the_parts_do_not_add_up(
    total: Decimal | None, fiscal: Decimal | None, other: Decimal | None
) -> None:
    def amounts(u: Unit, rs: RuleSet) -> None:
        set_project(budget_year=total, budget_fiscal=fiscal, budget_other=other)(u, rs)

    hits = [f for f in _check("national", amounts).findings if f.code == "money.funding-mismatch"]
    parts = [a for a in (fiscal, other) if a is not None]
    assert bool(hits) == (total is not None and bool(parts) and sum(parts, Decimal(0)) != total)
    for hit in hits:
        assert hit.cell == "D14" and hit.value is not None


def test_funding_mismatch_leaves_tables_with_a_further_source_alone() -> None:
    carried = set_project(budget_fiscal=Decimal(500000), extra={"上年结转资金": "10"})
    assert "money.funding-mismatch" not in _check("national", carried).counts_by_code()
    none_carried = set_project(budget_fiscal=Decimal(500000), extra={"上年结转资金": "0"})
    assert _check("national", none_carried).counts_by_code().get("money.funding-mismatch") == 1


# --- broken rule-set files -----------------------------------------------------------------------------

MINIMAL = """\
name = "bureau"
title = "某市财政局"

[choices]
category = ["经常性项目"]
perf_type = ["其他类"]

[[level1]]
name = "产出目标"
level2 = ["数量"]

[qualitative]
words = ["合规"]

[[rules]]
code = "target.percent-range"
check = "percent_range"
severity = "error"
message = "“{indicator}”的目标值应在 {low}% 到 {high}% 之间。"
why = "比率不超过 100%。"
params = { low = 0.0, high = 100.0 }
"""
RULE = "rules[1](target.percent-range)"


def test_the_minimal_rule_set_loads() -> None:
    assert [r.code for r in parse_ruleset(MINIMAL, "bureau.toml").rules] == ["target.percent-range"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('check = "percent_range"', 'check = "percent_rang"', f"{RULE}.check"),
        ("high = 100.0 }", "high = 100.0, top = 1.0 }", f"{RULE}.params"),
        ("high = 100.0", 'high = "100"', f"{RULE}.params.high"),
        ('severity = "error"', 'severity = "fatal"', f"{RULE}.severity"),
        ("{high}%", "{ceiling}%", f"{RULE}.message"),
        ("params = {", "params = [", "(文件格式)"),
        (
            'title = "某市财政局"',
            'title = "某市财政局"\nunknown_level2_severity = "warning"',
            "unknown_level2_severity",
        ),
    ],
    ids=[
        "unknown-check",
        "unknown-param",
        "param-type",
        "severity",
        "placeholder",
        "toml-syntax",
        "dropped-key",
    ],
)
def test_a_broken_rule_set_names_the_file_and_key(old: str, new: str, key: str) -> None:
    assert old in MINIMAL
    with pytest.raises(RuleSetError) as info:
        check_ruleset(parse_ruleset(MINIMAL.replace(old, new, 1), "bureau.toml"))
    assert (info.value.source, info.value.key) == ("bureau.toml", key)
    assert "bureau.toml" in str(info.value) and key in str(info.value)


def test_a_broken_rule_set_file_is_named_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bureau.toml"
    path.write_text(MINIMAL.replace('check = "percent_range"', 'check = "nope"'), encoding="utf-8")
    with pytest.raises(RuleSetError) as info:
        check_ruleset(load_ruleset(path))
    assert info.value.source == str(path)
    assert str(path) in str(info.value) and f"{RULE}.check" in str(info.value)


def test_a_rule_set_with_an_unknown_check_is_refused_before_any_rule_runs(tmp_path: Path) -> None:
    """core reads the file's structure; the registry (a layer up) refuses an unknown check wherever rules run."""
    from xlgoals.unit.pipeline import choose_ruleset

    path = tmp_path / "bureau.toml"
    path.write_text(MINIMAL.replace('check = "percent_range"', 'check = "nope"'), encoding="utf-8")
    read = load_ruleset(path)  # the structure is sound
    for attempt in (lambda: choose_ruleset(Unit(), path), lambda: validate(Unit(), read)):
        with pytest.raises(RuleSetError, match=r"rules\[1\]\(target.percent-range\)\.check"):
            attempt()
    good = parse_ruleset(MINIMAL, "bureau.toml")
    assert check_ruleset(good) is good


# --- the real sample ---------------------------------------------------------------------------------

SAMPLE_FIRST = [
    ("投入与管理", "投入管理", "资金到位率(%)", "=100"),
    ("投入与管理", "财务管理", "资金使用合规性", "合规"),
    ("投入与管理", "财务管理", "合同签署规范性", "规范"),
    ("投入与管理", "财务管理", "财务制度健全性", "健全"),
    ("投入与管理", "实施管理", "管理制度健全性", "健全"),
    ("产出目标", "数量", "邀请演讲专家数", ">=80"),
    ("产出目标", "数量", "参会观众数", ">=500"),
    ("产出目标", "数量", "专业媒体数", ">=3"),
    ("产出目标", "质量", "研讨会议程内容符合性", "符合"),
    ("产出目标", "时效", "研讨会议程活动完成率(%)", ">=95"),
    (
        "效果目标",
        "社会效益",
        "拓展国内外交流合作渠道",
        "吸引来自国内外的、生物医药产业各界代表参与会议,搭建交流合作平台,拓展合作渠道",
    ),
    ("效果目标", "满意度", "参会人员满意度(%)", ">=85"),
    ("影响力目标", "长效管理", "有效管理持续性", "建立长效会议组织机制,为后续会议举办奠定基础"),
    ("影响力目标", "人力资源", "团队主要成员稳定性", "稳定"),
    ("影响力目标", "部门协助", "建立合作机制", "与合作单位形成有效的合作交流机制"),
    ("影响力目标", "信息共享", "专业媒体报道数", ">=3"),
]
SAMPLE_THIRD = [
    ("投入与管理", "投入管理", "到位率", "=100%"),
    ("产出目标", "数量", "使用合理", "=100%"),
    ("产出目标", "质量", "验收合格", "=100%"),
    ("产出目标", "时效", "完成率", ">=95%"),
    ("效果目标", "满意度", "满意率", ">=95%"),
    ("影响力目标", "人力资源", "人员到位率", ">=98%"),
]


def _sample_report(rows: list[tuple[str, str, str, str]], sheet: str, **fields: Any) -> Report:
    rs = load_ruleset("shanghai-2020")
    p = project(rs, sheet=sheet, indicators=[indicator(*row) for row in rows], **fields)
    return validate(unit(rs, p, name="上海市生物医药科技产业促进中心（上海新药研究开发中心）"), rs)


def test_the_samples_first_project_has_no_errors_and_three_unquantified_targets() -> None:
    report = _sample_report(SAMPLE_FIRST, "项目1")
    assert report.valid
    assert report.flatten(["code", "severity", "sheet", "cell", "value"]) == [
        ["target.not-quantified", WARNING, "项目1", f"D{layout.INDICATOR_FIRST_ROW + i}", SAMPLE_FIRST[i][3]]
        for i in (10, 12, 14)
    ]


def test_the_samples_third_project_files_a_percentage_under_quantity() -> None:
    report = _sample_report(
        SAMPLE_THIRD,
        "项目3",
        name="生物医药孵化器运行保障",
        start=date(2020, 1, 2),
        end=date(2020, 12, 16),
        budget_total=Decimal(4989200),
        budget_year=Decimal(4989200),
        last_year_budget=Decimal(5286280),
        last_year_executed=Decimal(5286280),
    )
    assert report.flatten(["code", "severity", "sheet", "cell", "value"]) == [
        ["indicator.misfiled", WARNING, "项目3", "C19", "=100%"]
    ]
