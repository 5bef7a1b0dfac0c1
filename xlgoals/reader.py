"""Read a filled workbook into the model through the layout, from any grid source (file or live book)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache

from xlgoals import layout
from xlgoals.errors import LayoutError, NotOurWorkbookError
from xlgoals.files import BookGrid, Engine, SheetGrid, read_grids
from xlgoals.layout import FieldSpec, Grid
from xlgoals.model import Indicator, Project, Unit
from xlgoals.ruleset import framework_name
from xlgoals.values import (
    DEFAULT_QUALITATIVE,
    CellValue,
    ParseError,
    Target,
    cell_text,
    parse_date,
    parse_money,
    parse_target,
)

YES = {"是": True, "否": False}
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?\s*(?:年度?)?$")
# Indicator columns as 0-based indices and as letters (for the cell addresses the rules report).
_COLUMN = {part: layout.column_index(letter) - 1 for part, letter in layout.INDICATOR_COLUMNS.items()}
_LEVEL1, _LEVEL2, _NAME, _TARGET = (_COLUMN[p] for p in ("level1", "level2", "name", "target"))
_LETTERS = tuple(layout.INDICATOR_COLUMNS.items())
# parse_target of a text is a pure function of (text, name, words) and Target is frozen, so a department's
# thousand workbooks, which repeat the same few hundred targets, parse each one once per process.
_TARGETS: dict[tuple[str, str, frozenset[str]], Target | None] = {}
_TARGETS_MAX = 20_000
_TARGETS_TEXT_MAX = 200  # longer texts are prose, parsed quickly and seldom repeated


@cache
def _position(cell: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 address, parsed once: the reader asks for the same few cells always."""
    row, col = layout.split_address(cell)
    return row - 1, col - 1


def _value(grid: Grid, cell: str) -> CellValue:
    """layout.grid_value without parsing the address each time."""
    row, col = _position(cell)
    if row >= len(grid):
        return None
    values = grid[row]
    return values[col] if col < len(values) else None


@cache
def _normalized(label: str) -> str:
    return layout.normalize_label(label)


def _text(grid: Grid, cell: str) -> str:
    return cell_text(_value(grid, cell))


def _target(value: CellValue, name: str, words: frozenset[str]) -> Target | None:
    """parse_target, None where it does not parse; texts are remembered (numbers are cheap and typed)."""
    if type(value) is not str or len(value) + len(name) > _TARGETS_TEXT_MAX:
        try:
            return parse_target(value, name, words)
        except ParseError:
            return None
    key = (value, name, words)
    try:
        return _TARGETS[key]
    except KeyError:
        pass
    try:
        target: Target | None = parse_target(value, name, words)
    except ParseError:
        target = None
    if len(_TARGETS) >= _TARGETS_MAX:
        _TARGETS.clear()
    _TARGETS[key] = target
    return target


def check_labels(grid: Grid, sheet: str, specs: tuple[FieldSpec, ...]) -> None:
    """Refuse a sheet whose labels moved: reading shifted cells would put values in the wrong fields."""
    for spec in specs:
        text = _text(grid, spec.label_cell)
        if text == spec.label or layout.normalize_label(text) == _normalized(spec.label):
            continue
        found = layout.find_label(grid, spec.label)
        moved = f"，现在位于 {found}" if found else "，表中找不到该标签"
        raise LayoutError(
            f"标签“{spec.label}”应在 {spec.label_cell}{moved}。请不要插入、删除行列或改动标签，"
            f"可从模板重新复制该表后再填写。",
            sheet=sheet,
            cell=spec.label_cell,
        )


def _parse_year(text: str) -> int | None:
    m = _YEAR.match(text.strip())
    return int(m.group(1)) if m else None


def read_cover(grid: Grid, unit: Unit) -> None:
    check_labels(grid, layout.COVER_SHEET, layout.COVER_FIELDS)
    for spec in layout.COVER_FIELDS:
        unit.cells[spec.key] = spec.value_cell
        text = _text(grid, spec.value_cell)
        if spec.kind == "year":
            unit.year = _parse_year(text) if text else None
            if text and unit.year is None:
                unit.unparsed["year"] = text
        elif spec.kind == "framework":
            unit.framework = framework_name(text)
        else:
            setattr(unit, spec.key, text)


