"""Open workbook files safely and turn each sheet into a grid of values (calamine fast path or openpyxl)."""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from xlgoals.core import layout
from xlgoals.core.errors import (
    CorruptWorkbookError,
    DuplicateSheetError,
    EncryptedWorkbookError,
    LegacyFormatError,
    NotFoundError,
    UnsafeWorkbookError,
    WorkbookError,
    XlgoalsError,
)
from xlgoals.core.values import CellValue

Engine = Literal["calamine", "openpyxl"]
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
_CHUNK = 1 << 20
# Parts an XML parser of ours (or of the libraries) reads: where a DTD could do harm. Images (an .svg may
# carry a harmless DOCTYPE) and VBA binaries are never parsed.
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_MARKS = tuple(
    mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("ascii", "utf-16-le", "utf-16-be")
)
# Longer than a DTD mark and than a cell reference (' r="XFD1048576"').
_OVERLAP = 24
# Openings of cell elements, prefixed or not: counted with bytes.count, which is ~50x faster than a regex.
# Counting something else too only sends a file to the slower reader; missing a cell could not happen.
_CELL_OPENINGS = tuple(lead + b"c" + end for lead in (b"<", b":") for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
# A cell reference (rows carry digits only, so r= with letters is a cell); one written after a tab or a
# newline is not counted, which makes references and cells disagree: the slower reader again.
_CELL_REF = re.compile(rb' r="([A-Z]{1,4})([0-9]{1,10})"')
# The quick test of a sheet (_small_sheet): cells opened otherwise than '<c ', and references past ZZ999.
_ODD_CELL = re.compile(rb"<c[>/\t\n\r]")
_FAR_REF = re.compile(rb' r="(?:[A-Z]{3}|[A-Z]{1,2}[0-9]{4})')
_CELL_WITH_REF = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?c(?=\s)[^<>]*?\sr="([A-Z]{1,4})([0-9]{1,10})"[^<>]*?(/?)>')
_SST_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sst\s[^<>]*?\buniqueCount=\"([0-9]{1,12})\"")
_SI_OPENINGS = tuple(lead + b"si" + end for lead in (b"<", b":") for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
# calamine reserves room for uniqueCount strings before reading any; beyond this the slower reader is used.
MAX_UNIQUE_STRINGS = 1_000_000


@dataclass
class SheetGrid:
    """A sheet's values as rows from A1, with the sheet's visibility.

    `outside` is the first filled cell beyond the read bounds (layout.READ_MAX_ROW/COLUMN), left unread.
    """

    name: str
    rows: list[list[CellValue]]
    hidden: bool = False
    outside: str | None = None


@dataclass
class BookGrid:
    """Every sheet of a workbook as grids, in tab order: what the layout reads from."""

    path: str
    sheets: dict[str, SheetGrid] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict, repr=False)

    def names(self) -> list[str]:
        return list(self.sheets)

    def add(self, sheet: SheetGrid) -> None:
        """Add a sheet; a second sheet of the same name would hide a project, so the file is refused."""
        # Excel compares sheet names ignoring case; a file written by other software may still repeat one.
        key = sheet.name.casefold()
        first = self._folded.get(key)
        if first is not None:
            names = f"“{first}”" if first == sheet.name else f"“{first}”和“{sheet.name}”"
            raise DuplicateSheetError(
                f"工作簿中有两张工作表同名：{names}（Excel 的工作表名不区分大小写），无法确定哪一张是哪个项目，"
                "为免漏掉项目已拒绝读取。请在 Excel 或 WPS 中打开，确认各工作表名称互不相同后另存为 .xlsx 再提交。",
                file=self.path,
                sheet=sheet.name,
            )
        self._folded[key] = sheet.name
        self.sheets[sheet.name] = sheet


