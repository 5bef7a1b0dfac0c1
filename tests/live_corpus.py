"""Workbooks with planted faults for the live checks: one sheet per case, a failing and a passing case for every
rule with a live form, and cases the formulas must leave to the Python check (undecided)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.builders import project, unit
from xlgoals.core import layout
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.values import CellValue
from xlgoals.workbooks.template import build_workbook, save

# A formula whose result is an error value (#DIV/0!): written as a formula, where every other text is text.
DIV0 = "=1/0"


@dataclass(frozen=True)
class Case:
    """A sheet of the corpus: the valid project of the rule set with these cells changed (None clears a cell)."""

    name: str
    cells: dict[str, CellValue]


def _rows(rs: RuleSet) -> dict[str, int]:
    """The sheet row of the first indicator under each level-1 and of each level-2 in the valid project."""
    rows: dict[str, int] = {}
    for i, ind in enumerate(project(rs).indicators):
        row = layout.INDICATOR_FIRST_ROW + i
        rows.setdefault(ind.level1, row)
        rows.setdefault(f"{ind.level1}/{ind.level2}", row)
    return rows


def _all_rows(rs: RuleSet, level1: str) -> list[int]:
    return [layout.INDICATOR_FIRST_ROW + i for i, ind in enumerate(project(rs).indicators) if ind.level1 == level1]


def _targets(name: str, values: list[CellValue], rows: int) -> list[Case]:
    """Target values on the valid project's indicator rows, as many cases as there are rows for them."""
    first = layout.INDICATOR_FIRST_ROW
    chunks = [values[i : i + rows] for i in range(0, len(values), rows)]
    return [
        Case(name if n == 0 else f"{name}（{n + 1}）", {f"D{first + i}": v for i, v in enumerate(chunk)})
        for n, chunk in enumerate(chunks)
    ]


