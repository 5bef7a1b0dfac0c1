"""Units, projects and indicators in memory, valid by default, for rule tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from xlgoals.core import layout
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.targets import parse_target
from xlgoals.core.values import ParseError


def indicator(level1: str, level2: str, name: str, value: str = "", *, row: int | None = None) -> Indicator:
    """An indicator as the reader makes it; `row` gives it the cells of that sheet row."""
    try:
        target = parse_target(value, name)
    except ParseError:
        target = None
    cells = {part: layout.indicator_cell(row, part) for part in layout.INDICATOR_COLUMNS} if row else {}
    return Indicator(level1=level1, level2=level2, name=name, value=value, target=target, cells=cells)


def _example(rs: RuleSet, level1: str, level2: str) -> Indicator:
    roles = rs.roles
    if level2 in roles.quantity:
        return indicator(level1, level2, "举办活动场次", ">=3场")
    if level2 in roles.quality:
        return indicator(level1, level2, "验收合格率(%)", "=100")
    if level2 in roles.timeliness:
        return indicator(level1, level2, "按期完成率(%)", ">=95")
    if level2 in roles.cost:
        return indicator(level1, level2, "项目成本（万元）", "<=60")
    if level2 in roles.satisfaction:
        return indicator(level1, level2, "服务对象满意度(%)", ">=90")
    return indicator(level1, level2, f"{level2}情况", "达标")


def indicators(rs: RuleSet) -> list[Indicator]:
    """A complete, valid indicator table: each level-1 with its required level-2s, or its first level-2."""
    out: list[Indicator] = []
    for lv in rs.level1:
        names = lv.required_level2 or lv.level2[:1]
        out += [_example(rs, lv.name, n) for n in names]
        extra = [_example(rs, lv.name, n) for n in lv.level2 if n in rs.roles.satisfaction and n not in names]
        # A satisfaction level-2 listed under two level-1s (the 2015 form) is filled once.
        out += [e for e in extra if all(e.name != o.name for o in out)]
    return out


def project(rs: RuleSet, **fields: Any) -> Project:
    """A project every rule of `rs` accepts, on sheet 项目1; keyword arguments override fields."""
    values: dict[str, Any] = {
        "name": "上海国际生物技术与医药交流对接",
        "category": "其他一次性项目",
        "start": date(2020, 1, 2),
        "end": date(2020, 8, 30),
        "gov_purchase": False,
        "perf_type": "其他类",
        "overview": "举办第二十二届上海国际生物技术与医药研讨会。",
        "basis": "上海市高新技术产业发展规划。",
        "necessity": "促进生物医药科技交流与产业发展。",
        "safeguards": "成立领导小组与工作小组，按预算执行。",
        "plan": "2020年1-3月宣传招募；4-6月举办；7-11月总结。",
        "goals": "汇聚专业人才500-800名，促成1-3项合作对接。",
        "department": "上海市科学技术委员会",
        "implementer": "上海市生物医药科技产业促进中心",
        "budget_total": Decimal("600000.00"),
        "budget_year": Decimal("600000.00"),
        "last_year_budget": Decimal("600000.00"),
        "last_year_executed": Decimal("600000.00"),
        "sheet": "项目1",
    }
    values.update(fields)
    if "indicators" not in values:
        values["indicators"] = indicators(rs)
    return Project(**values)


def unit(rs: RuleSet, *projects: Project, **fields: Any) -> Unit:
    """A unit declaring `projects` (one valid project when none given) for fiscal year 2020 under `rs`."""
    values: dict[str, Any] = {
        "name": "上海市生物医药科技产业促进中心",
        "year": 2020,
        "framework": rs.title,
        "projects": list(projects) if projects else [project(rs)],
    }
    values.update(fields)
    return Unit(**values)
