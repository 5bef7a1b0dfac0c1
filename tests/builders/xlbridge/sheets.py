"""Actions on sheets and names: add, rename, move, copy, delete, show, freeze, print area, defined names."""

from __future__ import annotations

import re
from copy import copy, deepcopy
from typing import Any, cast

import openpyxl
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from tests.builders.xlbridge.common import (
    active_sheet,
    address_of,
    all_sheets,
    args_of,
    bounds_of,
    print_area,
    rect_of,
    sheet_of,
)

_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_ref(name: str) -> str:
    """A sheet as Excel writes it in a reference: bare when it can be, quoted otherwise."""
    looks_like_cell = re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]|[Rr]\d*[Cc]\d*", name)
    if re.fullmatch(r"[^\W\d][\w.]*", name) and not looks_like_cell:
        return name
    return "'" + name.replace("'", "''") + "'"


def _sheet_ref_pattern(name: str) -> re.Pattern[str]:
    """Matches "name!" in a formula whether Excel, openpyxl or a person wrote it quoted or bare."""
    quoted = re.escape("'" + name.replace("'", "''") + "'")
    return re.compile(rf"(?:{quoted}|(?<![\w.']){re.escape(name)})!", re.IGNORECASE)


def _check_sheet_name(wb: openpyxl.Workbook, name: str, renaming: Worksheet | None = None) -> None:
    # openpyxl would quietly rename a clash ("S1"); Excel refuses, so the test should fail.
    if not name or len(name) > 31 or _BAD_SHEET_NAME.search(name) or name[0] == "'" or name[-1] == "'":
        raise ValueError(f"Excel rejects the sheet name {name!r}")
    if name.casefold() == "history":
        raise ValueError("Excel reserves the sheet name 'History'")
    for sheet in all_sheets(wb):
        if sheet is not renaming and sheet.title.casefold() == name.casefold():
            raise ValueError(f"a sheet named {name!r} already exists")


def _move_to(wb: openpyxl.Workbook, ws: Worksheet, index: int) -> None:
    """Move `ws` so that wb.worksheets.index(ws) == index, keeping the same sheet active."""
    active = active_sheet(wb)
    all_sheets(wb).remove(ws)
    others = wb.worksheets
    position = all_sheets(wb).index(others[index]) if index < len(others) else len(all_sheets(wb))
    all_sheets(wb).insert(position, ws)
    wb.active = all_sheets(wb).index(active)


def activate(wb: openpyxl.Workbook, ws: Worksheet) -> None:
    if ws.sheet_state != "visible":
        raise ValueError(f"Excel can't activate the hidden sheet {ws.title!r}")
    # openpyxl leaves the old tab selected too, and Excel then opens the sheets grouped.
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = all_sheets(wb).index(ws)


def add_sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    index, name = args_of(action)[:2]
    if name is None:
        number = 1
        while any(title.casefold() == f"sheet{number}" for title in wb.sheetnames):
            number += 1
        name = f"Sheet{number}"
    _check_sheet_name(wb, name)
    # Office.js' worksheets.add() doesn't activate the new sheet (xlwings assumes it does, locally);
    # neither does create_sheet.
    _move_to(wb, wb.create_sheet(name), index)