@dataclass
class _PartScan:
    """What one pass over an XML part learnt: how many cells it has and how far they reach."""

    cells: int = 0
    refs: int = 0
    rows: set[bytes] = field(default_factory=set)
    columns: set[bytes] = field(default_factory=set)
    unique_strings: int = 0
    strings: int = 0

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

    def calamine_safe(self) -> bool:
        """Nothing in the package makes calamine allocate beyond the memory bound (which would abort)."""
        for name, scan in self.parts.items():
            if scan.unique_strings > min(scan.strings, MAX_UNIQUE_STRINGS):
                return False
            if _is_worksheet(name):
                dense = scan.dense_cells()
                if dense is None or dense > MAX_DENSE_CELLS:
                    return False
        return True


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
        raise WorkbookError(f"无法打开该文件（{e.strerror or e}）。", file=shown) from None
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
            raise WorkbookError(f"无法读取该文件（{e.strerror or e}）。", file=shown) from None
    if len(data) > limit:
        raise UnsafeWorkbookError(too_big, file=shown)
    return data


def check_container(path: Path, data: bytes | None = None) -> Container:
    """Refuse what must not be parsed: missing files, .xls, encrypted OOXML, corrupt or bomb-like zips, DTDs."""
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
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                raise CorruptWorkbookError("压缩包中没有 Excel 工作簿内容，请确认文件是 .xlsx/.xlsm。", file=shown)
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if len(infos) > MAX_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_RATIO:
                raise UnsafeWorkbookError("文件解压后体积异常（疑似压缩炸弹），已拒绝读取。", file=shown)
            for info in infos:
                scan = _scan_member(zf, info, shown)
                if scan is not None:
                    container.parts[info.filename] = scan
    except zipfile.BadZipFile as e:
        raise CorruptWorkbookError(
            "不是有效的 Excel 工作簿（.xlsx/.xlsm），文件可能已损坏或并非表格文件。", file=shown
        ) from e
    except (zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        raise CorruptWorkbookError(f"工作簿文件已损坏（{type(e).__name__}）。", file=shown) from e
    return container


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> _PartScan | None:
    """Read a member once, whole: CRCs are verified (as testzip does), XML that declares a DTD anywhere is
    refused, and cell references and string counts are gathered for the calamine bound.

    Spreadsheet XML never needs a DTD; entity declarations are how billion-laughs bombs are built.
    """
    xml = info.filename.lower().endswith(_XML_SUFFIXES)
    worksheet = _is_worksheet(info.filename)
    strings = info.filename.lower().endswith("sharedstrings.xml")
    scan = _PartScan() if xml else None
    carry = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                if scan is None:
                    continue
                buf = carry + chunk
                if _declares_dtd(buf):
                    raise UnsafeWorkbookError(
                        f"工作簿的 {info.filename} 含有 XML 文档类型或实体声明（可能是恶意构造的文件），已拒绝读取。",
                        file=shown,
                    )
                # Tags never span the cut: what follows the last '<' is carried into the next chunk. With no
                # '<' in the last MiB (long text or attribute) no tag can open across the cut either; the
                # overlap keeps a DTD mark or a cell reference whole.
                cut = buf.rfind(b"<")
                if cut < 0 or len(buf) - cut > _CHUNK:
                    cut = len(buf) - _OVERLAP
                body, carry = buf[:cut], buf[cut:]
                _scan_body(scan, body, worksheet, strings)
            if scan is not None and carry:
                _scan_body(scan, carry, worksheet, strings)
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise CorruptWorkbookError(f"工作簿文件已损坏（{info.filename}：{e}）。", file=shown) from e
    return scan


def _declares_dtd(buf: bytes) -> bool:
    """Whether a declaration (<!DOCTYPE, <!ENTITY; UTF-8 or UTF-16) is in `buf`. Every such mark starts with
    '<!' (or its UTF-16 form), which most parts never contain: one search each settles those."""
    return (b"<!" in buf or b"<\x00!" in buf or b"\x00<\x00!" in buf) and any(mark in buf for mark in _DTD_MARKS)


def _scan_body(scan: _PartScan, body: bytes, worksheet: bool, strings: bool) -> None:
    if worksheet:
        if _small_sheet(body):
            # Every cell is written '<c r="..."' (as Excel, WPS, LibreOffice and the Python writers do) and no
            # reference reaches column AAA or row 1000: the extent is within ZZ999 without listing them.
            n = body.count(b"<c ")
            scan.cells += n
            scan.refs += n
            scan.rows.add(b"999")
            scan.columns.add(b"ZZ")
            return
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
        scan.strings += sum(body.count(opening) for opening in _SI_OPENINGS)


def _small_sheet(body: bytes) -> bool:
    return (
        body.count(b"<c ") == body.count(b'<c r="')
        and _ODD_CELL.search(body) is None
        and b":c" not in body
        and _FAR_REF.search(body) is None
    )


def read_grids(path: str | os.PathLike[str], engine: Engine = "calamine", data: bytes | None = None) -> BookGrid:
    """Every sheet's values within the read bounds; the file is only ever opened for reading, once."""
    p = Path(path)
    container = check_container(p, data)
    try:
        if engine == "calamine" and container.calamine_safe():
            return _read_calamine(p, container)
        cells = max((scan.cells for scan in container.parts.values()), default=0)
        if cells > MAX_STREAMED_CELLS:
            raise UnsafeWorkbookError(
                f"工作表的单元格数量异常（约 {cells} 个，且分布范围很大），超出了读取上限，已拒绝读取。"
                "请删除多余的内容后另存再提交。",
                file=str(p),
            )
        return _read_openpyxl(p, container)
    except WorkbookError:
        raise
    except Exception as e:  # any parser failure on a hostile or damaged file is the user's "corrupt"
        raise CorruptWorkbookError(f"无法读取工作簿内容（{type(e).__name__}: {e}）。", file=str(p)) from e


# Types _cell hands back unchanged, tested by exact type in trim_rows' loop (a few thousand cells a workbook).
_PLAIN_TYPES = frozenset({int, float, bool, Decimal, date, datetime, time, timedelta, type(None)})


def trim_rows(rows: Iterable[Iterable[object]]) -> list[list[CellValue]]:
    """Empty strings and trailing empty rows are noise the two engines disagree on."""
    plain = _PLAIN_TYPES
    # Same values as [[_cell(v) for v in r] for r in rows], at half the cost; mypy cannot see the type test.
    out: list[list[CellValue]] = [
        [(v or None) if type(v) is str else (v if type(v) in plain else _cell(v)) for v in r]  # type: ignore[misc]
        for r in rows
    ]
    while out and all(v is None for v in out[-1]):
        out.pop()
    return out


def _cell(value: object) -> CellValue:
    """Engine-specific values (rich text, array formulas, '') become the plain values the layout reads."""
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float | Decimal | date | time | timedelta | bool):
        return value
    return str(value)