def _read_field(project: Project, spec: FieldSpec, grid: Grid) -> None:
    value = _value(grid, spec.value_cell)
    text = cell_text(value)
    try:
        if spec.kind == "money":
            setattr(project, spec.key, parse_money(value))
        elif spec.kind == "date":
            setattr(project, spec.key, parse_date(value))
        elif spec.kind == "yesno":
            if text and text not in YES:
                project.unparsed[spec.key] = text
            project.gov_purchase = YES.get(text)
        else:
            setattr(project, spec.key, text)
    except ParseError:
        project.unparsed[spec.key] = text


def read_indicators(grid: Grid, words: frozenset[str]) -> list[Indicator]:
    """Indicator rows below the header; blank level-1/level-2 mean 'same as above', as on merged forms."""
    out: list[Indicator] = []
    level1 = level2 = ""
    width = max(_COLUMN.values()) + 1
    for row in range(layout.INDICATOR_FIRST_ROW, len(grid) + 1):
        values = grid[row - 1]
        if len(values) < width:
            values = [*values, *[None] * (width - len(values))]
        t1, t2 = cell_text(values[_LEVEL1]), cell_text(values[_LEVEL2])
        name, value = cell_text(values[_NAME]), cell_text(values[_TARGET])
        if not (t1 or t2 or name or value):
            continue
        level1 = t1 or level1
        level2 = t2 or (level2 if not t1 else "")
        out.append(
            Indicator(
                level1=level1,
                level2=level2,
                name=name,
                value=value,
                target=_target(values[_TARGET], name, words),
                cells={part: f"{letter}{row}" for part, letter in _LETTERS},
            )
        )
    return out


def _is_blank_project(grid: Grid) -> bool:
    """The template's untouched 项目1 sheet is not a project."""
    filled = any(_text(grid, s.value_cell) for s in layout.PROJECT_FIELDS)
    return not filled and not read_indicators(grid, frozenset())


def read_project(grid: Grid, sheet: str, words: frozenset[str] = DEFAULT_QUALITATIVE) -> Project:
    check_labels(grid, sheet, layout.PROJECT_FIELDS)
    project = Project(sheet=sheet)
    for spec in layout.PROJECT_FIELDS:
        project.cells[spec.key] = spec.value_cell
        _read_field(project, spec, grid)
    project.indicators = read_indicators(grid, words)
    return project


def looks_like_project(grid: Grid) -> bool:
    spec = layout.PROJECT_FIELD["name"]
    # Where the template puts the label first (the common case), compared as find_label compares.
    value = _value(grid, spec.label_cell)
    if isinstance(value, str) and layout.normalize_label(value) == _normalized(spec.label):
        return True
    return layout.find_label(grid, spec.label) is not None


def read_unit(book: BookGrid | Mapping[str, SheetGrid], words: frozenset[str] = DEFAULT_QUALITATIVE) -> Unit:
    """The model of a workbook's grids; LayoutError / NotOurWorkbookError when it is not usable."""
    sheets = book.sheets if isinstance(book, BookGrid) else book
    unit = Unit()
    if layout.COVER_SHEET not in sheets:
        if layout.LISTS_SHEET in sheets or any(looks_like_project(s.rows) for s in sheets.values()):
            raise LayoutError(
                f"找不到工作表“{layout.COVER_SHEET}”，它可能被改名或删除。请把封面表名改回“{layout.COVER_SHEET}”。",
                sheet=layout.COVER_SHEET,
            )
        raise NotOurWorkbookError(
            f"这不是绩效目标申报工作簿（缺少“{layout.COVER_SHEET}”工作表）。请使用 xlgoals 模板填报。"
        )
    read_cover(sheets[layout.COVER_SHEET].rows, unit)
    unit.unread_cells = {name: s.outside for name, s in sheets.items() if s.outside}
    for name, sheet in sheets.items():
        if not layout.is_project_sheet_name(name):
            continue
        if not looks_like_project(sheet.rows):
            unit.other_sheets.append(name)
            continue
        if _is_blank_project(sheet.rows):
            continue
        unit.projects.append(read_project(sheet.rows, name, words))
    return unit


def read(path: str | os.PathLike[str], engine: Engine = "calamine") -> Unit:
    """The model of a filled workbook file; errors name the file, sheet and cell."""
    book = read_grids(path, engine)
    try:
        unit = read_unit(book)
    except (LayoutError, NotOurWorkbookError) as e:
        e.file = str(path)
        raise
    unit.source = str(path)
    return unit
