"""io/formulacells.py: error values and formulas saved without a value, found in a worksheet part's XML; the live
checks' area left alone; XlsxWriter's 0 placeholders unusable only where the workbook was never calculated."""

from __future__ import annotations

import pytest

from xlgoals.core.cellerrors import Unusable
from xlgoals.io.formulacells import FormulaScan, full_calc_on_load, scan_piece

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b'</sheetData><dataValidations><dataValidation><formula1>"a,b"</formula1></dataValidation></dataValidations>'
CELLS = (
    b'<row r="4"><c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c>'  # an error a formula gives
    b'<c r="C4" t="e"><v>#REF!</v></c>'  # an error value typed in
    b'<c r="D4"><f>SUM(A1:A3)</f></c>'  # a formula saved without a value (openpyxl)
    b'<c r="E4"><f>SUM(A1:A3)</f><v>0</v></c>'  # XlsxWriter's placeholder
    b'<c r="F4" t="str"><f>IF(A1="","",A1)</f><v></v></c>'  # a real empty text result
    b'<c r="G4"><f>SUM(A1:A3)</f><v>42</v></c>'  # a computed value
    b'<c r="K4"><f>COUNTIF(A:A,"")</f></c>'  # the live checks' area: never a data cell
    b'<c r="H4" t="s"><v>3</v></c></row>'
)


def test_each_kind_of_formula_cell() -> None:
    scan = scan_piece(None, HEAD + CELLS + TAIL, prefixed=False)
    assert scan is not None
    assert scan.unusable == {
        "B4": Unusable("#DIV/0!", "1/0"),
        "C4": Unusable("#REF!", ""),
        "D4": Unusable("", "SUM(A1:A3)"),
    }
    assert scan.placeholders == {"E4": Unusable("", "SUM(A1:A3)")}
    assert scan.errors == {"#DIV/0!", "#REF!"}
    assert scan.cells(full_calc=False) == scan.unusable
    assert scan.cells(full_calc=True) == {**scan.unusable, "E4": Unusable("", "SUM(A1:A3)")}


def test_prefixed_cells_read_the_same() -> None:
    prefixed = CELLS.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>").replace(b"<f>", b"<x:f>")
    prefixed = prefixed.replace(b"</f>", b"</x:f>").replace(b"<v>", b"<x:v>").replace(b"</v>", b"</x:v>")
    plain = scan_piece(None, HEAD + CELLS + TAIL, prefixed=False)
    scan = scan_piece(None, HEAD.replace(b"<worksheet", b"<x:worksheet") + prefixed + TAIL, prefixed=True)
    assert scan is not None and plain is not None
    # Cell by cell the live area is not told apart, so K4's formula counts too; every other cell agrees.
    assert {k: v for k, v in scan.unusable.items() if k != "K4"} == plain.unusable
    assert scan.placeholders == plain.placeholders


def test_pieces_before_the_cells_start_no_scan_and_later_pieces_add_up() -> None:
    assert scan_piece(None, b"<worksheet><dimension ref='A1:H4'/>", prefixed=False) is None
    first = scan_piece(None, HEAD + b'<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>', prefixed=False)
    scan = scan_piece(first, b'<row r="2"><c r="A2"><f>A1</f></c></row>' + TAIL, prefixed=False)
    assert scan is first and isinstance(scan, FormulaScan)
    assert set(scan.unusable) == {"A1", "A2"} and scan.errors == {"#N/A"}


@pytest.mark.parametrize(
    ("xml", "full"),
    [
        (b'<workbook><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>', True),
        (b"<workbook><calcPr fullCalcOnLoad='true'/></workbook>", True),
        (b'<workbook><calcPr fullCalcOnLoad="0"/></workbook>', False),
        (b'<workbook><calcPr calcId="191029"/></workbook>', False),
    ],
)
def test_full_calc_on_load(xml: bytes, full: bool) -> None:
    assert full_calc_on_load(xml) is full
