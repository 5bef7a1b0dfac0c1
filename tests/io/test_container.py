"""The container check's quick paths (inflating from memory, one-search DTD test, a sheet's quick test) hold
to what the exact, slower ways decide: tested against zipfile itself and against exact counts."""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgoals.core.errors import CorruptWorkbookError, UnsafeWorkbookError
from xlgoals.io import container
from xlgoals.io.container import CHUNK, check_container

SHEET = "xl/worksheets/sheet1.xml"
_SHEET_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_SHEET_TAIL = b"</sheetData></worksheet>"


def _package(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _sheet(rows: int = 3) -> bytes:
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="n"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return _SHEET_HEAD + cells.encode() + _SHEET_TAIL


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("mark", ["<!DOCTYPE x>", '<!ENTITY e "x">'])
@pytest.mark.parametrize("shift", [-5, 0, 3])
def test_a_declaration_across_a_chunk_boundary_is_refused(compression: int, codec: str, mark: str, shift: int) -> None:
    """The mark starts a few bytes before, at or after the first CHUNK boundary of the inflated part."""
    head = ("<a>" if codec == "utf-8" else "\ufeff<a>").encode(codec)
    encoded = mark.encode(codec)
    pad = CHUNK - len(head) - len(encoded) // 2 + shift
    pad -= pad % 2  # UTF-16 stays aligned
    # Letters that pack like text (all one letter would look like a zip bomb), with no '<' or '!' among them.
    filler = bytes(random.Random(pad).choices(b"abcdefghijklmnop", k=pad))
    part = head + filler + encoded + "</a>".encode(codec)
    data = _package({"docProps/app.xml": part}, compression)
    with pytest.raises(UnsafeWorkbookError, match="文档类型或实体声明"):
        check_container(Path("dtd.xlsx"), data)


def test_a_formula_is_not_a_declaration() -> None:
    """'!' in sheet references is common: only a real mark refuses the part."""
    part = _SHEET_HEAD + b'<row r="1"><c r="A1"><f>\'Other\'!A1</f><v>1</v></c></row>' + _SHEET_TAIL
    scan = check_container(Path("f.xlsx"), _package({SHEET: part})).parts[SHEET]
    assert (scan.cells, scan.refs) == (1, 1)


def _central_crc_offset(data: bytes, member: str) -> int:
    """Where the central directory keeps `member`'s CRC."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        at = zf.start_dir
    while True:
        assert data[at : at + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28 : at + 34])
        if data[at + 46 : at + 46 + name_len] == member.encode():
            return at + 16
        at += 46 + name_len + extra_len + comment_len


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_wrong_crc_with_an_intact_stream_is_refused(compression: int) -> None:
    data = bytearray(_package({SHEET: _sheet()}, compression))
    crc_at = _central_crc_offset(bytes(data), SHEET)
    data[crc_at] ^= 0x01
    with pytest.raises(CorruptWorkbookError, match="CRC"):
        check_container(Path("crc.xlsx"), bytes(data))


def _zipfile_verdict(data: bytes) -> bool:
    """Whether zipfile reads every member whole without complaint (what the check must agree with)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                zf.read(info)
    except Exception:
        return False
    return True


_BASE = _package(
    {SHEET: _sheet(40), "xl/sharedStrings.xml": b'<sst uniqueCount="1"><si><t>x</t></si></sst>', "a.bin": b"\0" * 300}
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(1, 255)), min_size=1, max_size=3))
def test_damaged_packages_are_judged_as_zipfile_judges_them(flips: list[tuple[int, int]]) -> None:
    """Bytes flipped anywhere (headers, streams, directory): refused as corrupt exactly when zipfile fails."""
    data = bytearray(_BASE)
    for at, mask in flips:
        data[at] ^= mask
    try:
        check_container(Path("flip.xlsx"), bytes(data))
        ours = True
    except CorruptWorkbookError:
        ours = False
    except UnsafeWorkbookError:
        return  # sizes flipped past the bomb limits: refused before any member is read
    assert ours == _zipfile_verdict(bytes(data))


# --- a sheet's quick test against exact counts ------------------------------------------------------------

_PIECES = [
    '<c r="A1"/>',
    '<c r="ZZ999" t="n"><v>1</v></c>',
    '<c r="AAA1"/>',
    '<c r="A1000"/>',
    '<c r="a1"/>',
    "<c/>",
    "<c>",
    '<c s="1" r="B2"/>',
    '<c\tr="A1"/>',
    '<x:c r="B2"/>',
    "<x:cs/>",
    '<row r="1">',
    '<col min="1"/>',
    "<cols>",
    ' r="XFD1048576"',
    "<f>'S'!A1</f>",
    "text",
    "<is><t>c r</t></is>",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_quick_sheet_test_only_passes_sheets_within_zz999(pieces: list[str]) -> None:
    body = "".join(pieces).encode()
    if not container._small_sheet(body):
        return
    exact_cells = sum(body.count(o) for o in container._CELL_OPENINGS)
    refs = container._CELL_REF.findall(body)
    quick = container._PartScan()
    container._scan_body(quick, body, worksheet=True, strings=False)
    assert quick.cells == quick.refs == exact_cells
    assert all(int(row) <= 999 and len(col) <= 2 for col, row in refs)


@given(st.lists(st.sampled_from(["<si>", "<si >", "<si/>", "<x:si>", ":si\n", "<sig>", "<t>si</t>", "x"]), max_size=20))
def test_strings_are_counted_as_exactly_as_before(pieces: list[str]) -> None:
    body = "".join(pieces).encode()
    scan = container._PartScan()
    container._scan_body(scan, body, worksheet=False, strings=True)
    assert scan.strings == sum(body.count(o) for o in container._SI_OPENINGS)


def test_a_lying_unique_count_still_sends_the_file_to_the_bounded_reader() -> None:
    sst = b'<sst uniqueCount="4000000000"><si><t>x</t></si></sst>'
    checked = check_container(Path("sst.xlsx"), _package({SHEET: _sheet(), "xl/sharedStrings.xml": sst}))
    assert not checked.calamine_safe()


def test_a_far_cell_anywhere_in_a_sheet_is_seen() -> None:
    far = re.sub(rb'r="A2"', b'r="XFD1048576"', _sheet())
    checked = check_container(Path("far.xlsx"), _package({SHEET: far}))
    assert not checked.calamine_safe()
    assert check_container(Path("near.xlsx"), _package({SHEET: _sheet()})).calamine_safe()
