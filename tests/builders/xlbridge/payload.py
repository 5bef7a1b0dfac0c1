"""Turn a workbook file into the payload Excel's client sends."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, cast

import openpyxl
import xlwings as xw
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from tests.builders.xlbridge.common import Client, Rect, address_of, bounds_of, print_area
from tests.builders.xlbridge.sheets import sheet_ref


def payload_from_workbook(
    wb: openpyxl.Workbook,
    *,
    book_name: str,
    active_sheet: str | None = None,
    selection: str = "A1",
    client: Client = "Office.js",
    values_from: openpyxl.Workbook | None = None,
) -> dict[str, Any]:
    """The JSON request body xlwings' Office.js (default) or VBA client would POST for this workbook.

    Excel sends calculated values, never formulas: a formula cell raises ValueError unless
    `values_from` (the same file loaded with `data_only=True`) supplies its cached result; a missing
    cache (files saved by openpyxl have none) is sent as an empty cell.
    """
    worksheets = wb.worksheets
    if active_sheet is None:
        active = wb.active
        active_index = worksheets.index(active) if active in worksheets else 0
    else:
        active_index = next((i for i, ws in enumerate(worksheets) if ws.title == active_sheet), -1)
        if active_index < 0:
            raise KeyError(active_sheet)
    book: dict[str, Any] = {"name": book_name, "active_sheet_index": active_index, "selection": selection}
    if client == "Office.js":
        book["calculation"] = _CALC_MODE_TO_JS.get(wb.calculation.calcMode or "auto", "Automatic")
    payload: dict[str, Any] = {
        "client": client,
        "version": xw.__version__,
        "book": book,
        "names": _names(wb, client),
        "sheets": [_sheet_payload(ws, client, values_from) for ws in worksheets],
    }
    # What arrives at the server went through JSON, so anything JSON can't carry must fail here too.
    result: dict[str, Any] = json.loads(json.dumps(payload, allow_nan=False))
    return result


_CALC_MODE_TO_JS = {"auto": "Automatic", "manual": "Manual", "autoNoTable": "AutomaticExceptTables"}
CALC_MODE_FROM_JS = {js: xl for xl, js in _CALC_MODE_TO_JS.items()}


def _sheet_payload(ws: Worksheet, client: Client, values_from: openpyxl.Workbook | None) -> dict[str, Any]:
    bounds = _used_bounds(ws)
    cached = values_from[ws.title] if values_from is not None else None
    values: list[list[Any]]
    if bounds is None:
        # Office.js reports an empty sheet's used range as A1; VBA skips it.
        values = [[""]] if client == "Office.js" else [[]]
    else:
        _, _, last_row, last_col = bounds
        # Values always start at A1, whatever the used range's top-left corner is.
        values = [
            [_client_value(ws, row, col, client, cached) for col in range(1, last_col + 1)]
            for row in range(1, last_row + 1)
        ]
    entry: dict[str, Any] = {
        "name": ws.title,
        "values": values,
        "pictures": [],
        "tables": _tables(ws, client),
    }
    if client == "Office.js":
        entry |= {
            "visibility": _VISIBILITY_TO_JS[ws.sheet_state],
            "show_gridlines": ws.sheet_view.showGridLines is not False,
            "notes": [
                {"address": cell.coordinate}
                for cell in sorted(ws._cells.values(), key=lambda c: (c.row, c.column))
                if cell.comment is not None
            ],
            "pivot_tables": [],
            "shapes": [],
            "charts": [],
            "print_area": print_area(ws),
            "used_range_address": None if bounds is None else address_of(bounds, absolute=False),
        }
    return entry


_VISIBILITY_TO_JS = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def _used_bounds(ws: Worksheet) -> Rect | None:
    # ws._cells rather than iter_rows: iterating creates every cell it passes, which would grow the
    # used range of the very workbook being described. A cell counts when Excel would count it: it has
    # a value or a format.
    used = [
        (row, col)
        for (row, col), cell in ws._cells.items()
        if cell.value is not None or cell.has_style or cell.comment is not None
    ]
    if not used:
        return None
    rows = [row for row, _ in used]
    cols = [col for _, col in used]
    return min(rows), min(cols), max(rows), max(cols)


def _client_value(
    ws: Worksheet, row: int, col: int, client: Client, cached: Worksheet | None
) -> str | int | float | bool | None:
    empty = "" if client == "Office.js" else None
    cell = ws._cells.get((row, col))
    if cell is None or isinstance(cell, MergedCell):
        return empty
    value = cell.value
    if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        if cached is None:
            raise ValueError(
                f"{ws.title}!{cell.coordinate} holds a formula; Excel would send its calculated value: "
                "pass values_from=<the file loaded with data_only=True>"
            )
        value = cached._cells[(row, col)].value if (row, col) in cached._cells else None
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        serial: float = to_excel(value, cast(openpyxl.Workbook, ws.parent).epoch)  # type: ignore[no-untyped-call]
        return _client_date(serial, client)
    if isinstance(value, int | float):
        if cell.is_date and client == "Office.js":
            return _client_date(float(value), client)
        return _js_number(value)
    return str(value)


def _js_number(value: float) -> int | float:
    # JavaScript's JSON.stringify writes 5.0 as 5, and JSON.parse on the server then yields an int.
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


_UNIX_EPOCH = dt.datetime(1970, 1, 1)


def _client_date(serial: float, client: Client) -> str:
    if client == "VBA":
        # VBA-JSON formats a Date with whole seconds and a literal ".000Z".
        seconds = math.floor((serial - 25569) * 86400 + 0.5)
        return (_UNIX_EPOCH + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    # The client's own arithmetic, so rounding and the 1900/1904 quirks come out the same:
    # new Date(Math.round((value - 25569) * 86400 * 1000)).toISOString()
    millis = math.floor((serial - 25569) * 86400 * 1000 + 0.5)
    moment = _UNIX_EPOCH + dt.timedelta(milliseconds=millis)
    return moment.isoformat(timespec="milliseconds") + "Z"


def _names(wb: openpyxl.Workbook, client: Client) -> list[dict[str, Any]]:
    names: list[dict[str, Any]] = []
    scopes: list[tuple[int | None, Any]] = [(None, wb.defined_names)]
    scopes += [(ix, ws.defined_names) for ix, ws in enumerate(wb.worksheets)]
    for scope_ix, defined in scopes:
        for defined_name in defined.values():
            if defined_name.name.startswith("_xlnm."):
                continue
            sheet_index, address = _single_range(wb, defined_name)
            # The VBA client only reports names that refer to a range.
            if client == "VBA" and address is None:
                continue
            scope_name = None if scope_ix is None else wb.worksheets[scope_ix].title
            entry: dict[str, Any] = {
                "name": defined_name.name,
                "sheet_index": sheet_index,
                "address": address,
                "book_scope": scope_ix is None,
                "scope_sheet_name": scope_name,
                "scope_sheet_index": scope_ix,
            }
            if client == "Office.js":
                entry["refers_to"] = "=" + (defined_name.attr_text or "")
            elif scope_name is not None:
                # VBA's Name.Name carries the sheet for a local name; Office.js' doesn't.
                entry["name"] = f"{sheet_ref(scope_name)}!{defined_name.name}"
            names.append(entry)
    return names


def _single_range(wb: openpyxl.Workbook, defined_name: DefinedName) -> tuple[int | None, str | None]:
    if defined_name.type != "RANGE":
        return None, None
    destinations = list(defined_name.destinations)
    if len(destinations) != 1:
        return None, None
    title, ref = destinations[0]
    titles = [ws.title for ws in wb.worksheets]
    if title not in titles:
        return None, None
    return titles.index(title), ref.replace("$", "").upper()


def _tables(ws: Worksheet, client: Client) -> list[dict[str, Any]]:
    absolute = client == "VBA"
    tables = []
    for table in ws.tables.values():
        first_row, first_col, last_row, last_col = bounds_of(table.ref)
        headers = (table.headerRowCount if table.headerRowCount is not None else 1) > 0
        totals = (table.totalsRowCount or 0) > 0
        body_first = first_row + 1 if headers else first_row
        body_last = last_row - 1 if totals else last_row
        style = table.tableStyleInfo.name if table.tableStyleInfo is not None else None
        tables.append(
            {
                "name": table.displayName or table.name,
                "range_address": address_of((first_row, first_col, last_row, last_col), absolute=absolute),
                "header_row_range_address": address_of((first_row, first_col, first_row, last_col), absolute)
                if headers
                else None,
                "data_body_range_address": address_of((body_first, first_col, body_last, last_col), absolute),
                "total_row_range_address": address_of((last_row, first_col, last_row, last_col), absolute)
                if totals
                else None,
                "show_headers": headers,
                "show_totals": totals,
                "table_style": style,
                "show_autofilter": table.autoFilter is not None,
            }
        )
    return tables
