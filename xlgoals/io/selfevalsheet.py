"""One project's 自评 sheet (项目支出绩效自评表): carried-over targets locked, inputs open, scores by formula."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import Project, Unit
from xlgoals.core.ruleset import RuleSet, scoring_of
from xlgoals.core.scoring import Levels, ProjectScore, Quantity, score_project
from xlgoals.core.selfevallayout import SELFEVAL_COLUMNS as COLS
from xlgoals.core.selfevallayout import SELFEVAL_FIELD as FIELD
from xlgoals.core.values import CellValue
from xlgoals.io.cellstyle import (
    BODY_FONT,
    BORDER,
    CENTER,
    HELP_FONT,
    LABEL_FONT,
    TITLE_FONT,
    fit_project_rows,
    merge_row,
    protect,
    put,
    style_input,
    style_label,
)
from xlgoals.io.lists import UNIT_REF, YEAR_REF, set_messages
from xlgoals.io.presentation import cache_value, money_format, print_setup, row_height
from xlgoals.io.selfevalformulas import execution_formulas, row_formulas, total_formulas
from xlgoals.io.sheetplan import excel_number

WAN_FORMAT = "#,##0.00##"
SCORE_FORMAT = "0.00"
LOCKED_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Inputs beside locked cells sit level with them (the declaration's long texts start at the top instead).
INPUT_MIDDLE = Alignment(horizontal="left", vertical="center", wrap_text=True)


def money_scale(rs: RuleSet) -> int:
    """Yuan per unit the sheet's money is typed in: 万元 on the national form, 元 on Shanghai's."""
    return 10_000 if rs.form == "national" else 1


def _locked(ws: Worksheet, address: str, value: CellValue, *, center: bool = False) -> None:
    cell = ws[address]
    put(cell, value)
    cell.font, cell.border = BODY_FONT, BORDER
    cell.alignment = CENTER if center else LOCKED_ALIGN


def _formula(ws: Worksheet, address: str, expr: str, cached: object, number_format: str | None) -> None:
    cell = ws[address]
    cell.value = "=" + expr
    cell.font, cell.border, cell.alignment = BODY_FONT, BORDER, CENTER
    if number_format:
        cell.number_format = number_format
    if isinstance(cached, int | float | str):
        cache_value(ws, address, cached)


def _cached(value: Decimal | None) -> int | float | str:
    return "" if value is None else excel_number(value)


def _header_facts(ws: Worksheet, unit: Unit, project: Project, last: str) -> None:
    merge_row(ws, "A1", slayout.SELFEVAL_TITLE, TITLE_FONT, 30, last)
    merge_row(ws, "A2", f'=IF({YEAR_REF}="","（年度未填写）","（"&{YEAR_REF}&"年度）")', BODY_FONT, None, last)
    merge_row(ws, "A3", f'="单位名称："&{UNIT_REF}', BODY_FONT, None, last)
    ws["A3"].alignment = Alignment(horizontal="left", vertical="center")
    values = {
        "name": project.name,
        "manager": project.manager,
        "department": project.department or unit.department,
        "implementer": project.implementer or unit.name,
    }
    for key, value in values.items():
        spec = FIELD[key]
        style_label(ws[spec.label_cell], spec.label)
        if key in slayout.SELFEVAL_CARRIED:
            _locked(ws, spec.value_cell, value or None)
        else:
            style_input(ws[spec.value_cell])
            put(ws[spec.value_cell], value or None)
        if spec.merge_to:
            ws.merge_cells(f"{spec.value_cell}:{spec.merge_to}")
    for row in (4, 5):
        ws.row_dimensions[row].height = 30


def _budget_block(ws: Worksheet, project: Project, rs: RuleSet, score: ProjectScore, printed: bool) -> None:
    scale = money_scale(rs)
    unit_label = "万元" if scale != 1 else "元"
    style_label(ws[slayout.SELFEVAL_MONEY_CELL], f"项目资金\n（{unit_label}）")
    style_label(ws[slayout.SELFEVAL_TOTAL_FUNDS_CELL], "年度资金总额")
    initial = project.budget_initial if project.budget_initial is not None else project.budget_year
    for key, amount in (
        ("budget_initial", initial),
        ("budget_adjusted", project.budget_adjusted),
        ("budget_executed", project.budget_executed),
    ):
        spec = FIELD[key]
        style_label(ws[spec.label_cell], spec.label)
        ws[spec.label_cell].alignment = CENTER
        cell = ws[spec.value_cell]
        style_input(cell)
        cell.alignment = INPUT_MIDDLE
        text = project.unparsed.get(key)
        put(cell, text if text is not None else None if amount is None else amount / scale)
        cell.number_format = money_format(cell.value) if scale == 1 else WAN_FORMAT
    for address, label in (("E6", "执行率"), ("F6", "分值"), ("G6", "得分")):
        style_label(ws[address], label)
        ws[address].alignment = CENTER
    reason = FIELD["execution_reason"]
    style_label(ws[reason.label_cell], reason.label)
    style_input(ws[reason.value_cell])
    ws[reason.value_cell].alignment = INPUT_MIDDLE
    put(ws[reason.value_cell], project.execution_reason or None)
    execution = score.execution
    _locked(ws, slayout.SELFEVAL_EXEC_POINTS_CELL, execution.points, center=True)
    ws[slayout.SELFEVAL_EXEC_POINTS_CELL].number_format = SCORE_FORMAT
    formulas = execution_formulas(
        FIELD["budget_adjusted"].value_cell, FIELD["budget_executed"].value_cell, "F7", scoring_of(rs)
    )
    cached = {
        slayout.SELFEVAL_RATE_CELL: _cached(execution.rate),
        slayout.SELFEVAL_EXEC_SCORE_CELL: _cached(execution.score),
    }
    for address, expr in formulas.items():
        fmt = "0.00%" if address == slayout.SELFEVAL_RATE_CELL else SCORE_FORMAT
        _formula(ws, address, expr, cached.get(address), fmt)
    if printed:
        style_label(ws["I6"], slayout.SELFEVAL_HEADERS["printed"])
        _locked(ws, "I7", project.execution_score, center=True)
    ws.row_dimensions[6].height = 30


def _goals(ws: Worksheet, project: Project, last: str) -> None:
    """年度总体目标: the declared goals (locked) beside what was achieved."""
    style_label(ws[slayout.SELFEVAL_GOALS_CELL], "年度总体目标")
    ws.merge_cells(f"{slayout.SELFEVAL_GOALS_CELL}:A9")
    goals = project.goals or project.goals_overall
    for key, value, end in (("goals", goals, "D"), ("goals_achieved", project.goals_achieved, last)):
        spec = FIELD[key]
        style_label(ws[spec.label_cell], spec.label)
        ws[spec.label_cell].alignment = CENTER
        ws.merge_cells(f"{spec.label_cell}:{end}8")
        if key in slayout.SELFEVAL_CARRIED:
            _locked(ws, spec.value_cell, value or None)
        else:
            style_input(ws[spec.value_cell])
            put(ws[spec.value_cell], value or None)
        ws.merge_cells(f"{spec.value_cell}:{end}9")
    merge_row(ws, slayout.SELFEVAL_SECTION_CELL, "绩效指标", LABEL_FONT, 20, last)


def _prompt(rule: Quantity | Levels, levels: list[str]) -> tuple[str, str | None]:
    """The input hint of an actual cell, and its dropdown (levels) where the target is judged by level."""
    if isinstance(rule, Levels):
        shown = [levels[0], levels[-1]] if rule.deadline else levels
        return f"请选择{'、'.join(shown)}；照抄年度指标值也表示达成。", ",".join(shown)
    unit = f"（单位：{rule.unit}）" if rule.unit else ""
    return f"只填写实际完成的数值{unit}，如 {excel_number(rule.target)}；说明写在偏差原因一栏。", None


def _indicators(ws: Worksheet, project: Project, rs: RuleSet, score: ProjectScore, printed: bool) -> int:
    """The indicator table; returns its 总分 row."""
    first = slayout.SELFEVAL_FIRST_ROW
    for part, letter in COLS.items():
        if part != "printed" or printed:
            style_label(ws[f"{letter}{slayout.SELFEVAL_HEADER_ROW}"], slayout.SELFEVAL_HEADERS[part])
            ws[f"{letter}{slayout.SELFEVAL_HEADER_ROW}"].alignment = CENTER
    levels = [level.name for level in scoring_of(rs).qualitative.levels]
    prompts: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for i, (ind, s) in enumerate(zip(project.indicators, score.indicators, strict=True)):
        row = first + i
        for part in ("level1", "level2", "name", "target"):
            _locked(ws, f"{COLS[part]}{row}", getattr(ind, "value" if part == "target" else part) or None)
        for part in ("actual", "points", "reason"):
            style_input(ws[f"{COLS[part]}{row}"])
            ws[f"{COLS[part]}{row}"].alignment = CENTER if part == "points" else INPUT_MIDDLE
        put(ws[f"{COLS['actual']}{row}"], ind.actual or None)
        ws[f"{COLS['actual']}{row}"].number_format = "@"  # what the unit types stays text: '98%' is not 0.98
        points: CellValue = ind.unparsed.get("points") or (ind.points if ind.points is not None else s.default_points)
        put(ws[f"{COLS['points']}{row}"], points)
        ws[f"{COLS['points']}{row}"].number_format = SCORE_FORMAT
        put(ws[f"{COLS['reason']}{row}"], ind.reason or None)
        for address, expr in row_formulas(row, s.rule, s.default_points).items():
            is_score = address == f"{COLS['score']}{row}"
            _formula(ws, address, expr, _cached(s.score) if is_score else None, SCORE_FORMAT if is_score else None)
        if printed:
            _locked(ws, f"{COLS['printed']}{row}", ind.score, center=True)
        prompts[_prompt(s.rule, levels)].append(f"{COLS['actual']}{row}")
    _merge_levels(ws, project)
    for (prompt, choices), cells in prompts.items():
        dv = DataValidation(type="list" if choices else None, formula1=f'"{choices}"' if choices else None)
        set_messages(dv, "实际完成值", prompt, f"请选择：{choices}" if choices else prompt)
        dv.allow_blank = True
        for address in cells:
            dv.add(address)
        ws.add_data_validation(dv)
    return first + len(project.indicators)


def _merge_levels(ws: Worksheet, project: Project) -> None:
    """Runs of the same level-1 (and level-2 within it) as one cell, as the printed forms show them; the reader
    takes a blank level as the one above."""
    first = slayout.SELFEVAL_FIRST_ROW
    for part, key in (("level1", lambda i: (i.level1,)), ("level2", lambda i: (i.level1, i.level2))):
        start = 0
        for i in range(1, len(project.indicators) + 1):
            if i == len(project.indicators) or key(project.indicators[i]) != key(project.indicators[start]):
                if i - start > 1:
                    ws.merge_cells(f"{COLS[part]}{first + start}:{COLS[part]}{first + i - 1}")
                start = i


def _total(ws: Worksheet, project: Project, score: ProjectScore, row: int, printed: bool) -> None:
    style_label(ws[f"A{row}"], slayout.SELFEVAL_TOTAL_LABEL)
    ws.merge_cells(f"A{row}:E{row}")
    ws[f"A{row}"].alignment = CENTER
    points, total = f"{COLS['points']}{row}", f"{COLS['score']}{row}"
    formulas = total_formulas(slayout.SELFEVAL_FIRST_ROW, row - 1, points, total)
    for address, expr in formulas.items():
        cached = score.points_total if address == points else score.total
        _formula(ws, address, expr, _cached(cached), SCORE_FORMAT)
        ws[address].font = LABEL_FONT
    _locked(ws, f"{COLS['reason']}{row}", None)
    if printed:
        _locked(ws, f"{COLS['printed']}{row}", project.total_score, center=True)
    ws.row_dimensions[row].height = 20


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def scoring_note(rs: RuleSet) -> str:
    """How the sheet scores, in a sentence under the table: the unit sees why a score is what it is."""
    scoring = scoring_of(rs)
    levels = "、".join(f"{lv.name} {_plain(lv.fraction * 100)}%" for lv in scoring.qualitative.levels)
    pools = "、".join(f"{p.name} {_plain(p.points)}" for p in scoring.pools)
    execution = scoring.execution
    return (
        f"说明：得分由表内公式按“{rs.title}”的计分规则计算（分值：预算执行 {_plain(execution.points)}、{pools}，"
        f"满分 {_plain(scoring.total)}）。定量指标正向（≥）得分 = 实际 ÷ 目标 × 分值，"
        f"反向（≤）得分 = 目标 ÷ 实际 × 分值，不超过分值；等于（=）、区间和期限达到得满分，否则 0 分；"
        f"定性指标按{levels}计分；预算执行率得分 = 执行率 × 分值。分值空着时按所在一级指标的分值平均分配。"
        "未达到目标的，须填写偏差原因分析及改进措施。"
    )


def _signoff(ws: Worksheet, row: int, rs: RuleSet, project: Project, last: str) -> int:
    """The scoring note and the sign-off lines below the 总分 row; returns the last row."""
    note = ws[f"A{row}"]
    note.value, note.font = scoring_note(rs), HELP_FONT
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A{row}:{last}{row}")
    width = sum(w for c, w in slayout.SELFEVAL_WIDTHS.items() if c <= last)
    ws.row_dimensions[row].height = row_height([(str(note.value), width)], 15, 12.5)
    places = (("A", "B", "B"), ("C", "D", "D"), ("E", "F", last), ("A", "B", "B"), ("C", "D", "D"))
    for i, (label, (at, value, end)) in enumerate(zip(slayout.SELFEVAL_SIGNOFF, places, strict=True)):
        r = row + 1 + i // 3
        style_label(ws[f"{at}{r}"], label)
        style_input(ws[f"{value}{r}"])
        put(ws[f"{value}{r}"], project.extra.get(label) or None)
        if end != value:
            ws.merge_cells(f"{value}{r}:{end}{r}")
        ws.row_dimensions[r].height = 24
    return row + 2


def has_printed(project: Project) -> bool:
    """The project carries scores a published table printed: the sheet shows them in 原表得分 beside the rules'."""
    return any(i.score is not None for i in project.indicators) or any(
        v is not None for v in (project.execution_score, project.total_score)
    )


