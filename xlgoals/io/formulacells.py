"""Error values and formulas saved without a value in a worksheet part's XML, found without parsing the part.

python-calamine reads an error cell and a formula without a value both as '' (openpyxl: the error's text and
None), which is what an empty cell reads as: these cells are found in the XML instead, while the container
check has each part in hand. A sheet without formulas costs two substring searches over its cells; one with
formulas a few byte comparisons after each; a cell itself is looked at only where those say it may be unusable.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from xlgoals.core import layout, livelayout
from xlgoals.core.cellerrors import Unusable

_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,4}[0-9]{1,10})["']""")
_TYPE = re.compile(rb"""\st\s*=\s*["']([A-Za-z]+)["']""")
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_VALUE = re.compile(rb"<" + _PREFIX + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + _PREFIX + rb"v\s*>)", re.S)
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f(?:\s[^>]*)?(?:/>|>(.*?)</" + _PREFIX + rb"f\s*>)", re.S)
_HAS_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s>/]")
# Every cell of a part written with a namespace prefix (<x:c>): such parts are looked at cell by cell.
_ANY_CELL = re.compile(rb"<(" + _PREFIX + rb")c(\s[^>]*?)?(?:/>|>(.*?)</\1c\s*>)", re.S)
# A formula whose stored value is a string keeps '' as a real result: =IF(A1="","",A1) shows an empty cell.
_TEXT_TYPES = frozenset({b"str", b"inlineStr", b"s"})
# What a workbook-wide recalculation flag looks like; Excel clears it when it saves what it calculated.
_FULL_CALC = re.compile(rb"""fullCalcOnLoad\s*=\s*["'](?:1|true)["']""")
# More formula or error cells than a sheet's read area (A1:BH2000) holds cells is not a form: refused.
MAX_FORMULA_CELLS = 120_000


@dataclass
class FormulaScan:
    """What one worksheet part's formula and error cells hold, by cell reference.

    `unusable`: error values and formulas saved without a value. `placeholders`: formulas whose stored value
    is 0, which is what XlsxWriter stores for every formula it writes: unusable only where the workbook says
    its values were never calculated (fullCalcOnLoad). `errors`: every error value seen.
    """

    unusable: dict[str, Unusable] = field(default_factory=dict)
    placeholders: dict[str, Unusable] = field(default_factory=dict)
    errors: set[str] = field(default_factory=set)
    looked_at: int = 0
    # Each row's run of live-check cells, from its first formula cell in the live area to the row's end, as offsets
    # into the part: what a read of the forms' data leaves out (io/liveskip.py).
    live_rows: list[tuple[int, int]] = field(default_factory=list)

    def cells(self, full_calc: bool) -> dict[str, Unusable]:
        """The cells whose value cannot be used: error values, formulas saved without a value, and, where
        the workbook was never recalculated (`full_calc`), formulas stored as 0."""
        return {**self.placeholders, **self.unusable} if full_calc and self.placeholders else self.unusable


def scan_piece(scan: FormulaScan | None, body: bytes, prefixed: bool, base: int = 0) -> FormulaScan | None:
    """`scan` (a new one from the piece that opens <sheetData>) with a piece of a part's formula and error
    cells added; None while no cells have been seen. `prefixed`: the part writes its cells as <x:c>. `base`:
    where the piece starts in the part."""
    if scan is None:
        if b"sheetData" not in body:
            return None
        scan = FormulaScan()
    if prefixed:
        for m in _ANY_CELL.finditer(body):
            attrs, inner = m.group(2) or b"", m.group(3) or b""
            if _HAS_FORMULA.search(inner) or _ERROR_TYPE.search(attrs):
                scan.looked_at += 1
                _classify(attrs, inner, scan)
        return scan
    # The cells are between <sheetData> and </sheetData> (data validations' <formula1> come after).
    first = max(body.find(b"<sheetData"), 0)
    last = body.rfind(b"</sheetData>")
    last = len(body) if last < 0 else last
    looked: set[int] = set()
    pos = body.find(b"<f", first, last)
    while pos >= 0:
        cell = _live_cell(body, pos)
        if cell >= 0:
            # The live checks' helpers: no data cell of any form right of here in this row (cells of a row come
            # in column order), so the rest of the row is not looked at.
            end = body.find(b"</row>", pos, last)
            if end < 0:
                break
            scan.live_rows.append((base + cell, base + end))
            pos = body.find(b"<f", end, last)
            continue
        after = _after_formula(body, pos)
        if after is None or not _valued(body, after):
            _cell_around(body, pos, scan, looked)
        pos = body.find(b"<f", (after or pos + 2), last)
    for mark in (b'"e"', b"'e'") if b"'" in body else (b'"e"',):
        pos = body.find(mark, first, last)
        while pos >= 0:  # t="e", an error cell (or, harmlessly, some other attribute valued "e")
            _cell_around(body, pos, scan, looked)
            pos = body.find(mark, pos + 3, last)
    return scan


