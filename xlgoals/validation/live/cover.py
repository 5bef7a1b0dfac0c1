"""The cover's live checks and its table of project sheets: each sheet's live counts, and the total over all.

The table lists project sheets in slots (one row each, a sheet's counts read by plain references, which follow a
renamed sheet). The template, the importer and the 新增项目 button fill the slots; the total row adds up the
counts of every sheet between the cover and the hidden template (a 3-D reference, no INDIRECT), so a project
sheet copied by hand counts there at once, and a line says how many filled sheets the slots do not list.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlgoals.core import layout, livelayout
from xlgoals.core.layout import Grid, quote_sheet
from xlgoals.core.ruleset import RuleSet
from xlgoals.validation.findings import Severity
from xlgoals.validation.live.catalogue import Catalogue
from xlgoals.validation.live.checks import nonspace
from xlgoals.validation.live.plan import Builder, CondFormat, LiveForm, LivePlan, absolute
from xlgoals.validation.marks import FILL_RGB

TITLE = "实时检查（不需要 Python 和宏，填写时自动更新；提交前请点“校验全部”，以校验结果为准）"
HEADERS = ("工作表", "项目名称", "错误", "警告", "状态")
ALL_SHEETS = "全部项目表"
# The 3-D range: every sheet from the cover to the hidden template, in tab order (names that need no quotes:
# LibreOffice does not read a quoted 'A:B'!X1).
SPAN = f"{layout.COVER_SHEET}:{layout.PROJECT_TEMPLATE_SHEET}"


def _slot_rows() -> range:
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    return range(first, first + livelayout.COVER_LIVE_SLOTS)


def _status(errors: str, warnings: str, on: str, filled: str) -> str:
    return f'IF({on}=0,"未启用",IF({filled}=0,"未填写",IF({errors}>0,"需修改",IF({warnings}>0,"请核对","通过"))))'


def slot_values(sheet: str, name_cell: str = layout.PROJECT_FIELD["name"].value_cell) -> list[str]:
    """One slot row (A:E, then the hidden filled flag): the sheet's name, then formulas reading its counts."""
    q = quote_sheet(sheet)
    err, warn = f"{q}!{absolute(livelayout.LIVE_ERRORS_CELL)}", f"{q}!{absolute(livelayout.LIVE_WARNINGS_CELL)}"
    filled, gate = f"{q}!{absolute(livelayout.LIVE_FILLED_CELL)}", f"{q}!{absolute(livelayout.LIVE_GATE_CELL)}"
    name = f"{q}!{absolute(name_cell)}"
    # The name first: a 自评 sheet comes with its project's name but counts as filled only once the unit begins.
    shown = f'IF({name}<>"",{name},IF({filled}=0,"（未填写）","（未填写项目名称）"))'
    return [
        sheet,
        f'=IFERROR({shown},"（工作表已删除）")',
        f'=IFERROR({err},"")',
        f'=IFERROR({warn},"")',
        f'=IFERROR({_status(err, warn, gate, filled)},"已删除")',
        f"=IFERROR({filled},0)",
    ]


def slot_cells(row: int, sheet: str, name_cell: str = layout.PROJECT_FIELD["name"].value_cell) -> dict[str, str]:
    columns = (*livelayout.COVER_LIVE_COLUMNS, livelayout.COVER_LIVE_FILLED_COLUMN)
    return {f"{c}{row}": v for c, v in zip(columns, slot_values(sheet, name_cell), strict=True)}


def listed_sheets(cover: Grid) -> list[str]:
    """The sheets the cover's table lists now, slot by slot."""
    col = layout.column_index(livelayout.COVER_LIVE_COLUMNS[0]) - 1
    out = []
    for row in _slot_rows():
        values = cover[row - 1] if row <= len(cover) else []
        value = values[col] if col < len(values) else None
        if value in (None, ""):
            break
        out.append(str(value))
    return out


