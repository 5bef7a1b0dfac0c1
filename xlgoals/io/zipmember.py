"""A zip member's bytes as stored (found through its local header) or inflated and checked; members stored again."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator

# Flag bits that change nothing in how a member's bytes read: deflate options, a data descriptor (the
# sizes and CRC are the central directory's either way, as zipfile takes them), UTF-8 names.
_PLAIN_FLAGS = 0x0006 | 0x0008 | 0x0800
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_MAGIC = 0x04034B50


def stored_bytes(data: bytes, info: zipfile.ZipInfo) -> memoryview | None:
    """A plain member's bytes as stored (deflated or not), found through its local header; None when the
    member is not plain (encrypted, another method) or its local header disagrees with the directory."""
    if info.flag_bits & ~_PLAIN_FLAGS or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    at = info.header_offset
    header = data[at : at + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    magic, name_len, extra_len = fields[0], fields[-2], fields[-1]
    at += _LOCAL_HEADER.size
    try:
        name = data[at : at + name_len].decode("utf-8" if info.flag_bits & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if magic != _LOCAL_MAGIC or name != info.orig_filename:
        return None
    at += name_len + extra_len
    raw = memoryview(data)[at : at + info.compress_size]
    return raw if len(raw) == info.compress_size else None


class NotPlain(Exception):
    """A member the quick inflater leaves to zipfile."""


def inflated(data: bytes, info: zipfile.ZipInfo, chunk_size: int) -> Iterator[bytes]:
    """A member's bytes in pieces of `chunk_size`, checked as zipfile checks them (local header, name, size, CRC);
    NotPlain, possibly after some pieces, when any check fails or the member is not plain."""
    raw = stored_bytes(data, info)
    if raw is None:
        raise NotPlain
    size = crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise NotPlain
        for i in range(0, len(raw), chunk_size):
            chunk = bytes(raw[i : i + chunk_size])
            size += len(chunk)
            crc = zlib.crc32(chunk, crc)
            yield chunk
    else:
        inflater = zlib.decompressobj(-15)
        pending: bytes | memoryview = raw
        while True:
            try:
                chunk = inflater.decompress(pending, chunk_size)
            except zlib.error:
                raise NotPlain from None
            pending = inflater.unconsumed_tail
            if chunk:
                size += len(chunk)
                if size > info.file_size:
                    raise NotPlain
                crc = zlib.crc32(chunk, crc)
                yield chunk
            # A full chunk may leave output inside the inflater even when all the input went in.
            if inflater.eof or not (pending or len(chunk) == chunk_size):
                break
        if not inflater.eof:
            raise NotPlain
    if size != info.file_size or crc != info.CRC:
        raise NotPlain


# Local file header and central directory entry of a stored member, and the end record (APPNOTE 4.3), with
# the fields that are the same for every member: version 2.0, UTF-8 names, stored, dated 1980-01-01.
_STORED_ENTRY = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_HEADER_LEAD = (_LOCAL_MAGIC, 20, 0x0800, 0, 0, 0x21)
_ENTRY_LEAD = (0x02014B50, 20, 20, 0x0800, 0, 0, 0x21)


def stored_zip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """A zip of these members (names, order and bytes as given, CRCs as the directory gave them, which the
    caller has verified), stored uncompressed. Written here: zipfile's writer, with a file object per member,
    cost three times what calamine saves by not inflating a unit's 30 parts."""
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for info, body in members:
        name, size = info.orig_filename.encode("utf-8"), len(body)
        sizes = (info.CRC, size, size, len(name), 0)
        out += (_LOCAL_HEADER.pack(*_HEADER_LEAD, *sizes), name, body)
        directory += (_STORED_ENTRY.pack(*_ENTRY_LEAD, *sizes, 0, 0, 0, 0, offset), name)
        offset += _LOCAL_HEADER.size + len(name) + size
    count, listing = len(members), sum(map(len, directory))
    # One join: each copy of a unit's ~250 KB costs more than all the headers.
    return b"".join((*out, *directory, _END.pack(0x06054B50, 0, 0, count, count, listing, offset, 0)))
