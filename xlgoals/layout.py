"""The template's cell map: every sheet name, label and input cell; the only place that knows addresses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from xlgoals.values import CellValue, cell_text

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
PROJECT_SHEET_PREFIX = "项目"
# Sheets the workbook machinery owns; every other sheet is a candidate project sheet.
SYSTEM_SHEETS = frozenset({COVER_SHEET, LISTS_SHEET, PROJECT_TEMPLATE_SHEET, RESULTS_SHEET, SUMMARY_SHEET, MARKS_SHEET})

Kind = Literal["text", "choice", "yesno", "date", "money", "long", "year", "framework"]


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


COVER_TITLE_CELL = "A1"
COVER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "申报单位名称", "A3", "B3", "text"),
    FieldSpec("year", "年度", "A4", "B4", "year"),
    FieldSpec("framework", "指标体系", "A5", "B5", "framework"),
    FieldSpec("department", "主管部门", "A6", "B6", "text", required=False),
    FieldSpec("contact", "联系人", "A7", "B7", "text", required=False),
    FieldSpec("phone", "联系电话", "A8", "B8", "text", required=False),
    FieldSpec("folder", "汇总文件夹", "A9", "B9", "text", required=False),
)
COVER_HELP_ROW = 11

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
)
PROJECT_FIELD = {f.key: f for f in PROJECT_FIELDS}
COVER_FIELD = {f.key: f for f in COVER_FIELDS}
BUDGET_SECTION_CELL = "A13"
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
PROJECT_COLUMN_WIDTHS: dict[str, float] = {"A": 20, "B": 34, "C": 26, "D": 34}
PROJECT_LAST_COLUMN = "D"
# Buttons and the status line sit to the right of the printed form so they never print.
PROJECT_BUTTON_COLUMN = "F"

# How much of any sheet the file readers take: every layout fits well inside (a project sheet needs A:F and
# about 50 rows). Content beyond is reported as unread, never parsed, so one stray far cell costs nothing.
READ_MAX_ROW = 2000
READ_MAX_COLUMN = 60

INPUT_RGB = (255, 253, 231)
LABEL_RGB = (242, 242, 242)

LISTS_MARKER_CELL = "A1"
LISTS_VERSION_CELL = "B1"

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


Grid = Sequence[Sequence[CellValue]]


def grid_value(grid: Grid, cell: str) -> CellValue:
    """The value at an A1 address of a sheet's grid (rows from A1), None outside the used range."""
    row, col = split_address(cell)
    if row > len(grid):
        return None
    values = grid[row - 1]
    return values[col - 1] if col <= len(values) else None


def grid_text(grid: Grid, cell: str) -> str:
    return cell_text(grid_value(grid, cell))


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


def template_fill(sheet: str, cell: str) -> tuple[int, int, int] | None:
    """The fill the template gave a cell: what a cleared validation mark returns to."""
    specs = COVER_FIELDS if sheet == COVER_SHEET else PROJECT_FIELDS
    if any(cell == s.value_cell for s in specs):
        return INPUT_RGB
    if any(cell == s.label_cell for s in specs):
        return LABEL_RGB
    row, col = split_address(cell)
    if sheet != COVER_SHEET and col <= len(INDICATOR_COLUMNS):
        if row == INDICATOR_HEADER_ROW:
            return LABEL_RGB
        if row >= INDICATOR_FIRST_ROW:
            return INPUT_RGB
    return None


def is_project_sheet_name(name: str) -> bool:
    return name not in SYSTEM_SHEETS and not name.startswith("_")


def project_sheet_name(number: int) -> str:
    return f"{PROJECT_SHEET_PREFIX}{number}"


def next_project_sheet_name(existing: Sequence[str]) -> str:
    """The first free 项目N name, so a new sheet never collides with one a user renamed."""
    taken = set(existing)
    n = 1
    while project_sheet_name(n) in taken:
        n += 1
    return project_sheet_name(n)