def cover_plan(
    rs: RuleSet,
    sheets: Sequence[str],
    catalogue: Catalogue,
    name_cell: str = layout.PROJECT_FIELD["name"].value_cell,
    span: str | None = SPAN,
) -> LivePlan:
    """The cover's checks of its own fields (unit.required) and the table, with a slot for each of `sheets`
    (whose project name is at `name_cell`). The total adds up every sheet of the 3-D `span`; without one (the
    自评 workbook: its sheets are the declared projects, none is added) it adds up the slots."""
    form = LiveForm(layout.COVER_FIELDS, None, None)
    b = Builder(form, catalogue, totals=False)
    rule = next((r for r in rs.rules if r.check == "cover_required" and r.enabled), None)
    if rule is not None:
        for spec in layout.COVER_FIELDS:
            if spec.required:
                blank = f"AND({nonspace(b, spec.value_cell)}=0,NOT(ISERROR({spec.value_cell})))"
                b.entry(rule.code, rule.severity, spec.value_cell, f"IF({blank},1,0)")
    plan = b.plan(None)
    if rule is not None:
        plan.live.append(rule.code)
    entry_count = layout.column_letters(livelayout.LIVE_FIRST_COLUMN + 1)
    own = f"SUM(${entry_count}$2:${entry_count}${len(b.entries) + 1})" if b.entries else "0"
    first, last = _slot_rows()[0], _slot_rows()[-1]
    t = livelayout.COVER_LIVE_TITLE_ROW
    plan.values[f"A{t}"] = TITLE
    c = livelayout.COVER_LIVE_COVER_ROW
    plan.values[f"A{c}"] = layout.COVER_SHEET
    plan.formulas[f"B{c}"] = f'IF({own}=0,"必填项已填写","必填项有 "&{own}&" 处未填写")'
    plan.formulas[f"C{c}"] = own
    plan.formulas[f"E{c}"] = f'IF({own}>0,"需修改","通过")'
    h = livelayout.COVER_LIVE_HEADER_ROW
    for col, head in zip(livelayout.COVER_LIVE_COLUMNS, HEADERS, strict=True):
        plan.values[f"{col}{h}"] = head
    total = livelayout.COVER_LIVE_TOTAL_ROW
    if span is not None:
        err, warn = f"SUM({span}!{livelayout.LIVE_ERRORS_CELL})", f"SUM({span}!{livelayout.LIVE_WARNINGS_CELL})"
        filled = f"SUM({span}!{livelayout.LIVE_FILLED_CELL})"
    else:
        err, warn, filled = (
            f"SUM(${col}${first}:${col}${last})" for col in ("C", "D", livelayout.COVER_LIVE_FILLED_COLUMN)
        )
    plan.values[f"A{total}"] = ALL_SHEETS
    plan.formulas[f"B{total}"] = f'"已填写 "&{filled}&" 张"'
    plan.formulas[f"C{total}"], plan.formulas[f"D{total}"] = err, warn
    plan.formulas[f"E{total}"] = f'IF({err}>0,"需修改",IF({warn}>0,"请核对","通过"))'
    listed = f"SUM(${livelayout.COVER_LIVE_FILLED_COLUMN}${first}:${livelayout.COVER_LIVE_FILLED_COLUMN}${last})"
    if span is not None:
        plan.formulas[f"A{livelayout.COVER_LIVE_MISSING_ROW}"] = (
            f'IF({filled}>{listed},"另有 "&({filled}-{listed})&" 张已填写的项目表不在下表中（如手工复制的表），'
            f'合计已包含；点击“新增项目”后本表重新列出全部项目表","")'
        )
    for row, sheet in zip(_slot_rows(), sheets, strict=False):
        for address, value in slot_cells(row, sheet, name_cell).items():
            if value.startswith("="):
                plan.formulas[address] = value[1:]
            else:
                plan.values[address] = value
    cols = livelayout.COVER_LIVE_COLUMNS
    # The slot columns stay unlocked on the protected cover (as column styles), so 新增项目 can write a slot.
    plan.unlocked.extend([*cols, livelayout.COVER_LIVE_FILLED_COLUMN])
    for severity, col in ((Severity.ERROR, "C"), (Severity.WARNING, "D")):
        rows = f"{cols[0]}{c}:{cols[-1]}{last}"
        plan.formats.append(CondFormat(rows, f"N(${col}{c})>0", FILL_RGB[severity]))
    return plan
