"""A 自评 sheet's grid back into the model: inputs as typed, printed scores, and values typed over its formulas.

Scores are never read from the formula cells: Python scores from the inputs (validation/scoring.py). What a
formula cell holds is read only to say where a value was typed over the form's formula.
"""

from __future__ import annotations

from decimal import Decimal

from xlgoals.core import layout
from xlgoals.core.layout import SELFEVAL_COLUMNS as COLS
from xlgoals.core.layout import Grid
from xlgoals.core.model import SELFEVAL_FORM, Indicator, Project
from xlgoals.core.targets import parse_target_cached
from xlgoals.core.values import CellValue, cell_text, float_decimal

_NUMBERS = (int, float, Decimal)
# Points beyond this are no points a form gives (a stray 1E+300 would only overflow the arithmetic): not a number.
MAX_POINTS = Decimal(10**6)


def _number(value: CellValue, limit: Decimal | None = None) -> Decimal | None:
    """A number as the sheet's formulas see one (ISNUMBER): numeric cells only, never text that looks like one;
    None for an infinite one, or one beyond `limit` either way."""
    if isinstance(value, bool) or not isinstance(value, _NUMBERS):
        return None
    number = float_decimal(value) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or (limit is not None and abs(number) > limit):
        return None
    return number


def _indicator_rows(grid: Grid) -> int:
    """The 总分 row: the first row below the header whose first cell says 总分 (or the row after the last)."""
    row = layout.SELFEVAL_FIRST_ROW
    while row <= len(grid):
        if layout.normalize_label(layout.grid_text(grid, f"A{row}")) == layout.SELFEVAL_TOTAL_LABEL:
            return row
        row += 1
    return row


def _indicators(grid: Grid, total_row: int, words: frozenset[str], printed: bool, project: Project) -> None:
    level1 = level2 = ""
    for row in range(layout.SELFEVAL_FIRST_ROW, total_row):
        value = {part: layout.grid_value(grid, f"{letter}{row}") for part, letter in COLS.items()}
        text = {part: cell_text(v) for part, v in value.items()}
        if not any(text[p] for p in ("level1", "level2", "name", "target", "actual", "reason")):
            continue
        level1 = text["level1"] or level1
        level2 = text["level2"] or (level2 if not text["level1"] else "")
        ind = Indicator(
            level1=level1,
            level2=level2,
            name=text["name"],
            value=text["target"],
            target=parse_target_cached(value["target"], text["name"], words),
            cells={part: f"{letter}{row}" for part, letter in COLS.items() if part != "printed" or printed},
            actual=text["actual"],
            reason=text["reason"],
            points=_number(value["points"], MAX_POINTS),
            score=_number(value["printed"], MAX_POINTS) if printed else None,
        )
        if text["points"] and ind.points is None:
            ind.unparsed["points"] = text["points"]
        project.indicators.append(ind)


def read_selfeval(grid: Grid, sheet: str, words: frozenset[str], formulas: frozenset[str] | None = None) -> Project:
    """The project on a 自评 sheet. `formulas`: the cells holding formulas, where the file says (None: unknown)."""
    from xlgoals.io.reader import check_labels

    check_labels(grid, sheet, layout.SELFEVAL_FIELDS)
    scale = 10_000 if "万元" in layout.grid_text(grid, layout.SELFEVAL_MONEY_CELL) else 1
    project = Project(sheet=sheet, form=SELFEVAL_FORM, money_unit="万元" if scale != 1 else "")
    for spec in layout.SELFEVAL_FIELDS:
        project.cells[spec.key] = spec.value_cell
        value = layout.grid_value(grid, spec.value_cell)
        if spec.kind == "money":
            amount = _number(value)
            setattr(project, spec.key, None if amount is None else amount * scale)
            if amount is None and cell_text(value):
                project.unparsed[spec.key] = cell_text(value)
        else:
            setattr(project, spec.key, cell_text(value))
    printed = layout.grid_text(grid, f"{COLS['printed']}{layout.SELFEVAL_HEADER_ROW}") == "原表得分"
    total_row = _indicator_rows(grid)
    _indicators(grid, total_row, words, printed, project)
    project.execution_points = _number(layout.grid_value(grid, layout.SELFEVAL_EXEC_POINTS_CELL), MAX_POINTS)
    project.cells["execution_points"] = layout.SELFEVAL_EXEC_POINTS_CELL
    if printed:
        exec_row = layout.split_address(layout.SELFEVAL_EXEC_POINTS_CELL)[0]
        project.execution_score = _number(layout.grid_value(grid, f"{COLS['printed']}{exec_row}"), MAX_POINTS)
        project.total_score = _number(layout.grid_value(grid, f"{COLS['printed']}{total_row}"), MAX_POINTS)
        project.cells["execution_score"] = f"{COLS['printed']}{exec_row}"
        project.cells["total_score"] = f"{COLS['printed']}{total_row}"
    score_cells = [f"{COLS['score']}{r}" for r in range(layout.SELFEVAL_FIRST_ROW, total_row + 1)]
    for cell in (layout.SELFEVAL_RATE_CELL, layout.SELFEVAL_EXEC_SCORE_CELL, *score_cells):
        shown = cell_text(layout.grid_value(grid, cell))
        if shown and (formulas is None or cell not in formulas):
            project.typed_over[cell] = shown
    project.formulas_seen = formulas is not None
    _signoff(grid, total_row, project)
    return project


def _signoff(grid: Grid, total_row: int, project: Project) -> None:
    """单位负责人, 财务负责人 …: each label's value in the cell to its right, below the 总分 row and its note."""
    for row in range(total_row + 2, total_row + 4):
        for col in ("A", "C", "E"):
            label = layout.normalize_label(layout.grid_text(grid, f"{col}{row}"))
            if label in layout.SELFEVAL_SIGNOFF:
                value = layout.grid_text(grid, layout.address(row, layout.column_index(col) + 1))
                if value:
                    project.extra[label] = value
