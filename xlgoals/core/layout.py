"""The template's cell map: every sheet name, label and input cell; the only place that knows addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from xlgoals.core.values import GridValue, shown_text

TEMPLATE_VERSION = "1"
MARKER = "xlgoals-template"

COVER_SHEET = "单位信息"
LISTS_SHEET = "_lists"
PROJECT_TEMPLATE_SHEET = "_项目模板"
RESULTS_SHEET = "校验结果"
SUMMARY_SHEET = "汇总"
# Hidden record of the cells the last validation marked, so the next run clears exactly those even where
# a note's text cannot be read back (xlwings' remote engine).
MARKS_SHEET = "_marks"
# What an imported table held that the project sheets have no cell for (xlgoals import), kept as written.
IMPORT_SHEET = "导入记录"
PROJECT_SHEET_PREFIX = "项目"
# xlwings' own settings sheet (key in column A, value in B), hidden: `xlgoals template --token-file` puts the
# department's token there as AUTH, which RunServerPython sends as the Authorization header.
XLWINGS_CONF_SHEET = "xlwings.conf"
# Sheets the workbook machinery owns, by exact name. Every other sheet is read as a project when laid out as
# one, whatever its name (a copy Excel names "项目1 (2)" or "_项目模板 (2)", a sheet renamed "孵化器").
SYSTEM_SHEETS = frozenset(
    {
        COVER_SHEET,
        LISTS_SHEET,
        PROJECT_TEMPLATE_SHEET,
        RESULTS_SHEET,
        SUMMARY_SHEET,
        MARKS_SHEET,
        IMPORT_SHEET,
        XLWINGS_CONF_SHEET,
    }
)

# The department summary's sheets (xlgoals consolidate), in tab order.
UNITS_SHEET = "单位汇总"
PROJECTS_SHEET = "项目清单"
INDICATORS_SHEET = "指标明细"
FINDINGS_SHEET = "校验问题"
LEDGER_SHEET = "台账"
# --- the department summary as a report (issue 23) ---
# A one-page 概况 first; 校验问题 is the digest a reader reads (one row per unit and kind of problem), every
# finding with its cell is in 问题明细. The pages to read come first, the data sheets (not printed) last.
OVERVIEW_SHEET = "概况"
FINDING_DETAILS_SHEET = "问题明细"
SUMMARY_SHEETS = (
    OVERVIEW_SHEET,
    UNITS_SHEET,
    FINDINGS_SHEET,
    LEDGER_SHEET,
    PROJECTS_SHEET,
    INDICATORS_SHEET,
    FINDING_DETAILS_SHEET,
)
# Each summary sheet opens with a title block (title, the run's facts, a note); its table's header is here.
SUMMARY_TABLE_HEADER_ROW = 4

Kind = Literal["text", "choice", "yesno", "date", "money", "long", "year", "framework"]
# Which project sheet a framework uses: Shanghai's declaration or the national form.
Form = Literal["shanghai", "national"]


@dataclass(frozen=True)
class FieldSpec:
    """A labelled input: the label text, where the label sits and where the value goes."""

    key: str
    label: str
    label_cell: str
    value_cell: str
    kind: Kind
    required: bool = True
    # Long texts span the value cell to column D so the printout reads like the official form.
    merge_to: str | None = None
    # A field added after workbooks were already in use: a blank label cell means the workbook predates it.
    added_later: bool = False
    # Yuan per unit the cell is kept in: the national form writes money in 万元 (10000).
    scale: int = 1


COVER_TITLE_CELL = "A1"
COVER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "申报单位名称", "A3", "B3", "text"),
    FieldSpec("year", "年度", "A4", "B4", "year"),
    FieldSpec("framework", "指标体系", "A5", "B5", "framework"),
    FieldSpec("department", "主管部门", "A6", "B6", "text", required=False),
    FieldSpec("contact", "联系人", "A7", "B7", "text", required=False),
    FieldSpec("phone", "联系电话", "A8", "B8", "text", required=False),
    FieldSpec("folder", "汇总文件夹", "A9", "B9", "text", required=False),
    # The archive (xlgoals.duckdb) the Excel 校验 buttons compare last year's declaration against.
    FieldSpec("history", "历史库", "A10", "B10", "text", required=False, added_later=True),
    # The department's `xlgoals serve` the buttons send the workbook to on a desk without Python.
    FieldSpec("server", "校验服务器", "A12", "B12", "text", required=False, added_later=True),
)
# The unit 汇总 shows money in (元/万元): a setting for the 汇总 button, not part of the declaration.
COVER_MONEY_UNIT_LABEL_CELL, COVER_MONEY_UNIT_CELL = "A11", "B11"
COVER_HELP_ROW = 13

# --- Buttons without a local Python (issue 20) ---------------------------------------------------------------
# The workbook-level name the buttons' VBA finds the cover's 校验服务器 by (VBA source is ASCII: it cannot
# name the sheet).
SERVER_NAME = "XlgoalsServer"

PROJECT_TITLE_CELL = "A1"
PROJECT_YEAR_CELL = "A2"
PROJECT_UNIT_CELL = "A3"
PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "项目名称", "A4", "B4", "text"),
    FieldSpec("category", "项目类别", "C4", "D4", "choice"),
    FieldSpec("start", "计划开始日期", "A5", "B5", "date"),
    FieldSpec("end", "计划完成日期", "C5", "D5", "date"),
    FieldSpec("gov_purchase", "是否含有政府购买服务", "A6", "B6", "yesno"),
    FieldSpec("perf_type", "绩效类型", "C6", "D6", "choice"),
    FieldSpec("overview", "项目概况", "A7", "B7", "long", merge_to="D7"),
    FieldSpec("basis", "立项依据", "A8", "B8", "long", merge_to="D8"),
    FieldSpec("necessity", "项目设立的必要性", "A9", "B9", "long", merge_to="D9"),
    FieldSpec("safeguards", "保证项目实施的制度、措施", "A10", "B10", "long", merge_to="D10"),
    FieldSpec("plan", "项目实施计划", "A11", "B11", "long", merge_to="D11"),
    FieldSpec("goals", "总目标及阶段性目标", "A12", "B12", "long", merge_to="D12"),
    FieldSpec("budget_total", "项目总预算（元）", "A14", "B14", "money"),
    FieldSpec("budget_year", "项目当年预算（元）", "C14", "D14", "money"),
    FieldSpec("last_year_budget", "同名项目上年预算额（元）", "A15", "B15", "money", required=False),
    FieldSpec("last_year_executed", "同名项目上年预算执行数（元）", "C15", "D15", "money", required=False),
    # Last year's name of a renamed project, so the year-over-year checks find it; beside the last-year title.
    FieldSpec("previous_name", "上年项目名称", "C13", "D13", "text", required=False, added_later=True),
)
PROJECT_FIELD = {f.key: f for f in PROJECT_FIELDS}
# The national form (财政部项目支出绩效目标申报表): the same rows 4-15 and indicator table, its own fields.
NATIONAL_PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "项目名称", "A4", "B4", "text"),
    FieldSpec("manager", "项目负责人及电话", "C4", "D4", "text", required=False),
    FieldSpec("department", "主管部门", "A5", "B5", "text"),
    FieldSpec("implementer", "实施单位", "C5", "D5", "text"),
    FieldSpec("start", "计划开始日期", "A6", "B6", "date", required=False),
    FieldSpec("end", "计划完成日期", "C6", "D6", "date", required=False),
    FieldSpec("category", "项目类别", "A7", "B7", "choice", required=False),
    FieldSpec("phone", "联系电话", "C7", "D7", "text", required=False),
    FieldSpec("budget_total", "项目总预算", "A9", "B9", "money", required=False, scale=10_000),
    FieldSpec("budget_year", "年度资金总额", "C9", "D9", "money", scale=10_000),
    FieldSpec("budget_fiscal", "其中：财政拨款", "A10", "B10", "money", required=False, scale=10_000),
    FieldSpec("budget_other", "其他资金", "C10", "D10", "money", required=False, scale=10_000),
    FieldSpec("goals_overall", "总体目标", "A11", "B11", "long", required=False, merge_to="D11"),
    FieldSpec("goals", "年度目标", "A12", "B12", "long", merge_to="D12"),
    FieldSpec("overview", "项目概况", "A13", "B13", "long", required=False, merge_to="D13"),
    FieldSpec("basis", "立项依据", "A14", "B14", "long", required=False, merge_to="D14"),
    FieldSpec("previous_name", "上年项目名称", "A15", "B15", "text", required=False, added_later=True),
)
NATIONAL_BUDGET_SECTION_CELL = "A8"
NATIONAL_BUDGET_SECTION_TITLE = "资金情况（万元）"
NATIONAL_TITLE = "项目支出绩效目标申报表"
# A label only the national form has, where it has it: how a reader tells the two forms apart.
NATIONAL_MARK = NATIONAL_PROJECT_FIELDS[2]
FORM_FIELDS: dict[str, tuple[FieldSpec, ...]] = {"shanghai": PROJECT_FIELDS, "national": NATIONAL_PROJECT_FIELDS}
# Every project field by key, for messages and cells of fields only one form has.
ANY_PROJECT_FIELD = {f.key: f for f in (*NATIONAL_PROJECT_FIELDS, *PROJECT_FIELDS)}


def yuan_label(spec: FieldSpec) -> str:
    """A field's label for its amount in yuan, the model's unit: the national form's 万元 fields say 元."""
    return spec.label if spec.scale == 1 else f"{spec.label}（元）"