def _bounded(rows: list[list[Any]]) -> tuple[list[list[Any]], str | None]:
    """The rows within the read bounds, and the first filled cell outside them."""
    max_row, max_col = layout.READ_MAX_ROW, layout.READ_MAX_COLUMN
    outside = None
    for r, row in enumerate(rows, start=1):
        beyond = row if r > max_row else row[max_col:]
        for c, value in enumerate(beyond, start=1 if r > max_row else max_col + 1):
            if value is not None and value != "":
                outside = layout.address(r, c)
                break
        if outside:
            break
    if outside is None:
        return rows, None
    return [row[:max_col] for row in rows[:max_row]], outside


def _read_calamine(path: Path, container: Container) -> BookGrid:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    wb = CalamineWorkbook.from_filelike(io.BytesIO(container.data))
    try:
        book = BookGrid(str(path))
        for meta in wb.sheets_metadata:
            hidden = meta.visible != SheetVisibleEnum.Visible
            if meta.typ != SheetTypeEnum.WorkSheet:  # a chart sheet has no cells; it is still a sheet of the book
                book.add(SheetGrid(meta.name, [], hidden))
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
            end = sheet.end  # (row, column) of the last cell, 0-based; None on an empty sheet
            within = end is None or (end[0] < layout.READ_MAX_ROW and end[1] < layout.READ_MAX_COLUMN)
            rows, outside = (rows, None) if within else _bounded(rows)
            book.add(SheetGrid(meta.name, trim_rows(rows), hidden, outside))
        return book
    finally:
        wb.close()


