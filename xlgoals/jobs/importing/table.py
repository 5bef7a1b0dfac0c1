"""The indicator table: its header row, then level-1 / level-2 / name / value / extra columns as cells."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from xlgoals.core.targets import TargetKind, parse_target
from xlgoals.core.values import ParseError
from xlgoals.jobs.importing.cells import Cell
from xlgoals.jobs.importing.labels import key
from xlgoals.jobs.importing.levels import SCORE_ONLY, ambiguous, level1_name, level2_name, split_score
from xlgoals.jobs.importing.titles import page_mark

LEVEL_HEADERS = {
    "level1": ("一级指标", "一级目标"),
    "level2": ("二级指标", "二级目标"),
    "name": ("三级指标", "三级目标", "指标名称", "三级指标名称", "指标内容", "具体指标"),
    "target": (
        "指标值",
        "指标值及单位",
        "年度指标值",
        "绩效目标值",
        "目标值",
        "指标目标值",
        "年度目标值",
        "绩效指标值",
        "预期指标值",
        "计划指标值",
        "全年指标值",
        "预期目标值",
    ),
}
# Columns kept beside the four: what each may hold decides, without row boundaries, where a row ends.
EXTRA_HEADERS = {
    "分值": "number",
    "权重": "number",
    "得分": "number",
    "实际完成值": "value",
    "全年实际值": "value",
    "计量单位": "unit",
    "度量单位": "unit",
    "单位": "unit",
    "指标值类型": "operator",
    "指标性质": "operator",
    "指标方向": "operator",
    "运算符号": "operator",
    "绩效标准": "value",
    "评分标准": "prose",
    "指标解释": "prose",
    "备注": "prose",
    "偏差原因分析及改进措施": "prose",
    "偏差原因": "prose",
}
_LEVEL_PARTS = frozenset(LEVEL_HEADERS)
_HEADER_OF = {key(n): part for part, names in LEVEL_HEADERS.items() for n in names}
_NUMBER = re.compile(r"^[-+]?[0-9]+(?:\.[0-9]+)?分?$")


_NOTE_IN_BRACKETS = re.compile(r"\([^()]*\)$")


def header_part(text: str) -> str | None:
    """'level1' … 'target' for a level header cell, the extra column's name for an extra header.

    A bracketed note after the header ('指标值(包含数字及文字描述)') does not change the column.
    """
    k = key(text)
    for candidate in (k, _NOTE_IN_BRACKETS.sub("", k)):
        if candidate in _HEADER_OF:
            return _HEADER_OF[candidate]
        if candidate in EXTRA_HEADERS:
            return candidate
    return None


def page_mark_cell(cell: Cell) -> bool:
    return page_mark(cell.text)


@dataclass
class Row:
    """One indicator row: its levels, its name cell and the cells of the columns after the name."""

    level1: str
    level2: str
    name: Cell
    cells: dict[str, Cell] = field(default_factory=dict)
    pos: int = 0  # the next column after the name to fill
    other: list[str] = field(default_factory=list)

    @property
    def value(self) -> Cell | None:
        return self.cells.get("target")

    @property
    def extra(self) -> dict[str, str]:
        out = {column: cell.text for column, cell in self.cells.items() if column != "target"}
        if self.other:
            out["其他"] = " ".join(self.other)
        return out


@dataclass
class TableResult:
    rows: list[Row] = field(default_factory=list)
    scores: dict[str, str] = field(default_factory=dict)
    # Page furniture met inside the table (page marks, a repeated title): skipped, and reported.
    stray: list[Cell] = field(default_factory=list)
    # The last cell read when the text stops mid-row: where a cut-off table ends.
    cut_at: Cell | None = None
    consumed: int = 0


def read_table(
    cells: list[Cell],
    start: int,
    columns: list[str],
    stop: Callable[[Cell], bool],
    skip: Callable[[Cell], bool] = page_mark_cell,
    per_row: Counter[int] | None = None,
) -> TableResult:
    """Rows from cells[start:] until `stop(cell)` says the table ended; cells may or may not mark rows.

    `columns` are the header's columns after the name, in order: 'target' and the extra columns.
    """
    result = TableResult()
    # Cells per row, counted once per text by the caller when it reads several tables.
    per_row = per_row if per_row is not None else Counter(c.row for c in cells)
    width = 3 + len(columns)
    level1 = level2 = ""
    row: Row | None = None

    def flush() -> None:
        nonlocal row
        if row is not None:
            result.rows.append(row)
            row = None

    def row_marked(cell: Cell) -> bool:
        # Rows are trustworthy when a row holds several cells but no more than the table's width.
        return 2 <= per_row[cell.row] <= width

    i = start
    while i < len(cells):
        cell = cells[i]
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if stop(cell):
            break
        if skip(cell):
            result.stray.append(cell)
            i += 1
            continue
        if header_part(cell.text) in _LEVEL_PARTS:
            # The header printed again after a page break: it and its extra columns are not rows.
            i += 1
            while i < len(cells) and header_part(cells[i].text) is not None:
                i += 1
            continue
        text = cell.text
        # A name wrapped over two cells: '经济效益' / '指标'.
        if (
            nxt is not None
            and level2_name(nxt.text) is None
            and level1_name(nxt.text) is None
            and (level2_name(text + nxt.text) or level1_name(text + nxt.text)) is not None
        ):
            text, i = text + nxt.text, i + 1
            nxt = cells[i + 1] if i + 1 < len(cells) else None
        l1 = level1_name(text)
        l2 = level2_name(text)
        if l1 is not None and l2 is not None:
            # 成本指标 is a level-1 in the 2021 form, a level-2 of 产出指标 in older ones: a weight or a
            # level-2 after it decides.
            _, score = split_score(text)
            follows_l2 = nxt is not None and level2_name(nxt.text) is not None and not ambiguous(nxt.text)
            wrapped_score = nxt is not None and SCORE_ONLY.match(nxt.text) is not None
            if not (score or follows_l2 or wrapped_score):
                l1 = None
        if l1 is not None:
            flush()
            name, score = split_score(text)
            if not score and nxt is not None and SCORE_ONLY.match(nxt.text):
                score = split_score(name + nxt.text)[1]
                i += 1
            if score:
                result.scores[l1] = score
            level1, level2 = l1, ""
            i += 1
            continue
        if l2 is not None and level2 and row is None and _looks_like_value(nxt):
            # Right after a level-2 and before a value, a level-2 word is the indicator's name:
            # '服务对象满意度指标 / 满意度 / ≥90%'.
            l2 = None
        if l2 is not None:
            flush()
            level2 = l2 if not level1.endswith("指标") or not level2_name(l2 + "指标") else l2 + "指标"
            i += 1
            continue
        if row is None or not _place(row, cell, nxt, columns, row_marked(row.name), stop):
            flush()
            row = Row(level1, level2, cell)
        i += 1
    result.consumed = i
    if row is not None:
        if row.value is None and i >= len(cells):
            result.cut_at = row.name
        else:
            result.rows.append(row)
    return result


def _place(
    row: Row, cell: Cell, nxt: Cell | None, columns: list[str], marked: bool, stop: Callable[[Cell], bool]
) -> bool:
    """Put `cell` in the row's next column that can hold it; False when it starts the next row."""
    if marked:
        if cell.row != row.name.row:
            return False
        if row.pos < len(columns):
            row.cells[columns[row.pos]] = cell
            row.pos += 1
        else:
            row.other.append(cell.text)
        return True
    while row.pos < len(columns):
        column = columns[row.pos]
        row.pos += 1
        if column != "target" and not _fits(EXTRA_HEADERS[column], cell, nxt, stop):
            continue  # that column was left blank
        row.cells[column] = cell
        return True
    return False


