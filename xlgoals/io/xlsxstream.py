"""Stream large tables into an .xlsx: cells rendered as SpreadsheetML in any process, one zip written at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.layout import column_letters, quote_sheet
from xlgoals.io.deflated import Deflated, Part, deflate, text_part, write_zip
from xlgoals.io.presentation import LANGUAGE, PAGE_FOOTER, PAPER_A4, row_height
from xlgoals.io.rowxml import DEFAULT_ROW_HEIGHT, Column, Row, RowXml, xml_text
from xlgoals.io.xlsxstyles import STYLE, STYLES_XML

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
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Every sheet opens with a title block: its title (row 1), the run's facts (row 2: 主管部门, 年度, 金额单位,
# 制表日期, 规则集) and what the sheet holds (row 3); the table's header is row 4.
HEADER_ROW = layout.SUMMARY_TABLE_HEADER_ROW
_INFO_LINE_HEIGHT = 13.5
# Column widths (characters) an A4 landscape page holds at full scale, within its margins.
_PAGE_WIDTH = 120


@dataclass(frozen=True)
class TitleBlock:
    """What a sheet opens with, above its table."""

    title: str
    info: str = ""
    note: str = ""


def _attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def _column_width(width: float) -> float:
    """Excel's stored width for a width in characters (Calibri 11: 7-pixel digits, 5 pixels of padding)."""
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


@dataclass
class _SheetPart:
    name: str
    part: Part
    rows: int = 0
    # Rows each file's pieces brought (by key), so a dropped file's rows leave the count too.
    keyed_rows: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PrintPlan:
    """How a sheet prints. A table to read prints its first `columns` columns (all when None) on A4 landscape,
    one page wide, the header repeated on every page; a data sheet (`data`) prints only its title block,
    whose note says where the full data is."""

    columns: int | None = None
    data: bool = False


class _Sheet:
    """One table as worksheets: a title block, the header, rows as they come, and 指标明细2, 3 ... past Excel's
    last row."""

    def __init__(
        self,
        book: StreamBook,
        name: str,
        columns: tuple[Column, ...],
        selected: bool = False,
        printing: PrintPlan = PrintPlan(),
        ruled: bool = False,
    ) -> None:
        self.book, self.name, self.columns, self.selected = book, name, columns, selected
        self.printing = printing
        self.title = TitleBlock(name)
        self.xml = RowXml(columns, ruled=ruled)
        self.limit = MAX_ROWS - HEADER_ROW  # data rows per worksheet, below the title block and header
        self.parts: list[_SheetPart] = []
        self.rows = 0
        self._new_part()

    def _new_part(self) -> None:
        name = self.name if not self.parts else f"{self.name}{len(self.parts) + 1}"
        if self.parts:
            self.book.notes.append(
                f"“{self.name}”超过 Excel 每张工作表 {self.limit:,} 行数据的上限，其余行续写在“{name}”工作表。"
            )
        self.parts.append(_SheetPart(name, Part("")))

    def add(self, xml: bytes | Deflated, rows: int, key: int | None = None) -> None:
        """`rows` rendered rows (RowXml.rows, or deflate()d), split across worksheets where Excel's limit falls
        among them. `key` names the file they came from, for drop()."""
        self.rows += rows
        while rows:
            current = self.parts[-1]
            room = self.limit - current.rows
            if room <= 0:
                self._new_part()
                continue
            if rows <= room:
                # Text becomes a piece of its own too, so every file's rows can be dropped as one.
                current.part.write_deflated(xml if isinstance(xml, Deflated) else deflate(xml), key)
                current.rows += rows
                if key is not None:
                    current.keyed_rows[key] = current.keyed_rows.get(key, 0) + rows
                return
            if isinstance(xml, Deflated):
                xml = xml.inflate()
            # Text is escaped, so '</row>' only ever closes a row.
            pieces = xml.split(b"</row>", room)
            current.part.write_deflated(deflate(b"</row>".join(pieces[:room]) + b"</row>"), key)
            current.rows += room
            if key is not None:
                current.keyed_rows[key] = current.keyed_rows.get(key, 0) + room
            xml, rows = pieces[room], rows - room

    def add_rows(self, rows: Sequence[Row]) -> None:
        self.add(self.xml.rows(rows), len(rows))

    def add_emphasised(self, row: Row, variant: str) -> None:
        """A 小计 ('subtotal') or 部门合计 ('total') row, bold and ruled."""
        self.add(self.xml.emphasised_row(row, variant), 1)

    def drop(self, key: int) -> None:
        """Leave out the rows of file `key` (a revision that turned out not to count)."""
        for sheet in self.parts:
            sheet.part.drop(key)
            gone = sheet.keyed_rows.pop(key, 0)
            sheet.rows -= gone
            self.rows -= gone

    def _printed(self) -> int:
        """Columns from A that print: as planned, or on a data sheet as many as one page's width holds (its
        title block is all that prints)."""
        if self.printing.data:
            widths = [c.width for c in self.columns]
            return max(1, max(k for k in range(len(widths) + 1) if sum(widths[:k]) <= _PAGE_WIDTH))
        return min(self.printing.columns or len(self.columns), len(self.columns))

    def _head(self, sheet: _SheetPart) -> str:
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{_column_width(c.width)}" customWidth="1"/>'
            for i, c in enumerate(self.columns, start=1)
        )
        selected = ' tabSelected="1"' if self.selected and sheet is self.parts[0] else ""
        fit = '<pageSetUpPr fitToPage="1"/>'
        first = f"A{HEADER_ROW + 1}"
        # The notes wrap across the printed width (their cells merged), as tall as their text.
        width = sum(c.width for c in self.columns[: self._printed()])
        rows = [f'<row ht="30" customHeight="1">{_styled_text(self.title.title, STYLE["title"])}</row>']
        for text in (self.title.info, self.title.note):
            height = row_height([(text, width)], line_height=_INFO_LINE_HEIGHT) if text else DEFAULT_ROW_HEIGHT
            rows.append(f'<row ht="{height:g}" customHeight="1">{_styled_text(text, STYLE["info"])}</row>')
        return (
            f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f"<sheetPr>{fit}</sheetPr><sheetViews>"
            f'<sheetView{selected} workbookViewId="0">'
            f'<pane ySplit="{HEADER_ROW}" topLeftCell="{first}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{first}" sqref="{first}"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="{DEFAULT_ROW_HEIGHT}"/>'
            f"<cols>{cols}</cols><sheetData>{''.join(rows)}{self.xml.header()}"
        )

    def finish(self) -> None:
        last = column_letters(len(self.columns))
        printed = column_letters(self._printed())
        setup = f'<pageSetup paperSize="{PAPER_A4}" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        footer = xml_text(f"&L&A&C{PAGE_FOOTER}&R{self.title.title}")
        for sheet in self.parts:
            sheet.part.set_head(self._head(sheet))
            sheet.part.write(
                f'</sheetData><autoFilter ref="A{HEADER_ROW}:{last}{sheet.rows + HEADER_ROW}"/>'
                f'<mergeCells count="2"><mergeCell ref="A2:{printed}2"/><mergeCell ref="A3:{printed}3"/></mergeCells>'
                '<printOptions horizontalCentered="1"/>'
                '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                f"{setup}<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>"
                "</worksheet>".encode()
            )
            sheet.part.finish()

    def filter_range(self, sheet: _SheetPart) -> str:
        last = column_letters(len(self.columns))
        return f"{quote_sheet(sheet.name)}!$A${HEADER_ROW}:${last}${sheet.rows + HEADER_ROW}"

    def print_area(self, sheet: _SheetPart) -> str:
        """The title block alone on a data sheet; the printed columns of the whole table otherwise."""
        printed = column_letters(self._printed())
        bottom = HEADER_ROW - 1 if self.printing.data else sheet.rows + HEADER_ROW
        return f"{quote_sheet(sheet.name)}!$A$1:${printed}${bottom}"


