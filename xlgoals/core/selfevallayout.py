"""The 自评 sheet's cell map (项目支出绩效自评表, `xlgoals selfeval`): its fields, columns, helpers and marks.

The self-evaluation block of the cell map, beside core/layout.py (which holds the declaration's and every other
sheet's): one sheet per declared project with its header facts, the budget-execution block, 年度总体目标, the
indicator table (年度指标值 carried over, locked), a 总分 row, a note and the sign-off lines.
"""

from __future__ import annotations

from xlgoals.core.layout import (
    INPUT_RGB,
    LABEL_RGB,
    FieldSpec,
    Grid,
    column_letters,
    grid_text,
    normalize_label,
    split_address,
)

# Its mark: 年初预算数 at B6, a label no declaration has there.
SELFEVAL_TITLE = "项目支出绩效自评表"
SELFEVAL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "项目名称", "A4", "B4", "text", merge_to="D4"),
    FieldSpec("manager", "项目负责人", "E4", "F4", "text", required=False, merge_to="H4"),
    FieldSpec("department", "主管部门", "A5", "B5", "text", required=False, merge_to="D5"),
    FieldSpec("implementer", "实施单位", "E5", "F5", "text", required=False, merge_to="H5"),
    FieldSpec("budget_initial", "年初预算数", "B6", "B7", "money", required=False),
    FieldSpec("budget_adjusted", "全年预算数", "C6", "C7", "money"),
    FieldSpec("budget_executed", "全年执行数", "D6", "D7", "money"),
    FieldSpec("execution_reason", "执行偏差说明", "H6", "H7", "long", required=False),
    FieldSpec("goals", "预期目标", "B8", "B9", "long", required=False, merge_to="D9"),
    FieldSpec("goals_achieved", "实际完成情况", "E8", "E9", "long", required=False, merge_to="H9"),
)
SELFEVAL_FIELD = {f.key: f for f in SELFEVAL_FIELDS}
SELFEVAL_MARK = SELFEVAL_FIELD["budget_initial"]
# Carried over from the declaration and locked; the other fields are the unit's to fill (or correct).
SELFEVAL_CARRIED = ("name", "goals")
# The budget block's other cells: the row label and money unit, 执行率, its points and score; 年度总体目标.
SELFEVAL_MONEY_CELL, SELFEVAL_TOTAL_FUNDS_CELL = "A6", "A7"
SELFEVAL_RATE_CELL, SELFEVAL_EXEC_POINTS_CELL, SELFEVAL_EXEC_SCORE_CELL = "E7", "F7", "G7"
SELFEVAL_GOALS_CELL, SELFEVAL_SECTION_CELL = "A8", "A10"
SELFEVAL_HEADER_ROW, SELFEVAL_FIRST_ROW = 11, 12
# Each column of the indicator table: its letter and header (原表得分 only where a published table printed scores).
_SELFEVAL_TABLE = (
    ("level1", "A", "一级指标"),
    ("level2", "B", "二级指标"),
    ("name", "C", "三级指标"),
    ("target", "D", "年度指标值"),
    ("actual", "E", "实际完成值"),
    ("points", "F", "分值"),
    ("score", "G", "得分"),
    ("reason", "H", "偏差原因分析及改进措施"),
    ("printed", "I", "原表得分"),
)
SELFEVAL_COLUMNS: dict[str, str] = {part: letter for part, letter, _ in _SELFEVAL_TABLE}
SELFEVAL_HEADERS: dict[str, str] = {part: header for part, _, header in _SELFEVAL_TABLE}
# Each step of a row's scoring formula in a hidden, locked column of its own (beyond what prints).
_STEPS = ("clean", "unsigned", "suffix", "digits", "number", "fraction", "counted")
SELFEVAL_HELPERS = dict(zip(_STEPS, "TUVWXYZ", strict=True))
# The first number a written actual claims ('已完成480人'), for the check that a text saying 完成 is not short
# (rules/selfeval.done_claim; its live form reads them): the text with its digits masked, the number, its share.
SELFEVAL_HELPERS.update(masked="AA", claimed="AB", claim_share="AC")
SELFEVAL_TOTAL_LABEL, SELFEVAL_BUTTON_COLUMN = "总分", "K"
SELFEVAL_SIGNOFF: tuple[str, ...] = ("单位负责人", "财务负责人", "填表人", "联系电话", "填报日期")
SELFEVAL_WIDTHS: dict[str, float] = {"A": 11, "B": 12, "C": 24, "D": 14, "E": 14, "F": 7, "G": 7, "H": 24, "I": 8}


def is_selfeval_grid(grid: Grid) -> bool:
    """A 自评 sheet, told by its mark."""
    return normalize_label(grid_text(grid, SELFEVAL_MARK.label_cell)) == SELFEVAL_MARK.label


def selfeval_cell(row: int, part: str) -> str:
    """Address of one column ('actual', 'score' …) or helper ('fraction' …) of a 自评 sheet's row."""
    return f"{SELFEVAL_COLUMNS.get(part) or SELFEVAL_HELPERS[part]}{row}"


def selfeval_fill(cell: str) -> tuple[int, int, int] | None:
    """The fill a 自评 sheet's cell has as written: what a cleared validation mark returns to."""
    spec = next((s for s in SELFEVAL_FIELDS if cell in (s.label_cell, s.value_cell)), None)
    if spec is not None:
        return LABEL_RGB if cell == spec.label_cell else None if spec.key in SELFEVAL_CARRIED else INPUT_RGB
    row, col = split_address(cell)
    if row == SELFEVAL_HEADER_ROW and col <= len(SELFEVAL_COLUMNS):
        return LABEL_RGB
    return INPUT_RGB if row >= SELFEVAL_FIRST_ROW and column_letters(col) in "EFH" else None  # the inputs