def set_sheet_name(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    name = args_of(action)[0]
    _check_sheet_name(wb, name, renaming=ws)
    old = ws.title
    ws.title = name
    _retarget_names(wb, old, name)


def _retarget_names(wb: openpyxl.Workbook, old: str, new: str) -> None:
    # Excel rewrites references to a renamed sheet; openpyxl doesn't.
    pattern = _sheet_ref_pattern(old)
    scopes = [wb.defined_names, *(ws.defined_names for ws in wb.worksheets)]
    for scope in scopes:
        for defined_name in scope.values():
            if defined_name.attr_text:
                defined_name.attr_text = pattern.sub(sheet_ref(new) + "!", defined_name.attr_text)


def activate_sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    activate(wb, wb.worksheets[args_of(action)[0]])


def set_sheet_visibility(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    state = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}[args_of(action)[0]]
    if state != "visible" and not any(s.sheet_state == "visible" for s in wb.worksheets if s is not ws):
        raise ValueError("Excel can't hide the only visible sheet")
    ws.sheet_state = cast(Any, state)
    if state != "visible" and active_sheet(wb) is ws:
        activate(wb, _neighbour(wb, ws))


def _neighbour(wb: openpyxl.Workbook, ws: Worksheet) -> Worksheet:
    """The visible sheet Excel activates when `ws` goes away: the next one, else the previous one."""
    sheets = cast(list[Worksheet], wb.worksheets)
    index = sheets.index(ws)
    for candidate in [*sheets[index + 1 :], *reversed(sheets[:index])]:
        if candidate.sheet_state == "visible":
            return candidate
    raise ValueError("no other visible sheet")


def sheet_delete(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    if not any(s.sheet_state == "visible" for s in wb.worksheets if s is not ws):
        raise ValueError("Excel can't delete the only visible sheet")
    active = active_sheet(wb)
    if active is ws:
        active = _neighbour(wb, ws)
    wb.remove(ws)
    activate(wb, active)


def set_sheet_position(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _move_to(wb, sheet_of(wb, action), args_of(action)[0])


def copy_sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    source = sheet_of(wb, action)
    position, target_index, name = args_of(action)[:3]
    if source.tables or getattr(source, "_images", None) or getattr(source, "_charts", None):
        raise NotImplementedError("copySheet: the bridge can't copy tables, pictures or charts")
    _check_sheet_name(wb, name)
    active = active_sheet(wb)
    copied = wb.copy_worksheet(source)
    copied.title = name
    _copy_what_openpyxl_leaves_out(wb, source, copied)
    # target_index counts sheets before the copy existed.
    _move_to(wb, copied, target_index if position == "Before" else target_index + 1)
    wb.active = all_sheets(wb).index(active)


def _copy_what_openpyxl_leaves_out(wb: openpyxl.Workbook, source: Worksheet, copied: Worksheet) -> None:
    # openpyxl's copy_worksheet takes cells, dimensions, merges and page setup; Excel's copy also
    # takes validation, conditional formats, panes, print titles, protection and local names.
    copied.merged_cells = type(source.merged_cells)()
    for merged in source.merged_cells.ranges:
        copied.merge_cells(merged.coord)
    for validation in source.data_validations.dataValidation:
        copied.add_data_validation(deepcopy(validation))
    for formatting in source.conditional_formatting:
        for rule in formatting.rules:
            copied.conditional_formatting.add(str(formatting.sqref), copy(rule))
    copied.views = deepcopy(source.views)
    for view in copied.views.sheetView:
        view.tabSelected = False
    copied.protection = copy(source.protection)
    copied.auto_filter.ref = source.auto_filter.ref
    copied.print_title_rows = source.print_title_rows
    copied.print_title_cols = source.print_title_cols
    area = print_area(source)
    if area:
        copied.print_area = area.split(",")
    copied.HeaderFooter = copy(source.HeaderFooter)
    old_ref = _sheet_ref_pattern(source.title)
    new_ref = sheet_ref(copied.title) + "!"
    for defined_name in source.defined_names.values():
        copied.defined_names[defined_name.name] = DefinedName(
            defined_name.name, attr_text=old_ref.sub(new_ref, defined_name.attr_text or "")
        )
    # Excel gives the copy a local twin of every book-level name that points into the source sheet.
    for defined_name in wb.defined_names.values():
        text = defined_name.attr_text or ""
        if old_ref.search(text) and defined_name.name not in copied.defined_names:
            copied.defined_names[defined_name.name] = DefinedName(
                defined_name.name, attr_text=old_ref.sub(new_ref, text)
            )


def set_show_gridlines(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    sheet_of(wb, action).sheet_view.showGridLines = bool(args_of(action)[0])


def freeze_at(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    reference = args_of(action)[0].replace("$", "")
    # Office.js freezes the given cells; a file stores the first cell of the scrolling pane.
    if re.fullmatch(r"[A-Za-z]+:[A-Za-z]+|[A-Za-z]+", reference):
        _, _, _, last_col = bounds_of(reference.split(":")[-1] + "1")
        ws.freeze_panes = ws.cell(1, last_col + 1).coordinate
    elif re.fullmatch(r"\d+:\d+|\d+", reference):
        ws.freeze_panes = ws.cell(int(reference.split(":")[-1]) + 1, 1).coordinate
    else:
        _, _, last_row, last_col = bounds_of(reference)
        ws.freeze_panes = ws.cell(last_row + 1, last_col + 1).coordinate


def unfreeze(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    sheet_of(wb, action).freeze_panes = None


def set_print_area(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    sheet_of(wb, action).print_area = args_of(action)[0]


def _name_scope(wb: openpyxl.Workbook, book_scope: bool, scope_index: int | None) -> Any:
    return wb.defined_names if book_scope else wb.worksheets[scope_index or 0].defined_names


def names_add(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    name, refers_to = args_of(action)[:2]
    book_scope = action.get("sheet_position") is None
    scope = _name_scope(wb, book_scope, action.get("sheet_position"))
    if name in scope:
        raise ValueError(f"the name {name!r} already exists in that scope (Excel rejects it)")
    scope[name] = DefinedName(name, attr_text=refers_to.removeprefix("="))


def name_delete(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _, _, name, _, book_scope, scope_index = args_of(action)[:6]
    del _name_scope(wb, book_scope, scope_index)[name]


def set_name_refers_to(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    name, book_scope, scope_index, refers_to = args_of(action)[:4]
    _name_scope(wb, book_scope, scope_index)[name].attr_text = refers_to.removeprefix("=")


def set_range_name(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    name = args_of(action)[0]
    reference = f"{sheet_ref(ws.title)}!{address_of(rect_of(action), absolute=True)}"
    wb.defined_names[name] = DefinedName(name, attr_text=reference)