_COLUMN = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,4})[0-9]""")


def _live_cell(body: bytes, pos: int) -> int:
    """Where the cell holding the formula at `pos` opens, when it sits in the live checks' area
    (livelayout.in_live_area), never a data cell; else -1."""
    start = body.rfind(b"<c", 0, pos)
    if start < 0:
        return -1
    # A cell opened '<c r="' (as every spreadsheet program writes it) is told by its letters alone.
    ref = _PLAIN_COLUMN.match(body, start) or _COLUMN.search(body, start, pos)
    return start if ref is not None and livelayout.in_live_area(_column_number(ref.group(1))) else -1


_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]{1,4})[0-9]')
_NUMBERS = {layout.column_letters(c).encode(): c for c in range(1, livelayout.LIVE_LAST_COLUMN + 1)}


def _column_number(letters: bytes) -> int:
    return _NUMBERS.get(letters) or layout.column_index(letters.decode())


def _after_formula(body: bytes, pos: int) -> int | None:
    """Where what follows the formula element opening at `pos` starts; None for what is not one (<font>)."""
    if body[pos + 2 : pos + 3] not in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
        return None
    close = body.find(b">", pos)
    if close < 0:
        return None
    if body[close - 1 : close] == b"/":  # <f t="shared" si="0"/>
        return close + 1
    end = body.find(b"</f>", close)
    return None if end < 0 else end + 4


def _valued(body: bytes, after: int) -> bool:
    """The formula is followed by a stored value that is neither empty nor 0 (XlsxWriter's placeholder): what
    Excel, WPS and LibreOffice write. Anything else has its cell looked at."""
    return (
        body.startswith(b"<v>", after)
        and body[after + 3 : after + 4] != b"<"
        and not body.startswith(b"<v>0</v>", after)
    )


def _cell_around(body: bytes, pos: int, scan: FormulaScan, looked: set[int]) -> None:
    """Classify the cell element that holds `pos`, once."""
    start = body.rfind(b"<c", 0, pos)
    if start < 0 or start in looked or body[start + 2 : start + 3] not in (b" ", b"\t", b"\n", b"\r"):
        return
    gt = body.find(b">", start)
    if gt < 0 or b"<" in body[start + 1 : gt]:
        return
    looked.add(start)
    scan.looked_at += 1
    if scan.looked_at > MAX_FORMULA_CELLS:
        return
    if body[gt - 1 : gt] == b"/":  # <c r="A1" t="e"/>: no value at all
        _classify(body[start + 2 : gt - 1], b"", scan)
        return
    end = body.find(b"</c>", gt)
    if end > 0:
        _classify(body[start + 2 : gt], body[gt + 1 : end], scan)


def full_calc_on_load(workbook_xml: bytes) -> bool:
    """Whether workbook.xml asks for a full recalculation on opening: its formulas' stored values are not
    results (openpyxl and XlsxWriter set it; Excel clears it on saving)."""
    return b"fullCalcOnLoad" in workbook_xml and _FULL_CALC.search(workbook_xml) is not None


def _classify(attrs: bytes, inner: bytes, scan: FormulaScan) -> None:
    ref = _REF.search(attrs)
    if ref is None:
        return
    cell = ref.group(1).decode()
    kind = _TYPE.search(attrs)
    t = kind.group(1) if kind else b""
    f = _FORMULA.search(inner)
    formula = _text(f.group(1)) if f is not None and f.group(1) else ""
    v = _VALUE.search(inner)
    value = v.group(1) if v is not None and v.group(1) is not None else b""
    if t == b"e":
        error = _text(value).strip() or "#N/A"
        scan.errors.add(error)
        scan.unusable[cell] = Unusable(error, formula)
    elif f is None:
        return
    elif not value and t not in _TEXT_TYPES:
        scan.unusable[cell] = Unusable("", formula)
    elif value == b"0" and t in (b"", b"n"):
        scan.placeholders[cell] = Unusable("", formula)


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))
