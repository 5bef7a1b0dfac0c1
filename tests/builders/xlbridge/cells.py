"""Actions on ranges: values, formulas, clearing, colours, fonts, borders, alignment, sizes, notes, links."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from copy import copy
from decimal import Decimal
from typing import Any, Literal, cast

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.formula.translate import Translator
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from tests.builders.xlbridge.common import (
    MAX_COLUMNS,
    MAX_ROWS,
    NOTE_AUTHOR,
    Handler,
    Rect,
    address_of,
    args_of,
    bounds_of,
    cells_in,
    existing_cells,
    rect_of,
    sheet_of,
)


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


def set_values(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    first_row, first_col, last_row, last_col = rect_of(action)
    values = action["values"]
    height, width = last_row - first_row + 1, last_col - first_col + 1
    if len(values) != height or any(len(row) != width for row in values):
        raise ValueError(f"setValues: {height}x{width} range but values are shaped differently (Excel rejects it)")
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            _write(ws.cell(first_row + r, first_col + c), value)


def set_formula(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    rect = rect_of(action)
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
    for cell in cells_in(ws, rect):
        text = values
        if isinstance(values, str) and values.startswith("="):
            text = Translator(values, origin=origin).translate_formula(cell.coordinate)
        _write(cell, text)


def set_formula_array(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    rect = rect_of(action)
    ws.cell(rect[0], rect[1]).value = ArrayFormula(address_of(rect), args_of(action)[0])


def clear_value(cell: Cell | MergedCell) -> None:
    if not isinstance(cell, MergedCell):
        cell.value = None


def clear_format(cell: Cell | MergedCell) -> None:
    # Back to the workbook's Normal style, which a Chinese Excel saves under the name 常规.
    named_styles: list[Any] = cell.parent.parent._named_styles  # type: ignore[union-attr]
    cell.style = next((style.name for style in named_styles if style.builtinId == 0), "Normal")


def clear_all(cell: Cell | MergedCell) -> None:
    clear_value(cell)
    clear_format(cell)
    if not isinstance(cell, MergedCell):
        cell.hyperlink = None
        cell.comment = None


def clear(clear: Callable[[Cell | MergedCell], None], *, whole_sheet: bool) -> Handler:
    def handler(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
        ws = sheet_of(wb, action)
        rect = (1, 1, MAX_ROWS, MAX_COLUMNS) if whole_sheet else rect_of(action)
        if clear is not clear_value:
            # Merging is a format in Excel: clearing formats unmerges.
            _unmerge_within(ws, rect)
        for cell in existing_cells(ws, rect):
            clear(cell)

    return handler


def set_range_color(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    color = args_of(action)[0]
    for cell in cells_in(sheet_of(wb, action), rect_of(action)):
        cell.fill = _fill(color)


def _fill(color: str | None) -> PatternFill:
    if color is None:
        return PatternFill(fill_type=None)
    # What Excel itself writes for a solid fill.
    return PatternFill(fill_type="solid", fgColor=_hex_to_argb(color), bgColor=Color(indexed=64))


def set_range_colors(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    first_row, first_col, _, _ = rect_of(action)
    for r, row in enumerate(args_of(action)[0]):
        for c, color in enumerate(row):
            if color != "keep":
                ws.cell(first_row + r, first_col + c).fill = _fill(color)


def set_number_format(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    number_format = args_of(action)[0]
    for cell in cells_in(sheet_of(wb, action), rect_of(action)):
        cell.number_format = number_format


def set_font_property(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    attribute, value = args_of(action)
    for cell in cells_in(sheet_of(wb, action), rect_of(action)):
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


HORIZONTAL = {
    "General": "general",
    "Left": "left",
    "Center": "center",
    "Right": "right",
    "Fill": "fill",
    "Justify": "justify",
    "CenterAcrossSelection": "centerContinuous",
    "Distributed": "distributed",
}
VERTICAL = {
    "Top": "top",
    "Center": "center",
    "Bottom": "bottom",
    "Justify": "justify",
    "Distributed": "distributed",
}


def set_alignment(attribute: str, convert: Callable[[Any], Any]) -> Handler:
    def handler(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
        value = convert(args_of(action)[0])
        for cell in cells_in(sheet_of(wb, action), rect_of(action)):
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


def set_border_property(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    side_name, attribute, value = args_of(action)
    ws = sheet_of(wb, action)
    first_row, first_col, last_row, last_col = rect = rect_of(action)
    for cell in cells_in(ws, rect):
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


def set_wrap_text(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    set_alignment("wrap_text", bool)(wb, action)


def merge(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    first_row, first_col, last_row, last_col = rect_of(action)
    across = bool(args_of(action)[0])
    rows = [(row, row) for row in range(first_row, last_row + 1)] if across else [(first_row, last_row)]
    for top, bottom in rows:
        if (top, first_col) != (bottom, last_col):
            ws.merge_cells(start_row=top, start_column=first_col, end_row=bottom, end_column=last_col)


def unmerge(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _unmerge_within(sheet_of(wb, action), rect_of(action))


def _unmerge_within(ws: Worksheet, rect: Rect) -> None:
    """Unmerge every merged area that overlaps `rect`, as Excel does."""
    first_row, first_col, last_row, last_col = rect
    for merged in list(ws.merged_cells.ranges):
        top, left, bottom, right = bounds_of(merged.coord)
        if not (bottom < first_row or top > last_row or right < first_col or left > last_col):
            ws.unmerge_cells(merged.coord)


def set_column_width(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    _, first_col, _, last_col = rect_of(action)
    # Office.js gives points; a file stores character widths. 7 px per character is the max digit
    # width of the 11pt default fonts (Calibri, 等线), so this is close but not exact.
    width = round(args_of(action)[0] * 96 / 72 / 7, 2)
    for col in range(first_col, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def set_row_height(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    first_row, _, last_row, _ = rect_of(action)
    for row in range(first_row, last_row + 1):
        ws.row_dimensions[row].height = args_of(action)[0]


def set_hidden(axis: Literal["rows", "columns"]) -> Handler:
    def handler(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
        ws = sheet_of(wb, action)
        first_row, first_col, last_row, last_col = rect_of(action)
        hidden = bool(args_of(action)[0])
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


def _autofit(ws: Worksheet, rect: Rect, axis: str) -> None:
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
        for top, left, bottom, right in (bounds_of(rng.coord) for rng in ws.merged_cells.ranges)
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


def set_autofit(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _autofit(sheet_of(wb, action), rect_of(action), args_of(action)[0])


def set_sheet_autofit(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _autofit(sheet_of(wb, action), (1, 1, MAX_ROWS, MAX_COLUMNS), args_of(action)[0])


def _note_cell(wb: openpyxl.Workbook, action: dict[str, Any]) -> Cell:
    cell = sheet_of(wb, action)[args_of(action)[0].replace("$", "")]
    if isinstance(cell, MergedCell) or not isinstance(cell, Cell):
        raise ValueError(f"a note needs one unmerged cell, not {args_of(action)[0]}")
    return cell


def add_note(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    cell = _note_cell(wb, action)
    if cell.comment is not None:
        raise ValueError(f"{cell.coordinate} already has a note (Excel rejects a second one)")
    cell.comment = Comment(args_of(action)[1], NOTE_AUTHOR)


def set_note_text(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    cell = _note_cell(wb, action)
    if cell.comment is None:
        raise ValueError(f"{cell.coordinate} has no note to change (Excel: ItemNotFound)")
    cell.comment = Comment(args_of(action)[1], cell.comment.author or NOTE_AUTHOR)


def delete_note(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    cell = _note_cell(wb, action)
    if cell.comment is None:
        raise ValueError(f"{cell.coordinate} has no note to delete (Excel: ItemNotFound)")
    cell.comment = None


def add_hyperlink(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    address, text, tip = [*args_of(action), None, None][:3]
    for cell in cells_in(sheet_of(wb, action), rect_of(action)):
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
