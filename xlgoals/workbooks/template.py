"""Write the templated workbook (blank, or filled from a Unit) with openpyxl, laid out by `layout`."""

from __future__ import annotations

import os
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout, livelayout
from xlgoals.core.model import Project, Unit
from xlgoals.core.ruleset import (
    DEFAULT,
    RuleSet,
    builtin_named,
    framework_title,
    load_ruleset,
)
from xlgoals.core.values import CellValue
from xlgoals.io.cellstyle import CENTER, HELP_FONT, TITLE_FONT, protect, put, shade_blank, style_entry, style_label
from xlgoals.io.lists import Lists, add_validation, list_range, set_messages
from xlgoals.io.outputs import atomic_output
from xlgoals.io.presentation import LANGUAGE, NORMAL_FACE, CachingZip, MoneyUnit, print_setup
from xlgoals.io.projectsheet import write_project_sheet
from xlgoals.validation.live import Catalogue, LivePlan, project_plan
from xlgoals.validation.live.cover import cover_plan
from xlgoals.workbooks.livecells import style_cover_table, style_status, write_lists, write_plan

COVER_HELP = (
    "填表说明：",
    "1. 本工作簿每个“项目N”工作表填写一个项目；需要更多项目时点击“新增项目”按钮（或复制隐藏的“_项目模板”表）。",
    "2. 带边框的白色单元格为填写区（尚未填写的必填项显示浅黄色，填好后消失，不会打印），灰色为标签，"
    "请勿插入或删除行列、勿修改标签，否则无法校验。",
    "3. 一级目标、二级目标请从下拉列表选择；二级目标随一级目标和本页“指标体系”变化。",
    "4. 指标目标值请写成“>=95%”“=100”“<=30天”等可计量形式；定性指标写“合规”“健全”等；确实无法量化的才写描述。",
    "5. 金额单位为元；日期写成 2020-01-02。",
    "6. 校验后，红色单元格为错误（必须修改），橙色为警告（请核对），批注说明原因；“校验结果”表列出全部问题。",
    "7. 打印：指标表下方是签字盖章栏；由本工具写出的工作簿把最后一条指标以下的空行隐藏（打印时不出现），"
    "需要增加指标时选中空行上下两行，右键“取消隐藏”。",
)

NATIONAL_MONEY_HELP = "5. 金额单位为万元（“资金情况（万元）”），校验和汇总时换算为元；日期写成 2020-01-02。"


def use_normal_font(wb: Workbook) -> None:
    """The workbook's Normal style in Arial 10: column widths are counted in its digits, 7 pixels in Excel as
    Calibri 11's are, and LibreOffice has its metric twin (Liberation Sans) where it often lacks Calibri's, so a
    column prints as wide in both. (openpyxl offers no setter: its first font is the Normal style's.)"""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    wb._fonts = IndexedList([Font(name=NORMAL_FACE, sz=10, family=2)])  # type: ignore[attr-defined]


def form_of_unit(unit: Unit | None) -> layout.Form:
    """The project sheet a unit's framework uses; Shanghai's when the cover names no built-in framework."""
    rs = builtin_named(unit.framework) if unit is not None and unit.framework else None
    return rs.form if rs is not None else "shanghai"


COVER_TITLE = "财政项目支出绩效目标申报 · 单位信息"


