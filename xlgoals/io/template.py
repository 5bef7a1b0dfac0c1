"""Write the templated workbook (blank, or filled from a Unit) with openpyxl, laid out by `layout`."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout
from xlgoals.core.layout import FieldSpec, quote_sheet
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.values import CellValue
from xlgoals.io.outputs import atomic_output
from xlgoals.io.presentation import LONG_TEXT_WIDTH, CachingZip, MoneyUnit, money_format, print_setup, row_height
from xlgoals.io.sheetplan import excel_number, rgb_hex
from xlgoals.validation.ruleset import DEFAULT, RuleSet, builtin_named, builtin_rulesets, framework_title

FONT = "宋体"
TITLE_FONT = Font(name=FONT, size=16, bold=True)
LABEL_FONT = Font(name=FONT, size=10, bold=True)
BODY_FONT = Font(name=FONT, size=10)
HELP_FONT = Font(name=FONT, size=9, color="FF595959")
LABEL_FILL = PatternFill("solid", fgColor=rgb_hex(layout.LABEL_RGB))
INPUT_FILL = PatternFill("solid", fgColor=rgb_hex(layout.INPUT_RGB))
_THIN = Side(style="thin", color="FF808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LABEL_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True)
INPUT_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
LONG_TEXT_ROW_HEIGHT = 96
COVER = quote_sheet(layout.COVER_SHEET)
LISTS = quote_sheet(layout.LISTS_SHEET)


def _cover_ref(key: str) -> str:
    row, col = layout.split_address(layout.COVER_FIELD[key].value_cell)
    return f"{COVER}!${layout.column_letters(col)}${row}"


YEAR_REF, UNIT_REF, FRAMEWORK_REF = _cover_ref("year"), _cover_ref("name"), _cover_ref("framework")

COVER_HELP = (
    "填表说明：",
    "1. 本工作簿每个“项目N”工作表填写一个项目；需要更多项目时点击“新增项目”按钮（或复制隐藏的“_项目模板”表）。",
    "2. 黄色单元格为填写区，灰色为标签，请勿插入或删除行列、勿修改标签，否则无法校验。",
    "3. 一级目标、二级目标请从下拉列表选择；二级目标随一级目标和本页“指标体系”变化。",
    "4. 指标目标值请写成“>=95%”“=100”“<=30天”等可计量形式；定性指标写“合规”“健全”等；确实无法量化的才写描述。",
    "5. 金额单位为元；日期写成 2020-01-02。",
    "6. 校验后，红色单元格为错误（必须修改），橙色为警告（请核对），批注说明原因；“校验结果”表列出全部问题。",
)
NOT_FILLED = "未填写"

NATIONAL_MONEY_HELP = "5. 金额单位为万元（“资金情况（万元）”），校验和汇总时换算为元；日期写成 2020-01-02。"

# Lists sheet: each list is one column; row 2 names it (matched by formulas), row 3 counts it, items from row 4.
LIST_KEY_ROW, LIST_COUNT_ROW, LIST_FIRST_ROW = 2, 3, 4
YES_NO_COL, CATEGORY_COL, PERF_TYPE_COL, FRAMEWORK_COL = 1, 2, 3, 4
LEVEL1_FIRST_COL = 6


LEVEL2_KEY_SEP = "·"


def level2_key(rs: RuleSet, level1: str) -> str:
    """The lists sheet's key of a level-1's level-2 list: the framework's title and the level-1."""
    return f"{rs.title}{LEVEL2_KEY_SEP}{level1}"


def form_of_unit(unit: Unit | None) -> layout.Form:
    """The project sheet a unit's framework uses; Shanghai's when the cover names no built-in framework."""
    rs = builtin_named(unit.framework) if unit is not None and unit.framework else None
    return rs.form if rs is not None else "shanghai"


def _style_label(cell: Cell, label: str) -> None:
    cell.value = label
    cell.font, cell.fill, cell.border, cell.alignment = LABEL_FONT, LABEL_FILL, BORDER, LABEL_ALIGN


def _style_input(cell: Cell) -> None:
    cell.font, cell.fill, cell.border = BODY_FONT, INPUT_FILL, BORDER
    cell.alignment, cell.protection = INPUT_ALIGN, UNLOCKED