# The department summary's project columns: Shanghai's fields, then those only the national form has, its
# amounts in yuan as the model holds them, so a project of either form keeps every field it was given.
SUMMARY_PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    *PROJECT_FIELDS,
    *(replace(f, label=yuan_label(f), scale=1) for f in NATIONAL_PROJECT_FIELDS if f.key not in PROJECT_FIELD),
)
COVER_FIELD = {f.key: f for f in COVER_FIELDS}
BUDGET_SECTION_CELL = "A13"
# The last-year title spans A:B; C:D hold 上年项目名称.
BUDGET_SECTION_LAST_COLUMN = "B"
BUDGET_SECTION_TITLE = "本项目上年度市级财政资金使用情况"
INDICATOR_SECTION_CELL = "A16"
INDICATOR_HEADER_ROW = 17
INDICATOR_FIRST_ROW = 18
INDICATOR_ROWS = 30
INDICATOR_LAST_ROW = INDICATOR_FIRST_ROW + INDICATOR_ROWS - 1
# Column of each indicator part; the header row carries the official column titles.
INDICATOR_COLUMNS: dict[str, str] = {"level1": "A", "level2": "B", "name": "C", "target": "D"}
INDICATOR_HEADERS: dict[str, str] = {
    "level1": "一级目标",
    "level2": "二级目标",
    "name": "三级目标",
    "target": "指标目标值",
}
NATIONAL_INDICATOR_HEADERS: dict[str, str] = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "指标值",
}
PROJECT_COLUMN_WIDTHS: dict[str, float] = {"A": 20, "B": 34, "C": 26, "D": 34}
PROJECT_LAST_COLUMN = "D"
# Buttons and the status line sit to the right of the printed form so they never print.
PROJECT_BUTTON_COLUMN = "F"
# The macro template's buttons down that column: the first on row 2, then every other row.
BUTTON_FIRST_ROW, BUTTON_ROW_STEP = 2, 2