def cases(rs: RuleSet) -> list[Case]:
    f = {spec.key: spec.value_cell for spec in layout.project_fields(rs.form)}
    scale = 10_000 if rs.form == "national" else 1
    rows = _rows(rs)
    first = layout.INDICATOR_FIRST_ROW
    count = len(project(rs).indicators)
    level1 = [lv.name for lv in rs.level1]
    required = [lv.name for lv in rs.level1 if lv.required]
    quantity, timeliness, satisfaction = rs.roles.quantity[0], rs.roles.timeliness[0], rs.roles.satisfaction[0]
    out_level1 = next(lv.name for lv in rs.level1 if quantity in lv.level2)
    day = datetime(2020, 6, 30)
    out = [
        Case("全部正确", {}),
        Case("项目名称空白", {f["name"]: None}),
        Case("必填长文本只有空白字符", {f["goals"]: "\u3000 \u200b\t"}),
        Case("项目类别不在列表中", {f["category"]: "其它项目"}),
        Case("项目类别前后有空白", {f["category"]: f" {rs.choices.category[0]}\u3000"}),
        Case("项目类别是数字", {f["category"]: 123}),
        Case("完成早于开始", {f["start"]: datetime(2020, 12, 31), f["end"]: datetime(2020, 1, 1)}),
        Case("开始写成数字 20201231", {f["start"]: 20201231, f["end"]: day}),
        Case("开始写成日期序号", {f["start"]: 44000, f["end"]: 43900}),
        Case("开始是文本日期（待校验）", {f["start"]: "2020.12.31", f["end"]: datetime(2020, 1, 1)}),
        Case("开始与完成同一天", {f["start"]: day, f["end"]: day}),
        Case("开始不是日期", {f["start"]: 60, f["end"]: day}),
        Case("金额写成汉字", {f["budget_total"]: "六十万"}),
        Case("金额夹字母", {f["budget_total"]: "60000abc"}),
        Case("金额千分位错误", {f["budget_total"]: "1,00"}),
        Case("金额两个符号", {f["budget_total"]: "+-5"}),
        Case("金额写法：¥ 与千分位", {f["budget_total"]: "¥1,000,000.50", f["budget_year"]: "RMB 600000"}),
        Case("金额写法：万元与空格分组", {f["budget_total"]: "100万元", f["budget_year"]: "600 000"}),
        Case("金额写法：人民币与全角", {f["budget_total"]: "人民币８０万元", f["budget_year"]: "＋600000元"}),
        Case("金额为负数", {f["budget_year"]: -5}),
        Case("金额为负的文本", {f["budget_year"]: "-6,000"}),
        Case("金额负零与不足一分", {f["budget_year"]: "-0", f["budget_total"]: "-0.004"}),
        Case("金额含零宽字符（待校验）", {f["budget_year"]: "600\u200b000"}),
        Case("当年预算大于总预算", {f["budget_year"]: 700_000 / scale, f["budget_total"]: 600_000 / scale}),
        Case("当年预算等于总预算", {f["budget_year"]: 600_000 / scale, f["budget_total"]: 600_000 / scale}),
        Case("一级写错", {f"A{first}": "产出"}),
        Case("首行一级留空", {f"A{first}": None}),
        Case("一级前后有空白", {f"A{first}": f" {level1[0]}\u3000"}),
        Case("一级写成两遍", {f"A{first}": level1[0] * 2}),
        Case("二级写错", {f"B{first}": "数量2"}),
        Case("二级留空", {f"B{rows[out_level1]}": None}),
        Case("二级放错一级", {f"B{rows[f'{out_level1}/{quantity}']}": satisfaction}),
        Case("缺少一级", {f"{c}{r}": None for c in "ABCD" for r in _all_rows(rs, required[-1])}),
        Case("缺少二级", {f"{c}{rows[f'{out_level1}/{timeliness}']}": None for c in "ABCD"}),
        Case("下一行一级留空沿用上行", {f"A{first + 1}": None}),
        Case("指标名称空白", {f"C{first}": None}),
        Case("目标值空白", {f"D{first}": None, f"D{first + 1}": "\u3000"}),
        *_targets("目标值格式错误", [">=", "≥很多", ">=<95", "＞＝百分之九十", "≠5", ">=。"], count),
        *_targets("目标值格式正确", [">=95%", "≥ 95 %", "=100", "≥500人", "<=30天", "=1.5万人", "> = 95%"], count),
        *_targets("目标值数字与定性", [95, "达标", "合规", "较上年提高5%"], count),
        *_targets("目标值留给校验", [">=1OO", "=95%以上", "≥95%以上", "10多个", "≥\u200b95%"], count),
        *_targets("目标值模糊", ["很多", "大幅提高服务水平", "尽量完成", ">=很多", "若干"], count),
        Case("名称是错误值", {f["name"]: DIV0}),
        Case("金额是错误值", {f["budget_total"]: DIV0, f["budget_year"]: -5}),
        Case("开始日期是错误值", {f["start"]: DIV0, f["end"]: datetime(2020, 1, 1)}),
        Case("一级是错误值", {f"A{first + 1}": DIV0, f"A{first}": "产出"}),
        Case("二级是错误值", {f"B{rows[f'{out_level1}/{quantity}']}": DIV0}),
        Case("名称与目标值是错误值", {f"C{first}": DIV0, f"D{first + 1}": DIV0}),
    ]
    if "perf_type" in f:
        out.append(Case("绩效类型不在列表中", {f["perf_type"]: "其它类型"}))
    if "gov_purchase" in f:
        out += [
            Case("是否写成“有”", {f["gov_purchase"]: "有"}),
            Case("是否写成逻辑值", {f["gov_purchase"]: True}),
            Case("是否前后有空白", {f["gov_purchase"]: " 是 "}),
        ]
    if "last_year_executed" in f:
        out += [
            Case("上年执行数大于上年预算", {f["last_year_executed"]: 500_000, f["last_year_budget"]: 400_000}),
            Case("预算同比增长超过 30%", {f["budget_year"]: 520_001, f["last_year_budget"]: 400_000}),
            Case("预算同比恰好 30%", {f["budget_year"]: 520_000, f["last_year_budget"]: 400_000}),
            Case("上年预算为零", {f["last_year_budget"]: 0}),
        ]
    if "budget_fiscal" in f:
        out += [
            Case("资金来源之和不等于总额", {f["budget_fiscal"]: 50, f["budget_other"]: 5}),
            Case("资金来源相符", {f["budget_fiscal"]: 50, f["budget_other"]: 10}),
            Case("财政拨款写成万元文本", {f["budget_fiscal"]: "50万元", f["budget_other"]: 10}),
            Case("只填财政拨款且不等", {f["budget_fiscal"]: 40}),
            Case("其他资金无法识别", {f["budget_fiscal"]: 50, f["budget_other"]: "若干"}),
            Case("财政拨款是错误值", {f["budget_fiscal"]: DIV0, f["budget_other"]: 5}),
        ]
    if "成本指标" in level1:
        out.append(Case("缺少成本指标", {f"{c}{r}": None for c in "ABCD" for r in _all_rows(rs, "成本指标")}))
    return out


def build(rs: RuleSet, path: Path, cover_blank: bool = False) -> list[Case]:
    """The corpus workbook of `rs`: one project sheet per case, in order (项目1 …); with `cover_blank` the cover's
    unit name and year are left empty (unit.required). Returns the cases, sheet i+1 holding case i."""
    corpus = cases(rs) if not cover_blank else cases(rs)[:1]
    base = unit(rs, *(project(rs, sheet=layout.project_sheet_name(i)) for i in range(1, len(corpus) + 1)))
    if cover_blank:
        base = base.model_copy(update={"name": "", "year": None})
    wb = build_workbook(base)
    for i, case in enumerate(corpus, start=1):
        ws = wb[layout.project_sheet_name(i)]
        for cell, value in case.cells.items():
            ws[cell] = value
            if isinstance(value, str) and value is not DIV0:
                ws[cell].data_type = "s"  # a value typed as text stays text ('>=' is no formula)
    save(wb, path)
    return corpus