def write_cover(
    ws: Worksheet, unit: Unit | None, lists: Lists, title_text: str = COVER_TITLE, help_text: Sequence[str] = ()
) -> None:
    """The cover sheet (单位信息); a 自评 workbook gives its own title and help text."""
    ws.merge_cells("A1:D1")
    title = ws[layout.COVER_TITLE_CELL]
    title.value = title_text
    title.font, title.alignment = TITLE_FONT, CENTER
    ws.row_dimensions[1].height = 32
    for spec in layout.COVER_FIELDS:
        style_label(ws[spec.label_cell], spec.label)
        cell = ws[spec.value_cell]
        style_entry(cell)
        ws.merge_cells(f"{spec.value_cell}:D{spec.value_cell[1:]}")
        if unit is not None:
            value: CellValue = unit.unparsed.get(spec.key) or getattr(unit, spec.key)
            if spec.kind == "framework" and isinstance(value, str):
                value = framework_title(value)
            put(cell, value if value not in ("", None) else None)
        elif spec.kind == "framework":
            # A fresh template names a framework, so the level-1 dropdowns are never empty.
            cell.value = lists.default_framework
        if spec.required:
            shade_blank(ws, spec.value_cell, f"LEN(TRIM({spec.value_cell}))=0")
    style_label(ws[layout.COVER_MONEY_UNIT_LABEL_CELL], "汇总金额单位")
    unit_cell = ws[layout.COVER_MONEY_UNIT_CELL]
    style_entry(unit_cell)
    # One money unit at a time: a national form is typed in 万元, so its 汇总 shows 万元 too.
    national = form_of_unit(unit) == "national"
    unit_cell.value = (MoneyUnit.WAN if national else MoneyUnit.YUAN).value
    ws.merge_cells(f"{layout.COVER_MONEY_UNIT_CELL}:D{layout.COVER_MONEY_UNIT_CELL[1:]}")
    units = DataValidation(type="list", formula1='"' + ",".join(u.value for u in MoneyUnit) + '"', allow_blank=True)
    set_messages(units, "汇总金额单位", "“汇总”表中金额的单位：元 或 万元。", "请从下拉列表选择“元”或“万元”。")
    units.add(layout.COVER_MONEY_UNIT_CELL)
    ws.add_data_validation(units)
    year = layout.COVER_FIELD["year"].value_cell
    dv = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True)
    set_messages(dv, "年度", "填写四位数字的年度，如 2020。", "年度请填写四位数字，如 2020。")
    dv.add(year)
    ws.add_data_validation(dv)
    framework = layout.COVER_FIELD["framework"].value_cell
    add_validation(ws, list_range(layout.FRAMEWORK_COL, len(lists.frameworks)), framework, "选择本单位适用的指标体系")
    # The national form keeps money in 万元, as the official table does.
    help_lines = tuple(help_text) or (
        tuple(NATIONAL_MONEY_HELP if line.startswith("5.") else line for line in COVER_HELP) if national else COVER_HELP
    )
    for i, line in enumerate(help_lines):
        cell = ws.cell(layout.COVER_HELP_ROW + i, 1, line)
        cell.font = HELP_FONT
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=4)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[cell.row].height = 28 if i else 16
    for col, width in layout.PROJECT_COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    protect(ws)
    # The declaration's facts print; the tool's settings and the help under them do not.
    print_setup(ws, landscape=False, area=f"A1:D{layout.COVER_PRINTED_LAST_ROW}")


def checks_of(unit: Unit | None, checks: RuleSet | None = None) -> RuleSet:
    """The rule set a workbook's live checks come from: the one given (a bureau's file), else the framework the
    cover names, else the default."""
    if checks is not None:
        return checks
    named = builtin_named(unit.framework) if unit is not None and unit.framework else None
    return named or load_ruleset(DEFAULT)


def build_workbook(
    unit: Unit | None = None,
    rulesets: Sequence[RuleSet] | None = None,
    projects: int = 1,
    checks: RuleSet | None = None,
    live: bool = True,
) -> Workbook:
    """The template with `projects` blank project sheets, or filled with a unit's projects (one 项目N each).

    The project sheets take the form of `checks` (the cover's framework unless a bureau's rule set is given) and,
    with `live`, carry its live checks; the cover lists them in its live table."""
    rs = checks_of(unit, checks)
    lists = Lists.offering(rs) if rulesets is None else Lists(rulesets)
    if checks is not None and unit is None:
        unit = Unit(framework=rs.title)
    wb = Workbook()
    use_normal_font(wb)
    cover = wb.active
    assert cover is not None
    cover.title = layout.COVER_SHEET
    write_cover(cover, unit, lists)
    sheets: list[Project | None] = list(unit.projects) if unit and unit.projects else [None] * max(1, projects)
    form = rs.form if checks is not None else form_of_unit(unit)
    catalogue = Catalogue(rs)
    plans: dict[int, LivePlan] = {}
    for i, project in enumerate(sheets, start=1):
        ws = wb.create_sheet(layout.project_sheet_name(i))
        write_project_sheet(ws, project, lists, form)
        if live:
            _add_live(ws, form, rs, len(project.indicators) if project else 0, plans, catalogue)
    spare = wb.create_sheet(layout.PROJECT_TEMPLATE_SHEET)
    spare.sheet_state = "hidden"
    write_project_sheet(spare, None, lists, form)
    if live:
        _add_live(spare, form, rs, 0, plans, catalogue)
        names = [layout.project_sheet_name(i) for i in range(1, len(sheets) + 1)]
        write_plan(cover, cover_plan(rs, names, catalogue))
        style_cover_table(cover)
    finish_book(wb, lists, catalogue if live else None)
    return wb


