"""How generated sheets look on screen and paper: text widths, row heights, money formats, print setup."""

from __future__ import annotations

import html
import os
import re
import unicodedata
import zipfile
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING
from weakref import WeakKeyDictionary

from xlgoals.core import layout
from xlgoals.core.yearonyear import YearOnYear

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# Excel's tallest row, in points; a text taller than this cannot print whole in one row.
MAX_ROW_HEIGHT = 409.0
# Points per printed line of 10-11 pt text, with the leading LibreOffice and Excel give it.
LINE_HEIGHT = 13.5
# Share of a column's width that wrapped text really fills: words and punctuation do not break anywhere.
_FILL = 1.0
# Paper and page setup shared by the openpyxl and the streamed writers (OOXML's code 9 is A4).
PAPER_A4 = 9
PAGE_FOOTER = "第 &P 页，共 &N 页"
# The language every generated workbook declares (docProps/core.xml), so programs choose Chinese faces.
LANGUAGE = "zh-CN"
# The Normal style's face, in which column widths are counted: Arial 10's digits are 7 pixels in Excel (as
# Calibri 11's), and LibreOffice renders it with its metric twin Liberation Sans, installed with it (a missing
# Calibri falls back to a face a third wider, and every column with it).
NORMAL_FACE = "Arial"


class _Widths(dict[str, int]):
    """Each character's width, looked up once: a department's texts draw on a few thousand characters, and
    summing dict hits runs in C where asking unicodedata is a Python call per character."""

    def __missing__(self, ch: str) -> int:
        width = 2 if unicodedata.east_asian_width(ch) in "WFA" else 1
        if len(self) < _WIDTHS_MAX:
            self[ch] = width
        return width


_WIDTHS_MAX = 100_000
_WIDTHS = _Widths()


def text_width(text: str) -> int:
    """Width in Excel's character units: a CJK (wide, full-width or ambiguous) character counts double."""
    return sum(map(_WIDTHS.__getitem__, text))


def wrapped_lines(text: str, width: float, latin: float = 1.0) -> int:
    """Printed lines of `text` wrapped in a column `width` characters wide; `latin` is the width a Latin letter
    or digit counts (more than one where a Chinese face lacking them is printed with a wider substitute)."""
    per_line = _per_line(width)
    return sum(_part_lines(part, per_line, latin) for part in text.split("\n"))


def _per_line(width: float) -> int:
    """Character units a line of a column `width` wide holds."""
    return int(max(1.0, width * _FILL))


