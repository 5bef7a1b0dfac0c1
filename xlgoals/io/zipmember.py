"""A zip member's bytes as stored, found through its local header: read once, copied without inflating."""

from __future__ import annotations

import struct
import zipfile

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
