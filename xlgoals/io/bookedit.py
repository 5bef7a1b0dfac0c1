"""A workbook copied with cells marked, notes set and generated sheets added; every other part as stored.

The write-back of `validate` and `rollup`: the input's package is opened from the bytes the reader checked,
the parts that change are edited in place (the marked sheets' cells, notes and drawings, styles.xml for the
new fills, workbook.xml and its relationships for the generated sheets) and the rest is copied as it was
stored. Project sheets' rows are fitted to their texts, and what they print set, as the template writer
sets them.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from xlgoals.core import layout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.errors import WorkbookError, XlgoalsError
from xlgoals.core.oserrors import fault
from xlgoals.core.selfevallayout import selfeval_fill
from xlgoals.io.cellstyle import (
    HEADER_POINTS,
    continuation_header,
    hidden_indicator_rows,
    is_project_form,
    is_selfeval_form,
    project_row_heights,
    writable_text,
)
from xlgoals.io.files import BookGrid, SheetGrid, read_grids
from xlgoals.io.notes import set_notes
from xlgoals.io.outputs import atomic_output, check_output
from xlgoals.io.package import REL_STYLES, Package, PackageError, add_relationship, relative, resolve, worksheets
from xlgoals.io.sheetplan import rgb_hex
from xlgoals.io.sheetxml import Worksheet, scan_worksheet
from xlgoals.io.stylesheet import StyleSheet
from xlgoals.io.transplant import Placement, add_sheets
from xlgoals.io.xmledit import span, splice

# What Excel forbids in a sheet name: a copy naming such a sheet would not open (and links to it would break).
_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_EMPTY_STYLES = (
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    b'</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b"</styleSheet>"
)


@dataclass(frozen=True)
class CellMark:
    """A cell to fill with `rgb` (8 hex digits) and to note with `note`."""

    sheet: str
    cell: str
    rgb: str
    note: str


def edit_copy(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    grids: BookGrid | None = None,
    *,
    clear: Iterable[tuple[str, str]] = (),
    marks: Sequence[CellMark] = (),
    sheets: Sequence[Placement] = (),
    author: str = "",
) -> None:
    """Copy `src` to `out`: the cells of `clear` back to the template's fill and without notes, `marks`
    applied, the generated `sheets` put in. `src` is never written; `out` appears whole or not at all.
    `grids`: `src` as the reader read it (else it is read here)."""
    src_path, out_path = Path(src), Path(out)
    check_output(out_path, [src_path])
    book = grids if grids is not None and grids.container is not None else read_grids(src_path)
    assert book.container is not None
    shown = str(src)
    try:
        pkg = Package.of(book.container.data)
        _edit(pkg, book, clear, marks, sheets, author)
        with atomic_output(out_path) as tmp, tmp.open("wb") as handle:
            pkg.save(handle)
    except XlgoalsError:
        raise
    except _SheetError as e:
        raise WorkbookError(e.message, file=shown, sheet=e.sheet) from None
    except (PackageError, ValueError, KeyError, StopIteration, OverflowError) as e:
        raise WorkbookError(_refusal(src_path, f"{type(e).__name__}: {e}"), file=shown) from None
    except OSError as e:  # atomic_output describes its own; this is any other (never the input, read before)
        raise fault(e, out_path, "写入") from None


def _refusal(src: Path, reason: str) -> str:
    return (
        f"工作簿能读取，但无法把结果写入 {src.name} 的副本（{reason}）；原工作簿未改动。"
        "请在 Excel/WPS 中打开后另存为 .xlsx 再试。"
    )


class _SheetError(Exception):
    def __init__(self, sheet: str, message: str) -> None:
        super().__init__(sheet, message)
        self.sheet, self.message = sheet, message


def _edit(
    pkg: Package,
    book: BookGrid,
    clear: Iterable[tuple[str, str]],
    marks: Sequence[CellMark],
    sheets: Sequence[Placement],
    author: str,
) -> None:
    wb_part = pkg.office_document()
    wb_rels = pkg.rels(wb_part)
    styles_rel = next((r for r in wb_rels if r.get("Type") == REL_STYLES), None)
    if styles_rel is None or resolve(wb_part, styles_rel.get("Target", "")) not in pkg:
        styles_part = "xl/styles.xml" if "xl/styles.xml" not in pkg else pkg.free_name("xl/styles{}.xml")
        pkg.set(styles_part, _EMPTY_STYLES)
        pkg.types_set(styles_part, CT_STYLES)
        if styles_rel is None:
            add_relationship(wb_rels, REL_STYLES, relative(wb_part, styles_part))
        else:
            styles_rel.set("Target", relative(wb_part, styles_part))
        pkg.set_rels(wb_part, wb_rels)
    else:
        styles_part = resolve(wb_part, styles_rel.get("Target", ""))
    styles = StyleSheet(pkg.read(styles_part))

    for name in book.sheets:
        if _FORBIDDEN.search(name):
            raise _SheetError(
                name,
                f"工作表名“{name}”含有 Excel 不允许的字符（\\ / ? * [ ] :），写出的副本 Excel 无法打开；"
                "请在 Excel/WPS 中给该工作表改名后再试。原工作簿未改动。",
            )
    parts = {sheet.name: sheet.part for sheet in worksheets(pkg, wb_part, wb_rels)}
    cleared: dict[str, set[str]] = defaultdict(set)
    for sheet, cell in clear:
        if sheet in parts and _valid(cell):
            cleared[sheet].add(cell.upper())
    marked: dict[str, dict[str, CellMark]] = defaultdict(dict)
    for mark in marks:
        if mark.sheet in parts and _valid(mark.cell):
            marked[mark.sheet][mark.cell.upper()] = mark
    fitted = [
        name
        for name, grid in book.sheets.items()
        if name in parts and not grid.hidden and not layout.is_system_sheet(name) and _is_form(grid)
    ]
    for name in dict.fromkeys([*cleared, *marked, *fitted]):
        try:
            _edit_sheet(pkg, parts[name], name, styles, cleared[name], marked[name], book.sheets.get(name), author)
        except (PackageError, ValueError) as e:
            raise _SheetError(name, _refusal(Path(book.path), f"工作表“{name}”：{e}")) from None
    if sheets:
        add_sheets(pkg, wb_part, styles, sheets)
    result = styles.result()
    if result != pkg.read(styles_part):
        pkg.set(styles_part, result)


def _valid(cell: str) -> bool:
    try:
        row, col = layout.split_address(cell)
    except ValueError:
        return False
    return row <= 1_048_576 and col <= 16_384


def _text(rows: layout.Grid, row: int, col: int) -> str:
    """A cell's text as it prints: an error value or a formula never computed shows as itself."""
    values = rows[row - 1] if row <= len(rows) else ()
    value = values[col - 1] if col <= len(values) else None
    return value.shown() if isinstance(value, Unusable) else str(value or "")


