"""The 导入记录 sheet: what an imported table holds that the project sheets have no cell for, kept as written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from xlgoals.core import layout
from xlgoals.core.model import Indicator, Project, Unit, is_selfeval
from xlgoals.core.selfevallayout import SELFEVAL_FIELDS, SELFEVAL_FIRST_ROW
from xlgoals.core.values import format_money, plain_decimal
from xlgoals.importing.cells import ImportNote
from xlgoals.io.sheetplan import SheetPlan

TITLE = layout.IMPORT_SHEET
# A line that fitted nowhere can be a whole table written on one line: beyond this it is cut, its length said,
# so a row stays printable (the text file itself still has it).
MAX_SHOWN = 1000
# The form our national sheet itself is titled with (项目支出绩效目标申报表): only another form is worth a row.
OWN_FORM = "申报表"
# The self-evaluation (自评) facts of a project, kept here where the project is written on a declaration's sheet
# (a 自评 project's sheet has their cells).
SELF_EVALUATION = (
    ("budget_initial", "年初预算数（元）"),
    ("budget_adjusted", "全年预算数（调整后，元）"),
    ("budget_executed", "全年执行数（元）"),
    ("execution_points", "预算执行率的分值"),
    ("execution_score", "预算执行率的得分"),
    ("total_score", "总分"),
)
MONEY = frozenset({"budget_initial", "budget_adjusted", "budget_executed"})
# An indicator's self-evaluation columns, by the name the national 自评表 prints over them.
INDICATOR_SELF_EVALUATION = (
    ("actual", "实际完成值"),
    ("points", "分值"),
    ("score", "得分"),
    ("reason", "偏差原因分析及改进措施"),
)


def indicator_columns(ind: Indicator, selfeval: bool = False) -> dict[str, str]:
    """What an indicator's row holds beyond the project sheet's four cells: its self-evaluation columns (as
    written where they did not parse), then the table's other columns. On a 自评 sheet (`selfeval`) the
    self-evaluation columns have cells of their own: only a printed 得分 that is no number stays here."""
    out: dict[str, str] = {}
    for key, title in INDICATOR_SELF_EVALUATION:
        value = ind.unparsed.get(key) or getattr(ind, key)
        if selfeval and (key != "score" or "score" not in ind.unparsed):
            continue
        if value not in (None, ""):
            out[title] = _text(value) if not isinstance(value, Decimal) else plain_decimal(value)
    out.update(ind.extra)
    return out


def import_record_plan(unit: Unit, notes: Sequence[ImportNote], source: str, form: layout.Form) -> SheetPlan | None:
    """The sheet, or None when the table held nothing beyond what the project sheets (of `form`) show.

    Projects are written to 项目1, 项目2 … in order, their indicators from the table's first row down: the
    rows here point at those cells."""
    facts = [
        (layout.project_sheet_name(i), p.name, what, text)
        for i, p in enumerate(unit.projects, start=1)
        for what, text in _facts(p, form)
    ]
    columns = list(
        dict.fromkeys(
            key for p in unit.projects for ind in p.indicators for key in indicator_columns(ind, is_selfeval(p))
        )
    )
    unplaced = [n for n in notes if n.kind == "unplaced"]
    said = [n for n in notes if n.kind != "unplaced"]
    if not (facts or columns or notes):
        return None
    # Column A also holds the title, the notes under it and the section titles: they run on over the empty cells
    # beside them instead of wrapping in its narrow width.
    wrap = frozenset(layout.IMPORT_WIDTHS) - {"A"}
    plan = SheetPlan(TITLE, widths=dict(layout.IMPORT_WIDTHS), wrap_columns=wrap)
    plan.add(TITLE, bold=True)
    plan.add(f"来源：{source}")
    plan.add("原表中的这些内容在项目表上没有对应的格子，原样保留在这里；校验、汇总和历史库不读取本表。")
    if facts:
        plan.add()
        plan.add("项目表没有位置的表头内容", bold=True)
        plan.header("工作表", "项目", "内容", "原文")
        for sheet, name, what, text in facts:
            plan.link(plan.add(sheet, name, what, _shown(text)), 1, sheet, "A1")
    if columns:
        plan.add()
        plan.add("指标表的其他列", bold=True)
        plan.header("工作表", "位置", "三级指标", *columns)
        for i, p in enumerate(unit.projects, start=1):
            sheet = layout.project_sheet_name(i)
            first = SELFEVAL_FIRST_ROW if is_selfeval(p) else layout.INDICATOR_FIRST_ROW
            for row, ind in enumerate(p.indicators, start=first):
                kept = indicator_columns(ind, is_selfeval(p))
                if kept:
                    cell = layout.indicator_cell(row, "name")
                    shown = plan.add(sheet, cell, ind.name, *(kept.get(c, "") for c in columns))
                    plan.link(shown, 2, sheet, cell)
    for title, listed in ((SAID, said), (UNPLACED, unplaced)):
        if listed:
            plan.add()
            plan.add(title, bold=True)
            plan.header("所在行", "说明" if listed is said else "原因", "原文")
            for note in listed:
                plan.add(note.line, note.reason, _shown(note.text))
    return plan


SAID = "导入时的说明（已导入的内容）"
UNPLACED = "未能归入任何字段的原文（未导入）"


def _facts(project: Project, form: layout.Form) -> Iterator[tuple[str, str]]:
    """(what, text) of each header fact the project's sheet has no cell for (a 自评 sheet has its own)."""
    selfeval = is_selfeval(project)
    if project.form and project.form != OWN_FORM and not selfeval:
        yield "表样", project.form
    on_sheet = {spec.key for spec in (SELFEVAL_FIELDS if selfeval else layout.FORM_FIELDS[form])}
    # A field only the other form has (其他资金 read from a table filed under Shanghai's framework, say).
    for key, spec in layout.ANY_PROJECT_FIELD.items():
        value = project.unparsed.get(key) or getattr(project, key)
        if key not in on_sheet and value not in (None, ""):
            yield spec.label if spec.kind != "money" else layout.yuan_label(spec), _text(value)
    for key, title in () if selfeval else SELF_EVALUATION:
        value = getattr(project, key)
        if value is not None:
            yield title, format_money(value) if key in MONEY else plain_decimal(value)
    for level1, score in project.level1_scores.items():
        yield f"一级指标“{level1}”的分值", score
    yield from project.extra.items()


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _shown(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}……（共 {len(text):,} 字，以下从略）"