def write_selfeval_sheet(ws: Worksheet, unit: Unit, project: Project, rs: RuleSet) -> ProjectScore:
    """A project's 自评 sheet from its declaration (and whatever 自评 values the model already holds)."""
    score = score_project(project, rs)
    printed = has_printed(project)
    last = COLS["printed"] if printed else COLS["reason"]
    _header_facts(ws, unit, project, last)
    _budget_block(ws, project, rs, score, printed)
    _goals(ws, project, last)
    total_row = _indicators(ws, project, rs, score, printed)
    _total(ws, project, score, total_row, printed)
    end = _signoff(ws, total_row + 1, rs, project, last)
    fit_project_rows(ws)
    for dv_cells, prompt in (
        (f"{FIELD['budget_initial'].value_cell}:{FIELD['budget_executed'].value_cell}", "金额"),
        (f"{COLS['points']}{slayout.SELFEVAL_FIRST_ROW}:{COLS['points']}{max(total_row - 1, 12)}", "分值"),
    ):
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        unit_text = "万元" if money_scale(rs) != 1 else "元"
        hint = f"填写数字（单位：{unit_text}）。" if prompt == "金额" else "填写分值，如 10；空着则按一级指标平均分配。"
        set_messages(dv, prompt, hint, f"{prompt}请填写不小于 0 的数字。")
        dv.add(dv_cells)
        ws.add_data_validation(dv)
    for letter, width in slayout.SELFEVAL_WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for letter in slayout.SELFEVAL_HELPERS.values():
        ws.column_dimensions[letter].hidden = True
    ws.freeze_panes = None
    protect(ws)
    print_setup(
        ws,
        landscape=False,
        area=f"A1:{last}{end}",
        title_rows=f"{slayout.SELFEVAL_HEADER_ROW}:{slayout.SELFEVAL_HEADER_ROW}",
    )
    return score
