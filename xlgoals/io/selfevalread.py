"""A 自评 sheet's grid back into the model: inputs as typed, printed scores, and values typed over its formulas.

Scores are never read from the formula cells: Python scores from the inputs (core/scoring.py). What a
formula cell holds is read only to say where a value was typed over the form's formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.layout import Grid
from xlgoals.core.model import SELFEVAL_FORM, Indicator, Project
from xlgoals.core.selfevallayout import SELFEVAL_COLUMNS as COLS
from xlgoals.core.targets import parse_target_cached
from xlgoals.core.values import CellValue, cell_text, float_decimal
from xlgoals.io.container import Container
from xlgoals.io.labels import check_labels

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


def _usable(grid: Grid, cell: str, project: Project) -> CellValue:
    """A data cell's value; one that cannot be used (an error value, a formula never computed) reads blank and is
    recorded, for the rules to say what it is."""
    value = layout.grid_value(grid, cell)
    if isinstance(value, Unusable):
        project.unusable[cell] = value
        return None
    return value


def _indicator_rows(grid: Grid) -> int:
    """The 总分 row: the first row below the header whose first cell says 总分 (or the row after the last)."""
    row = slayout.SELFEVAL_FIRST_ROW
    while row <= len(grid):
        if layout.normalize_label(layout.grid_text(grid, f"A{row}")) == slayout.SELFEVAL_TOTAL_LABEL:
            return row
        row += 1
    return row


def _indicators(grid: Grid, total_row: int, words: frozenset[str], printed: bool, project: Project) -> None:
    level1 = level2 = ""
    for row in range(slayout.SELFEVAL_FIRST_ROW, total_row):
        parts = {part: letter for part, letter in COLS.items() if part != "score"}
        value = {part: _usable(grid, f"{letter}{row}", project) for part, letter in parts.items()}
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
    check_labels(grid, sheet, slayout.SELFEVAL_FIELDS)
    scale = 10_000 if "万元" in layout.grid_text(grid, slayout.SELFEVAL_MONEY_CELL) else 1
    project = Project(sheet=sheet, form=SELFEVAL_FORM, money_unit="万元" if scale != 1 else "")
    for spec in slayout.SELFEVAL_FIELDS:
        project.cells[spec.key] = spec.value_cell
        value = _usable(grid, spec.value_cell, project)
        if spec.kind == "money":
            amount = _number(value)
            setattr(project, spec.key, None if amount is None else amount * scale)
            if amount is None and cell_text(value):
                project.unparsed[spec.key] = cell_text(value)
        else:
            setattr(project, spec.key, cell_text(value))
    printed = layout.grid_text(grid, f"{COLS['printed']}{slayout.SELFEVAL_HEADER_ROW}") == "原表得分"
    total_row = _indicator_rows(grid)
    _indicators(grid, total_row, words, printed, project)
    project.execution_points = _number(_usable(grid, slayout.SELFEVAL_EXEC_POINTS_CELL, project), MAX_POINTS)
    project.cells["execution_points"] = slayout.SELFEVAL_EXEC_POINTS_CELL
    if printed:
        exec_row = layout.split_address(slayout.SELFEVAL_EXEC_POINTS_CELL)[0]
        project.execution_score = _number(_usable(grid, f"{COLS['printed']}{exec_row}", project), MAX_POINTS)
        project.total_score = _number(_usable(grid, f"{COLS['printed']}{total_row}", project), MAX_POINTS)
        project.cells["execution_score"] = f"{COLS['printed']}{exec_row}"
        project.cells["total_score"] = f"{COLS['printed']}{total_row}"
    score_cells = [f"{COLS['score']}{r}" for r in range(slayout.SELFEVAL_FIRST_ROW, total_row + 1)]
    for cell in (slayout.SELFEVAL_RATE_CELL, slayout.SELFEVAL_EXEC_SCORE_CELL, *score_cells):
        held = layout.grid_value(grid, cell)
        if isinstance(held, Unusable):
            continue  # the form's own formula, not computed (or in error): nothing typed over it
        shown = cell_text(held)
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
            if label in slayout.SELFEVAL_SIGNOFF:
                value = cell_text(_usable(grid, layout.address(row, layout.column_index(col) + 1), project))
                if value:
                    project.extra[label] = value


# A cell element up to its end, and whether it holds a formula (shared formulas write an empty <f .../>).
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3}[0-9]{1,7})"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def formula_cells(container: Container, sheet: str) -> frozenset[str] | None:
    """The cells of `sheet` holding a formula, from its part's XML: a value typed over one of the form's formulas
    is told from the formula's own cached value only there. None when the package does not say."""
    from xlgoals.io.files import sheet_parts

    member = sheet_parts(container).get(sheet)
    if member is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(container.data)) as zf:
            xml = zf.read(member)
    except (zipfile.BadZipFile, KeyError):
        return None
    return frozenset(m.group(1).decode() for m in _CELL.finditer(xml) if m.group(2) and _FORMULA.search(m.group(2)))
