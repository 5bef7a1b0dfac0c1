"""Read a filled workbook into the model through the layout, from any grid source (file or live book)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from operator import itemgetter

from xlgoals.core import layout, signoff
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.errors import LayoutError, NotOurWorkbookError
from xlgoals.core.layout import FieldSpec, Grid
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.ruleset import framework_name
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target_cached
from xlgoals.core.values import (
    EDGE_CHARS,
    CellValue,
    GridValue,
    ParseError,
    cell_text,
    parse_date,
    parse_money,
    shown_text,
)
from xlgoals.io.files import BookGrid, Engine, SheetGrid, read_grids
from xlgoals.io.labels import cell_values as _values
from xlgoals.io.labels import check_labels
from xlgoals.io.labels import normalized_label as _normalized

YES = {"是": True, "否": False}
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?\s*(?:年度?)?$")
# Indicator columns as 0-based indices and as letters (for the cell addresses the rules report).
_COLUMN = {part: layout.column_index(letter) - 1 for part, letter in layout.INDICATOR_COLUMNS.items()}
_LEVEL1, _LEVEL2, _NAME, _TARGET = (_COLUMN[p] for p in ("level1", "level2", "name", "target"))
_LETTERS = tuple(layout.INDICATOR_COLUMNS.items())


def _value(grid: Grid, cell: str) -> GridValue:
    return _values(grid, (cell,))[0]


def _text(grid: Grid, cell: str) -> str:
    return shown_text(_value(grid, cell))


def _parse_year(text: str) -> int | None:
    m = _YEAR.match(text.strip())
    return int(m.group(1)) if m else None


def read_cover(grid: Grid, unit: Unit) -> None:
    check_labels(grid, layout.COVER_SHEET, layout.COVER_FIELDS)
    for spec in layout.COVER_FIELDS:
        unit.cells[spec.key] = spec.value_cell
        value = _value(grid, spec.value_cell)
        if isinstance(value, Unusable):  # read as blank; the rules say what it is
            unit.unusable[spec.value_cell] = value
            value = None
        text = cell_text(value)
        if spec.kind == "year":
            unit.year = _parse_year(text) if text else None
            if text and unit.year is None:
                unit.unparsed["year"] = text
        elif spec.kind == "framework":
            unit.framework = framework_name(text)
        else:
            setattr(unit, spec.key, text)


def _scaled_money(value: CellValue, scale: int) -> Decimal | None:
    """Yuan of a cell kept in 万元 (scale 10000); text that names its own unit ('60万元', '600000元') keeps it."""
    amount = parse_money(value)
    if amount is None or scale == 1 or (isinstance(value, str) and re.search(r"[元千万亿]", value)):
        return amount
    return amount * scale


def _parsed_field(
    spec: FieldSpec,
    value: GridValue,
    values: dict[str, object],
    unparsed: dict[str, str],
    unusable: dict[str, Unusable],
) -> None:
    """One header field parsed into `values` (by key), or its text into `unparsed` when it does not parse; a
    cell whose value cannot be used into `unusable` (by address), the field left blank."""
    kind = spec.kind
    if isinstance(value, Unusable):
        unusable[spec.value_cell] = value
        values[spec.key] = None if kind in ("money", "date", "yesno") else ""
        return
    try:
        if kind == "money":
            values[spec.key] = _scaled_money(value, spec.scale)
            return
        if kind == "date":
            values[spec.key] = parse_date(value)
            return
    except ParseError:
        unparsed[spec.key] = cell_text(value)
        return
    text = cell_text(value)
    if kind == "yesno":
        if text and text not in YES:
            unparsed[spec.key] = text
        values[spec.key] = YES.get(text)
    else:
        values[spec.key] = text


@cache
def _row_cells(row: int) -> dict[str, str]:
    """The addresses of an indicator row's parts; shared, never changed: each Indicator validates its own copy."""
    return {part: f"{letter}{row}" for part, letter in _LETTERS}


_WIDTH = max(_COLUMN.values()) + 1
_PAD: tuple[None, ...] = (None,) * _WIDTH
_PARTS = itemgetter(_LEVEL1, _LEVEL2, _NAME, _TARGET)


class _UnusableCell(Exception):
    """An indicator row with a cell whose value cannot be used: read by _unusable_row instead."""


def _loose_text(value: GridValue) -> str:
    """cell_text of what is neither blank nor text; an unusable cell leaves the quick path."""
    if type(value) is Unusable:
        raise _UnusableCell
    return cell_text(value)  # type: ignore[arg-type]