def writable_text(text: str) -> str:
    """Text a workbook can hold: control characters (which XML 1.0 cannot carry) become U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def put(cell: Cell, value: CellValue) -> None:
    """Write a value as the user would have typed it: text stays text even when it starts with '='.

    Text read from hostile files may hold control characters, which XML 1.0 cannot carry: they become U+FFFD.
    A NaN or infinity read as a number has no representation in the file format: it is written as text."""
    if isinstance(value, str):
        value = writable_text(value)
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"  # '=100' is a target value, not a formula
    elif isinstance(value, float | Decimal) and not math.isfinite(value):
        cell.value = str(value)
    elif isinstance(value, Decimal):
        cell.value = excel_number(value)
    else:
        cell.value = value


def _protect(ws: Worksheet) -> None:
    # No password: protection guards against accidental edits of labels, not against the unit itself.
    # Formatting and notes stay allowed so validation can colour and annotate input cells in Excel.
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.objects = False


def _list_range(col: int, count: int) -> str:
    letters = layout.column_letters(col)
    return f"{LISTS}!${letters}${LIST_FIRST_ROW}:${letters}${LIST_FIRST_ROW + max(count, 1) - 1}"


class _Lists:
    """Where each dropdown list sits on the hidden lists sheet, and the formulas that read them."""

    def __init__(self, rulesets: Sequence[RuleSet]) -> None:
        self.rulesets = list(rulesets)
        self.category = list(dict.fromkeys(c for rs in rulesets for c in rs.choices.category))
        self.perf_type = list(dict.fromkeys(c for rs in rulesets for c in rs.choices.perf_type))
        self.frameworks = [rs.title for rs in rulesets]
        default = builtin_named(DEFAULT)
        self.default_framework = default.title if default and default.title in self.frameworks else self.frameworks[0]
        self.level2_first_col = LEVEL1_FIRST_COL + len(rulesets) + 1
        self.level1_names = [lv.name for rs in rulesets for lv in rs.level1]

    def _span(self, first: int, n: int, row: int) -> str:
        a, b = layout.column_letters(first), layout.column_letters(first + n - 1)
        return f"{LISTS}!${a}${row}:${b}${row}"

    def _dependent(self, first: int, n: int, key_ref: str) -> str:
        """OFFSET over the column whose row-2 key equals key_ref: a dependent dropdown without named ranges."""
        keys = self._span(first, n, LIST_KEY_ROW)
        counts = self._span(first, n, LIST_COUNT_ROW)
        origin = f"{LISTS}!${layout.column_letters(first)}${LIST_FIRST_ROW}"
        match = f"MATCH({key_ref},{keys},0)"
        return f"OFFSET({origin},0,{match}-1,INDEX({counts},{match}),1)"

    def level1_formula(self) -> str:
        return self._dependent(LEVEL1_FIRST_COL, len(self.rulesets), FRAMEWORK_REF)

    def level2_formula(self, level1_cell: str) -> str:
        # Keyed by framework and level-1: 产出指标 lists other level-2s in the 2015 form than in the 2021 one.
        key = f'{FRAMEWORK_REF}&"{LEVEL2_KEY_SEP}"&{level1_cell}'
        return self._dependent(self.level2_first_col, len(self.level1_names), key)

    def write(self, ws: Worksheet) -> None:
        ws.cell(1, 1, layout.MARKER)
        ws.cell(1, 2, layout.TEMPLATE_VERSION)
        columns: list[tuple[int, str, list[str]]] = [
            (YES_NO_COL, "是否", ["是", "否"]),
            (CATEGORY_COL, "项目类别", self.category),
            (PERF_TYPE_COL, "绩效类型", self.perf_type),
            (FRAMEWORK_COL, "指标体系", self.frameworks),
        ]
        columns += [
            (LEVEL1_FIRST_COL + i, rs.title, [lv.name for lv in rs.level1]) for i, rs in enumerate(self.rulesets)
        ]
        level2 = [(level2_key(rs, lv.name), lv.level2) for rs in self.rulesets for lv in rs.level1]
        columns += [(self.level2_first_col + i, name, items) for i, (name, items) in enumerate(level2)]
        for col, key, items in columns:
            ws.cell(LIST_KEY_ROW, col, key)
            ws.cell(LIST_COUNT_ROW, col, len(items))
            for i, item in enumerate(items):
                ws.cell(LIST_FIRST_ROW + i, col, item)
            ws.column_dimensions[layout.column_letters(col)].width = 18


def _validation(ws: Worksheet, formula: str, cells: str, prompt: str, *, strict: bool = True) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = prompt
    dv.errorTitle = "请从下拉列表选择"
    dv.prompt = prompt
    dv.showInputMessage = True
    dv.showErrorMessage = True
    # Warning style lets a unit keep a name the list lacks; the validator then flags it for review.
    dv.errorStyle = "stop" if strict else "warning"
    dv.add(cells)
    ws.add_data_validation(dv)


def _messages(dv: DataValidation, title: str, prompt: str, error: str) -> None:
    """A Chinese hint on entering the cell and a warning (not a refusal) on a wrong entry: the validator
    explains anything kept, and a unit is never stuck on a value the form cannot take."""
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
    dv.errorTitle, dv.error, dv.showErrorMessage, dv.errorStyle = title, error, True, "warning"


def _write_cover(ws: Worksheet, unit: Unit | None, lists: _Lists) -> None:
    ws.merge_cells("A1:D1")
    title = ws[layout.COVER_TITLE_CELL]
    title.value = "财政项目支出绩效目标申报 · 单位信息"
    title.font, title.alignment = TITLE_FONT, CENTER
    ws.row_dimensions[1].height = 32
    for spec in layout.COVER_FIELDS:
        _style_label(ws[spec.label_cell], spec.label)
        cell = ws[spec.value_cell]
        _style_input(cell)
        ws.merge_cells(f"{spec.value_cell}:D{spec.value_cell[1:]}")
        if unit is not None:
            value: CellValue = unit.unparsed.get(spec.key) or getattr(unit, spec.key)
            if spec.kind == "framework" and isinstance(value, str):
                value = framework_title(value)
            put(cell, value if value not in ("", None) else None)
        elif spec.kind == "framework":
            # A fresh template names a framework, so the level-1 dropdowns are never empty.
            cell.value = lists.default_framework
    _style_label(ws[layout.COVER_MONEY_UNIT_LABEL_CELL], "汇总金额单位")
    unit_cell = ws[layout.COVER_MONEY_UNIT_CELL]
    _style_input(unit_cell)
    unit_cell.value = MoneyUnit.YUAN.value
    ws.merge_cells(f"{layout.COVER_MONEY_UNIT_CELL}:D{layout.COVER_MONEY_UNIT_CELL[1:]}")
    units = DataValidation(type="list", formula1='"' + ",".join(u.value for u in MoneyUnit) + '"', allow_blank=True)
    _messages(units, "汇总金额单位", "“汇总”表中金额的单位：元 或 万元。", "请从下拉列表选择“元”或“万元”。")
    units.add(layout.COVER_MONEY_UNIT_CELL)
    ws.add_data_validation(units)
    year = layout.COVER_FIELD["year"].value_cell
    dv = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True)
    _messages(dv, "年度", "填写四位数字的年度，如 2020。", "年度请填写四位数字，如 2020。")
    dv.add(year)
    ws.add_data_validation(dv)
    framework = layout.COVER_FIELD["framework"].value_cell
    _validation(ws, _list_range(FRAMEWORK_COL, len(lists.frameworks)), framework, "选择本单位适用的指标体系")
    # The national form keeps money in 万元, as the official table does.
    help_lines = (
        COVER_HELP
        if form_of_unit(unit) == "shanghai"
        else tuple(NATIONAL_MONEY_HELP if line.startswith("5.") else line for line in COVER_HELP)
    )
    for i, line in enumerate(help_lines):
        cell = ws.cell(layout.COVER_HELP_ROW + i, 1, line)
        cell.font = HELP_FONT
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=4)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[cell.row].height = 28 if i else 16
    for col, width in layout.PROJECT_COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    _protect(ws)
    print_setup(ws, landscape=False, area=f"A1:D{layout.COVER_HELP_ROW + len(COVER_HELP) - 1}")


def fit_row_height(ws: Worksheet, row: int, cells: Sequence[tuple[str, float]], minimum: float) -> None:
    """Grow a row so wrapped text prints whole; Excel does not autofit merged or pre-sized rows."""
    ws.row_dimensions[row].height = row_height([(str(ws[c].value or ""), w) for c, w in cells], minimum)


def fit_project_rows(ws: Worksheet) -> None:
    """Row heights of a project sheet's long texts and indicator rows from their text, as written now:
    run on writing and on every write-back, so texts edited since print whole."""
    form = layout.form_of_mark(str(ws[layout.NATIONAL_MARK.label_cell].value or ""))
    for spec in layout.project_fields(form):
        if spec.merge_to:
            fit_row_height(
                ws, layout.split_address(spec.value_cell)[0], [(spec.value_cell, LONG_TEXT_WIDTH)], LONG_TEXT_ROW_HEIGHT
            )
    widths = [(col, layout.PROJECT_COLUMN_WIDTHS[col]) for col in layout.INDICATOR_COLUMNS.values()]
    # Bounded as the reader is: a stray value far down must not make a million rows of cells.
    for row in range(layout.INDICATOR_FIRST_ROW, min(ws.max_row, layout.READ_MAX_ROW) + 1):
        fit_row_height(ws, row, [(f"{col}{row}", w) for col, w in widths], 15)


def _merge_row(
    ws: Worksheet,
    cell: str,
    value: str,
    font: Font,
    height: float | None = None,
    last: str = layout.PROJECT_LAST_COLUMN,
) -> None:
    row = cell[1:]
    ws.merge_cells(f"A{row}:{last}{row}")
    ws[cell].value = value
    ws[cell].font, ws[cell].alignment = font, CENTER
    if height:
        ws.row_dimensions[int(row)].height = height


def _field_value(project: Project, spec: FieldSpec) -> CellValue:
    if spec.key in project.unparsed:
        return project.unparsed[spec.key]
    value = getattr(project, spec.key)
    if spec.scale != 1 and isinstance(value, Decimal):
        return value / spec.scale
    if spec.kind == "yesno":
        return None if value is None else ("是" if value else "否")
    return value if value != "" else None


def write_project_sheet(ws: Worksheet, project: Project | None, lists: _Lists, form: layout.Form = "shanghai") -> None:
    """One project's form (Shanghai's or the national one): labels, inputs, dropdowns, the indicator table."""
    national = form == "national"
    fields = layout.project_fields(form)
    by_key = {spec.key: spec for spec in fields}
    title = layout.NATIONAL_TITLE if national else "财政项目支出绩效目标表"
    _merge_row(ws, layout.PROJECT_TITLE_CELL, title, TITLE_FONT, 30)
    # A blank cover reads 未填写, never "（年度）" or a stray "None".
    year = f'IF({YEAR_REF}="","（年度：{NOT_FILLED}）","（"&{YEAR_REF}&"年度）")'
    _merge_row(ws, layout.PROJECT_YEAR_CELL, "=" + year, BODY_FONT)
    _merge_row(
        ws, layout.PROJECT_UNIT_CELL, f'="申报单位名称："&IF({UNIT_REF}="","{NOT_FILLED}",{UNIT_REF})', BODY_FONT
    )
    ws[layout.PROJECT_UNIT_CELL].alignment = LABEL_ALIGN
    for spec in fields:
        _style_label(ws[spec.label_cell], spec.label)
        cell = ws[spec.value_cell]
        _style_input(cell)
        if project is not None:
            put(cell, _field_value(project, spec))
        if spec.merge_to:
            ws.merge_cells(f"{spec.value_cell}:{spec.merge_to}")
        if spec.kind == "money":
            # 万元 to the yuan needs four decimals.
            cell.number_format = money_format(cell.value) if spec.scale == 1 else "#,##0.00##"
        elif spec.kind == "date":
            cell.number_format = DATE_FORMAT
    ws.row_dimensions[4].height = 30
    ws.row_dimensions[6].height = 30
    if national:
        _merge_row(ws, layout.NATIONAL_BUDGET_SECTION_CELL, layout.NATIONAL_BUDGET_SECTION_TITLE, LABEL_FONT, 20)
    else:
        _merge_row(
            ws,
            layout.BUDGET_SECTION_CELL,
            layout.BUDGET_SECTION_TITLE,
            LABEL_FONT,
            20,
            layout.BUDGET_SECTION_LAST_COLUMN,
        )
    previous = by_key["previous_name"]
    fit_row_height(ws, ws[previous.value_cell].row, [(previous.value_cell, layout.PROJECT_COLUMN_WIDTHS["D"])], 20)
    _merge_row(ws, layout.INDICATOR_SECTION_CELL, f'=IF({YEAR_REF}="","",{YEAR_REF}&"年")&"绩效目标"', LABEL_FONT, 20)
    headers = layout.NATIONAL_INDICATOR_HEADERS if national else layout.INDICATOR_HEADERS
    for part, col in layout.INDICATOR_COLUMNS.items():
        header = ws[f"{col}{layout.INDICATOR_HEADER_ROW}"]
        _style_label(header, headers[part])
        header.alignment = CENTER
    indicators: list[Indicator] = project.indicators if project else []
    last = layout.INDICATOR_FIRST_ROW + max(layout.INDICATOR_ROWS, len(indicators)) - 1
    for row in range(layout.INDICATOR_FIRST_ROW, last + 1):
        for part in layout.INDICATOR_COLUMNS:
            cell = ws[layout.indicator_cell(row, part)]
            _style_input(cell)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws[layout.indicator_cell(row, "target")].number_format = "@"
    for row, ind in enumerate(indicators, start=layout.INDICATOR_FIRST_ROW):
        for part in ("level1", "level2", "name"):
            put(ws[layout.indicator_cell(row, part)], getattr(ind, part) or None)
        put(ws[layout.indicator_cell(row, "target")], ind.value or None)
    fit_project_rows(ws)
    first = layout.INDICATOR_FIRST_ROW
    col1, col2 = layout.INDICATOR_COLUMNS["level1"], layout.INDICATOR_COLUMNS["level2"]
    _validation(
        ws,
        lists.level1_formula(),
        f"{col1}{first}:{col1}{last}",
        "按封面所选指标体系选择一级目标",
        strict=False,
    )
    _validation(
        ws,
        lists.level2_formula(f"${col1}{first}"),
        f"{col2}{first}:{col2}{last}",
        "先选一级目标，再选二级目标",
        strict=False,
    )
    for key, list_col, items, prompt in (
        ("category", CATEGORY_COL, lists.category, "选择项目类别"),
        ("perf_type", PERF_TYPE_COL, lists.perf_type, "选择绩效类型"),
    ):
        if key in by_key:
            _validation(ws, _list_range(list_col, len(items)), by_key[key].value_cell, prompt, strict=False)
    if "gov_purchase" in by_key:
        _validation(ws, _list_range(YES_NO_COL, 2), by_key["gov_purchase"].value_cell, "请选择“是”或“否”")
    for key in ("start", "end"):
        dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73051", allow_blank=True)
        _messages(dv, by_key[key].label, "填写日期，如 2020-01-02。", "这不是日期，请写成 2020-01-02 的形式。")
        dv.add(by_key[key].value_cell)
        ws.add_data_validation(dv)
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    _messages(
        dv,
        *(
            ("金额（万元）", "以万元为单位填写数字，如 60。", "金额请填写以万元为单位的数字，如 60。")
            if national
            else (
                "金额（元）",
                "以元为单位填写数字，如 600000（不写“万元”）。",
                "金额请填写以元为单位的数字，如 600000。",
            )
        ),
    )
    for spec in fields:
        if spec.kind == "money":
            dv.add(spec.value_cell)
    ws.add_data_validation(dv)
    for col, width in layout.PROJECT_COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = None
    _protect(ws)
    # The indicator table's header repeats on every page it spans. A hidden sheet gets no print area (with
    # one LibreOffice prints it), but keeps the page setup so a sheet copied from it prints like the others.
    visible = ws.sheet_state == "visible"
    print_setup(
        ws,
        landscape=False,
        area=f"A1:{layout.PROJECT_LAST_COLUMN}{last}" if visible else None,
        title_rows=f"{layout.INDICATOR_HEADER_ROW}:{layout.INDICATOR_HEADER_ROW}" if visible else None,
    )


def build_workbook(unit: Unit | None = None, rulesets: Sequence[RuleSet] | None = None, projects: int = 1) -> Workbook:
    """The template with `projects` blank project sheets, or filled with a unit's projects (one 项目N each)."""
    lists = _Lists(rulesets or builtin_rulesets())
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = layout.COVER_SHEET
    _write_cover(cover, unit, lists)
    sheets: list[Project | None] = list(unit.projects) if unit and unit.projects else [None] * max(1, projects)
    form = form_of_unit(unit)
    for i, project in enumerate(sheets, start=1):
        write_project_sheet(wb.create_sheet(layout.project_sheet_name(i)), project, lists, form)
    spare = wb.create_sheet(layout.PROJECT_TEMPLATE_SHEET)
    spare.sheet_state = "hidden"
    write_project_sheet(spare, None, lists, form)
    lists_ws = wb.create_sheet(layout.LISTS_SHEET)
    lists.write(lists_ws)
    lists_ws.sheet_state = "hidden"
    lists_ws.protection.sheet = True
    wb.active = 0
    return wb


def save(wb: Workbook, path: str | os.PathLike[str]) -> None:
    """Write atomically, keeping the workbook's own modified stamp (openpyxl's save would set it to now),
    so the same input always gives the same file."""
    from openpyxl.writer.excel import ExcelWriter

    with atomic_output(path) as tmp, CachingZip(tmp, wb) as archive:
        ExcelWriter(wb, archive).save()


def write_template(path: str | os.PathLike[str], projects: int = 1) -> None:
    save(build_workbook(projects=projects), path)


def write_unit(unit: Unit, path: str | os.PathLike[str]) -> None:
    save(build_workbook(unit), path)