# How much of any sheet the file readers take: every layout fits well inside (a project sheet needs A:F and
# about 50 rows). Content beyond is reported as unread, never parsed, so one stray far cell costs nothing.
READ_MAX_ROW = 2000
READ_MAX_COLUMN = 60

INPUT_RGB = (255, 253, 231)
LABEL_RGB = (242, 242, 242)

# --- the cover on paper (issue 23); a project sheet's sign-off block is in core/signoff.py ---
# The cover prints its title and the declaration's facts (单位名称 … 联系电话); the rows under them are the
# tool's settings (汇总文件夹, 历史库, 汇总金额单位, the server's address) and its help, never printed.
COVER_PRINTED_LAST_ROW = 8

LISTS_MARKER_CELL = "A1"
LISTS_VERSION_CELL = "B1"
# The lists sheet: each list is one column; row 2 names it (matched by formulas), row 3 counts it, items from row 4.
LIST_KEY_ROW, LIST_COUNT_ROW, LIST_FIRST_ROW = 2, 3, 4
YES_NO_COL, CATEGORY_COL, PERF_TYPE_COL, FRAMEWORK_COL = 1, 2, 3, 4
LEVEL1_FIRST_COL = 6

# The 汇总 sheet (rollup): the project table's header row and first money column (D, after 序号, 工作表,
# 项目名称); the indicator table starts under 项目名称.
SUMMARY_HEADER_ROW = 4
SUMMARY_MONEY_COLUMN = 4
SUMMARY_INDICATOR_COLUMN = 3
# The 校验结果 sheet: its long text columns (位置 is C) and their widths.
RESULTS_WIDTHS: dict[str, float] = {"D": 36, "E": 60, "F": 30}
IMPORT_WIDTHS: dict[str, float] = {"A": 12, "B": 30, "C": 30, "D": 40, "E": 16, "F": 16, "G": 16, "H": 16}

_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]*)$")


