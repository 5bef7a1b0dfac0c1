"""Deflated pieces and zip members: rows deflated in any process, joined by their CRCs, one plain zip written."""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from xlgoals.core.errors import XlgoalsError
from xlgoals.io.package import Member, write_members

# Deflate level 6 (zlib's default). The rows are deflated in the workers (see Deflated), each file's apart,
# which loses the repeats across units: a thousand units' 258 MB of sheet XML pack to ~8 MB where one stream
# packed them to 5.9 MB. Level 3 would halve the workers' ~1.2 ms a file for ~11 MB; level 6 keeps a
# thousand units' summary an easy e-mail attachment and costs less CPU in all than the parent's one stream
# did (it also pickled 50 times the bytes across the pipe). Measured again for issue 25 (CPU a unit over 200
# units' rows, ~256 KB of XML each; the summary of 1,000 units): level 1 0.43 ms, 11.9 MB; 3 0.43 ms, 11.1 MB;
# 4 0.76 ms, 9.7 MB; 6 0.89 ms, 7.9 MB; 9 1.87 ms, 7.6 MB. Level 3 would take 0.46 ms off a worker's ~10 ms
# a file (~0.25 s of a 1,000-unit run on 2 cores, 4 % of the floor ratio) for a summary 40 % larger: kept at 6.
COMPRESSION = 6
_DATE = (2020, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same bytes


@dataclass(frozen=True)
class Deflated:
    """Rendered rows deflated where they were rendered (a worker, in parallel, sending a twentieth of the
    bytes): raw deflate blocks ending on a byte boundary, with the size and CRC of what they inflate to.
    Such pieces, one after another, are one valid deflate stream, so a sheet appends them as they are."""

    data: bytes
    size: int
    crc: int

    def inflate(self) -> bytes:
        return zlib.decompressobj(-15).decompress(self.data)


def deflate(xml: bytes) -> Deflated:
    packer = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -15)
    # A sync flush ends the piece on a byte boundary without the final-block mark.
    return Deflated(packer.compress(xml) + packer.flush(zlib.Z_SYNC_FLUSH), len(xml), zlib.crc32(xml))


_ZEROS = bytes(1 << 20)


def _crc_of_zeros(crc: int, n: int) -> int:
    zeros = memoryview(_ZEROS)
    while n > 0:
        crc = zlib.crc32(zeros[: min(n, len(_ZEROS))], crc)
        n -= len(_ZEROS)
    return crc


def crc_combine(crc1: int, crc2: int, size2: int) -> int:
    """CRC-32 of A+B from those of A and B (zlib's crc32_combine, which Python does not expose). The CRC
    is affine in its start value: crc(B, c) = crc(B, 0) ^ crc(zeros, c) ^ crc(zeros, 0), zeros as long
    as B; two passes over zeros cost what one over B would."""
    return crc2 ^ _crc_of_zeros(crc1, size2) ^ _crc_of_zeros(0, size2)


@dataclass
class _Segment:
    """A run of a part's deflated bytes that inflates on its own: a worker's piece, or our own stream between
    pieces. A file's pieces carry its key, so a file counted after all (a revision that lost) can be dropped."""

    start: int
    end: int
    crc: int
    size: int
    key: int | None = None


class Part:
    """One zip member, deflated as it is written, with the CRC and sizes its headers need."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.crc = self.size = self.packed = 0
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (close())
        self._zip = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -15)
        self._segments: list[_Segment] = []
        self._open = _Segment(0, 0, 0, 0)  # our own stream's segment, still being written
        self._head: Deflated | None = None
        self._dropped: set[int] = set()

    def write(self, data: bytes) -> None:
        self._open.crc = zlib.crc32(data, self._open.crc)
        self._open.size += len(data)
        if out := self._zip.compress(data):
            self._file.write(out)

    def _close_open(self, final: bool) -> None:
        """Our own stream cut on a byte boundary (a sync flush) or ended, and its segment recorded."""
        if self._open.size or final:
            self._file.write(self._zip.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH))
            self._open.end = self._file.tell()
            self._segments.append(self._open)
            # Started afresh: past a piece, the reader's window holds the piece's text, which the old
            # compressor's back-references know nothing of.
            self._zip = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -15)
        start = self._file.tell()
        self._open = _Segment(start, start, 0, 0)

    def write_deflated(self, piece: Deflated, key: int | None = None) -> None:
        self._close_open(final=False)
        start = self._file.tell()
        self._file.write(piece.data)
        self._segments.append(_Segment(start, self._file.tell(), piece.crc, piece.size, key))
        self._open = _Segment(self._file.tell(), self._file.tell(), 0, 0)

    def set_head(self, text: str) -> None:
        """What the member starts with, known only at the end (a sheet's title block): deflated on its own and
        written before everything else."""
        self._head = deflate(text.encode())

    def drop(self, key: int) -> None:
        self._dropped.add(key)

    def finish(self) -> None:
        self._close_open(final=True)
        kept = [s for s in self._segments if s.key not in self._dropped]
        crc = self._head.crc if self._head else 0
        size = self._head.size if self._head else 0
        for s in kept:
            crc = crc_combine(crc, s.crc, s.size)
            size += s.size
        self.crc, self.size = crc, size
        self.packed = (len(self._head.data) if self._head else 0) + sum(s.end - s.start for s in kept)
        self._segments = kept

    def copy_to(self, out: IO[bytes]) -> None:
        if self._head is not None:
            out.write(self._head.data)
        for s in self._segments:
            self._file.seek(s.start)
            left = s.end - s.start
            while left:
                chunk = self._file.read(min(left, 1 << 20))
                out.write(chunk)
                left -= len(chunk)

    def close(self) -> None:
        self._file.close()


def text_part(name: str, text: str) -> Part:
    part = Part(name)
    part.write(text.encode())
    part.finish()
    return part


def write_zip(path: Path, parts: Sequence[Part]) -> None:
    """A plain (not zip64) archive of already-deflated parts, by the package's one zip writer."""
    members = [Member(p.name, p.crc, p.size, p.packed, p.copy_to, date_time=_DATE) for p in parts]
    try:
        with path.open("wb") as out:
            write_members(out, members)
    except OverflowError:
        raise XlgoalsError("汇总工作簿超过 4 GB，Excel 无法打开：请分批汇总，或改用 --csv/--parquet 导出。") from None
