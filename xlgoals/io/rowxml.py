"""Rows as SpreadsheetML, rendered where the data is (a worker) and copied as bytes into a sheet."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import call
from typing import Any, Literal

from xlgoals.io.presentation import WAN, row_height, text_width
from xlgoals.io.xlsxstyles import EMPHASIS, STYLE, style

# Excel's characters per cell; longer text is cut there, as Excel itself would on typing it in.
MAX_CELL_CHARS = 32_767

# 'wan' is money in yuan shown in 万元 (the option --unit 万元): the value is divided as it is written.
# 'count' is a whole number with separators (5,668), 'int' one without (a year); 'percent' a percentage as a
# number (43.52 under a （%） title); 'code' a rule code set small; 'figure' a text aligned like a number.
ColumnKind = Literal["text", "int", "count", "money", "wan", "number", "percent", "date", "code", "figure"]


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = "text"
    width: float = 12
    # Text wrapped in the column, its row as tall as the text needs: for messages a reader must see whole.
    wrap: bool = False


# --- cells as SpreadsheetML -----------------------------------------------------------------------------
# The summary is written as XML directly (see StreamBook): workers render their own rows, so the parent only
# copies bytes. Rows and cells carry no r="A1" addresses (optional in OOXML: a cell without one is the next
# column, a row without one the next row), which is what lets a worker render rows before anyone knows
# where they will land. Text is an inline string, so nothing is ever a formula.

Row = tuple[Any, ...]

# Cell styles (xlsxstyles): a header over numbers is right-aligned like them, money shows decimals only where
# there are some. Every data cell sits at the top of its row, level with the first line of a wrapped text
# beside it (LibreOffice ignores an alignment on the default style 0, so even plain cells name a style).
_HEADER_STYLE, _NUMBER_HEADER_STYLE = STYLE["header"], STYLE["number_header"]
_DATE_STYLE, _MONEY_STYLE, _WHOLE_MONEY_STYLE = style("date"), style("money"), style("whole")
_WAN_STYLE, _WRAP_STYLE = style("wan"), style("wrap")
_TOP = f' s="{style("text")}"'
_NUMBER = f' s="{style("number")}"'
_COUNT = f' s="{_WHOLE_MONEY_STYLE}"'
_PERCENT = f' s="{style("percent")}"'
_CODE = f' s="{style("code")}"'
_FIGURE = f' s="{style("figure")}"'
_EMPTY = f'<c s="{style("empty")}"/>'
_NUMERIC_KINDS = frozenset({"int", "count", "money", "wan", "number", "percent"})
_STYLE_ID = re.compile(r' s="(\d+)"')
DEFAULT_ROW_HEIGHT = 15
# Not allowed in XML 1.0 (or not encodable): written the way Excel writes them, as _xHHHH_.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that already looks like such an escape gets its underscore escaped, or Excel would decode it.
_EXCEL_ESCAPE_LIKE = re.compile("_x[0-9A-Fa-f]{4}_")
_EXCEL_EPOCH = date(1899, 12, 31).toordinal()
_EXCEL_PHANTOM_DAY = date(1900, 3, 1).toordinal()  # serials from here on count Excel's 1900-02-29
# Rendered cells are remembered per process (see _Cells), up to this many per kind of column, texts only
# when short: names and target values repeat across a department, a project's prose does not.
_CELLS_MAX = 50_000
_CELLS_TEXT_MAX = 64
# The width a Latin letter or digit counts in a wrapped cell (see RowXml._start).
_LATIN = 1.35
# Row openings remembered per table, by the texts of its wrapped columns (see RowXml._start).
_STARTS_MAX = 10_000


def cap_text(text: str) -> str:
    """At most Excel's 32,767 characters, counted as Excel counts them: a character beyond the BMP is two."""
    text = text[:MAX_CELL_CHARS]
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * MAX_CELL_CHARS:
        return text
    units = units[: 2 * MAX_CELL_CHARS]
    if 0xD800 <= int.from_bytes(units[-2:], "little") <= 0xDBFF:  # never half a character
        units = units[:-2]
    return units.decode("utf-16-le", "surrogatepass")


