"""Turn a workbook file into the payload Excel's client sends, and apply xlwings' returned actions back onto it."""

from __future__ import annotations

import os

# xlwings registers its remote engine while it is first imported, and only if a license key is set by
# then: this has to run before the xlwings import below.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from copy import copy, deepcopy
from decimal import Decimal
from typing import Any, Literal, cast

import openpyxl
import xlwings as xw
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.formula.translate import Translator
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "NOTE_AUTHOR",
    "SUPPORTED_ACTIONS",
    "UI_ACTIONS",
    "UNSUPPORTED_ACTIONS",
    "Client",
    "apply_actions",
    "payload_from_workbook",
    "run_remote",
]

Client = Literal["Office.js", "VBA"]

# Excel stamps a note with the signed-in user; openpyxl needs some author to write one.
NOTE_AUTHOR = "Excel"

# Actions that change what the user sees rather than (only) the file. apply_actions returns them.
UI_ACTIONS = frozenset({"alert", "activateSheet", "rangeSelect", "save", "calculate", "setScreenUpdating"})

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
# Formatting whole rows or columns cell by cell would take minutes; Excel stores it as row/column styles,
# which this bridge doesn't model.
_MAX_FORMAT_CELLS = 1_000_000

_Rect = tuple[int, int, int, int]
_Handler = Callable[[openpyxl.Workbook, dict[str, Any]], None]


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
_CALC_MODE_FROM_JS = {js: xl for xl, js in _CALC_MODE_TO_JS.items()}


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
            "print_area": _print_area(ws),
            "used_range_address": None if bounds is None else _address(bounds, absolute=False),
        }
    return entry


_VISIBILITY_TO_JS = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def _used_bounds(ws: Worksheet) -> _Rect | None:
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
                entry["name"] = f"{_sheet_ref(scope_name)}!{defined_name.name}"
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
        first_row, first_col, last_row, last_col = _bounds(table.ref)
        headers = (table.headerRowCount if table.headerRowCount is not None else 1) > 0
        totals = (table.totalsRowCount or 0) > 0
        body_first = first_row + 1 if headers else first_row
        body_last = last_row - 1 if totals else last_row
        style = table.tableStyleInfo.name if table.tableStyleInfo is not None else None
        tables.append(
            {
                "name": table.displayName or table.name,
                "range_address": _address((first_row, first_col, last_row, last_col), absolute=absolute),
                "header_row_range_address": _address((first_row, first_col, first_row, last_col), absolute)
                if headers
                else None,
                "data_body_range_address": _address((body_first, first_col, body_last, last_col), absolute),
                "total_row_range_address": _address((last_row, first_col, last_row, last_col), absolute)
                if totals
                else None,
                "show_headers": headers,
                "show_totals": totals,
                "table_style": style,
                "show_autofilter": table.autoFilter is not None,
            }
        )
    return tables


def _print_area(ws: Worksheet) -> str | None:
    if not ws.print_area:
        return None
    return ",".join(area.rsplit("!", 1)[-1] for area in ws.print_area.split(","))


def _bounds(reference: str) -> _Rect:
    """(first_row, first_col, last_row, last_col) of an A1 reference such as "B2:C5"."""
    min_col, min_row, max_col, max_row = range_boundaries(reference)
    if min_col is None or min_row is None or max_col is None or max_row is None:
        raise ValueError(f"not a bounded range: {reference}")
    return min_row, min_col, max_row, max_col


def _address(rect: _Rect, absolute: bool = False) -> str:
    first_row, first_col, last_row, last_col = rect
    dollar = "$" if absolute else ""
    start = f"{dollar}{get_column_letter(first_col)}{dollar}{first_row}"
    if (first_row, first_col) == (last_row, last_col):
        return start
    return f"{start}:{dollar}{get_column_letter(last_col)}{dollar}{last_row}"


def run_remote(
    wb: openpyxl.Workbook, entry: Callable[[xw.Book], None], **payload_kwargs: Any
) -> tuple[openpyxl.Workbook, list[dict[str, Any]]]:
    """Call `entry` the way xlwings' server would for this workbook, then apply its actions to `wb`.

    Returns `wb` (changed in place) and the UI events (alerts, activation, selection, ...) in order.
    """
    if "remote" not in [engine.name for engine in xw.engines]:
        raise RuntimeError(
            "xlwings' remote engine isn't registered: XLWINGS_LICENSE_KEY must be set before xlwings "
            "is first imported (import this module first)"
        )
    payload_kwargs.setdefault("book_name", "Book1.xlsx")
    payload = payload_from_workbook(wb, **payload_kwargs)
    book = xw.Book(json=payload)
    try:
        entry(book)
        # The client gets the actions as JSON: anything that wouldn't survive that must fail here too.
        actions: list[dict[str, Any]] = json.loads(json.dumps(book.json(), allow_nan=False))["actions"]
    finally:
        book.close()
    return wb, apply_actions(wb, actions)