def _indicator_rows(
    grid: Grid, words: frozenset[str], unusable: dict[str, Unusable] | None = None
) -> list[dict[str, object]]:
    """The fields of each indicator row below the header, as Indicator takes them (see read_indicators);
    cells whose value cannot be used go into `unusable` (by address)."""
    out: list[dict[str, object]] = []
    level1 = level2 = ""
    # The cell a level stands under when it is an unusable one (its rows' level is unknown, not the one above).
    under1 = under2 = ""
    first = layout.INDICATOR_FIRST_ROW
    for row, values in enumerate(grid[first - 1 : signoff.indicators_end(grid)], first):  # not the sign-off block
        v1, v2, v3, v4 = _PARTS(values if len(values) >= _WIDTH else (*values, *_PAD))
        if v1 is None and v2 is None and v3 is None and v4 is None:
            continue
        try:
            # cell_text, with its commonest cases (blank, text) taken here: four calls a row add up.
            t1 = "" if v1 is None else v1.strip(EDGE_CHARS) if type(v1) is str else _loose_text(v1)
            t2 = "" if v2 is None else v2.strip(EDGE_CHARS) if type(v2) is str else _loose_text(v2)
            name = "" if v3 is None else v3.strip(EDGE_CHARS) if type(v3) is str else _loose_text(v3)
            value = "" if v4 is None else v4.strip(EDGE_CHARS) if type(v4) is str else _loose_text(v4)
        except _UnusableCell:
            level1, under1, level2, under2 = _unusable_row(
                out, row, (v1, v2, v3, v4), (level1, under1, level2, under2), words, unusable
            )
            continue
        if not (t1 or t2 or name or value):
            continue
        if t1:
            level1, under1 = t1, ""
        if t2 or t1:
            level2, under2 = t2, ""
        row_out: dict[str, object] = {
            "level1": level1,
            "level2": level2,
            "name": name,
            "value": value,
            "target": parse_target_cached(v4, name, words),
            "cells": _row_cells(row),
        }
        if under1 or under2:
            row_out["unusable"] = {part: cell for part, cell in (("level1", under1), ("level2", under2)) if cell}
        out.append(row_out)
    return out


_LEVELS = tuple[str, str, str, str]


def _unusable_row(
    out: list[dict[str, object]],
    row: int,
    parts: tuple[GridValue, ...],
    levels: _LEVELS,
    words: frozenset[str],
    unusable: dict[str, Unusable] | None,
) -> _LEVELS:
    """An indicator row with an unusable cell: that part reads blank and is recorded, and an unusable level
    cell starts a level of its own (unknown), so the rows under it never take the level of a row above it."""
    cells = _row_cells(row)
    texts: dict[str, str] = {}
    own: dict[str, str] = {}
    for part, v in zip(("level1", "level2", "name", "target"), parts, strict=True):
        if isinstance(v, Unusable):
            own[part] = cells[part]
            texts[part] = ""
            if unusable is not None:
                unusable[cells[part]] = v
        else:
            texts[part] = cell_text(v)
    level1, under1, level2, under2 = levels
    if texts["level1"] or "level1" in own:
        level1, under1 = texts["level1"], own.get("level1", "")
    if texts["level2"] or "level2" in own or texts["level1"] or "level1" in own:
        level2, under2 = texts["level2"], own.get("level2", "")
    marks = {**own, **{p: c for p, c in (("level1", under1), ("level2", under2)) if c}}
    v4 = parts[3]
    out.append(
        {
            "level1": level1,
            "level2": level2,
            "name": texts["name"],
            "value": texts["target"],
            "target": None if isinstance(v4, Unusable) else parse_target_cached(v4, texts["name"], words),
            "cells": cells,
            "unusable": marks,
        }
    )
    return level1, under1, level2, under2


def read_indicators(grid: Grid, words: frozenset[str]) -> list[Indicator]:
    """Indicator rows below the header; blank level-1/level-2 mean 'same as above', as on merged forms."""
    return [Indicator(**row) for row in _indicator_rows(grid, words)]


def _is_blank_project(grid: Grid, form: layout.Form) -> bool:
    """The template's untouched 项目1 sheet is not a project (a cell that cannot be used counts as filled)."""
    filled = any(
        v is not None and (isinstance(v, Unusable) or cell_text(v))
        for v in _values(grid, [s.value_cell for s in layout.project_fields(form)])
    )
    return not filled and not _indicator_rows(grid, frozenset())