def xml_text(text: str) -> str:
    """Cell text as element content: cut at Excel's limit, Excel's _xHHHH_ escapes, then XML's."""
    if len(text) > MAX_CELL_CHARS // 2:
        text = cap_text(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE_LIKE.sub(r"_x005F\g<0>", text)
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str, style: str = "") -> str:
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c{style} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


def _text_cell(value: Any, style: str = _TOP) -> str:
    if value is None or value == "":
        return "<c/>"
    return _inline(value if type(value) is str else str(value), style)


def _wrapped_cell(value: Any) -> str:
    if value is None or value == "":
        return "<c/>"
    return _inline(value if type(value) is str else str(value), f' s="{_WRAP_STYLE}"')


def _number_cell(value: Any, style: str = _NUMBER) -> str:
    if value is None:
        return "<c/>"
    if type(value) is int:
        return f"<c{style}><v>{value}</v></c>"
    if not isinstance(value, int | float | Decimal):
        return _text_cell(value)
    number = float(value)
    if not math.isfinite(number):  # Excel has no NaN or infinity: keep what was there as text
        return _text_cell(str(value))
    return f"<c{style}><v>{number:.16G}</v></c>"


def _money_cell(value: Any) -> str:
    fraction = (isinstance(value, Decimal) and value.is_finite() and value != value.to_integral_value()) or (
        isinstance(value, float) and math.isfinite(value) and not value.is_integer()
    )
    return _number_cell(value, f' s="{_MONEY_STYLE if fraction else _WHOLE_MONEY_STYLE}"')


def _date_cell(value: Any) -> str:
    if not isinstance(value, date):  # a date that did not parse stays the text that was typed
        return _text_cell(value)
    # Excel's 1900 date system, with its phantom 1900-02-29 (serial 60).
    day = value.toordinal()
    days = day - _EXCEL_EPOCH + (day >= _EXCEL_PHANTOM_DAY)
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c s="{_DATE_STYLE}"><v>{days + seconds / 86400:.16G}</v></c>'
    return f'<c s="{_DATE_STYLE}"><v>{days}</v></c>'


def _wan_cell(value: Any) -> str:
    if isinstance(value, int | Decimal):
        value = Decimal(value) / WAN
    return _number_cell(value, f' s="{_WAN_STYLE}"')