def apply_actions(wb: openpyxl.Workbook, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply xlwings' actions to `wb` in order, as the Office.js client applies them to Excel.

    Returns the actions that are (also) UI events. An action the bridge can't reproduce raises
    NotImplementedError naming it, so a test never passes by silently skipping one.
    """
    events: list[dict[str, Any]] = []
    for action in actions:
        func = action.get("func")
        handler = _HANDLERS.get(func) if isinstance(func, str) else None
        if handler is None:
            reason = _UNSUPPORTED.get(func, "the test bridge doesn't know this action") if func else "no func"
            raise NotImplementedError(f"xlwings action {func!r} isn't supported by the test bridge: {reason}")
        handler(wb, action)
        if func in UI_ACTIONS:
            events.append(action)
    return events


def _args(action: dict[str, Any]) -> list[Any]:
    args = action.get("args")
    return args if isinstance(args, list) else [args]


def _sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> Worksheet:
    return cast(Worksheet, wb.worksheets[action["sheet_position"]])


def _all_sheets(wb: openpyxl.Workbook) -> list[Any]:
    # Worksheets and chartsheets in tab order; openpyxl offers no public way to reorder them.
    sheets: list[Any] = wb._sheets  # type: ignore[attr-defined]
    return sheets


def _active(wb: openpyxl.Workbook) -> Worksheet:
    return cast(Worksheet, wb.active)


def _rect(action: dict[str, Any]) -> _Rect:
    first_row = action["start_row"] + 1
    first_col = action["start_column"] + 1
    return first_row, first_col, first_row + action["row_count"] - 1, first_col + action["column_count"] - 1


def _cells(ws: Worksheet, rect: _Rect) -> Iterator[Cell | MergedCell]:
    first_row, first_col, last_row, last_col = rect
    if (last_row - first_row + 1) * (last_col - first_col + 1) > _MAX_FORMAT_CELLS:
        raise NotImplementedError(f"formatting {_address(rect)} cell by cell: whole rows/columns aren't modelled")
    for row in range(first_row, last_row + 1):
        for col in range(first_col, last_col + 1):
            yield ws.cell(row, col)


def _existing_cells(ws: Worksheet, rect: _Rect) -> list[Cell | MergedCell]:
    # Clearing only needs cells that exist: a missing cell is already empty and unformatted.
    first_row, first_col, last_row, last_col = rect
    return [
        cell
        for (row, col), cell in list(ws._cells.items())
        if first_row <= row <= last_row and first_col <= col <= last_col
    ]


def _hex_to_argb(color: str) -> str:
    return "FF" + color.lstrip("#").upper()


_NUMBER = re.compile(r"[+-]?(?:(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PERCENT = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))%")
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
# Excel's zh-CN defaults for a date typed into a General cell; the exact format is locale-dependent.
_DATE_FORMAT = "yyyy/m/d"
_DATETIME_FORMAT = "yyyy/m/d h:mm"


def _write(cell: Cell | MergedCell, value: Any) -> None:
    """Put one value into a cell the way Excel parses a value assigned through Range.values."""
    if isinstance(cell, MergedCell):
        if value in (None, ""):
            return
        raise ValueError(f"{cell.coordinate} is inside a merged area: Excel rejects a value there")
    if value is None or value == "":
        cell.value = None
        return
    if isinstance(value, bool | int | float):
        cell.value = value
        return
    if not isinstance(value, str):
        raise TypeError(f"{cell.coordinate}: a client can't receive {type(value).__name__} {value!r}")
    if cell.number_format == "@" or value.startswith("'"):
        # Text format keeps what it's given, even what looks like a formula; a leading apostrophe
        # makes the rest text and isn't part of the value.
        quoted = cell.number_format != "@"
        cell.value = value[1:] if quoted else value
        cell.data_type = "s"
        if quoted:
            cell.quotePrefix = True
        return
    was_general = cell.number_format == "General"
    typed, number_format = _parse_input(value)
    cell.value = typed
    if number_format is not None and was_general:
        cell.number_format = number_format


def _parse_input(text: str) -> tuple[Any, str | None]:
    """What Excel makes of typed text: formula, number, percentage, boolean, ISO date or text."""
    stripped = text.strip()
    if text.startswith("=") and len(text) > 1:
        return text, None
    if _NUMBER.fullmatch(stripped):
        return _excel_number(stripped.replace(",", "")), "#,##0" if "," in stripped else None
    if match := _PERCENT.fullmatch(stripped):
        decimals = len(match[1].split(".")[1]) if "." in match[1] else 0
        # Excel picks one of two percentage formats, whatever the number of decimals typed.
        return _excel_number(match[1]) / 100, "0%" if decimals == 0 else "0.00%"
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None
    if match := _DATE.fullmatch(stripped):
        try:
            year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
            moment = dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            return text, None
        if moment >= dt.datetime(1900, 1, 1):
            return moment, _DATETIME_FORMAT if match[4] else _DATE_FORMAT
    if text[0] in "+-" and len(text) > 1:
        # Office.js documents that a value starting with + or - is read as a formula: "-说明" ends up
        # as =-说明, which Excel shows as #NAME?.
        return "=" + text, None
    return text, None


def _excel_number(text: str) -> int | float:
    number = Decimal(text)
    sign, digits, exponent = number.as_tuple()
    # Excel keeps 15 significant digits and turns the rest into zeros (ID card numbers lose digits).
    if len(digits) > 15:
        number = Decimal((sign, digits[:15] + (0,) * (len(digits) - 15), cast(int, exponent)))
    if number == number.to_integral_value() and abs(number) < Decimal("1e15"):
        return int(number)
    return float(number)


def _set_values(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    first_row, first_col, last_row, last_col = _rect(action)
    values = action["values"]
    height, width = last_row - first_row + 1, last_col - first_col + 1
    if len(values) != height or any(len(row) != width for row in values):
        raise ValueError(f"setValues: {height}x{width} range but values are shaped differently (Excel rejects it)")
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            _write(ws.cell(first_row + r, first_col + c), value)


def _set_formula(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    rect = _rect(action)
    first_row, first_col, last_row, last_col = rect
    values = action["values"]
    if isinstance(values, list):
        if len(values) != last_row - first_row + 1 or any(len(row) != last_col - first_col + 1 for row in values):
            raise ValueError("setFormula: formulas are shaped differently from the range (Excel rejects it)")
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                _write(ws.cell(first_row + r, first_col + c), value)
        return
    # One formula for a bigger range: Excel fills it and shifts relative references, like a fill-down.
    origin = ws.cell(first_row, first_col).coordinate
    for cell in _cells(ws, rect):
        text = values
        if isinstance(values, str) and values.startswith("="):
            text = Translator(values, origin=origin).translate_formula(cell.coordinate)
        _write(cell, text)


def _set_formula_array(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    rect = _rect(action)
    ws.cell(rect[0], rect[1]).value = ArrayFormula(_address(rect), _args(action)[0])


def _clear_value(cell: Cell | MergedCell) -> None:
    if not isinstance(cell, MergedCell):
        cell.value = None


def _clear_format(cell: Cell | MergedCell) -> None:
    # Back to the workbook's Normal style, which a Chinese Excel saves under the name 常规.
    named_styles: list[Any] = cell.parent.parent._named_styles  # type: ignore[union-attr]
    cell.style = next((style.name for style in named_styles if style.builtinId == 0), "Normal")


def _clear_all(cell: Cell | MergedCell) -> None:
    _clear_value(cell)
    _clear_format(cell)
    if not isinstance(cell, MergedCell):
        cell.hyperlink = None
        cell.comment = None


def _clear(clear: Callable[[Cell | MergedCell], None], *, whole_sheet: bool) -> _Handler:
    def handler(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
        ws = _sheet(wb, action)
        rect = (1, 1, MAX_ROWS, MAX_COLUMNS) if whole_sheet else _rect(action)
        if clear is not _clear_value:
            # Merging is a format in Excel: clearing formats unmerges.
            _unmerge_within(ws, rect)
        for cell in _existing_cells(ws, rect):
            clear(cell)

    return handler


def _set_range_color(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    color = _args(action)[0]
    for cell in _cells(_sheet(wb, action), _rect(action)):
        cell.fill = _fill(color)


def _fill(color: str | None) -> PatternFill:
    if color is None:
        return PatternFill(fill_type=None)
    # What Excel itself writes for a solid fill.
    return PatternFill(fill_type="solid", fgColor=_hex_to_argb(color), bgColor=Color(indexed=64))


def _set_range_colors(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    first_row, first_col, _, _ = _rect(action)
    for r, row in enumerate(_args(action)[0]):
        for c, color in enumerate(row):
            if color != "keep":
                ws.cell(first_row + r, first_col + c).fill = _fill(color)


def _set_number_format(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    number_format = _args(action)[0]
    for cell in _cells(_sheet(wb, action), _rect(action)):
        cell.number_format = number_format


def _set_font_property(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    attribute, value = _args(action)
    for cell in _cells(_sheet(wb, action), _rect(action)):
        font = cast(Font, copy(cell.font))
        if attribute == "bold":
            font.bold = bool(value)
        elif attribute == "italic":
            font.italic = bool(value)
        elif attribute == "size":
            font.size = value
        elif attribute == "name":
            font.name = value
        elif attribute == "color":
            font.color = None if value is None else _hex_to_argb(value)
        else:
            raise NotImplementedError(f"setFontProperty {attribute!r}")
        cell.font = font


_HORIZONTAL = {
    "General": "general",
    "Left": "left",
    "Center": "center",
    "Right": "right",
    "Fill": "fill",
    "Justify": "justify",
    "CenterAcrossSelection": "centerContinuous",
    "Distributed": "distributed",
}
_VERTICAL = {
    "Top": "top",
    "Center": "center",
    "Bottom": "bottom",
    "Justify": "justify",
    "Distributed": "distributed",
}


def _set_alignment(attribute: str, convert: Callable[[Any], Any]) -> _Handler:
    def handler(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
        value = convert(_args(action)[0])
        for cell in _cells(_sheet(wb, action), _rect(action)):
            alignment = cast(Alignment, copy(cell.alignment))
            setattr(alignment, attribute, value)
            cell.alignment = alignment

    return handler


# Each openpyxl border style is one (line style, weight) pair of Excel's; Excel reports double as thick.
_STYLE_TO_LINE = {
    "hair": ("continuous", "hairline"),
    "thin": ("continuous", "thin"),
    "medium": ("continuous", "medium"),
    "thick": ("continuous", "thick"),
    "dashed": ("dash", "thin"),
    "mediumDashed": ("dash", "medium"),
    "dashDot": ("dash_dot", "thin"),
    "mediumDashDot": ("dash_dot", "medium"),
    "dashDotDot": ("dash_dot_dot", "thin"),
    "mediumDashDotDot": ("dash_dot_dot", "medium"),
    "dotted": ("dot", "thin"),
    "double": ("double", "thick"),
    "slantDashDot": ("slant_dash_dot", "medium"),
}


def _line_to_style(line_style: str | None, weight: str) -> str | None:
    if line_style in (None, "none"):
        return None
    if line_style == "continuous":
        return {"hairline": "hair", "thin": "thin", "medium": "medium", "thick": "thick"}[weight]
    heavy = weight in ("medium", "thick")
    return {
        "dash": "mediumDashed" if heavy else "dashed",
        "dash_dot": "mediumDashDot" if heavy else "dashDot",
        "dash_dot_dot": "mediumDashDotDot" if heavy else "dashDotDot",
        "dot": "dotted",
        "double": "double",
        "slant_dash_dot": "slantDashDot",
    }[line_style]


def _restyle(side: Side | None, attribute: str, value: Any) -> Side:
    style = side.style if side is not None else None
    color: Color | str | None = side.color if side is not None else None
    line_style, weight = _STYLE_TO_LINE.get(style or "", (None, "thin"))
    if attribute == "line_style":
        line_style = value
        if value in (None, "none"):
            return Side(style=None)
    elif attribute == "weight":
        # Like VBA's Border.Weight, a weight on a missing border draws a continuous line.
        weight, line_style = value, line_style or "continuous"
    elif attribute == "color":
        # The color is kept even before there's a line: xlwings sends color before line_style.
        color = _hex_to_argb(value)
    else:
        raise NotImplementedError(f"setBorderProperty {attribute!r}")
    return Side(style=cast(Any, _line_to_style(line_style, weight)), color=color)


def _set_border_property(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    side_name, attribute, value = _args(action)
    ws = _sheet(wb, action)
    first_row, first_col, last_row, last_col = rect = _rect(action)
    for cell in _cells(ws, rect):
        row, col = cast(int, cell.row), cast(int, cell.column)
        targets: list[str] = []
        if side_name == "edge_top" and row == first_row:
            targets = ["top"]
        elif side_name == "edge_bottom" and row == last_row:
            targets = ["bottom"]
        elif side_name == "edge_left" and col == first_col:
            targets = ["left"]
        elif side_name == "edge_right" and col == last_col:
            targets = ["right"]
        elif side_name == "inside_horizontal":
            # Excel keeps both neighbours of an inside line in step.
            targets = (["top"] if row > first_row else []) + (["bottom"] if row < last_row else [])
        elif side_name == "inside_vertical":
            targets = (["left"] if col > first_col else []) + (["right"] if col < last_col else [])
        elif side_name in ("diagonal_down", "diagonal_up"):
            targets = ["diagonal"]
        elif side_name not in ("edge_top", "edge_bottom", "edge_left", "edge_right"):
            raise NotImplementedError(f"setBorderProperty side {side_name!r}")
        if not targets:
            continue
        border = cast(Border, copy(cell.border))
        if side_name in ("diagonal_down", "diagonal_up"):
            flag = "diagonalDown" if side_name == "diagonal_down" else "diagonalUp"
            other = "diagonalUp" if side_name == "diagonal_down" else "diagonalDown"
            removing = attribute == "line_style" and value in (None, "none")
            # A file has one diagonal line style for both diagonals: removing one keeps the other's.
            if not (removing and getattr(border, other)):
                border.diagonal = _restyle(border.diagonal, attribute, value)
            setattr(border, flag, not removing and border.diagonal is not None and bool(border.diagonal.style))
        else:
            for target in targets:
                setattr(border, target, _restyle(getattr(border, target), attribute, value))
        cell.border = border


def _set_wrap_text(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _set_alignment("wrap_text", bool)(wb, action)


def _merge(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    first_row, first_col, last_row, last_col = _rect(action)
    across = bool(_args(action)[0])
    rows = [(row, row) for row in range(first_row, last_row + 1)] if across else [(first_row, last_row)]
    for top, bottom in rows:
        if (top, first_col) != (bottom, last_col):
            ws.merge_cells(start_row=top, start_column=first_col, end_row=bottom, end_column=last_col)


def _unmerge(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _unmerge_within(_sheet(wb, action), _rect(action))


def _unmerge_within(ws: Worksheet, rect: _Rect) -> None:
    """Unmerge every merged area that overlaps `rect`, as Excel does."""
    first_row, first_col, last_row, last_col = rect
    for merged in list(ws.merged_cells.ranges):
        top, left, bottom, right = _bounds(merged.coord)
        if not (bottom < first_row or top > last_row or right < first_col or left > last_col):
            ws.unmerge_cells(merged.coord)


def _set_column_width(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    _, first_col, _, last_col = _rect(action)
    # Office.js gives points; a file stores character widths. 7 px per character is the max digit
    # width of the 11pt default fonts (Calibri, 等线), so this is close but not exact.
    width = round(_args(action)[0] * 96 / 72 / 7, 2)
    for col in range(first_col, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _set_row_height(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    first_row, _, last_row, _ = _rect(action)
    for row in range(first_row, last_row + 1):
        ws.row_dimensions[row].height = _args(action)[0]


def _set_hidden(axis: Literal["rows", "columns"]) -> _Handler:
    def handler(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
        ws = _sheet(wb, action)
        first_row, first_col, last_row, last_col = _rect(action)
        hidden = bool(_args(action)[0])
        if axis == "rows":
            for row in range(first_row, last_row + 1):
                ws.row_dimensions[row].hidden = hidden
        else:
            for col in range(first_col, last_col + 1):
                ws.column_dimensions[get_column_letter(col)].hidden = hidden

    return handler


def _display_width(value: Any) -> int:
    text = value if isinstance(value, str) else str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _autofit(ws: Worksheet, rect: _Rect, axis: str) -> None:
    # openpyxl can't measure text. Rows: dropping a custom height lets Excel size the row again.
    # Columns: an estimate from the text length, CJK counting double; merged cells are ignored, as
    # Excel's AutoFit ignores them.
    first_row, first_col, last_row, last_col = rect
    if axis == "rows":
        for row in range(first_row, min(last_row, ws.max_row) + 1):
            if row in ws.row_dimensions:
                ws.row_dimensions[row].height = None
        return
    merged = {
        (row, col)
        for top, left, bottom, right in (_bounds(rng.coord) for rng in ws.merged_cells.ranges)
        for row in range(top, bottom + 1)
        for col in range(left, right + 1)
    }
    widths: dict[int, int] = {}
    for (row, col), cell in ws._cells.items():
        if not (first_row <= row <= last_row and first_col <= col <= last_col) or (row, col) in merged:
            continue
        if cell.value is not None:
            widths[col] = max(widths.get(col, 0), _display_width(cell.value))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(255, width + 2)


def _set_autofit(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _autofit(_sheet(wb, action), _rect(action), _args(action)[0])


def _set_sheet_autofit(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _autofit(_sheet(wb, action), (1, 1, MAX_ROWS, MAX_COLUMNS), _args(action)[0])


def _note_cell(wb: openpyxl.Workbook, action: dict[str, Any]) -> Cell:
    cell = _sheet(wb, action)[_args(action)[0].replace("$", "")]
    if isinstance(cell, MergedCell) or not isinstance(cell, Cell):
        raise ValueError(f"a note needs one unmerged cell, not {_args(action)[0]}")
    return cell


def _add_note(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    cell = _note_cell(wb, action)
    if cell.comment is not None:
        raise ValueError(f"{cell.coordinate} already has a note (Excel rejects a second one)")
    cell.comment = Comment(_args(action)[1], NOTE_AUTHOR)


def _set_note_text(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    cell = _note_cell(wb, action)
    if cell.comment is None:
        raise ValueError(f"{cell.coordinate} has no note to change (Excel: ItemNotFound)")
    cell.comment = Comment(_args(action)[1], cell.comment.author or NOTE_AUTHOR)


def _delete_note(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    cell = _note_cell(wb, action)
    if cell.comment is None:
        raise ValueError(f"{cell.coordinate} has no note to delete (Excel: ItemNotFound)")
    cell.comment = None


def _add_hyperlink(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    address, text, tip = [*_args(action), None, None][:3]
    for cell in _cells(_sheet(wb, action), _rect(action)):
        if isinstance(cell, MergedCell):
            continue
        if address.startswith("#"):
            # "#Sheet!A1" is a place in this workbook: a file keeps it as a location, not a target.
            link = Hyperlink(ref=cell.coordinate, location=address[1:], display=text, tooltip=tip)
        else:
            link = Hyperlink(ref=cell.coordinate, target=address, display=text, tooltip=tip)
        cell.hyperlink = link
        if text is not None:
            cell.value = text
        elif cell.value is None:
            cell.value = address


_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _sheet_ref(name: str) -> str:
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
    for sheet in _all_sheets(wb):
        if sheet is not renaming and sheet.title.casefold() == name.casefold():
            raise ValueError(f"a sheet named {name!r} already exists")


def _move_to(wb: openpyxl.Workbook, ws: Worksheet, index: int) -> None:
    """Move `ws` so that wb.worksheets.index(ws) == index, keeping the same sheet active."""
    active = _active(wb)
    _all_sheets(wb).remove(ws)
    others = wb.worksheets
    position = _all_sheets(wb).index(others[index]) if index < len(others) else len(_all_sheets(wb))
    _all_sheets(wb).insert(position, ws)
    wb.active = _all_sheets(wb).index(active)


def _activate(wb: openpyxl.Workbook, ws: Worksheet) -> None:
    if ws.sheet_state != "visible":
        raise ValueError(f"Excel can't activate the hidden sheet {ws.title!r}")
    # openpyxl leaves the old tab selected too, and Excel then opens the sheets grouped.
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = _all_sheets(wb).index(ws)


def _add_sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    index, name = _args(action)[:2]
    if name is None:
        number = 1
        while any(title.casefold() == f"sheet{number}" for title in wb.sheetnames):
            number += 1
        name = f"Sheet{number}"
    _check_sheet_name(wb, name)
    # Office.js' worksheets.add() doesn't activate the new sheet (xlwings assumes it does, locally);
    # neither does create_sheet.
    _move_to(wb, wb.create_sheet(name), index)


def _set_sheet_name(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    name = _args(action)[0]
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
                defined_name.attr_text = pattern.sub(_sheet_ref(new) + "!", defined_name.attr_text)


def _activate_sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _activate(wb, wb.worksheets[_args(action)[0]])


def _set_sheet_visibility(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    state = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}[_args(action)[0]]
    if state != "visible" and not any(s.sheet_state == "visible" for s in wb.worksheets if s is not ws):
        raise ValueError("Excel can't hide the only visible sheet")
    ws.sheet_state = cast(Any, state)
    if state != "visible" and _active(wb) is ws:
        _activate(wb, _neighbour(wb, ws))


def _neighbour(wb: openpyxl.Workbook, ws: Worksheet) -> Worksheet:
    """The visible sheet Excel activates when `ws` goes away: the next one, else the previous one."""
    sheets = cast(list[Worksheet], wb.worksheets)
    index = sheets.index(ws)
    for candidate in [*sheets[index + 1 :], *reversed(sheets[:index])]:
        if candidate.sheet_state == "visible":
            return candidate
    raise ValueError("no other visible sheet")


def _sheet_delete(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    if not any(s.sheet_state == "visible" for s in wb.worksheets if s is not ws):
        raise ValueError("Excel can't delete the only visible sheet")
    active = _active(wb)
    if active is ws:
        active = _neighbour(wb, ws)
    wb.remove(ws)
    _activate(wb, active)


def _set_sheet_position(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _move_to(wb, _sheet(wb, action), _args(action)[0])


def _copy_sheet(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    source = _sheet(wb, action)
    position, target_index, name = _args(action)[:3]
    if source.tables or getattr(source, "_images", None) or getattr(source, "_charts", None):
        raise NotImplementedError("copySheet: the bridge can't copy tables, pictures or charts")
    _check_sheet_name(wb, name)
    active = _active(wb)
    copied = wb.copy_worksheet(source)
    copied.title = name
    _copy_what_openpyxl_leaves_out(wb, source, copied)
    # target_index counts sheets before the copy existed.
    _move_to(wb, copied, target_index if position == "Before" else target_index + 1)
    wb.active = _all_sheets(wb).index(active)


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
    area = _print_area(source)
    if area:
        copied.print_area = area.split(",")
    copied.HeaderFooter = copy(source.HeaderFooter)
    old_ref = _sheet_ref_pattern(source.title)
    new_ref = _sheet_ref(copied.title) + "!"
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


def _set_show_gridlines(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _sheet(wb, action).sheet_view.showGridLines = bool(_args(action)[0])


def _freeze_at(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    reference = _args(action)[0].replace("$", "")
    # Office.js freezes the given cells; a file stores the first cell of the scrolling pane.
    if re.fullmatch(r"[A-Za-z]+:[A-Za-z]+|[A-Za-z]+", reference):
        _, _, _, last_col = _bounds(reference.split(":")[-1] + "1")
        ws.freeze_panes = ws.cell(1, last_col + 1).coordinate
    elif re.fullmatch(r"\d+:\d+|\d+", reference):
        ws.freeze_panes = ws.cell(int(reference.split(":")[-1]) + 1, 1).coordinate
    else:
        _, _, last_row, last_col = _bounds(reference)
        ws.freeze_panes = ws.cell(last_row + 1, last_col + 1).coordinate


def _unfreeze(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _sheet(wb, action).freeze_panes = None


def _set_print_area(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _sheet(wb, action).print_area = _args(action)[0]


def _name_scope(wb: openpyxl.Workbook, book_scope: bool, scope_index: int | None) -> Any:
    return wb.defined_names if book_scope else wb.worksheets[scope_index or 0].defined_names


def _names_add(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    name, refers_to = _args(action)[:2]
    book_scope = action.get("sheet_position") is None
    scope = _name_scope(wb, book_scope, action.get("sheet_position"))
    if name in scope:
        raise ValueError(f"the name {name!r} already exists in that scope (Excel rejects it)")
    scope[name] = DefinedName(name, attr_text=refers_to.removeprefix("="))


def _name_delete(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _, _, name, _, book_scope, scope_index = _args(action)[:6]
    del _name_scope(wb, book_scope, scope_index)[name]


def _set_name_refers_to(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    name, book_scope, scope_index, refers_to = _args(action)[:4]
    _name_scope(wb, book_scope, scope_index)[name].attr_text = refers_to.removeprefix("=")


def _set_range_name(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    name = _args(action)[0]
    reference = f"{_sheet_ref(ws.title)}!{_address(_rect(action), absolute=True)}"
    wb.defined_names[name] = DefinedName(name, attr_text=reference)


def _subtract(rect: _Rect, hole: _Rect) -> list[_Rect]:
    r1, c1, r2, c2 = rect
    h1, hc1, h2, hc2 = max(r1, hole[0]), max(c1, hole[1]), min(r2, hole[2]), min(c2, hole[3])
    if h1 > h2 or hc1 > hc2:
        return [rect]
    pieces = [(r1, c1, h1 - 1, c2), (h2 + 1, c1, r2, c2), (h1, c1, h2, hc1 - 1), (h1, hc2 + 1, h2, c2)]
    return [p for p in pieces if p[0] <= p[2] and p[1] <= p[3]]


def _remove_validation(ws: Worksheet, hole: _Rect) -> DataValidation | None:
    """Take `hole` out of every validation on the sheet; return the one that covered its first cell."""
    covering = None
    for validation in list(ws.data_validations.dataValidation):
        pieces: list[_Rect] = []
        for cell_range in validation.sqref.ranges:
            rect = _bounds(cell_range.coord)
            if rect[0] <= hole[0] <= rect[2] and rect[1] <= hole[1] <= rect[3]:
                covering = validation
            pieces += _subtract(rect, hole)
        if pieces:
            validation.sqref = " ".join(_address(piece) for piece in pieces)
        else:
            ws.data_validations.dataValidation.remove(validation)
    return covering


def _new_validation(ws: Worksheet, rect: _Rect, **rule: Any) -> None:
    previous = _remove_validation(ws, rect)
    # Replacing the rule keeps the input prompt and error alert; a fresh one gets Excel's defaults.
    keep: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True}
    if previous is not None:
        keep = {
            key: getattr(previous, key)
            for key in (
                "allow_blank",
                "showErrorMessage",
                "showInputMessage",
                "errorTitle",
                "error",
                "promptTitle",
                "prompt",
                "errorStyle",
            )
        }
    validation = DataValidation(**keep, **rule)
    validation.add(_address(rect))
    ws.add_data_validation(validation)


def _set_data_validation_list(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    source, in_cell_dropdown = _args(action)[:2]
    if source["type"] == "literal":
        text = ",".join(source["values"])
        if len(text) > 255:
            raise ValueError("Excel rejects a literal list longer than 255 characters")
        formula = '"' + text.replace('"', '""') + '"'
    elif source["type"] == "range":
        source_sheet = wb.worksheets[source["sheet_position"]]
        rect = _rect(source)
        prefix = "" if source_sheet is ws else _sheet_ref(source_sheet.title) + "!"
        formula = prefix + _address(rect, absolute=True)
    elif source["type"] == "name":
        formula = source["name"]
    else:
        raise NotImplementedError(f"setDataValidationList source {source['type']!r}")
    # In the file format the flag is inverted: showDropDown=True hides the arrow.
    _new_validation(ws, _rect(action), type="list", formula1=formula, showDropDown=not in_cell_dropdown)


_RULE_TYPES = {
    "whole_number": "whole",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "text_length": "textLength",
    "custom": "custom",
}
_OPERATORS = {
    "between": "between",
    "not_between": "notBetween",
    "equal_to": "equal",
    "not_equal_to": "notEqual",
    "greater_than": "greaterThan",
    "less_than": "lessThan",
    "greater_than_or_equal": "greaterThanOrEqual",
    "less_than_or_equal": "lessThanOrEqual",
}


def _set_data_validation_rule(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    rule = _args(action)[0]
    formula2 = rule.get("formula2")
    _new_validation(
        _sheet(wb, action),
        _rect(action),
        type=_RULE_TYPES[rule["type"]],
        operator=_OPERATORS[rule["operator"]] if rule.get("operator") else None,
        formula1=rule["formula1"].removeprefix("="),
        formula2=formula2.removeprefix("=") if formula2 else None,
    )


def _delete_data_validation(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _remove_validation(_sheet(wb, action), _rect(action))


def _set_calculation(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    wb.calculation.calcMode = _CALC_MODE_FROM_JS[_args(action)[0]]


def _range_select(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(wb, action)
    rect = _rect(action)
    _activate(wb, ws)
    selection = ws.sheet_view.selection[-1]
    selection.activeCell = ws.cell(rect[0], rect[1]).coordinate
    selection.sqref = _address(rect)


def _ui_only(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    """Nothing to change in the file: the user sees it, or it needs Excel's calculation engine."""


_HANDLERS: dict[str, _Handler] = {
    "setValues": _set_values,
    "setFormula": _set_formula,
    "setFormulaArray": _set_formula_array,
    "rangeClearContents": _clear(_clear_value, whole_sheet=False),
    "rangeClearFormats": _clear(_clear_format, whole_sheet=False),
    "rangeClear": _clear(_clear_all, whole_sheet=False),
    "sheetClearContents": _clear(_clear_value, whole_sheet=True),
    "sheetClearFormats": _clear(_clear_format, whole_sheet=True),
    "sheetClear": _clear(_clear_all, whole_sheet=True),
    "setRangeColor": _set_range_color,
    "setRangeColors": _set_range_colors,
    "setNumberFormat": _set_number_format,
    "setFontProperty": _set_font_property,
    "setBorderProperty": _set_border_property,
    "setWrapText": _set_wrap_text,
    "setHorizontalAlignment": _set_alignment("horizontal", _HORIZONTAL.__getitem__),
    "setVerticalAlignment": _set_alignment("vertical", _VERTICAL.__getitem__),
    "rangeMerge": _merge,
    "rangeUnmerge": _unmerge,
    "setColumnWidth": _set_column_width,
    "setRowHeight": _set_row_height,
    "setRowHidden": _set_hidden("rows"),
    "setColumnHidden": _set_hidden("columns"),
    "setAutofit": _set_autofit,
    "setSheetAutofit": _set_sheet_autofit,
    "addNote": _add_note,
    "setNoteText": _set_note_text,
    "deleteNote": _delete_note,
    "addHyperlink": _add_hyperlink,
    "addSheet": _add_sheet,
    "setSheetName": _set_sheet_name,
    "activateSheet": _activate_sheet,
    "setSheetVisibility": _set_sheet_visibility,
    "sheetDelete": _sheet_delete,
    "setSheetPosition": _set_sheet_position,
    "copySheet": _copy_sheet,
    "setShowGridlines": _set_show_gridlines,
    "freezePaneAtRange": _freeze_at,
    "freezePaneUnfreeze": _unfreeze,
    "setPrintArea": _set_print_area,
    "namesAdd": _names_add,
    "nameDelete": _name_delete,
    "setNameRefersTo": _set_name_refers_to,
    "setRangeName": _set_range_name,
    "setDataValidationList": _set_data_validation_list,
    "setDataValidationRule": _set_data_validation_rule,
    "deleteDataValidation": _delete_data_validation,
    "setCalculation": _set_calculation,
    "rangeSelect": _range_select,
    "alert": _ui_only,
    "save": _ui_only,
    "calculate": _ui_only,
    "setScreenUpdating": _ui_only,
}

# Why the rest of what _xlremote can emit isn't reproduced; anything else is unknown.
_SHIFTS = "openpyxl doesn't shift formulas, names, merges and validations the way Excel does"
_OBJECTS = "charts, pictures, shapes, tables and pivot tables aren't modelled"
_UNSUPPORTED: dict[str, str] = {
    "rangeInsert": _SHIFTS,
    "rangeDelete": _SHIFTS,
    "moveRange": _SHIFTS,
    "copyRange": "Excel's paste adjusts references and formats in ways the bridge doesn't model",
    "copyFromRange": "Excel's paste adjusts references and formats in ways the bridge doesn't model",
    "rangeAutofill": "needs Excel's fill-series logic",
    "rangeSort": "needs Excel's sort (collation, formulas)",
    "rangeRemoveDuplicates": "needs Excel's comparison rules",
    "rangeReplaceAll": "needs Excel's find/replace rules",
    "rangeGroup": "outlines aren't modelled",
    "rangeUngroup": "outlines aren't modelled",
    "rangeAdjustIndent": "indents aren't modelled",
    "rangeToPng": "needs Excel's renderer",
    "chartToPng": "needs Excel's renderer",
    "runMacro": "the macro runs in the client and could change anything",
    "addComment": "threaded comments aren't modelled (openpyxl only knows notes)",
    "addCommentReply": "threaded comments aren't modelled",
    "setCommentText": "threaded comments aren't modelled",
    "setCommentResolved": "threaded comments aren't modelled",
    "deleteComment": "threaded comments aren't modelled",
    "addConditionalFormat": "conditional formats aren't modelled",
    "setConditionalFormat": "conditional formats aren't modelled",
    "deleteConditionalFormat": "conditional formats aren't modelled",
    "clearConditionalFormats": "conditional formats aren't modelled",
    "applyAutoFilterRange": "autofilters aren't modelled",
    "applyAutoFilterTable": "autofilters aren't modelled",
    "clearAutoFilterRange": "autofilters aren't modelled",
    "clearAutoFilterTable": "autofilters aren't modelled",
    **dict.fromkeys(
        [
            "addChart",
            "deleteChart",
            "setChartAxis",
            "setChartLegend",
            "setChartName",
            "setChartPlotBy",
            "setChartPosition",
            "setChartSeries",
            "setChartSourceData",
            "setChartStyle",
            "setChartTitle",
            "setChartType",
            "setChartXAxisValues",
            "addPicture",
            "updatePicture",
            "deletePicture",
            "setPictureName",
            "setPictureLeft",
            "setPictureTop",
            "setPictureWidth",
            "setPictureHeight",
            "setPictureLockAspectRatio",
            "deleteShape",
            "scaleShape",
            "setShapeName",
            "setShapeText",
            "setShapeLeft",
            "setShapeTop",
            "setShapeWidth",
            "setShapeHeight",
            "setShapeFontProperty",
            "addTable",
            "setTableName",
            "setTableStyle",
            "resizeTable",
            "tableSort",
            "addTableRow",
            "deleteTableRow",
            "addTableColumn",
            "deleteTableColumn",
            "showAutofilterTable",
            "showHeadersTable",
            "showTotalsTable",
            "showTableStyleFirstColumn",
            "showTableStyleLastColumn",
            "showTableStyleRowStripes",
            "showTableStyleColumnStripes",
            "addPivotTable",
            "deletePivotTable",
            "refreshPivotTable",
            "setPivotTableName",
            "setPivotLayout",
            "addPivotField",
            "removePivotField",
            "addPivotValueField",
            "removePivotValueField",
            "setPivotValueField",
        ],
        _OBJECTS,
    ),
}

SUPPORTED_ACTIONS = frozenset(_HANDLERS)
# Named here so a test can tell when an xlwings upgrade emits an action nobody has looked at yet.
UNSUPPORTED_ACTIONS = frozenset(_UNSUPPORTED)