def name_server_cell(wb: Workbook) -> None:
    """The buttons' VBA finds the cover's server address by this name (its source cannot spell the sheet's name)."""
    server = layout.COVER_FIELD["server"].value_cell
    cover_ref = f"'{layout.COVER_SHEET}'!${server[0]}${server[1:]}"
    wb.defined_names[layout.SERVER_NAME] = DefinedName(layout.SERVER_NAME, attr_text=cover_ref)


def finish_book(wb: Workbook, lists: Lists, catalogue: Catalogue | None) -> None:
    """How every workbook xlgoals writes ends: the hidden, protected lists sheet (the dropdowns' lists and, with
    live checks, their word lists), the name the 校验 buttons find the server's cell by, the cover active."""
    lists_ws = wb.create_sheet(layout.LISTS_SHEET)
    lists.write(lists_ws)
    lists_ws.sheet_state = "hidden"
    lists_ws.protection.sheet = True
    if catalogue is not None:
        write_lists(lists_ws, catalogue)
    name_server_cell(wb)
    wb.active = 0


def _add_live(
    ws: Worksheet, form: layout.Form, rs: RuleSet, indicators: int, plans: dict[int, LivePlan], catalogue: Catalogue
) -> None:
    """A project sheet's live checks, over as many indicator rows as the sheet has (a plan made once per size)."""
    last = layout.INDICATOR_FIRST_ROW + max(layout.INDICATOR_ROWS, indicators) - 1
    if last not in plans:
        plans[last] = project_plan(form, rs, last, catalogue)
    write_plan(ws, plans[last])
    style_status(ws, livelayout.PROJECT_STATUS_CELL)


def add_token_sheet(wb: Workbook, authorization: str) -> None:
    """xlwings' settings sheet with AUTH, the Authorization header RunServerPython sends; very hidden (only
    code can show it) and outside every print."""
    ws = wb.create_sheet(layout.XLWINGS_CONF_SHEET)
    ws["A1"], ws["B1"] = "AUTH", authorization
    ws.sheet_state = "veryHidden"


def save(wb: Workbook, path: str | os.PathLike[str]) -> None:
    """Write atomically, keeping the workbook's own modified stamp (openpyxl's save would set it to now),
    so the same input always gives the same file."""
    from openpyxl.writer.excel import ExcelWriter

    # The document's language: programs choosing faces for its text take Chinese ones.
    wb.properties.language = LANGUAGE
    with atomic_output(path) as tmp, CachingZip(tmp, wb) as archive:
        ExcelWriter(wb, archive).save()


def write_template(
    path: str | os.PathLike[str],
    projects: int = 1,
    framework: str = DEFAULT,
    server: str = "",
    authorization: str = "",
    checks: RuleSet | None = None,
) -> None:
    """A blank template whose cover names `framework` (a built-in rule set's name or title); its project
    sheets take that framework's form, as a filled-in unit's would. With `checks` (a bureau's rule-set file) the
    cover names that rule set, the sheets take its form and its live checks. `server` presets the cover's
    校验服务器, `authorization` (the department token's header) goes to the hidden xlwings.conf sheet."""
    unit = Unit(framework=checks.title if checks is not None else framework, server=server)
    wb = build_workbook(unit, projects=projects, checks=checks)
    if authorization:
        add_token_sheet(wb, authorization)
    save(wb, path)


def write_unit(unit: Unit, path: str | os.PathLike[str]) -> None:
    save(build_workbook(unit), path)
