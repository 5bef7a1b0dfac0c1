"""Checks the workbook runs itself: rules of the rule set as formulas and conditional formats, no Python needed.

`sheet_plan` turns a rule set into the live checks of one sheet form (a project sheet, or any form that
declares its cells as a `LiveForm`); `cover.py` adds the cover's own checks and its table of project sheets;
`flags.py` reads the flags back from a recalculated workbook. The Python check (校验) stays the authority: a
rule without a formula that matches it exactly runs only there (`OFFLINE`, and a plan's `offline`).
"""

from __future__ import annotations

from xlgoals.core import layout, livelayout
from xlgoals.core.layout import quote_sheet
from xlgoals.core.ruleset import DEFAULT, RuleSet, builtin_named
from xlgoals.validation.live import formulas as fx
from xlgoals.validation.live import indicators as _indicators  # noqa: F401  (registers the table's live checks)
from xlgoals.validation.live.catalogue import Catalogue
from xlgoals.validation.live.checks import LIVE, nonspace
from xlgoals.validation.live.plan import Builder, LiveForm, LivePlan, absolute, project_form
from xlgoals.validation.live.selfeval import SELFEVAL_LIVE, SELFEVAL_OFFLINE, selfeval_form
from xlgoals.validation.rules import CHECKS

# Checks no formula can match, with the reason README gives; the unit-scope cover check runs on the cover.
OFFLINE: dict[str, str] = {
    "cover_year": "年度的写法多样（如全角数字），由校验判断；模板的数据有效性已限定四位年份",
    "framework_matches": "实时检查本身按封面“指标体系”启用：体系不符时实时检查停用并在状态行说明",
    "has_projects": "涉及整个工作簿有无项目，封面的实时表已列出各项目表",
    "cells_within_read_bounds": "读取范围以外的单元格不在公式所及之处",
    "project_names_unique": "跨工作表比较项目名称",
    "long_text_prints": "按字符宽度估算打印行高，公式无法逐字计算",
    "date_parses": "文本日期的写法多样（2020.01.02、2020年1月2日等）",
    "date_in_year": "需要解析封面年度与文本日期",
    "indicator_names_unique": "名称比较时去除全部空白、统一括号，公式代价过高",
    "quantity_holds_counts": "需要完整解析目标值（单位、比率、定性词）",
    "percent_range": "需要完整解析目标值（区间、较上年等写法）",
    "satisfaction_floor": "需要完整解析目标值",
    "units_agree": "需要解析指标名称与目标值中的单位",
    "target_quantified": "需要完整解析目标值（定性词与描述的区分）",
    "sheets_read": "工作表层面的检查，公式看不到工作表的名称和格式",
    "blank_project_sheets": "工作表层面的检查",
    "template_untouched": "工作表层面的检查",
    "reserved_sheet_names": "工作表层面的检查，公式看不到工作表的名称",
    "error_values": "错误值本身在单元格里就看得见；其他规则在错误值处不作判断，与校验一致",
    "uncomputed_formulas": "只出现在未经 Excel/WPS 计算就保存的文件里：在表格软件中打开时公式已算出结果",
}
UNIT_CHECKS = frozenset({"cover_required"})


def _gate(rs: RuleSet) -> str:
    """1 when the cover's 指标体系 names this rule set as the Python check would take it (blank: the default)."""
    cover = f"{quote_sheet(layout.COVER_SHEET)}!{absolute(layout.COVER_FIELD['framework'].value_cell)}"
    text = f"TRIM({fx.substitute(cover, ((c, ' ') for c in fx.COMMON_SPACE[1:]))})"
    names = f"OR(EXACT({text},{fx.lit(rs.title)}),EXACT({text},{fx.lit(rs.name)}))"
    # A blank cover: the Python check takes the default rule set, or the bureau's file it is given (--rules).
    if rs.name == DEFAULT or builtin_named(rs.name) is not rs:
        names = f"OR({names},{fx.nonspace(cover, '{k:edge}')}=0)"
    return f"IF({names},1,0)"


