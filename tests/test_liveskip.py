"""A unit read for its data only (the consolidation's read) leaves the live checks' formula cells out of what
calamine parses: the same model and findings as the whole read, on workbooks as xlgoals writes them and as
LibreOffice saves them, with cells typed past the live area still reported, and the markup test exact."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.make_department import make_department
from tests.office import convert_all
from xlgoals.io import xmlmarks
from xlgoals.io.container import check_container
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read_unit
from xlgoals.io.xmlmarks import opens_markup
from xlgoals.unit.pipeline import check_unit


@pytest.fixture(scope="module")
def live_units(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Units written by xlgoals itself, with their live checks (make_department --live)."""
    folder = tmp_path_factory.mktemp("live") / "dept"
    entries = make_department(folder, units=3, seed=5, jobs=1, live=True)
    return [Path(e.path) for e in entries if e.status == "已读取"]


def _read(path: Path, skip_live: bool) -> tuple[dict[str, object], list[str]]:
    unit = read_unit(read_grids(path, skip_live=skip_live))
    report = check_unit(unit, None, file=path.name).report
    return unit.model_dump(), [repr(f) for f in report.findings]


def _stored(path: Path, skip_live: bool) -> dict[str, bytes]:
    data = check_container(path, skip_live=skip_live).calamine_input()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}  # CRCs checked: the cut parts carry their own


def _assert_same_read(path: Path) -> None:
    whole, cut = _stored(path, False), _stored(path, True)
    assert list(cut) == list(whole)  # every part, in its order
    assert sum(map(len, cut.values())) < 0.7 * sum(map(len, whole.values()))  # the formulas are really left out
    assert _read(path, True) == _read(path, False)


def test_a_unit_as_xlgoals_writes_it_reads_the_same_without_its_live_formulas(live_units: list[Path]) -> None:
    assert live_units
    for path in live_units:
        _assert_same_read(path)


def test_a_unit_as_libreoffice_saves_it_reads_the_same(soffice: str, live_units: list[Path], tmp_path: Path) -> None:
    # LibreOffice stores every formula whole with its computed value: the heaviest form a unit's file takes.
    for path in convert_all(soffice, live_units[:1], "xlsx", tmp_path, recalc=True):
        _assert_same_read(path)


def test_a_selfeval_workbook_reads_the_same(live_units: list[Path], tmp_path: Path) -> None:
    # The 自评 sheets carry live checks and scoring helpers of their own from column K on.
    from xlgoals.unit.selfeval import write_selfeval

    path = tmp_path / "selfeval.xlsx"
    write_selfeval(read_unit(read_grids(live_units[0])), path)
    _assert_same_read(path)


def _with_sheet(path: Path, out: Path, edit: bytes, before: bytes = b"</row>", nth: int = 20) -> Path:
    """A copy of `path` with `edit` put before the nth `before` of its first project sheet's part."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                pos = -1
                for _ in range(nth):
                    pos = body.index(before, pos + 1)
                body = body[:pos] + edit + body[pos:]
            dst.writestr(info, body)
    return out


def test_a_cell_typed_past_the_live_area_is_still_reported(live_units: list[Path], tmp_path: Path) -> None:
    typed = _with_sheet(live_units[0], tmp_path / "typed.xlsx", b'<c r="BZ20" t="inlineStr"><is><t>x</t></is></c>')
    sheet = next(iter(read_grids(typed).sheets.items()))[0]
    unit = read_unit(read_grids(typed, skip_live=True))
    assert "BZ" in str(unit.unread_cells), (sheet, unit.unread_cells)
    assert _read(typed, True) == _read(typed, False)


def test_live_formulas_below_the_read_bounds_are_still_reported(live_units: list[Path], tmp_path: Path) -> None:
    row = b'<row r="2500"><c r="K2500"><f>1+1</f><v>2</v></c></row>'
    far = _with_sheet(live_units[0], tmp_path / "far.xlsx", row, before=b"</sheetData>", nth=1)
    unit = read_unit(read_grids(far, skip_live=True))
    assert "K2500" in unit.unread_cells.values(), unit.unread_cells
    assert _read(far, True) == _read(far, False)


def test_a_part_with_a_comment_is_given_whole(live_units: list[Path], tmp_path: Path) -> None:
    # '</row>' inside a comment (or CDATA, or a processing instruction) would end a cut where no row ends.
    marked = _with_sheet(live_units[0], tmp_path / "marked.xlsx", b"<!-- </row> -->", before=b"<c r=", nth=200)
    assert _stored(marked, True)["xl/worksheets/sheet2.xml"] == _stored(marked, False)["xl/worksheets/sheet2.xml"]
    assert _read(marked, True) == _read(marked, False)


_XMLISH = st.lists(st.sampled_from([b"<", b"!", b"?", b"DOCTYPE", b"ENTITY", b"a", b"--", b">"]), max_size=60)


@settings(max_examples=400, deadline=None)
@given(_XMLISH, st.integers(0, 3), st.sampled_from([0, 1, 3, 512]))
def test_markup_is_found_exactly_as_a_substring_search_finds_it(pieces: list[bytes], start: int, few: int) -> None:
    body = b"".join(pieces)
    tails = (b"!DOCTYPE", b"!ENTITY", b"?")
    kept, xmlmarks._FEW = xmlmarks._FEW, few  # small bounds: the fall-back to substring search, mid-piece
    try:
        assert opens_markup(body, tails, start) == any(body.find(b"<" + t, start) >= 0 for t in tails)
    finally:
        xmlmarks._FEW = kept


def test_many_lead_bytes_fall_back_to_the_substring_search() -> None:
    crowded = b"!" * (xmlmarks._FEW + 1) + b"<!ENTITY" + b"?" * 3
    assert opens_markup(crowded, (b"!ENTITY",))
    assert not opens_markup(crowded, (b"!DOCTYPE",))
    assert not opens_markup(crowded, (b"?",), 0)
