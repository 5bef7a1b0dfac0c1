"""Stream large tables into an .xlsx: cells rendered as SpreadsheetML in any process, one zip written at the end."""

from __future__ import annotations

import shutil
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.layout import column_letters, quote_sheet
from xlgoals.io.package import Member, write_members
from xlgoals.io.presentation import MONEY_FORMATS, PAGE_FOOTER, PAPER_A4, MoneyUnit
from xlgoals.io.rowxml import DEFAULT_ROW_HEIGHT, Column, Row, RowXml, xml_text

# Excel's rows per sheet (the header included): a longer table continues on 指标明细2, 指标明细3 ...
MAX_ROWS = 1_048_576


# --- the summary workbook -------------------------------------------------------------------------------
# A minimal, valid .xlsx written by hand: each sheet is deflated as its rows arrive (into a spooled temp
# file), and the zip is assembled only after the figures reconcile. The workers render and deflate their
# rows; the parent's share of the work is appending those pieces and joining their CRCs, where writing the
# cells one by one through a general-purpose library took most of a run.

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Deflate level 6 (zlib's default). The rows are deflated in the workers (see Deflated), each file's apart,
# which loses the repeats across units: a thousand units' 258 MB of sheet XML pack to ~8 MB where one stream
# packed them to 5.9 MB. Level 3 would halve the workers' ~1.2 ms a file for ~11 MB; level 6 keeps a
# thousand units' summary an easy e-mail attachment and costs less CPU in all than the parent's one stream
# did (it also pickled 50 times the bytes across the pipe).
COMPRESSION = 6
_DATE = (2020, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same bytes


# A data cell's style: its number format, at the top of its row like the wrapped texts beside it.
def _top_xf(number_format: int) -> str:
    return (
        f'<xf numFmtId="{number_format}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'
        ' applyAlignment="1"><alignment vertical="top"/></xf>'
    )


_STYLES_XML = (
    f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    f'<numFmt numFmtId="165" formatCode="{MONEY_FORMATS[MoneyUnit.YUAN][1]}"/>'
    f'<numFmt numFmtId="166" formatCode="{MONEY_FORMATS[MoneyUnit.YUAN][0]}"/>'
    f'<numFmt numFmtId="167" formatCode="{MONEY_FORMATS[MoneyUnit.WAN][0]}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"'
    ' applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    f"{_top_xf(164)}{_top_xf(165)}"
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"'
    ' applyAlignment="1"><alignment horizontal="right" vertical="center" wrapText="1"/></xf>'
    f"{_top_xf(166)}{_top_xf(167)}"
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def _column_width(width: float) -> float:
    """Excel's stored width for a width in characters (Calibri 11: 7-pixel digits, 5 pixels of padding)."""
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


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


class _Part:
    """One zip member, deflated as it is written, with the CRC and sizes its headers need."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.crc = self.size = self.packed = 0
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (close())
        self._zip = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -15)
        self._pending = False  # text given to self._zip since it was last flushed

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._pending = True
        if out := self._zip.compress(data):
            self._file.write(out)

    def write_deflated(self, piece: Deflated) -> None:
        if self._pending:
            # Our own stream is cut on a byte boundary and started afresh: past the piece, the reader's window
            # holds the piece's text, which the old compressor's back-references know nothing of.
            self._file.write(self._zip.flush(zlib.Z_SYNC_FLUSH))
            self._zip = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -15)
            self._pending = False
        self._file.write(piece.data)
        self.crc = crc_combine(self.crc, piece.crc, piece.size)
        self.size += piece.size

    def finish(self) -> None:
        self._file.write(self._zip.flush())
        self.packed = self._file.tell()

    def copy_to(self, out: IO[bytes]) -> None:
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, 1 << 20)

    def close(self) -> None:
        self._file.close()


def _part(name: str, text: str) -> _Part:
    part = _Part(name)
    part.write(text.encode())
    part.finish()
    return part


@dataclass
class _SheetPart:
    name: str
    part: _Part
    rows: int = 0


class _Sheet:
    """One table as worksheets: the header, rows as they come, and 指标明细2, 3 ... past Excel's last row."""

    def __init__(self, book: StreamBook, name: str, columns: tuple[Column, ...], selected: bool = False) -> None:
        self.book, self.name, self.columns, self.selected = book, name, columns, selected
        self.xml = RowXml(columns)
        self.limit = MAX_ROWS - 1  # data rows per worksheet, below the header
        self.parts: list[_SheetPart] = []
        self.rows = 0
        self._new_part()

    def _new_part(self) -> None:
        name = self.name if not self.parts else f"{self.name}{len(self.parts) + 1}"
        if self.parts:
            self.book.notes.append(
                f"“{self.name}”超过 Excel 每张工作表 {self.limit:,} 行数据的上限，其余行续写在“{name}”工作表。"
            )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{_column_width(c.width)}" customWidth="1"/>'
            for i, c in enumerate(self.columns, start=1)
        )
        selected = ' tabSelected="1"' if self.selected and not self.parts else ""
        head = (
            f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews>'
            f'<sheetView{selected} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="{DEFAULT_ROW_HEIGHT}"/>'
            f"<cols>{cols}</cols><sheetData>{self.xml.header()}"
        )
        sheet = _SheetPart(name, _Part(""))
        sheet.part.write(head.encode())
        self.parts.append(sheet)

    def add(self, xml: bytes | Deflated, rows: int) -> None:
        """`rows` rendered rows (RowXml.rows, or deflate()d), split across worksheets where Excel's limit falls
        among them."""
        self.rows += rows
        while rows:
            current = self.parts[-1]
            room = self.limit - current.rows
            if room <= 0:
                self._new_part()
                continue
            if rows <= room:
                if isinstance(xml, Deflated):
                    current.part.write_deflated(xml)
                else:
                    current.part.write(xml)
                current.rows += rows
                return
            if isinstance(xml, Deflated):
                xml = xml.inflate()
            # Text is escaped, so '</row>' only ever closes a row.
            pieces = xml.split(b"</row>", room)
            current.part.write(b"</row>".join(pieces[:room]) + b"</row>")
            current.rows += room
            xml, rows = pieces[room], rows - room

    def add_rows(self, rows: Sequence[Row]) -> None:
        self.add(self.xml.rows(rows), len(rows))

    def finish(self) -> None:
        last = column_letters(len(self.columns))
        for sheet in self.parts:
            sheet.part.write(
                f'</sheetData><autoFilter ref="A1:{last}{sheet.rows + 1}"/>'
                # Printed like the other generated sheets: A4 landscape, one page wide, header on every page.
                '<printOptions horizontalCentered="1"/>'
                '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                f'<pageSetup paperSize="{PAPER_A4}" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                f"<headerFooter><oddFooter>{xml_text('&C' + PAGE_FOOTER)}</oddFooter></headerFooter>"
                "</worksheet>".encode()
            )
            sheet.part.finish()

    def filter_range(self, sheet: _SheetPart) -> str:
        return f"{quote_sheet(sheet.name)}!$A$1:${column_letters(len(self.columns))}${sheet.rows + 1}"


class StreamBook:
    """The summary .xlsx: sheets in tab order, the first one shown on opening."""

    def __init__(self) -> None:
        self.sheets: dict[str, _Sheet] = {}
        self.notes: list[str] = []

    def add_sheet(self, name: str, columns: tuple[Column, ...], after: str | None = None) -> _Sheet:
        """A new sheet, last in tab order or right after sheet `after`."""
        sheet = _Sheet(self, name, columns, selected=not self.sheets)
        if after is None or after not in self.sheets:
            self.sheets[name] = sheet
        else:
            order = list(self.sheets.items())
            at = [n for n, _ in order].index(after) + 1
            self.sheets = dict([*order[:at], (name, sheet), *order[at:]])
        return sheet

    def __getitem__(self, name: str) -> _Sheet:
        return self.sheets[name]

    def worksheet_names(self) -> list[str]:
        return [p.name for s in self.sheets.values() for p in s.parts]

    def save(self, path: Path) -> None:
        """Finish every sheet and write the package; call once, after the figures reconcile."""
        for s in self.sheets.values():
            s.finish()
        worksheets = [(s, p) for s in self.sheets.values() for p in s.parts]
        for n, (_, p) in enumerate(worksheets, start=1):
            p.part.name = f"xl/worksheets/sheet{n}.xml"
        names = "".join(
            f'<sheet name="{_attr(p.name)}" sheetId="{n}" r:id="rId{n}"/>' for n, (_, p) in enumerate(worksheets, 1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{xml_text(s.filter_range(p))}</definedName>"
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
            f"{xml_text(quote_sheet(p.name))}!$1:$1</definedName>"
            for n, (s, p) in enumerate(worksheets)
        )
        workbook = (
            f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{names}</sheets><definedNames>{filters}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        sheet_rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(worksheets) + 1)
        )
        workbook_rels = (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">{sheet_rels}'
            f'<Relationship Id="rId{len(worksheets) + 1}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
            for n in range(1, len(worksheets) + 1)
        )
        content_types = (
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/app.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>"
        )
        root_rels = (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )
        app = (
            f'{_XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>xlgoals</Application></Properties>"
        )
        parts = [
            _part("[Content_Types].xml", content_types),
            _part("_rels/.rels", root_rels),
            _part("docProps/app.xml", app),
            _part("xl/workbook.xml", workbook),
            _part("xl/_rels/workbook.xml.rels", workbook_rels),
            _part("xl/styles.xml", _STYLES_XML),
            *(p.part for _, p in worksheets),
        ]
        try:
            _write_zip(path, parts)
        finally:
            for part in parts[:6]:
                part.close()

    def close(self) -> None:
        for s in self.sheets.values():
            for p in s.parts:
                p.part.close()


def _write_zip(path: Path, parts: Sequence[_Part]) -> None:
    """A plain (not zip64) archive of already-deflated parts."""
    members = [Member(p.name, p.crc, p.size, p.packed, p.copy_to, date_time=_DATE) for p in parts]
    try:
        with path.open("wb") as out:
            write_members(out, members)
    except OverflowError:
        raise XlgoalsError("汇总工作簿超过 4 GB，Excel 无法打开：请分批汇总，或改用 --csv/--parquet 导出。") from None
