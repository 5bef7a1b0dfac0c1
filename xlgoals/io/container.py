"""A file's bytes read once and capped, and its .xlsx container checked before any parser sees it."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.cellerrors import CALAMINE_ERRORS, Unusable
from xlgoals.core.errors import (
    CorruptWorkbookError,
    EncryptedWorkbookError,
    ForeignFormatError,
    LegacyFormatError,
    NotFoundError,
    UnsafeWorkbookError,
    WorkbookError,
)
from xlgoals.core.oserrors import describe
from xlgoals.io.formulacells import MAX_FORMULA_CELLS, FormulaScan, full_calc_on_load, scan_piece
from xlgoals.io.liveskip import without_live_formulas
from xlgoals.io.xmlmarks import opens_markup
from xlgoals.io.zipmember import NotPlain, inflated, stored_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A unit workbook is a few hundred KB unpacked; these bounds stop zip bombs long before memory suffers.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 5000
# calamine holds a sheet's used range densely (32 bytes a cell, from A1-ish to the last cell) and aborts the
# process when that allocation fails. A range larger than this is read by openpyxl's streaming reader instead,
# which stops at the read bounds.
MAX_DENSE_CELLS = 2_000_000
# openpyxl parses ~150,000 cells a second: the most a sheet read that way may hold (a unit's has thousands).
MAX_STREAMED_CELLS = 200_000
EXCEL_MAX_ROW, EXCEL_MAX_COLUMN = 1_048_576, 16_384
CHUNK = 1 << 20
# Parts an XML parser of ours (or of the libraries) reads: where a DTD could do harm. Images (an .svg may
# carry a harmless DOCTYPE) and VBA binaries are never parsed.
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_TAILS = (b"!DOCTYPE", b"!ENTITY")
_DTD_MARKS_UTF16 = tuple(
    mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-16-le", "utf-16-be")
)
# Longer than a DTD mark and than a cell reference (' r="XFD1048576"').
_OVERLAP = 24
# Openings of cell elements, prefixed or not: counted with bytes.count, which is ~50x faster than a regex.
# Counting something else too only sends a file to the slower reader; missing a cell could not happen.
_CELL_OPENINGS = tuple(lead + b"c" + end for lead in (b"<", b":") for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
# A cell reference (rows carry digits only, so r= with letters is a cell); one written after a tab or a
# newline is not counted, which makes references and cells disagree: the slower reader again.
_CELL_REF = re.compile(rb' r="([A-Z]{1,4})([0-9]{1,10})"')
# The quick test of a sheet (_small_sheet): cells opened otherwise than '<c r="' (as '<c>', '<c s=', '<x:c '),
# and references past ZZ999.
_NOT_SMALL_CELL = re.compile(rb'<c(?:[>/\t\n\r]| (?!r="))')
_PREFIXED_CELL = re.compile(rb":c[ >/\t\n\r]")
_FAR_REF = re.compile(rb' r="(?:[A-Z]{3}|[A-Z]{1,2}[0-9]{4})')
CELL_WITH_REF = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?c(?=\s)[^<>]*?\sr="([A-Z]{1,4})([0-9]{1,10})"[^<>]*?(/?)>')
_SST_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sst\s[^<>]*?\buniqueCount=\"([0-9]{1,12})\"")
_SI_OPENINGS = tuple(lead + b"si" + end for lead in (b"<", b":") for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
_PREFIXED_SI = re.compile(rb":si[ >/\t\n\r]")
# calamine reserves room for uniqueCount strings before reading any; beyond this the slower reader is used.
MAX_UNIQUE_STRINGS = 1_000_000
# A package whose parts unpack to at most this is handed to calamine again with every part stored as inflated
# here (see Container.calamine_input): its parts are kept in memory meanwhile, so only up to this much.
MAX_KEPT_BYTES = 8 * 1024 * 1024


@dataclass
class _PartScan:
    """What one pass over an XML part learnt: how many cells it has and how far they reach."""

    cells: int = 0
    refs: int = 0
    rows: set[bytes] = field(default_factory=set)
    columns: set[bytes] = field(default_factory=set)
    unique_strings: int = 0
    strings: int = 0
    # A worksheet's error values and formulas without a value (None: none seen); the workbook part's
    # request to recalculate everything on opening.
    formulas: FormulaScan | None = None
    full_calc: bool = False
    # Every cell opens '<c r="' within ZZ999 (the quick test of _small_sheet held for every piece).
    plain_cells: bool = True

    def dense_cells(self) -> int | None:
        """Cells calamine would allocate for this sheet; None when a cell has no reference to bound it."""
        if self.refs != self.cells:
            return None
        if not self.refs:
            return 0
        return max(map(int, self.rows)) * max(layout.column_index(c.decode()) for c in self.columns)


@dataclass
class Container:
    """A checked workbook package: its bytes and what the checks learnt about its parts."""

    data: bytes
    parts: dict[str, _PartScan] = field(default_factory=dict)
    # Every member as inflated and checked here, in the package's order, while the package is small and plain
    # (None otherwise): what calamine_input packs without compression.
    inflated: list[tuple[zipfile.ZipInfo, bytes]] | None = field(default=None, repr=False)

    def calamine_input(self) -> bytes:
        """The bytes calamine reads: the same members, stored uncompressed as this check inflated and
        verified them (calamine then only parses, where inflating every part a second time cost it a fifth of
        its read), or the file's own bytes when the members were not kept. The kept members are let go."""
        members, self.inflated = self.inflated, None
        return self.data if members is None else stored_zip(members)

    def calamine_safe(self) -> bool:
        """Nothing in the package makes calamine allocate beyond the memory bound (which would abort), or
        refuse the workbook (an error value it does not know, such as #SPILL!)."""
        for name, scan in self.parts.items():
            if scan.unique_strings > min(scan.strings, MAX_UNIQUE_STRINGS):
                return False
            if scan.formulas is not None and not scan.formulas.errors <= CALAMINE_ERRORS:
                return False
            if _is_worksheet(name):
                dense = scan.dense_cells()
                if dense is None or dense > MAX_DENSE_CELLS:
                    return False
        return True

    def unusable(self, member: str) -> dict[str, Unusable]:
        """The cells of a worksheet part (by reference) whose value cannot be used (see FormulaScan.cells)."""
        scan, book = self.parts.get(member), self.parts.get("xl/workbook.xml")
        found = scan.formulas if scan is not None else None
        return found.cells(book is not None and book.full_calc) if found is not None else {}


