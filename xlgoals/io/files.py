"""Read a workbook's sheets as grids of cell values (calamine, or openpyxl streaming), within bounds."""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from xlgoals.core import layout
from xlgoals.core.errors import (
    CorruptWorkbookError,
    DuplicateSheetError,
    UnsafeWorkbookError,
    WorkbookError,
)
from xlgoals.core.values import CellValue, GridValue
from xlgoals.io.container import (
    CELL_WITH_REF,
    CHUNK,
    EXCEL_MAX_COLUMN,
    EXCEL_MAX_ROW,
    MAX_STREAMED_CELLS,
    Container,
    check_container,
)

Engine = Literal["calamine", "openpyxl"]


@dataclass
class SheetGrid:
    """A sheet's values as rows from A1, with the sheet's visibility.

    `outside` is the first filled cell beyond the read bounds (layout.READ_MAX_ROW/COLUMN), left unread.
    """

    name: str
    rows: list[list[GridValue]]
    hidden: bool = False
    outside: str | None = None


@dataclass
class BookGrid:
    """Every sheet of a workbook as grids, in tab order: what the layout reads from."""

    path: str
    sheets: dict[str, SheetGrid] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict, repr=False)
    # The checked container the grids came from: a write-back copies these bytes instead of reading again.
    container: Container | None = field(default=None, repr=False, compare=False)

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


def read_grids(
    path: str | os.PathLike[str], engine: Engine = "calamine", data: bytes | None = None, skip_live: bool = False
) -> BookGrid:
    """Every sheet's values within the read bounds; the file is only ever opened for reading, once.
    `skip_live`: for a read of the forms' data only, calamine is not given the live checks' formula cells (the
    hidden area from K, io/liveskip.py), whose values then are not in the grids."""
    p = Path(path)
    container = check_container(p, data, skip_live)
    try:
        if engine == "calamine" and container.calamine_safe():
            book = _read_calamine(p, container)
        else:
            cells = max((scan.cells for scan in container.parts.values()), default=0)
            if cells > MAX_STREAMED_CELLS:
                raise UnsafeWorkbookError(
                    f"工作表的单元格数量异常（约 {cells} 个，且分布范围很大），超出了读取上限，已拒绝读取。"
                    "请删除多余的内容后另存再提交。",
                    file=str(p),
                )
            book = _read_openpyxl(p, container)
        _mark_unusable(book, container)
    except WorkbookError:
        raise
    except Exception as e:  # any parser failure on a hostile or damaged file is the user's "corrupt"
        raise CorruptWorkbookError(f"无法读取工作簿内容（{type(e).__name__}: {e}）。", file=str(p)) from e
    book.container = container
    return book


_A1 = re.compile(r"([A-Z]{1,4})([0-9]{1,10})")
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _mark_unusable(book: BookGrid, container: Container) -> None:
    """Put each error value and formula saved without a value (read as blank by both engines) into the
    grid as what it is, so that no reader takes it for an empty cell."""
    if not any(scan.formulas and container.unusable(member) for member, scan in container.parts.items()):
        return
    for name, member in sheet_parts(container).items():
        sheet = book.sheets.get(name)
        if sheet is None:
            continue
        rows = sheet.rows
        for ref, unusable in container.unusable(member).items():
            m = _A1.fullmatch(ref)
            if m is None:
                continue
            row, col = int(m.group(2)), layout.column_index(m.group(1))
            if row > layout.READ_MAX_ROW or col > layout.READ_MAX_COLUMN:
                continue
            rows.extend([] for _ in range(row - len(rows)))
            values = rows[row - 1]
            values.extend(None for _ in range(col - len(values)))
            values[col - 1] = unusable


def sheet_parts(container: Container) -> dict[str, str]:
    """Each worksheet's name and the package part holding its cells, as workbook.xml and its relationships
    say (DTDs were refused before these are parsed)."""
    from xml.etree import ElementTree  # only for a workbook with such cells: a click does not import it

    with zipfile.ZipFile(io.BytesIO(container.data)) as zf:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        try:
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_RELS)}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID))
        name = sheet.get("name")
        if target and name is not None:
            parts[name] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return parts


# Types _cell hands back unchanged, tested by exact type in trim_rows' loop (a few thousand cells a workbook).
_PLAIN_TYPES = frozenset({int, float, bool, Decimal, date, datetime, time, timedelta, type(None)})


def trim_rows(rows: Iterable[Iterable[object]]) -> list[list[GridValue]]:
    """Empty strings and trailing empty rows are noise the two engines disagree on."""
    plain = _PLAIN_TYPES
    # Same values as [[_cell(v) for v in r] for r in rows], at half the cost; mypy cannot see the type test.
    out: list[list[GridValue]] = [
        [(v or None) if type(v) is str else (v if type(v) in plain else _cell(v)) for v in r]  # type: ignore[misc]
        for r in rows
    ]
    return _without_blank_tail(out)


def _without_blank_tail(out: list[list[GridValue]]) -> list[list[GridValue]]:
    while out and all(v is None for v in out[-1]):
        out.pop()
    return out


# python-calamine hands back only str, int, float, bool, datetime, date, time and timedelta (all hashable):
# of these only '' needs changing, so its rows are mapped through a one-key lookup in C.
_BLANK_AS_NONE: dict[object, None] = {"": None}


def _calamine_rows(rows: list[list[Any]]) -> list[list[GridValue]]:
    """trim_rows for calamine's rows: the same values without testing each cell's type."""
    blank = _BLANK_AS_NONE.get
    return _without_blank_tail([list(map(blank, r, r)) for r in rows])


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

    wb = CalamineWorkbook.from_filelike(io.BytesIO(container.calamine_input()))
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
            book.add(SheetGrid(meta.name, _calamine_rows(rows), hidden, outside))
        return book
    finally:
        wb.close()


def read_sheet_rows(container: Container, name: str) -> list[list[GridValue]]:
    """One sheet's values without the read bounds (the container's own bounds still hold): for a sheet of
    ours that may outgrow them, such as the write-back's record of marked cells."""
    if container.calamine_safe():
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(container.data))
        try:
            return _calamine_rows(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        finally:
            wb.close()
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(container.data), read_only=True, data_only=True, keep_links=False)
    try:
        return trim_rows(book[name].iter_rows(values_only=True))
    finally:
        book.close()


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
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            body, carry = (buf[:cut], buf[cut:]) if cut >= 0 and len(buf) - cut <= CHUNK else (buf, b"")
            for m in CELL_WITH_REF.finditer(body):
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