def _styled_text(text: str, style_id: int) -> str:
    if not text:
        return "<c/>"
    return f'<c s="{style_id}" t="inlineStr"><is><t>{xml_text(text)}</t></is></c>'


class StreamBook:
    """The summary .xlsx: sheets in tab order, the first one shown on opening."""

    def __init__(self, title: str = "") -> None:
        self.sheets: dict[str, _Sheet] = {}
        self.notes: list[str] = []
        self.title = title

    def add_sheet(
        self,
        name: str,
        columns: tuple[Column, ...],
        printing: PrintPlan = PrintPlan(),
        ruled: bool = False,
        after: str | None = None,
    ) -> _Sheet:
        """A new sheet, last in tab order or right after sheet `after`."""
        sheet = _Sheet(self, name, columns, selected=not self.sheets, printing=printing, ruled=ruled)
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
        defined = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{xml_text(s.filter_range(p))}</definedName>"
            f'<definedName name="_xlnm.Print_Area" localSheetId="{n}">{xml_text(s.print_area(p))}</definedName>'
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
            f"{xml_text(quote_sheet(p.name))}!${HEADER_ROW}:${HEADER_ROW}</definedName>"
            for n, (s, p) in enumerate(worksheets)
        )
        workbook = (
            f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{names}</sheets><definedNames>{defined}</definedNames>"
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
            '<Override PartName="/docProps/core.xml"'
            ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f"{overrides}</Types>"
        )
        root_rels = (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
            f'<Relationship Id="rId3" Type="{_CORE_REL}" Target="docProps/core.xml"/>'
            "</Relationships>"
        )
        app = (
            f'{_XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>xlgoals</Application></Properties>"
        )
        # The document's language: a program choosing faces for its text takes Chinese ones.
        core = (
            f'{_XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{xml_text(self.title)}</dc:title><dc:creator>xlgoals</dc:creator>"
            f"<dc:language>{LANGUAGE}</dc:language></cp:coreProperties>"
        )
        parts = [
            text_part("[Content_Types].xml", content_types),
            text_part("_rels/.rels", root_rels),
            text_part("docProps/app.xml", app),
            text_part("docProps/core.xml", core),
            text_part("xl/workbook.xml", workbook),
            text_part("xl/_rels/workbook.xml.rels", workbook_rels),
            text_part("xl/styles.xml", STYLES_XML),
            *(p.part for _, p in worksheets),
        ]
        try:
            write_zip(path, parts)
        finally:
            for part in parts[:7]:
                part.close()

    def close(self) -> None:
        for s in self.sheets.values():
            for p in s.parts:
                p.part.close()