def in_wan(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The same table with its money columns shown in 万元, titles included."""
    return tuple(
        Column(c.title.replace("（元）", "（万元）"), "wan", c.width) if c.kind == "money" else c for c in columns
    )


class _Cells(dict[Any, str]):
    """Rendered cells by value, for one kind of column: a department's rows repeat the same unit, project,
    level and kind names, and a hit is one dict lookup. Only values of the `cached` types are kept: 1, 1.0
    and True are equal keys, which is harmless for numbers (they render alike) but not for text."""

    def __init__(self, render: Callable[[Any], str], cached: tuple[type, ...]) -> None:
        super().__init__()
        self._render, self._cached = render, cached
        self._reset()

    def _reset(self) -> None:
        self.clear()
        self[None] = self[""] = "<c/>"

    def __missing__(self, value: Any) -> str:
        cell = self._render(value)
        if type(value) in self._cached and (type(value) is not str or len(value) <= _CELLS_TEXT_MAX):
            if len(self) >= _CELLS_MAX:
                self._reset()
            self[value] = cell
        return cell


_NUMBERS = (int, float, Decimal)
_CELLS: dict[ColumnKind, _Cells] = {
    "text": _Cells(_text_cell, (str,)),
    "int": _Cells(_number_cell, _NUMBERS),
    "count": _Cells(lambda v: _number_cell(v, _COUNT), _NUMBERS),
    "number": _Cells(_number_cell, _NUMBERS),
    "percent": _Cells(lambda v: _number_cell(v, _PERCENT), _NUMBERS),
    "money": _Cells(_money_cell, _NUMBERS),
    "wan": _Cells(_wan_cell, _NUMBERS),
    "date": _Cells(_date_cell, (date, str)),
    "code": _Cells(lambda v: _text_cell(v, _CODE), (str,)),
    "figure": _Cells(lambda v: _text_cell(v, _FIGURE), (str,)),
}
_WRAPPED = _Cells(_wrapped_cell, (str,))


def emphasised(xml: str, variant: str) -> str:
    """Rendered rows as a 小计 ('subtotal') or 部门合计 ('total') row: bold and ruled, blank cells too."""
    swap = EMPHASIS[variant]
    xml = xml.replace("<c/>", _EMPTY)
    return _STYLE_ID.sub(lambda m: f' s="{swap.get(int(m.group(1)), int(m.group(1)))}"', xml)


class RowXml:
    """Renders a table's rows as <row> elements; None and '' are empty cells (with the grid's rules when
    `ruled`: the tables meant to be read print as a ruled grid, blank cells included)."""

    def __init__(self, columns: Sequence[Column], ruled: bool = False) -> None:
        self.columns = tuple(columns)
        self.ruled = ruled
        # Bound dict lookups: a cell seen before is rendered without a Python-level call.
        self._writers = [(_WRAPPED if c.wrap else _CELLS[c.kind]).__getitem__ for c in columns]
        self._wrapped = [(i, c.width) for i, c in enumerate(columns) if c.wrap]
        self._starts: dict[tuple[str | None, ...], str] = {}

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        writers, width, wrapped = self._writers, len(self._writers), self._wrapped
        # One flat list joined once: a join per row (and its concatenations) cost as much as the cells.
        out: list[str] = []
        append, extend = out.append, out.extend
        for values in rows:
            if len(values) != width:
                raise ValueError(f"a row of {len(values)} cells in a table of {width} columns")
            append(self._start(values) if wrapped else "<row>")
            extend(map(call, writers, values))
            append("</row>")
        xml = "".join(out)
        return (xml.replace("<c/>", _EMPTY) if self.ruled else xml).encode()

    def emphasised_row(self, values: Sequence[Any], variant: str) -> bytes:
        """One row bold and ruled as a 小计 ('subtotal') or 部门合计 ('total')."""
        return emphasised(self.rows([values]).decode(), variant).encode()

    def _start(self, values: Sequence[Any]) -> str:
        """A row's opening tag, as tall as its wrapped texts need: remembered by those texts, which repeat
        (a rule's message about the same indicator in every unit)."""
        texts = tuple(values[i] for i, _ in self._wrapped)
        key = texts if all(type(t) is str or t is None for t in texts) else None
        start = self._starts.get(key) if key is not None else None
        if start is None:
            # Latin letters and digits count a third more than one unit: in a Chinese face a program lacks
            # (LibreOffice substitutes one) they print wider, and a text cut at the row's bottom is lost on paper.
            shown = [(str(values[i]), w) for i, w in self._wrapped if values[i]]
            height = row_height(shown, line_height=15, latin=_LATIN)
            start = f'<row ht="{height:g}" customHeight="1">' if height > DEFAULT_ROW_HEIGHT else "<row>"
            if key is not None:
                if len(self._starts) >= _STARTS_MAX:
                    self._starts.clear()
                self._starts[key] = start
        return start

    def header(self) -> str:
        """The header row, as tall as its longest title wrapped in its column (bold, so counted a little wider).
        A title too wide for its column breaks before its unit ('项目当年预算' / '（元）'), never inside it."""
        styles = {False: f' s="{_HEADER_STYLE}"', True: f' s="{_NUMBER_HEADER_STYLE}"'}
        titles = [
            c.title.replace("（", "\n（", 1) if text_width(c.title) > c.width - 1 and "（" in c.title[1:] else c.title
            for c in self.columns
        ]
        height = row_height([(t, c.width - 1) for t, c in zip(titles, self.columns, strict=True)], line_height=15)
        start = f'<row ht="{height:g}" customHeight="1">' if height > DEFAULT_ROW_HEIGHT else "<row>"
        cells = (_inline(t, styles[c.kind in _NUMERIC_KINDS]) for t, c in zip(titles, self.columns, strict=True))
        return start + "".join(cells) + "</row>"