def status_formula(rs: RuleSet) -> str:
    """The status line: what the live checks found on this sheet, errors and warnings apart."""
    err, warn = absolute(livelayout.LIVE_ERRORS_CELL), absolute(livelayout.LIVE_WARNINGS_CELL)
    gate, filled = absolute(livelayout.LIVE_GATE_CELL), absolute(livelayout.LIVE_FILLED_CELL)
    found = (
        f'"实时检查：本表"&IF({err}>0,"错误 "&{err}&" 处（红色，须修改）","")&IF(AND({err}>0,{warn}>0),"，","")'
        f'&IF({warn}>0,"警告 "&{warn}&" 处（橙色，请核对）","")'
    )
    off = fx.lit(f"实时检查未启用：封面“指标体系”不是“{rs.title}”，请以“校验”结果为准")
    return (
        f'IF({gate}=0,{off},IF({filled}=0,"实时检查：本表尚未填写",'
        f'IF({err}+{warn}=0,"实时检查：本表未发现问题（提交前请点“校验”）",{found})))'
    )


def sheet_plan(form: LiveForm, rs: RuleSet, catalogue: Catalogue | None = None) -> LivePlan:
    """The live checks of `rs` on one sheet laid out as `form`: every enabled rule with a live form, the rest
    named in `offline` with the reason. The lists it looks up are `catalogue`'s, on the lists sheet."""
    b = Builder(form, catalogue or Catalogue(rs))
    live: list[str] = []
    offline: dict[str, str] = {}
    # The checks of the sheet's own kind (registry.check's `forms`), with their live forms for that kind.
    registry, reasons = (LIVE, OFFLINE) if form.kind == "declaration" else (SELFEVAL_LIVE, SELFEVAL_OFFLINE)
    for rule in rs.rules:
        check = CHECKS[rule.check]
        if not rule.enabled or check.history or rule.check in UNIT_CHECKS or form.kind not in check.forms:
            continue
        fn = registry.get(rule.check)
        reason = fn(b, rule, rs) if fn is not None else reasons.get(rule.check, "没有对应的公式")
        if reason is None:
            live.append(rule.code)
        else:
            offline[rule.code] = reason
    # A sheet is a project when any of its cells is filled (an error value counts), as the reader decides; a form
    # whose sheets come prefilled (自评) is begun when the unit fills one of its own cells.
    begun = [spec for spec in form.fields if not form.begun or spec.key in form.begun]
    filled = "+".join(f"{nonspace(b, spec.value_cell)}+ISERROR({spec.value_cell})" for spec in begun)
    if form.table is not None and form.begun:
        table = form.table
        columns = (table.columns[part] for part in form.begun if part in table.columns)
        filled += "".join(f"+IFERROR(SUMPRODUCT(LEN({c}{table.first_row}:{c}{table.last_row})),1)" for c in columns)
    elif form.table is not None:
        from xlgoals.validation.live.indicators import levels

        levels(b)
        filled += "+SUMPRODUCT(--({c:eff1}>=0))"
    # IF(…,1,0), not --(…): LibreOffice would store the result as a boolean.
    b.totals[livelayout.LIVE_FILLED_CELL] = f"IF({filled}>0,1,0)"
    b.totals[livelayout.LIVE_GATE_CELL] = _gate(rs)
    b.totals[livelayout.LIVE_ON_CELL] = f"{absolute(livelayout.LIVE_FILLED_CELL)}*{absolute(livelayout.LIVE_GATE_CELL)}"
    plan = b.plan(status_formula(rs))
    plan.live, plan.offline = live, offline
    return plan


def project_plan(
    form: layout.Form, rs: RuleSet, last_row: int = layout.INDICATOR_LAST_ROW, catalogue: Catalogue | None = None
) -> LivePlan:
    """The live checks of a project sheet (Shanghai's declaration or the national form)."""
    return sheet_plan(project_form(form, last_row), rs, catalogue)


def selfeval_plan(rs: RuleSet, indicators: int, printed: bool = False, catalogue: Catalogue | None = None) -> LivePlan:
    """The live checks of a 自评 sheet with `indicators` rows (and a 原表得分 column where `printed`)."""
    return sheet_plan(selfeval_form(indicators, printed), rs, catalogue)


__all__ = [
    "OFFLINE",
    "Catalogue",
    "LiveForm",
    "LivePlan",
    "project_plan",
    "selfeval_plan",
    "sheet_plan",
    "status_formula",
]