def _part_lines(part: str, per_line: int, latin: float = 1.0) -> int:
    # Measuring is a Python loop per character; a part that fits even if every character were wide, or
    # that is plain ASCII (one unit each), is counted without it: a department's thousand workbooks ask often.
    if 2 * len(part) <= per_line:
        return 1
    width: float = len(part) if part.isascii() else text_width(part)
    if latin != 1.0:
        width += (latin - 1.0) * len(part.encode("ascii", "ignore"))
    return max(1, -int(-width // per_line))


def row_height(
    texts: list[tuple[str, float]], minimum: float = 15.0, line_height: float = LINE_HEIGHT, latin: float = 1.0
) -> float:
    """The height (points) a row needs so each (text, column width) shows whole, capped at Excel's maximum."""
    lines = max((wrapped_lines(t, w, latin) for t, w in texts if t), default=1)
    # One line fits any row's default height; more need their line height each, plus a little padding.
    return minimum if lines == 1 else min(MAX_ROW_HEIGHT, max(minimum, lines * line_height + 4))


def fits_row(text: str, width: float, line_height: float = LINE_HEIGHT) -> bool:
    """Whether a wrapped text fits in the tallest row Excel allows, i.e. prints whole."""
    per_line = _per_line(width)
    # Lines if every character were wide: an upper bound that settles most texts without measuring them.
    most = sum(max(1, -(-2 * len(part) // per_line)) for part in text.split("\n"))
    if most * line_height + 4 <= MAX_ROW_HEIGHT:
        return True
    return wrapped_lines(text, width) * line_height + 4 <= MAX_ROW_HEIGHT


def printable_chars(width: float, line_height: float = LINE_HEIGHT) -> int:
    """How many CJK characters a wrapped cell `width` wide can print in the tallest row."""
    return int((MAX_ROW_HEIGHT - 4) // line_height) * int(width * _FILL // 2)


# A project sheet's long texts (项目概况 ...) span the value columns, everything right of the labels.
LONG_TEXT_WIDTH = sum(w for c, w in layout.PROJECT_COLUMN_WIDTHS.items() if c != "A")


def content_width(values: list[object], minimum: float = 6, maximum: float = 60) -> float:
    """A column width from its content (CJK counted double), with room for the filter button."""
    widest = max((text_width(_shown(v)) for v in values if v is not None), default=0)
    return min(maximum, max(minimum, widest + 2))


def _shown(value: object) -> str:
    if isinstance(value, float | Decimal) and value == int(value):
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


class MoneyUnit(StrEnum):
    """The unit money is shown in: 元 as the forms are filled, or 万元 as reports usually read."""

    YUAN = "元"
    WAN = "万元"


WAN = Decimal(10000)
# Whole yuan show without '.00'; 万元 keeps the yuan exact (four places) but shows at least two.
MONEY_FORMATS = {MoneyUnit.YUAN: ("#,##0", "#,##0.00"), MoneyUnit.WAN: ("#,##0.00##", "#,##0.00##")}


# Yuan shown as 万元 with one decimal: ',' divides by a thousand, the escaped point takes one more digit.
# (Excel's '!' escape does not work in LibreOffice; the backslash works in both.)
WAN_AXIS_FORMAT = "0\\.0,"


def money_format(value: object, unit: MoneyUnit = MoneyUnit.YUAN) -> str:
    """The number format for one money cell: thousands separators, decimals only where there are some."""
    whole, fractional = MONEY_FORMATS[unit]
    if isinstance(value, int | float | Decimal) and value != int(value):
        return fractional
    return whole


def in_unit(value: Decimal | None, unit: MoneyUnit) -> Decimal | None:
    """A yuan amount in `unit`."""
    return value if value is None or unit is MoneyUnit.YUAN else value / WAN


_WAN_PLACES = (Decimal("0.01"), Decimal("0.0001"))


def format_amount(value: Decimal | None, unit: MoneyUnit = MoneyUnit.YUAN, blank: str = "—") -> str:
    """A yuan amount as the workbook shows it in `unit` (MONEY_FORMATS): separators, whole yuan without
    '.00', 万元 with two decimals (four where the yuan need them). The terminal and the web page use it too."""
    from xlgoals.core.values import format_money

    if value is None:
        return blank
    if unit is MoneyUnit.YUAN:
        return format_money(value)
    wan = value / WAN
    places = next((q for q in _WAN_PLACES if wan == wan.quantize(q)), _WAN_PLACES[-1])
    shown = wan.quantize(places, rounding="ROUND_HALF_UP")
    return f"{shown.copy_abs() if shown.is_zero() else shown:,}"


def format_percent(value: Decimal | None, blank: str = "—", signed: bool = True) -> str:
    """A percentage (43.52) as '+43.52%' (a change, `signed`) or '92.10%' (a rate); blank where there is no base."""
    if value is None:
        return blank
    return f"{value:+.2f}%" if signed else f"{value:.2f}%"


def year_on_year_lines(yoy: YearOnYear, unit: MoneyUnit = MoneyUnit.YUAN) -> tuple[str, str]:
    """The two lines every 同比 stands on: the like-for-like comparison with its base, and the new projects
    apart. The percentage is recomputable from the two amounts on its own line."""
    if yoy.compared:
        compared = (
            f"可比项目（有上年预算）{yoy.compared} 个：当年 {format_amount(yoy.this_year, unit)} {unit}，"
            f"上年 {format_amount(yoy.last_year, unit)} {unit}，增减 {format_signed(yoy.change, unit)} {unit}"
            f"（同比 {format_percent(yoy.percent)}）"
        )
    else:
        compared = "可比项目（有上年预算）0 个：无法计算同比"
    new = f"新增项目（无上年预算，不计入同比）{yoy.new} 个：当年 {format_amount(yoy.new_this_year, unit)} {unit}"
    return compared, new


def format_signed(value: Decimal | None, unit: MoneyUnit = MoneyUnit.YUAN) -> str:
    """An amount of change, '+' before a rise."""
    text = format_amount(value, unit)
    return f"+{text}" if value is not None and value > 0 else text


def print_setup(ws: Worksheet, *, landscape: bool, title_rows: str | None = None, area: str | None = None) -> None:
    """A4, fitted to one page wide (as many pages tall as it takes), header rows repeated, page numbers."""
    from openpyxl.worksheet.properties import PageSetupProperties

    if area:
        ws.print_area = area
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    footer = ws.oddFooter
    if footer is not None and footer.center is not None:
        footer.center.text = PAGE_FOOTER


# --- formulas with their values -------------------------------------------------------------------------
# openpyxl writes a formula without its value, so a reader that does not recalculate (calamine, pandas,
# a previewer) sees an empty cell. Values noted here are put into the saved sheet's XML as <v>.
_CACHED: WeakKeyDictionary[Worksheet, dict[str, int | float | str]] = WeakKeyDictionary()


def cache_value(ws: Worksheet, address: str, value: int | float | str) -> None:
    """Remember what the formula in `address` gives now, to be stored with it when the workbook is saved."""
    _CACHED.setdefault(ws, {})[address] = value


def _with_values(xml: bytes, values: dict[str, int | float | str]) -> bytes:
    def fill(m: re.Match[bytes]) -> bytes:
        value = values.get(m.group(2).decode())
        if value is None:
            return m.group(0)
        if isinstance(value, str):
            text = html.escape(value, quote=False).encode()
            return m.group(1) + b' t="str">' + m.group(3) + b"<v>" + text + b"</v></c>"
        return m.group(1) + b">" + m.group(3) + b"<v>" + repr(value).encode() + b"</v></c>"

    return _FORMULA_CELL.sub(fill, xml)


_FORMULA_CELL = re.compile(rb'(<c r="([A-Z]+[0-9]+)"[^>]*?)>(<f>.*?</f>)(?:<v\s*/>|<v></v>)?</c>', re.S)

# Formulas that differ only by their row (a column of live-check helpers) are stored as one shared formula, as
# Excel stores them: the text once, each further cell a reference to it. Excel, LibreOffice, WPS and openpyxl
# read them back; the file is smaller and quicker to read.
_SHARED: WeakKeyDictionary[Worksheet, list[str]] = WeakKeyDictionary()


def share_formulas(ws: Worksheet, column_range: str) -> None:
    """Store the formulas of `column_range` (one column, e.g. 'AE19:AE47') as one shared formula when saved;
    each must be the first's with its relative rows moved, which the caller guarantees."""
    _SHARED.setdefault(ws, []).append(column_range)


def _shared(xml: bytes, ranges: list[str]) -> bytes:
    cells: dict[str, tuple[int, str | None]] = {}
    for si, rng in enumerate(ranges):
        first, last = rng.split(":")
        (r1, c1), (r2, _) = layout.split_address(first), layout.split_address(last)
        letters = layout.column_letters(c1)
        for r in range(r1, r2 + 1):
            cells[f"{letters}{r}"] = (si, rng if r == r1 else None)

    def share(m: re.Match[bytes]) -> bytes:
        found = cells.get(m.group(2).decode())
        if found is None:
            return m.group(0)
        si, ref = found
        if ref is not None:
            return m.group(1) + f'><f t="shared" ref="{ref}" si="{si}">'.encode() + m.group(3)[3:] + m.group(4)
        return m.group(1) + f'><f t="shared" si="{si}"/></c>'.encode()

    return _SHARED_CELL.sub(share, xml)


_SHARED_CELL = re.compile(rb'(<c r="([A-Z]+[0-9]+)"[^>]*?)>(<f>.*?</f>)((?:<v\s*/>|<v></v>)?</c>)', re.S)


class CachingZip(zipfile.ZipFile):
    """The archive openpyxl saves into, adding the noted formula values to each worksheet's XML."""

    def __init__(self, file: str | os.PathLike[str] | IO[bytes], wb: Workbook) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        # openpyxl numbers worksheet parts in workbook order (ExcelWriter._write_worksheets).
        self._values = {
            f"xl/worksheets/sheet{i}.xml": _CACHED[ws] for i, ws in enumerate(wb.worksheets, 1) if ws in _CACHED
        }
        self._shared = {
            f"xl/worksheets/sheet{i}.xml": _SHARED[ws] for i, ws in enumerate(wb.worksheets, 1) if ws in _SHARED
        }

    def write(
        self,
        filename: str | os.PathLike[str],
        arcname: str | os.PathLike[str] | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        values, shared = self._values.get(str(arcname)), self._shared.get(str(arcname))
        if values is None and shared is None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        xml = Path(filename).read_bytes()
        if values is not None:
            xml = _with_values(xml, values)
        if shared is not None:
            xml = _shared(xml, shared)
        self.writestr(str(arcname), xml)