def _read_openpyxl(path: Path, container: Container) -> BookGrid:
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    wb = openpyxl.load_workbook(io.BytesIO(container.data), read_only=True, data_only=True, keep_links=False)
    try:
        book = BookGrid(str(path))
        for ws in wb:
            hidden = ws.sheet_state != "visible"
            if not isinstance(ws, ReadOnlyWorksheet):
                book.add(SheetGrid(ws.title, [], hidden))
                continue
            # Bounded: the parser stops after the last row asked for; columns beyond are skipped unbuilt.
            rows = ws.iter_rows(
                min_row=1, min_col=1, max_row=layout.READ_MAX_ROW, max_col=layout.READ_MAX_COLUMN, values_only=True
            )
            # openpyxl 3.1 (pinned below 3.2) keeps the sheet's part name here; there is no public accessor.
            outside = _outside(container, getattr(ws, "_worksheet_path", ""), str(path), ws.title)
            book.add(SheetGrid(ws.title, trim_rows(rows), hidden, outside))
        return book
    finally:
        wb.close()


def _outside(container: Container, member: str, shown: str, sheet: str) -> str | None:
    """The first filled cell of a worksheet part beyond the read bounds, found without parsing the part."""
    member = member.lstrip("/")
    if member not in container.parts:
        return None
    with zipfile.ZipFile(io.BytesIO(container.data)) as zf, zf.open(member) as fh:
        carry = b""
        while chunk := fh.read(_CHUNK):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            body, carry = (buf[:cut], buf[cut:]) if cut >= 0 and len(buf) - cut <= _CHUNK else (buf, b"")
            for m in _CELL_WITH_REF.finditer(body):
                if m.group(3):
                    continue  # <c r="..." s="1"/>: formatting only, no value
                row, col = int(m.group(2)), layout.column_index(m.group(1).decode())
                if row > layout.READ_MAX_ROW or col > layout.READ_MAX_COLUMN:
                    ref = m.group(1).decode() + m.group(2).decode()
                    if row > EXCEL_MAX_ROW or col > EXCEL_MAX_COLUMN:
                        raise CorruptWorkbookError(
                            f"单元格地址 {ref} 超出了 Excel 表格的范围（最远为 XFD1048576），文件已损坏。",
                            file=shown,
                            sheet=sheet,
                            cell=ref,
                        )
                    return ref
    return None


def check_output(
    target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (), *, folder: bool = False
) -> None:
    """Refuse an output path that cannot be written as asked, or that is one of the inputs (hard and
    symbolic links included): a Chinese XlgoalsError naming the path, before any work is done."""
    path = Path(target)
    shown = str(target)
    kind = "文件夹" if folder else "文件"
    try:
        st: os.stat_result | None = path.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        st = None  # an ancestor is a file: reported below
    except OSError as e:
        raise XlgoalsError(f"无法访问输出路径（{e.strerror or e}）。", file=shown) from None
    if st is not None:
        if folder and not stat.S_ISDIR(st.st_mode):
            raise XlgoalsError("这里需要一个文件夹，但该路径已是一个文件；请另给一个文件夹路径。", file=shown)
        if not folder and stat.S_ISDIR(st.st_mode):
            raise XlgoalsError("输出路径是一个文件夹；请给出文件名，例如 结果.xlsx。", file=shown)
        if not folder and not stat.S_ISREG(st.st_mode):
            raise XlgoalsError("输出路径不是普通文件（是管道或设备），不能写入；请另选输出路径。", file=shown)
    parent = path.parent
    while True:
        try:
            if not stat.S_ISDIR(parent.stat().st_mode):
                raise XlgoalsError(
                    f"输出{kind}的上级路径 {parent} 是一个文件，不是文件夹；请另选输出路径。", file=shown
                )
            break
        except (FileNotFoundError, NotADirectoryError):
            if parent.parent == parent:
                break
            parent = parent.parent
        except OSError as e:
            raise XlgoalsError(f"无法访问输出路径（{e.strerror or e}）。", file=shown) from None
    if st is None or folder:
        return
    for given in inputs:
        try:
            same = os.path.samefile(given, path)
        except OSError:
            continue
        if same:
            raise XlgoalsError(
                f"输出文件就是输入文件 {given}（或指向它的链接），不能覆盖输入；请另选输出路径。", file=shown
            )


def _new_file_mode() -> int:
    """What open() would give a new file under the process umask (mkstemp's 0600 would hide outputs)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temp path beside `path`, renamed over it only when the block succeeds: no half-written outputs."""
    target = Path(path)
    check_output(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    except OSError as e:
        raise XlgoalsError(f"无法在该位置创建输出文件（{e.strerror or e}）。", file=str(target)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        tmp_path.chmod(_new_file_mode())
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