def read_project(
    grid: Grid, sheet: str, words: frozenset[str] = DEFAULT_QUALITATIVE, form: layout.Form | None = None
) -> Project:
    # The sheet's labels say which form it is: Shanghai's declaration or the national one.
    form = form or layout.form_of(grid)
    fields = layout.project_fields(form)
    check_labels(grid, sheet, fields)
    values: dict[str, object] = {}
    unparsed: dict[str, str] = {}
    unusable: dict[str, Unusable] = {}
    for spec, value in zip(fields, _values(grid, [spec.value_cell for spec in fields]), strict=True):
        _parsed_field(spec, value, values, unparsed, unusable)
    # One validation of the whole project, indicators included, rather than one per field assigned.
    project = Project(
        sheet=sheet,
        money_unit="万元" if form == "national" else "",
        **values,
        indicators=_indicator_rows(grid, words, unusable),
    )
    if unusable:
        project.unusable = unusable
    # Filled in place, as before, so the fields set on the model are the same as when assigned one by one.
    project.cells.update((spec.key, spec.value_cell) for spec in fields)
    project.unparsed.update(unparsed)
    return project


_PROJECT_LABELS = frozenset(layout.normalize_label(spec.label) for spec in layout.PROJECT_FIELDS)
# Scanned for labels of a form whose rows or columns moved; the form's labels all sit above row 20.
_LABEL_SCAN_ROWS = 60


def looks_like_project(grid: Grid) -> bool:
    """A sheet laid out as the project form, by its labels, whatever the sheet is called.

    The 项目名称 label where the template puts it is the common case. A form whose rows moved still counts
    (the reader then says where its labels went), when most of its labels sit on several rows as on the
    form; a table with these words as column headers in one row (a pasted summary) does not.
    """
    spec = layout.PROJECT_FIELD["name"]
    value = _value(grid, spec.label_cell)
    if isinstance(value, str) and layout.normalize_label(value) == _normalized(spec.label):
        return True
    rows: dict[str, int] = {}
    for r, row in enumerate(grid[:_LABEL_SCAN_ROWS]):
        for value in row:
            if isinstance(value, str) and len(value) < 30:
                label = layout.normalize_label(value)
                if label in _PROJECT_LABELS:
                    rows.setdefault(label, r)
    return len(rows) * 2 >= len(_PROJECT_LABELS) and len(set(rows.values())) >= 3


def read_unit(book: BookGrid | Mapping[str, SheetGrid], words: frozenset[str] = DEFAULT_QUALITATIVE) -> Unit:
    """The model of a workbook's grids; LayoutError / NotOurWorkbookError when it is not usable.

    Every sheet is accounted for: the workbook's own sheets by name, projects by their layout, blank
    project sheets in `blank_sheets` and anything else in `other_sheets` (the rules report both).
    """
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
        rows = sheet.rows
        if layout.is_system_sheet(name):
            # The cover is read above; any other of our names over a filled project form is said, not read.
            if (
                name != layout.COVER_SHEET
                and looks_like_project(rows)
                and not _is_blank_project(rows, layout.form_of(rows))
            ):
                if name == layout.PROJECT_TEMPLATE_SHEET:
                    unit.template_filled = True
                else:
                    unit.reserved_sheets.append(name)
            continue
        if not looks_like_project(rows):
            unit.other_sheets.append(name)
            continue
        if slayout.is_selfeval_grid(rows):
            unit.projects.append(_selfeval(book, name, rows, words))
            continue
        form = layout.form_of(rows)
        if _is_blank_project(rows, form):
            unit.blank_sheets.append(name)
        else:
            unit.projects.append(read_project(rows, name, words, form))
    return unit


def _selfeval(book: BookGrid | Mapping[str, SheetGrid], name: str, rows: Grid, words: frozenset[str]) -> Project:
    """A 自评 sheet's project; which of its cells hold formulas comes from the file, where there is one."""
    from xlgoals.io.selfevalread import formula_cells, read_selfeval

    container = book.container if isinstance(book, BookGrid) else None
    return read_selfeval(rows, name, words, formula_cells(container, name) if container is not None else None)


def read(path: str | os.PathLike[str], engine: Engine = "calamine") -> Unit:
    """The model of a filled workbook file; errors name the file, sheet and cell."""
    return read_book(path, engine)[0]


def read_book(path: str | os.PathLike[str], engine: Engine = "calamine") -> tuple[Unit, BookGrid]:
    """The model of a filled workbook file and the grids (with the checked bytes) it was read from."""
    book = read_grids(path, engine)
    try:
        unit = read_unit(book)
    except (LayoutError, NotOurWorkbookError) as e:
        e.file = str(path)
        raise
    unit.source = str(path)
    return unit, book