def _is_worksheet(member: str) -> bool:
    """Every XML part may be a worksheet: relationships can put one anywhere, and calamine follows them."""
    lowered = member.lower()
    return lowered.endswith(_XML_SUFFIXES) and not lowered.endswith("sharedstrings.xml")


def read_input(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit`; folders, FIFOs and devices (or links to them) are refused unread."""
    shown = str(path)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise WorkbookError("这是文件夹，不是文件。", file=shown)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeWorkbookError("这不是普通文件（是管道、设备或指向它们的链接），已拒绝读取。", file=shown)
        # O_NONBLOCK: should the path become a FIFO after the stat, opening it still cannot hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise NotFoundError("找不到该文件，请确认路径。", file=shown) from None
    except PermissionError:
        raise WorkbookError("没有读取该文件的权限，请检查文件权限。", file=shown) from None
    except OSError as e:
        raise WorkbookError(describe(e, "打开该文件"), file=shown) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeWorkbookError("这不是普通文件（是管道、设备或指向它们的链接），已拒绝读取。", file=shown)
        too_big = f"文件过大（超过 {limit // 1024 // 1024} MB），已拒绝读取。"
        if st.st_size > limit:
            raise UnsafeWorkbookError(too_big, file=shown)
        try:
            data = fh.read(limit + 1)
        except OSError as e:
            raise WorkbookError(describe(e, "读取该文件"), file=shown) from None
    if len(data) > limit:
        raise UnsafeWorkbookError(too_big, file=shown)
    return data


def check_container(path: Path, data: bytes | None = None, skip_live: bool = False) -> Container:
    """Refuse what must not be parsed: missing files, .xls, encrypted OOXML, corrupt or bomb-like zips, DTDs.
    `skip_live`: the members kept for calamine leave out the live checks' formula cells (io/liveskip.py)."""
    shown = str(path)
    if data is None:
        data = read_input(path)
    if data[:8] == OLE_MAGIC:
        # Encrypted .xlsx files are OLE containers too; they carry an EncryptionInfo stream.
        import olefile

        try:
            encrypted = olefile.OleFileIO(io.BytesIO(data)).exists("EncryptionInfo")
        except Exception:  # olefile raises assorted errors on damaged containers: treat as plain legacy
            encrypted = False
        if encrypted:
            raise EncryptedWorkbookError("工作簿设置了打开密码，请取消密码后另存为 .xlsx 再提交。", file=shown)
        raise LegacyFormatError("这是旧版 .xls 格式，请在 Excel/WPS 中“另存为” .xlsx 或 .xlsm 后再提交。", file=shown)
    container = Container(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise _not_xlsx(zf, names, shown)
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if len(infos) > MAX_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_RATIO:
                raise UnsafeWorkbookError("文件解压后体积异常（疑似压缩炸弹），已拒绝读取。", file=shown)
            # What the live checks take is left out as each member is kept, so the bound counts what remains.
            kept: list[tuple[zipfile.ZipInfo, bytes]] | None = [] if total <= MAX_KEPT_BYTES or skip_live else None
            kept_bytes = 0
            for info in infos:
                scan, inflated = _scan_member(data, zf, info, shown, keep=kept is not None)
                if scan is not None:
                    container.parts[info.filename] = scan
                if inflated is None:
                    kept = None  # a member zipfile read: calamine reads the file's own bytes
                elif kept is not None:
                    if skip_live and scan is not None:
                        info, inflated = _without_live(info, inflated, scan)
                    kept_bytes += len(inflated)
                    kept = kept if kept_bytes <= MAX_KEPT_BYTES else None
                    if kept is not None:
                        kept.append((info, inflated))
            container.inflated = kept
    except zipfile.BadZipFile as e:
        raise CorruptWorkbookError(
            "不是有效的 Excel 工作簿（.xlsx/.xlsm），文件可能已损坏或并非表格文件。", file=shown
        ) from e
    except (zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        raise CorruptWorkbookError(f"工作簿文件已损坏（{type(e).__name__}）。", file=shown) from e
    return container


def _without_live(info: zipfile.ZipInfo, body: bytes, scan: _PartScan) -> tuple[zipfile.ZipInfo, bytes]:
    """A worksheet member without its live checks' formula cells, under a copy of its entry with the CRC of
    what remains (calamine verifies it); any other member as it is."""
    runs = scan.formulas.live_rows if scan.formulas is not None and scan.plain_cells else None
    if not runs:
        return info, body
    kept = without_live_formulas(body, runs)
    if kept is body:
        return info, body
    entry = zipfile.ZipInfo(info.orig_filename)  # all stored_zip reads of it: copying the entry cost 17 µs
    entry.CRC, entry.file_size = zlib.crc32(kept), len(kept)
    return entry, kept


_SAVE_AS = "请在 Excel/WPS/LibreOffice 中另存为 .xlsx 后再提交。"


def _not_xlsx(zf: zipfile.ZipFile, names: set[str], shown: str) -> WorkbookError:
    """Why a zip without an Excel workbook part cannot be read, naming the format it is when it is a
    spreadsheet saved in another one."""
    mimetype = b""
    if "mimetype" in names:
        with zf.open("mimetype") as fh:  # read no further than the type's name: a member may be a bomb
            mimetype = fh.read(100)
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return ForeignFormatError(f"这是 OpenDocument 表格（.ods）文件，无法直接读取。{_SAVE_AS}", file=shown)
    if "xl/workbook.bin" in names:
        return ForeignFormatError(f"这是 Excel 二进制工作簿（.xlsb），无法直接读取。{_SAVE_AS}", file=shown)
    return CorruptWorkbookError("压缩包中没有 Excel 工作簿内容，请确认文件是 .xlsx/.xlsm。", file=shown)


def _scan_member(
    data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, keep: bool = False
) -> tuple[_PartScan | None, bytes | None]:
    """Read a member once, whole: CRCs are verified (as testzip does), XML that declares a DTD anywhere is
    refused, and cell references and string counts are gathered for the calamine bound. With `keep`, also
    the member's bytes when they were inflated here from the plain case (None when zipfile read them).

    Spreadsheet XML never needs a DTD; entity declarations are how billion-laughs bombs are built.
    """
    pieces: list[bytes] = []
    try:
        # The plain case (deflated or stored, unencrypted, sizes and CRC as the directory says) inflated
        # straight from the bytes in memory: zipfile's file objects cost more than the inflating itself.
        chunks = inflated(data, info, CHUNK)
        scan = _scan_chunks(_kept(chunks, pieces) if keep else chunks, info.filename, shown)
        return scan, (pieces[0] if len(pieces) == 1 else b"".join(pieces)) if keep else None
    except NotPlain:
        pass
    # Anything else, or a member that failed a check, is read again by zipfile, which accepts what it
    # accepts and names what is wrong in its own words.
    try:
        with zf.open(info) as fh:
            return _scan_chunks(iter(partial(fh.read, CHUNK), b""), info.filename, shown), None
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise CorruptWorkbookError(f"工作簿文件已损坏（{info.filename}：{e}）。", file=shown) from e


def _kept(chunks: Iterator[bytes], pieces: list[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        pieces.append(chunk)
        yield chunk


def _scan_chunks(chunks: Iterator[bytes], member: str, shown: str) -> _PartScan | None:
    """What an XML part's pieces hold (None for other parts, which are only read through)."""
    lowered = member.lower()
    if not lowered.endswith(_XML_SUFFIXES):
        for _ in chunks:
            pass
        return None
    worksheet = _is_worksheet(member)
    strings = lowered.endswith("sharedstrings.xml")
    workbook = lowered == "xl/workbook.xml"
    scan = _PartScan()
    carry = b""
    base = 0  # where the piece scanned next starts in the part
    chunk = next(chunks, None)
    while chunk is not None:
        buf = carry + chunk if carry else chunk
        if _declares_dtd(buf):
            raise UnsafeWorkbookError(
                f"工作簿的 {member} 含有 XML 文档类型或实体声明（可能是恶意构造的文件），已拒绝读取。", file=shown
            )
        chunk = next(chunks, None)
        if chunk is None:  # the last piece (most parts are one) is scanned whole, with nothing carried
            _scan_body(scan, buf, worksheet, strings, workbook, base)
            break
        # Tags never span the cut: what follows the last cell's opening (or else the last '<') is carried
        # into the next chunk, so a cell's formula and value are seen together. With no '<' in the last
        # MiB (long text or attribute) no tag can open across the cut either; the overlap keeps a DTD mark
        # or a cell reference whole.
        cut = buf.rfind(b"<c ") if worksheet else -1
        if cut <= 0 or len(buf) - cut > CHUNK:
            cut = buf.rfind(b"<")
        if cut < 0 or len(buf) - cut > CHUNK:
            cut = len(buf) - _OVERLAP
        body, carry = buf[:cut], buf[cut:]
        _scan_body(scan, body, worksheet, strings, workbook, base)
        base += len(body)
    if scan.formulas is not None and scan.formulas.looked_at > MAX_FORMULA_CELLS:
        raise UnsafeWorkbookError(
            f"工作簿的 {member} 中公式和错误值超过 {MAX_FORMULA_CELLS} 个，超出了读取上限，已拒绝读取。"
            "请删除多余的内容后另存再提交。",
            file=shown,
        )
    return scan


def _declares_dtd(buf: bytes) -> bool:
    """Whether a declaration (<!DOCTYPE, <!ENTITY; UTF-8 or UTF-16) is in `buf`. Every such mark holds the
    byte '!' in each of these encodings, which only parts with formulas or comments contain: one memchr
    settles the others, and the few '!' of the rest are looked at one by one (io/xmlmarks.py)."""
    if b"!" not in buf:
        return False
    if opens_markup(buf, _DTD_TAILS):
        return True
    # UTF-16 marks hold NUL bytes, which UTF-8 XML never does.
    return b"\x00" in buf and any(mark in buf for mark in _DTD_MARKS_UTF16)


def _scan_body(
    scan: _PartScan, body: bytes, worksheet: bool, strings: bool, workbook: bool = False, base: int = 0
) -> None:
    if workbook and full_calc_on_load(body):
        scan.full_calc = True
    if worksheet:
        if _small_sheet(body):
            # Every cell is written '<c r="..."' (as Excel, WPS, LibreOffice and the Python writers do) and no
            # reference reaches column AAA or row 1000: the extent is within ZZ999 without listing them.
            n = body.count(b'<c r="')
            scan.cells += n
            scan.refs += n
            scan.rows.add(b"999")
            scan.columns.add(b"ZZ")
            scan.formulas = scan_piece(scan.formulas, body, prefixed=False, base=base)
            return
        scan.plain_cells = False
        scan.formulas = scan_piece(scan.formulas, body, prefixed=_PREFIXED_CELL.search(body) is not None, base=base)
        scan.cells += sum(body.count(opening) for opening in _CELL_OPENINGS)
        refs = _CELL_REF.findall(body)
        if refs:
            scan.refs += len(refs)
            columns, rows = zip(*refs, strict=True)
            scan.columns.update(columns)
            scan.rows.update(rows)
    elif strings:
        if not scan.unique_strings and (m := _SST_TAG.search(body)):
            scan.unique_strings = int(m.group(1))
        # Strings are written '<si>' (as by Excel and the Python writers): two counts settle those.
        plain = body.count(b"<si>")
        if plain == body.count(b"<si") and _PREFIXED_SI.search(body) is None:
            scan.strings += plain
        else:
            scan.strings += sum(body.count(opening) for opening in _SI_OPENINGS)


def _small_sheet(body: bytes) -> bool:
    # One search each: a regex with a literal start runs about as fast as bytes.count.
    return not (_NOT_SMALL_CELL.search(body) or _PREFIXED_CELL.search(body) or _FAR_REF.search(body))
