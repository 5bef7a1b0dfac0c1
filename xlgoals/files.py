"""Open workbook files safely and turn each sheet into a grid of values (calamine fast path or openpyxl)."""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from xlgoals.errors import (
    CorruptWorkbookError,
    DuplicateSheetError,
    EncryptedWorkbookError,
    LegacyFormatError,
    NotFoundError,
    UnsafeWorkbookError,
    WorkbookError,
)
from xlgoals.values import CellValue

Engine = Literal["calamine", "openpyxl"]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A unit workbook is a few hundred KB unpacked; these bounds stop zip bombs long before memory suffers.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 5000


@dataclass
class SheetGrid:
    """A sheet's values as rows from A1, with the sheet's visibility."""

    name: str
    rows: list[list[CellValue]]
    hidden: bool = False


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


def check_container(path: Path) -> None:
    """Refuse what must not be parsed: missing files, .xls, encrypted OOXML, corrupt or bomb-like zips."""
    shown = str(path)
    if not path.is_file():
        raise NotFoundError("找不到该文件，请确认路径。", file=shown)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        # Encrypted .xlsx files are OLE containers too; they carry an EncryptionInfo stream.
        import olefile

        try:
            encrypted = olefile.OleFileIO(str(path)).exists("EncryptionInfo")
        except Exception:  # olefile raises assorted errors on damaged containers: treat as plain legacy
            encrypted = False
        if encrypted:
            raise EncryptedWorkbookError("工作簿设置了打开密码，请取消密码后另存为 .xlsx 再提交。", file=shown)
        raise LegacyFormatError("这是旧版 .xls 格式，请在 Excel/WPS 中“另存为” .xlsx 或 .xlsm 后再提交。", file=shown)
    if not zipfile.is_zipfile(path):
        raise CorruptWorkbookError("不是有效的 Excel 工作簿（.xlsx/.xlsm），文件可能已损坏或并非表格文件。", file=shown)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                raise CorruptWorkbookError("压缩包中没有 Excel 工作簿内容，请确认文件是 .xlsx/.xlsm。", file=shown)
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if len(infos) > MAX_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_RATIO:
                raise UnsafeWorkbookError("文件解压后体积异常（疑似压缩炸弹），已拒绝读取。", file=shown)
            _check_members(zf, infos, shown)
    except zipfile.BadZipFile as e:
        raise CorruptWorkbookError(f"工作簿文件已损坏（{e}）。", file=shown) from e


def _check_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], shown: str) -> None:
    """Read every member once: CRCs are verified (as testzip does) and XML that declares a DTD is refused.

    Spreadsheet XML never needs a DTD; entity declarations are how billion-laughs bombs are built.
    """
    for info in infos:
        try:
            with zf.open(info) as fh:
                head = fh.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise UnsafeWorkbookError(
                        f"工作簿的 {info.filename} 含有 XML 实体声明（可能是恶意构造的文件），已拒绝读取。", file=shown
                    )
                while fh.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            raise CorruptWorkbookError(f"工作簿文件已损坏（{info.filename}：{e}）。", file=shown) from e


def read_grids(path: str | os.PathLike[str], engine: Engine = "calamine") -> BookGrid:
    """Every sheet's values; the file is only ever opened for reading."""
    p = Path(path)
    check_container(p)
    try:
        return _read_calamine(p) if engine == "calamine" else _read_openpyxl(p)
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


def _read_calamine(path: Path) -> BookGrid:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    wb = CalamineWorkbook.from_path(str(path))
    try:
        book = BookGrid(str(path))
        for meta in wb.sheets_metadata:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            book.add(SheetGrid(meta.name, trim_rows(rows), meta.visible != SheetVisibleEnum.Visible))
        return book
    finally:
        wb.close()


def _read_openpyxl(path: Path) -> BookGrid:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        book = BookGrid(str(path))
        for ws in wb.worksheets:
            rows = ws.iter_rows(min_row=1, min_col=1, values_only=True)
            book.add(SheetGrid(ws.title, trim_rows(rows), ws.sheet_state != "visible"))
        return book
    finally:
        wb.close()


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temp path beside `path`, renamed over it only when the block succeeds: no half-written outputs."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
