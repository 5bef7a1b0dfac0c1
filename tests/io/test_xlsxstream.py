"""Rows deflated in the workers and appended to a sheet as they are: the package reads back (zipfile checks
every CRC) with the same bytes as rows written as text, also where a sheet continues past Excel's last row."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pytest import MonkeyPatch

from xlgoals.io import xlsxstream
from xlgoals.io.deflated import crc_combine, deflate
from xlgoals.io.rowxml import Column

COLUMNS = (Column("名称"), Column("数", "int"))


@given(st.binary(max_size=3000), st.binary(max_size=3000), st.integers(0, 2**32 - 1))
def test_crc_combine_is_the_crc_of_the_concatenation(a: bytes, b: bytes, start: int) -> None:
    first = zlib.crc32(a, start)
    assert crc_combine(first, zlib.crc32(b), len(b)) == zlib.crc32(a + b, start)


def test_crc_combine_across_a_long_piece() -> None:
    a, b = b"head", bytes(range(256)) * 9000  # longer than the block of zeros used
    assert crc_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def _rows(n: int, tag: str) -> list[tuple[str, int]]:
    return [(f"{tag}单位{i}", i) for i in range(n)]


def _save(path: Path, pieces: list[list[tuple[str, int]]], deflated: bool, limit: int | None = None) -> list[str]:
    book = xlsxstream.StreamBook()
    try:
        sheet = book.add_sheet("指标明细", COLUMNS)
        if limit is not None:
            sheet.limit = limit
        for i, rows in enumerate(pieces):
            xml = sheet.xml.rows(rows)
            # Text and deflated pieces interleaved, as when a file is read in a process of its own.
            if deflated and i % 3 != 1:
                sheet.add(deflate(xml), len(rows))
            else:
                sheet.add(xml, len(rows))
        book.add_sheet("台账", COLUMNS).add_rows(_rows(2, "账"))
        book.save(path)
    finally:
        book.close()
    return book.worksheet_names()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


def test_deflated_pieces_read_back_as_the_text_would(tmp_path: Path) -> None:
    pieces = [_rows(n, str(i)) for i, n in enumerate([3, 0, 50, 1, 700, 2])]
    _save(tmp_path / "text.xlsx", pieces, deflated=False)
    _save(tmp_path / "deflated.xlsx", pieces, deflated=True)
    assert _parts(tmp_path / "deflated.xlsx") == _parts(tmp_path / "text.xlsx")


def test_a_deflated_piece_split_past_the_last_row(tmp_path: Path) -> None:
    pieces = [_rows(n, str(i)) for i, n in enumerate([4, 9, 2, 11])]
    names = _save(tmp_path / "text.xlsx", pieces, deflated=False, limit=5)
    assert _save(tmp_path / "deflated.xlsx", pieces, deflated=True, limit=5) == names
    assert names[:3] == ["指标明细", "指标明细2", "指标明细3"]
    assert _parts(tmp_path / "deflated.xlsx") == _parts(tmp_path / "text.xlsx")


def test_wrapped_rows_are_as_tall_as_their_text_on_every_rendering(monkeypatch: MonkeyPatch) -> None:
    """Row heights are remembered by the wrapped texts: a repeated text gets the height it got first, every
    text the height row_height gives it (Latin letters counted wider), and the memory stays within its bound."""
    from xlgoals.io import rowxml
    from xlgoals.io.presentation import row_height

    monkeypatch.setattr(rowxml, "_STARTS_MAX", 3)
    table = rowxml.RowXml((Column("代码", width=8), Column("说明", width=10, wrap=True)))
    texts = ["短", *("很长的说明文字" * n for n in range(1, 8)), None, "", "很长的说明文字" * 3]
    for first in (True, False):
        for i, text in enumerate(texts):
            xml = table.rows([(f"c{i}", text)]).decode()
            height = row_height([(text, 10)], line_height=15, latin=rowxml._LATIN) if text else 15
            expected = f'<row ht="{height:g}" customHeight="1">' if height > 15 else "<row>"
            assert xml.startswith(expected), (first, text, xml)
            assert len(table._starts) <= 3