def _is_form(grid: SheetGrid) -> bool:
    return is_project_form(lambda r, c: _text(grid.rows, r, c))


def _edit_sheet(
    pkg: Package,
    part: str,
    name: str,
    styles: StyleSheet,
    clear: set[str],
    marks: dict[str, CellMark],
    grid: SheetGrid | None,
    author: str,
) -> None:
    sheet: Worksheet = scan_worksheet(pkg.read(part))
    header: list[tuple[int, int, bytes]] = []
    # A 自评 sheet's cells go back to its own fills, not the declaration's.
    selfeval = grid is not None and is_selfeval_form(lambda r, c: _text(grid.rows, r, c))
    for cell in clear - marks.keys():
        row, col = layout.split_address(cell)
        rgb = selfeval_fill(cell) if selfeval else layout.template_fill(name, cell)
        sheet.set_style(row, col, styles.with_fill(sheet.style(row, col), styles.fill(rgb_hex(rgb) if rgb else None)))
    for cell, mark in marks.items():
        row, col = layout.split_address(cell)
        sheet.set_style(row, col, styles.with_fill(sheet.style(row, col), styles.fill(mark.rgb)))
    if grid is not None and not grid.hidden and not layout.is_system_sheet(name) and _is_form(grid):
        rows = grid.rows
        last = max([len(rows), *(n for n, r in sheet.rows.items() if r.raw)])

        def text(r: int, c: int) -> str:
            return _text(rows, r, c)

        for row, height in project_row_heights(text, last).items():
            sheet.fit_height(row, height)
        if not selfeval:
            # What prints, as the template writer sets it: the indicator rows down to the last filled one,
            # the project named on continuation pages.
            for row, hidden in hidden_indicator_rows(text, last).items():
                sheet.set_hidden(row, hidden)
            header = _header_edits(sheet, text(*layout.split_address(layout.PROJECT_FIELD["name"].value_cell)))
    notes = {cell: writable_text(mark.note) for cell, mark in marks.items()}
    edits = set_notes(pkg, part, sheet, clear, notes, author) + header
    if sheet.changed() or edits:
        pkg.set(part, splice(sheet.xml, sheet.edits() + edits))


_ODD_HEADER = re.compile(rb"<((?:[\w.-]+:)?oddHeader)\b[^>]*?(?:/>|>(.*?)</\1>)", re.S)
_OUR_HEADER = f"&L&{HEADER_POINTS} &A"


def _header_edits(sheet: Worksheet, name: str) -> list[tuple[int, int, bytes]]:
    """The continuation pages' header naming the project as now named, where the header is the one the
    template wrote (one the unit set is left as it is)."""
    footer = sheet.find("headerFooter")
    found = _ODD_HEADER.search(span(sheet.xml, footer)) if footer is not None else None
    if footer is None or found is None or found.group(2) is None:
        return []
    old = unescape(found.group(2).decode("utf-8", "replace"))
    new = f"&L&{HEADER_POINTS} {continuation_header(name)}"
    if old == new or not (old == _OUR_HEADER or old.startswith(_OUR_HEADER + " · ")):
        return []
    tag = found.group(1).decode()
    return [(footer.start + found.start(), found.end() - found.start(), f"<{tag}>{escape(new)}</{tag}>".encode())]