def column_index(letters: str) -> int:
    """1-based column number of column letters ('A' -> 1, 'AA' -> 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(index: int) -> str:
    """Column letters of a 1-based column number."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_address(address: str) -> tuple[int, int]:
    """(row, column), both 1-based, of an A1 address."""
    m = _A1.match(address.upper())
    if m is None:
        raise ValueError(f"not an A1 cell address: {address!r}")
    return int(m.group(2)), column_index(m.group(1))


def address(row: int, column: int) -> str:
    """A1 address of a 1-based (row, column)."""
    return f"{column_letters(column)}{row}"


def indicator_cell(row: int, part: str) -> str:
    """Address of one part ('level1', 'level2', 'name', 'target') of the indicator on sheet row `row`."""
    return f"{INDICATOR_COLUMNS[part]}{row}"


def quote_sheet(name: str) -> str:
    """A sheet name as it must appear in a formula or internal link."""
    return "'" + name.replace("'", "''") + "'"


Grid = Sequence[Sequence[GridValue]]


def grid_value(grid: Grid, cell: str) -> GridValue:
    """The value at an A1 address of a sheet's grid (rows from A1), None outside the used range."""
    row, col = split_address(cell)
    if row > len(grid):
        return None
    values = grid[row - 1]
    return values[col - 1] if col <= len(values) else None


def grid_text(grid: Grid, cell: str) -> str:
    return shown_text(grid_value(grid, cell))


def normalize_label(text: str) -> str:
    """Labels compare without the trailing colon and with full-width brackets, as the forms vary."""
    return text.strip().rstrip(":：").strip().replace("(", "（").replace(")", "）")


def find_label(grid: Grid, label: str, max_rows: int = 60) -> str | None:
    """Where a label actually is, to tell a user their rows or columns moved."""
    want = normalize_label(label)
    for r, row in enumerate(grid[:max_rows], start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str) and normalize_label(value) == want:
                return address(r, c)
    return None


def project_fields(form: str) -> tuple[FieldSpec, ...]:
    """The header fields of a form ('shanghai' or 'national')."""
    return FORM_FIELDS.get(form, PROJECT_FIELDS)


def field_at(key: str, cell: str | None) -> FieldSpec | None:
    """The spec of field `key` whose value sits at `cell` in one of the forms: how a project read from a sheet
    tells which form's cell (and money scale) a value came from."""
    return next((s for fields in FORM_FIELDS.values() for s in fields if s.key == key and s.value_cell == cell), None)


def field_of(key: str, cells: Mapping[str, str]) -> FieldSpec:
    """The spec of field `key` in the form a project was read in, told by the cell its value came from
    (`Project.cells`); without one (a project built in memory) the template's, Shanghai's where both have it."""
    return field_at(key, cells.get(key)) or ANY_PROJECT_FIELD[key]


def form_of(grid: Grid) -> Form:
    """The form a project sheet was laid out in, told by its labels."""
    return form_of_mark(grid_text(grid, NATIONAL_MARK.label_cell))


def form_of_mark(text: str) -> Form:
    """The form told by the text in NATIONAL_MARK's label cell."""
    return "national" if normalize_label(text) == normalize_label(NATIONAL_MARK.label) else "shanghai"


def template_fill(sheet: str, cell: str) -> tuple[int, int, int] | None:
    """The fill the template gave a cell: what a cleared validation mark returns to (on a 自评 sheet:
    selfevallayout.selfeval_fill). A declaration's input cells have none (their pale yellow is conditional: it
    shows while they are empty), labels their grey."""
    specs = COVER_FIELDS if sheet == COVER_SHEET else (*PROJECT_FIELDS, *NATIONAL_PROJECT_FIELDS)
    if any(cell == s.label_cell for s in specs):
        return LABEL_RGB
    row, col = split_address(cell)
    if sheet != COVER_SHEET and col <= len(INDICATOR_COLUMNS) and row == INDICATOR_HEADER_ROW:
        return LABEL_RGB
    return None


def is_system_sheet(name: str) -> bool:
    """A sheet the workbook machinery owns: never read as a project, never reported as unread."""
    return name in SYSTEM_SHEETS


def project_sheet_name(number: int) -> str:
    return f"{PROJECT_SHEET_PREFIX}{number}"


def next_project_sheet_name(existing: Sequence[str]) -> str:
    """The first free 项目N name, so a new sheet never collides with one a user renamed."""
    taken = set(existing)
    n = 1
    while project_sheet_name(n) in taken:
        n += 1
    return project_sheet_name(n)
