"""Properties of the parsers that find formula cells: error strings as Excel and xlwings give them, the scan of a
worksheet's XML (any placement of error values and formulas without a value, through both engines), and the
indicator table, where no placement of error cells ever moves other rows to another level."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from xlgoals.core import layout
from xlgoals.core.cellerrors import ERRORS, Unusable, error_of
from xlgoals.io.container import check_container
from xlgoals.io.files import read_grids
from xlgoals.io.reader import _indicator_rows

# --- error values as text and as COM numbers ------------------------------------------------------------------


@given(st.text(max_size=12) | st.sampled_from(sorted(ERRORS)) | st.sampled_from([e + " " for e in ERRORS]))
def test_only_an_exact_error_literal_is_an_error(text: str) -> None:
    """Text a unit typed ('#1', '#N/A ', 'n/a') stays text; only the literal Excel shows is an error value."""
    assert error_of(text) == (text if text in ERRORS else None)


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_com_error_numbers_and_only_they_are_errors(number: int) -> None:
    """Desktop Excel hands errors over as 0x800A0000 + XlCVError (e.g. -2146826246 for #N/A); any other
    integer is a number."""
    code = number - (0x800A0000 - (1 << 32))
    error = error_of(number)
    assert (error is not None) == (2000 <= code < 2100)
    assert error_of(0x800A07FA - (1 << 32)) == "#N/A" and error_of(2042) is None


def test_text_and_numbers_are_not_errors() -> None:
    assert error_of(5.0) is None and error_of(True) is None and error_of(None) is None


# --- the scan of a worksheet's XML, through both engines ---------------------------------------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
# Each kind of cell: its XML (after the reference) and what the grid must hold.
KINDS: dict[str, tuple[str, Any]] = {
    "number": ("><v>5</v></c>", 5),
    "text": (' t="inlineStr"><is><t>文字</t></is></c>', "文字"),
    "formula": ("><f>2+3</f><v>5</v></c>", 5),
    "formula-text": (' t="str"><f>"文"&amp;"字"</f><v>文字</v></c>', "文字"),
    "formula-zero": ("><f>1-1</f><v>0</v></c>", 0),  # a real 0 where the workbook was calculated
    "formula-fraction": ("><f>1/2</f><v>0.5</v></c>", 0.5),
    "formula-shared-child": ('><f t="shared" si="0"/><v>7</v></c>', 7),
    "formula-empty-text": (' t="str"><f>IF(1,"","")</f><v></v></c>', None),  # a real result: shows blank
    "no-value": ("><f>A1*2</f></c>", Unusable("", "A1*2")),  # as Apache POI and others save it
    "empty-value": ("><f>A1*2</f><v /></c>", Unusable("", "A1*2")),  # as openpyxl saves it
    "empty-value-2": ("><f>A1*2</f><v></v></c>", Unusable("", "A1*2")),
    "shared-no-value": ('><f t="shared" si="0" ref="A1:A1">A1*2</f><v/></c>', Unusable("", "A1*2")),
    "error": (' t="e"><f>1/0</f><v>#DIV/0!</v></c>', Unusable("#DIV/0!", "1/0")),
    "error-ref": (' t="e"><f>#REF!+1</f><v>#REF!</v></c>', Unusable("#REF!", "#REF!+1")),
    "error-pasted": (' t="e"><v>#N/A</v></c>', Unusable("#N/A")),  # an error pasted as a value
    "error-spill": (' t="e"><f>SEQUENCE(3)</f><v>#SPILL!</v></c>', Unusable("#SPILL!", "SEQUENCE(3)")),
}


def _package(sheet_xml: str, workbook_extra: str = "") -> bytes:
    """A minimal .xlsx around one worksheet named S."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {_NS} {_R}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
            f"{workbook_extra}</workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def _sheet(cells: dict[tuple[int, int], str], pad: int = 0) -> str:
    """The worksheet XML of `cells`; `pad` characters of text beside each row make the part that much longer."""
    rows: dict[int, list[str]] = {}
    for (row, col), kind in sorted(cells.items()):
        rows.setdefault(row, []).append(f'<c r="{layout.address(row, col)}"{KINDS[kind][0]}')
    body = "".join(f'<row r="{r}">{"".join(cs)}{_filler(r, pad)}</row>' for r, cs in sorted(rows.items()))
    return f'<?xml version="1.0"?><worksheet {_NS}><sheetData>{body}</sheetData></worksheet>'


def _filler(row: int, chars: int) -> str:
    """A cell of text that deflates no better than real text does (a zip of repeated letters looks like a bomb)."""
    if not chars:
        return ""
    text = "".join(chr(0x4E00 + (row * 7919 + i * 104729) % 20000) for i in range(chars))
    return f'<c r="Z{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def _expected(value: Any) -> Any:
    return float(value) if type(value) is int else value


CELLS = st.dictionaries(
    st.tuples(st.integers(1, 40), st.integers(1, 8)), st.sampled_from(sorted(KINDS)), min_size=1, max_size=30
)


@settings(max_examples=60, deadline=None)
@given(CELLS, st.sampled_from(["calamine", "openpyxl"]))
def test_the_grid_holds_every_unusable_cell_where_it_is(cells: dict[tuple[int, int], str], engine: str) -> None:
    """Any placement of error values and formulas without a value, read by either engine: each is an
    Unusable at its cell (with its error and formula), every other cell reads as its value or blank."""
    data = _package(_sheet(cells))
    rows = read_grids("s.xlsx", engine, data).sheets["S"].rows  # type: ignore[arg-type]
    for (row, col), kind in cells.items():
        got = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else None
        want = KINDS[kind][1]
        assert got == want or (isinstance(got, float | int) and got == _expected(want)), (kind, got, want)


def test_cells_past_a_chunk_boundary_are_found() -> None:
    """A sheet of more than a mebibyte is scanned in pieces; a cell is never cut in two, so an error or a
    formula without a value anywhere in it, near a cut or not, is found."""
    cells = {(r, c): "error" if (r + c) % 5 else "empty-value" for r in range(1, 400) for c in (1, 2)}
    sheet = _sheet(cells, pad=7000)
    assert len(sheet) > 2_500_000
    found = check_container(Path("s.xlsx"), _package(sheet)).unusable("xl/worksheets/sheet1.xml")
    assert set(found) == {layout.address(r, c) for r, c in cells}


def test_a_never_recalculated_workbook_stored_its_formulas_as_zero() -> None:
    """XlsxWriter stores 0 for every formula and asks for a full recalculation on opening: those zeros are not
    results. Where the workbook does not ask that, a stored 0 is a result like any other."""
    cells = '<row r="1"><c r="A1"><f>SUM(B1:B9)</f><v>0</v></c><c r="B1"><v>0</v></c></row>'
    sheet = f'<?xml version="1.0"?><worksheet {_NS}><sheetData>{cells}</sheetData></worksheet>'
    flagged = read_grids("x.xlsx", data=_package(sheet, '<calcPr calcId="124519" fullCalcOnLoad="1"/>'))
    assert flagged.sheets["S"].rows == [[Unusable("", "SUM(B1:B9)"), 0.0]]
    plain = read_grids("x.xlsx", data=_package(sheet))
    assert plain.sheets["S"].rows == [[0.0, 0.0]]


# --- the indicator table: an unusable level cell never re-levels other rows -------------------------------------

LEVEL1 = st.sampled_from(["", "", "产出目标", "效果目标", "投入与管理"])
LEVEL2 = st.sampled_from(["", "", "数量", "质量", "满意度"])
ROW = st.tuples(LEVEL1, LEVEL2, st.sampled_from(["指标甲", "指标乙", ""]), st.sampled_from([">=1", "合规", ""]))


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=25), st.data())
def test_no_placement_of_error_cells_relevels_other_rows(rows: list[tuple[str, ...]], data: st.DataObject) -> None:
    """Blank level cells mean "same as the row above". Any filled level cell replaced by an error value: the
    rows that stand under it (itself and the blanks below it) read with that level unknown and marked; every
    other row reads exactly as before, never under the level of a row above the error."""
    first = layout.INDICATOR_FIRST_ROW
    grid: list[list[Any]] = [[None] * 4 for _ in range(first - 1)] + [[v or None for v in r] for r in rows]
    before = {r["cells"]["name"]: r for r in _indicator_rows(grid, frozenset())}  # type: ignore[index]
    filled = [(i, col) for i, r in enumerate(rows) for col in (0, 1) if r[col]]
    broken = set(data.draw(st.lists(st.sampled_from(filled), unique=True) if filled else st.just([])))
    for i, col in broken:
        grid[first - 1 + i][col] = Unusable("#N/A")
    after = {r["cells"]["name"]: r for r in _indicator_rows(grid, frozenset())}  # type: ignore[index]
    assert after.keys() >= before.keys()
    # The level cell each row stands under: the nearest filled one at or above it (level-2 within its level-1).
    under1 = under2 = None
    for i, r in enumerate(rows):
        if r[0]:
            under1, under2 = (i, 0), None
        if r[1] or r[0]:
            under2 = (i, 1) if r[1] else None
        cell = layout.indicator_cell(first + i, "name")
        if cell not in before:
            continue
        got, was = after[cell], before[cell]
        marks: dict[str, str] = got.get("unusable", {})  # type: ignore[assignment]
        for part, source in (("level1", under1), ("level2", under2)):
            if source in broken:
                assert got[part] == "" and marks[part] == layout.indicator_cell(first + source[0], part)
            else:
                assert got[part] == was[part] and part not in marks


def test_a_sheet_written_with_a_namespace_prefix_is_scanned_cell_by_cell() -> None:
    """Some writers prefix every element (<x:c>, <x:f>): the quick counts do not apply, each cell is looked at."""
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    cells = (
        '<x:c r="A1" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c><x:c r="B1"><x:f>A1</x:f><x:v/></x:c>'
        '<x:c r="C1"><x:f>2+1</x:f><x:v>3</x:v></x:c><x:c r="D1" t="e"><x:v>#N/A</x:v></x:c>'
    )
    sheet = (
        f'<?xml version="1.0"?><x:worksheet {ns}><x:sheetData><x:row r="1">{cells}</x:row></x:sheetData></x:worksheet>'
    )
    found = check_container(Path("p.xlsx"), _package(sheet)).unusable("xl/worksheets/sheet1.xml")
    assert found == {"A1": Unusable("#DIV/0!", "1/0"), "B1": Unusable("", "A1"), "D1": Unusable("#N/A")}