_OPERATOR_CELL = re.compile(
    r"[<>=≥≤≧≦＜＞＝]{1,2}|正向|反向|定量|定性|中性|等于|大于|小于|不低于|不高于|不少于|不超过|大于等于|小于等于"
)
_UNIT_CELL = re.compile(r"[^0-9<>=≥≤]{1,8}")


def _fits(kind: str, cell: Cell, nxt: Cell | None, stop: Callable[[Cell], bool]) -> bool:
    """Whether a cell can be the content of an extra column of this kind, when rows are not marked."""
    text = cell.text
    if kind == "number":
        return bool(_NUMBER.match(text))
    if kind == "operator":
        return bool(_OPERATOR_CELL.fullmatch(text))
    if kind == "unit":
        return bool(_UNIT_CELL.fullmatch(text)) and level2_name(text) is None and level1_name(text) is None
    if kind == "prose":
        # Without row boundaries a sentence column is only taken when the next cell cannot be a value.
        return nxt is None or level1_name(nxt.text) is not None or level2_name(nxt.text) is not None or stop(nxt)
    return True


def _looks_like_value(cell: Cell | None) -> bool:
    """A cell that reads as a target: a number, a comparison, a deadline or a period."""
    if cell is None:
        return False
    try:
        kind = parse_target(cell.text).kind
    except ParseError:
        return True  # '>=abc' is a malformed target, still a target
    return kind in (TargetKind.QUANTITATIVE, TargetKind.SCHEDULE)
