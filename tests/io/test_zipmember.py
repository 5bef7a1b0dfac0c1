"""io/zipmember.py: a member's bytes found through its local header, inflated and checked as zipfile checks them,
and members stored again in a zip that zipfile reads back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from xlgoals.io.zipmember import NotPlain, inflated, stored_bytes, stored_zip


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


@pytest.mark.parametrize("chunk", [1, 777, 1 << 16])
def test_inflated_gives_what_zipfile_reads(sample_xlsx: Path, chunk: int) -> None:
    data = sample_xlsx.read_bytes()
    for info, body in _members(data):
        assert b"".join(inflated(data, info, chunk)) == body, info.filename


def test_stored_bytes_are_the_members_as_stored(sample_xlsx: Path) -> None:
    data = sample_xlsx.read_bytes()
    for info, _ in _members(data):
        raw = stored_bytes(data, info)
        assert raw is not None and len(raw) == info.compress_size
        assert data.find(bytes(raw)) >= info.header_offset


def test_a_changed_byte_or_an_encrypted_member_is_left_to_zipfile(sample_xlsx: Path) -> None:
    data = bytearray(sample_xlsx.read_bytes())
    info = max(_members(bytes(data)), key=lambda m: m[0].compress_size)[0]
    raw = stored_bytes(bytes(data), info)
    assert raw is not None
    at = bytes(data).find(bytes(raw)) + info.compress_size // 2
    data[at] ^= 0xFF
    with pytest.raises(NotPlain):
        b"".join(inflated(bytes(data), info, 4096))
    info.flag_bits |= 0x1  # encrypted
    assert stored_bytes(bytes(data), info) is None


def test_stored_zip_reads_back_in_order_with_its_crcs(sample_xlsx: Path) -> None:
    members = _members(sample_xlsx.read_bytes())
    again = stored_zip(members)
    with zipfile.ZipFile(io.BytesIO(again)) as zf:
        assert zf.testzip() is None
        assert [(i.filename, i.compress_type) for i in zf.infolist()] == [(i.filename, 0) for i, _ in members]
        assert [zf.read(i.filename) for i, _ in members] == [body for _, body in members]
    for info, body in _members(again):  # and the quick path reads its own output
        assert b"".join(inflated(again, info, 1000)) == body
