"""workbook.xml edited in place: sheets removed and inserted, their local names and the active tab renumbered."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from xlgoals.io.package import NS_REL, PackageError
from xlgoals.io.xmledit import Element, Scan, remove, scan_xml, span, splice, start_tag, with_attribute

# CT_Workbook's children that come after definedNames (ECMA-376 schema order).
_AFTER_DEFINED_NAMES = (
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


@dataclass
class SheetEntry:
    """A <sheet> of the workbook: kept as written (`old` its index then) or new."""

    name: str
    rel_id: str
    sheet_id: int
    xml: bytes
    old: int | None = None
    names: list[bytes] = field(default_factory=list)  # new local names, localSheetId set on writing


@dataclass
class WorkbookXml:
    """The sheets in tab order as they will be written, and the parts of workbook.xml they touch."""

    xml: bytes
    scan: Scan
    sheets: list[SheetEntry]

    @classmethod
    def parse(cls, xml: bytes) -> WorkbookXml:
        try:
            scan = scan_xml(xml, spans=("sheets", "definedNames", "bookViews"))
        except (expat.ExpatError, ValueError) as e:
            raise PackageError(f"workbook.xml does not parse: {e}") from None
        sheets = []
        for index, element in enumerate(scan.spans.get("sheets", [])):
            rel_id = next((v for k, v in element.attrs.items() if k.endswith(":id") and k != "xml:id"), "")
            sheet_id = element.attrs.get("sheetId", "0")
            sheets.append(
                SheetEntry(
                    element.attrs.get("name", ""),
                    rel_id,
                    int(sheet_id) if sheet_id.isdigit() else 0,
                    span(xml, element),
                    index,
                )
            )
        return cls(xml, scan, sheets)

    def index(self, name: str) -> int | None:
        return next((i for i, s in enumerate(self.sheets) if s.name == name), None)

    def remove(self, name: str) -> SheetEntry | None:
        found = self.index(name)
        return self.sheets.pop(found) if found is not None else None

    def insert(self, index: int, name: str, rel_id: str, sheet_id: int | None, hidden: bool) -> SheetEntry:
        """A new <sheet> at `index` (past the end: last); a new sheetId unless one is given."""
        if sheet_id is None:
            sheet_id = max([0, *(s.sheet_id for s in self.sheets)]) + 1
        r_prefix = self.scan.ns_prefix(NS_REL)
        rel = f"{r_prefix}:id={quoteattr(rel_id)}" if r_prefix else f'xmlns:r="{NS_REL}" r:id={quoteattr(rel_id)}'
        state = ' state="hidden"' if hidden else ""
        xml = f'<{self.scan.tag("sheet")} name={quoteattr(name)} sheetId="{sheet_id}"{state} {rel}/>'.encode()
        entry = SheetEntry(name, rel_id, sheet_id, xml)
        self.sheets.insert(min(index, len(self.sheets)), entry)
        return entry

    def defined_name(self, attrs: dict[str, str], formula: str) -> bytes:
        tag = self.scan.tag("definedName")
        head = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items() if k != "localSheetId")
        return f"<{tag}{head}>{escape(formula)}</{tag}>".encode()

    def result(self) -> bytes:
        """The part with the sheets in their new order; local names follow their sheet or go with it."""
        moved = {s.old: i for i, s in enumerate(self.sheets) if s.old is not None}
        edits: list[tuple[int, int, bytes]] = []
        sheets = self.scan.find("sheets")
        if sheets is None:
            raise PackageError("workbook.xml has no sheets")
        edits.append(_inner(self.xml, sheets, b"".join(s.xml for s in self.sheets)))

        names: list[bytes] = []
        for element in self.scan.spans.get("definedNames", []):
            local = element.attrs.get("localSheetId")
            if local is None or not local.isdigit():
                names.append(span(self.xml, element))
            elif int(local) in moved:
                names.append(with_attribute(span(self.xml, element), "localSheetId", str(moved[int(local)])))
        for i, sheet in enumerate(self.sheets):
            names.extend(with_attribute(name, "localSheetId", str(i)) for name in sheet.names)
        defined = self.scan.find("definedNames")
        if defined is not None:
            edits.append(_inner(self.xml, defined, b"".join(names)) if names else remove(self.xml, defined))
        elif names:
            block = self.scan.tag("definedNames")
            content = f"<{block}>".encode() + b"".join(names) + f"</{block}>".encode()
            edits.append((self.scan.first_of(_AFTER_DEFINED_NAMES), 0, content))

        for view in self.scan.spans.get("bookViews", []):
            tag = start_tag(self.xml, view)
            new = tag
            for attr in ("activeTab", "firstSheet"):
                value = view.attrs.get(attr, "")
                if value.isdigit():
                    shown = moved.get(int(value), min(int(value), len(self.sheets) - 1))
                    if shown != int(value):
                        new = with_attribute(new, attr, str(shown))
            if new != tag:
                edits.append((view.start, len(tag), new))
        return splice(self.xml, edits)


def _inner(xml: bytes, element: Element, content: bytes) -> tuple[int, int, bytes]:
    """Replace an element's children (an empty tag is opened)."""
    tag = start_tag(xml, element)
    if tag.endswith(b"/>"):
        return element.start, len(tag), tag[:-2].rstrip() + b">" + content + f"</{element.qname}>".encode()
    begin = element.start + len(tag)
    return begin, element.close - begin, content
