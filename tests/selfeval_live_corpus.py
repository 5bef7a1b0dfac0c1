"""自评 workbooks with planted faults for the live checks: one 自评 sheet per case, a failing and a passing case
for every selfeval rule with a live form, and cases the formulas must leave to the Python check (undecided)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tests.builders import project, unit
from tests.live_corpus import DIV0
from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import Project
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.scoring import Levels, Quantity, row_rule, score_project
from xlgoals.core.values import CellValue
from xlgoals.workbooks.selfevalbook import build_selfeval_workbook
from xlgoals.workbooks.template import save

FIRST = slayout.SELFEVAL_FIRST_ROW


@dataclass(frozen=True)
class Case:
    """A 自评 sheet of the corpus: the filled project with these cells changed (None clears a cell); `printed`
    sheets carry the published table's 原表得分 column, equal to the rules' scores before the change."""

    name: str
    cells: dict[str, CellValue]
    printed: bool = False


def _met(value: str, rule: Quantity | Levels) -> str:
    """An actual that meets the target: its own number (a quantity), 达成 (a level)."""
    if isinstance(rule, Levels):
        return "达成"
    return f"{rule.target.normalize():f}"


def filled(rs: RuleSet, sheet: str, printed: bool) -> Project:
    """The rule set's valid project with every target met, the budget executed at 95 %, and (where `printed`)
    the scores the rules give printed beside the formulas."""
    p = project(rs, sheet=sheet)
    for ind in p.indicators:
        ind.actual = _met(ind.value, row_rule(ind, rs))
    p.budget_adjusted, p.budget_executed = Decimal(1_000_000), Decimal(950_000)
    if printed:
        score = score_project(p, rs)
        for ind, s in zip(p.indicators, score.indicators, strict=True):
            ind.score = s.score
        p.execution_score, p.total_score = score.execution.score, score.total
    return p


def _rows(rs: RuleSet) -> tuple[int, int, int]:
    """The rows of a graded quantity (>=95), of a quantity with a unit (>=3场) and of a level target (达标)."""
    indicators = project(rs).indicators
    graded = next(i for i, ind in enumerate(indicators) if ind.value == ">=95")
    counted = next(i for i, ind in enumerate(indicators) if ind.value == ">=3场")
    level = next(i for i, ind in enumerate(indicators) if isinstance(row_rule(ind, rs), Levels))
    return FIRST + graded, FIRST + counted, FIRST + level


def cases(rs: RuleSet) -> list[Case]:
    q, u, lv = _rows(rs)
    total = FIRST + len(project(rs).indicators)
    budget, executed = (
        slayout.SELFEVAL_FIELD["budget_adjusted"].value_cell,
        slayout.SELFEVAL_FIELD["budget_executed"].value_cell,
    )
    initial, note = (
        slayout.SELFEVAL_FIELD["budget_initial"].value_cell,
        slayout.SELFEVAL_FIELD["execution_reason"].value_cell,
    )
    scale = 10_000 if rs.form == "national" else 1
    return [
        Case("全部达成", {}),
        Case("实际完成值空白", {f"E{q}": None, f"E{lv}": None}),
        Case("实际完成值只有空白字符", {f"E{q}": "\u3000 \t"}),
        Case("实际完成值写成文字", {f"E{q}": "按计划推进"}),
        Case("实际完成值写未完成", {f"E{q}": "未完成"}),
        Case("实际完成值写已完成", {f"E{q}": "已完成"}),
        Case("写已完成而数字不足", {f"E{q}": "已完成80", f"E{u}": "已完成2场"}),
        Case("写已完成且数字达到", {f"E{q}": "已完成96", f"E{u}": "全部完成3场。"}),
        Case("写完成后有句号而数字不足", {f"E{q}": "完成８０。"}),
        Case("写基本完成而数字不足", {f"E{q}": "基本完成80"}),
        Case("写完成而数字带其他单位", {f"E{q}": "完成80吨", f"E{u}": "80人次已完成"}),
        Case("写完成而数字过长", {f"E{q}": "完成1234567890123456"}),
        Case("写完成而数字有两个小数点", {f"E{q}": "达到90.5.1"}),
        Case("实际完成值数字过长", {f"E{q}": "1234567890123456"}),
        Case("实际完成值带比较符与全角", {f"E{q}": ">=９６", f"E{u}": "≥3场"}),
        Case("实际完成值单位不同", {f"E{q}": "95吨次", f"E{u}": "3次"}),
        Case("实际完成值是数字单元格", {f"E{q}": 97}),
        Case("实际完成值含零宽字符（待校验）", {f"E{q}": "\u200b95"}),
        Case("实际完成值是错误值（待校验）", {f"E{q}": DIV0}),
        Case("定性指标不是等级", {f"E{lv}": "很好"}),
        Case("定性指标照抄目标", {f"E{lv}": "达标"}),
        Case("定性指标部分达成无原因", {f"E{lv}": "部分达成"}),
        Case("定性指标部分达成有原因", {f"E{lv}": "部分达成", f"H{lv}": "下半年才开始"}),
        Case("未达到目标无原因", {f"E{q}": "80", f"E{u}": "2场"}),
        Case("未达到目标有原因", {f"E{q}": "80", f"H{q}": "资金晚到"}),
        Case("未达到目标原因只有空白", {f"E{q}": "80", f"H{q}": "\u3000 "}),
        Case("未达到目标原因是错误值", {f"E{q}": "80", f"H{q}": DIV0}),
        Case("超过目标", {f"E{q}": "100"}),
        Case("分值不是数字", {f"F{q}": "十分"}),
        Case("分值为负", {f"F{q}": -5}),
        Case("分值合计不是 100", {f"F{q}": 99}),
        Case("分值过大（待校验）", {f"F{q}": 2_000_000}),
        Case("分值是错误值", {f"F{q}": DIV0}),
        Case("分值含零宽字符（待校验）", {f"F{q}": "1\u200b0"}),
        Case("金额不是数字", {budget: "十万", initial: "abc"}),
        Case("金额写成文本数字", {executed: "950000"}),
        Case("全年预算数空白", {budget: None}),
        Case("全年执行数是错误值", {executed: DIV0}),
        Case("执行率偏低无说明", {executed: 800_000 / scale}),
        Case("执行率偏低有说明", {executed: 800_000 / scale, note: "项目延期"}),
        Case("执行率恰为 90%", {executed: 900_000 / scale}),
        Case("执行数超过预算", {executed: 1_200_000 / scale}),
        Case("执行数等于预算", {executed: 1_000_000 / scale}),
        Case("全年预算数为零", {budget: 0, executed: 0}),
        Case("原表得分相符", {}, printed=True),
        Case("原表得分不符", {f"I{q}": 0.5, "I7": 3, f"I{total}": 50}, printed=True),
        Case("原表得分而实际含零宽字符（待校验）", {f"E{q}": "\u200b95"}, printed=True),
    ]


def build(rs: RuleSet, path: Path) -> list[Case]:
    """The 自评 corpus workbook of `rs`: one 自评 sheet per case, in order (项目1 …). Returns the cases."""
    corpus = cases(rs)
    projects = [filled(rs, layout.project_sheet_name(i), case.printed) for i, case in enumerate(corpus, start=1)]
    wb, _ = build_selfeval_workbook(unit(rs, *projects), rs)
    for i, case in enumerate(corpus, start=1):
        ws = wb[layout.project_sheet_name(i)]
        for cell, value in case.cells.items():
            ws[cell] = value
            if isinstance(value, str) and not value.startswith("="):
                ws[cell].data_type = "s"  # typed as text stays text ('>=９６' is no formula)
    save(wb, path)
    return corpus
