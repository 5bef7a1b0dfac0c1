"""Generated sheets put into a package: rendered by openpyxl in a workbook of their own, their parts moved over.

openpyxl renders a SheetPlan exactly as the rest of the product renders it (io/planrender.py), chart and
print setup included; what moves is the sheet's part with its styles mapped into the workbook's styles.xml,
its drawing and chart parts under free names, its print titles and filter range, and its place among the
sheets. A sheet of the same name is replaced, with every part only it used.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET

from xlgoals.io.package import (
    NS_REL,
    REL_CALC_CHAIN,
    REL_WORKSHEET,
    Package,
    add_relationship,
    content_type_of,
    internal_targets,
    relative,
    rels_path,
    resolve,
)
from xlgoals.io.sheetplan import SheetPlan
from xlgoals.io.stylesheet import StyleSheet
from xlgoals.io.workbookxml import WorkbookXml
from xlgoals.io.xmledit import Element, span, start_tag

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Relationship types whose targets belong to one sheet alone and go with it when it is replaced. Images are
# left: a drawing may share one with another sheet's, and an unused image costs nothing but its bytes.
_OWNED = frozenset(
    NS_REL + "/" + kind
    for kind in ("drawing", "chart", "chartUserShapes", "comments", "vmlDrawing", "printerSettings", "table")
) | frozenset(
    {
        "http://schemas.microsoft.com/office/2011/relationships/chartStyle",
        "http://schemas.microsoft.com/office/2011/relationships/chartColorStyle",
        "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
    }
)
_STYLE_ATTR = re.compile(rb'(<(?:c|row)\b[^>]*?\ss=")(\d+)(")|(<col\b[^>]*?\sstyle=")(\d+)(")')
_NUMBERED = re.compile(r"^(.*?)(\d*)(\.[^./]+)$")


@dataclass(frozen=True)
class Placement:
    """Where a generated sheet goes: at `index` once any sheet of its name is gone (None: last), or, with
    `in_place`, where a sheet of its name already stands."""

    plan: SheetPlan
    index: int | None
    in_place: bool = False


def add_sheets(pkg: Package, wb_part: str, styles: StyleSheet, placements: Sequence[Placement]) -> None:
    """Render the plans and put their sheets into `pkg` (its workbook part `wb_part`)."""
    scratch = Package.of(_render([p.plan for p in placements]))
    theirs = scratch.office_document()
    their_book = WorkbookXml.parse(scratch.read(theirs))
    their_rels = {r.get("Id"): resolve(theirs, r.get("Target", "")) for r in scratch.rels(theirs)}
    their_names = their_book.scan.spans.get("definedNames", [])
    mapping = styles.bring_in(scratch.read(resolve(theirs, _styles_target(scratch, theirs))))

    book = WorkbookXml.parse(pkg.read(wb_part))
    wb_rels = pkg.rels(wb_part)
    removed_any = False
    for number, placement in enumerate(placements, start=1):  # sheet 0 of the scratch book is its blank one
        name = placement.plan.name
        here = book.index(name)
        old = book.remove(name)
        part, rel_id, sheet_id = None, None, None
        if old is not None:
            removed_any = True
            rel = next((r for r in wb_rels if r.get("Id") == old.rel_id), None)
            if rel is not None:
                old_part = resolve(wb_part, rel.get("Target", ""))
                _remove_tree(pkg, old_part)
                if rel.get("Type") == REL_WORKSHEET:
                    part, rel_id, sheet_id = old_part, old.rel_id, old.sheet_id
                else:
                    wb_rels.remove(rel)
        if part is None:
            part = pkg.free_name("xl/worksheets/sheet{}.xml")
            rel_id = add_relationship(wb_rels, REL_WORKSHEET, relative(wb_part, part))
        assert rel_id is not None
        their_entry = their_book.sheets[number]
        their_part = their_rels[their_entry.rel_id]
        pkg.set(part, _restyled(scratch.read(their_part), mapping))
        pkg.types_set(part, CT_WORKSHEET)
        _copy_related(scratch, their_part, pkg, part)
        index = here if placement.in_place and here is not None else placement.index
        hidden = b'state="hidden"' in their_entry.xml
        entry = book.insert(len(book.sheets) if index is None else index, name, rel_id, sheet_id, hidden)
        for element in their_names:
            if element.attrs.get("localSheetId") == str(number):
                text = SafeET.fromstring(b"<w>" + _inner_text(their_book.xml, element) + b"</w>").text or ""
                entry.names.append(book.defined_name(element.attrs, text))
    if removed_any:
        _drop_calc_chain(pkg, wb_part, wb_rels)
    pkg.set(wb_part, book.result())
    pkg.set_rels(wb_part, wb_rels)


def _render(plans: Sequence[SheetPlan]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    from xlgoals.io.planrender import render_plan
    from xlgoals.io.presentation import CachingZip

    wb = Workbook()  # its blank first sheet stays the active one, so no generated sheet claims the tab
    for plan in plans:
        render_plan(wb, plan)
    out = io.BytesIO()
    with CachingZip(out, wb) as archive:
        ExcelWriter(wb, archive).save()
    return out.getvalue()


def _styles_target(pkg: Package, wb_part: str) -> str:
    rel = next(r for r in pkg.rels(wb_part) if r.get("Type", "").endswith("/styles"))
    return rel.get("Target", "")


def _inner_text(xml: bytes, element: Element) -> bytes:
    whole = span(xml, element)
    return whole[len(start_tag(xml, element)) : whole.rfind(b"</")]


def _restyled(xml: bytes, mapping: dict[int, int]) -> bytes:
    def repl(m: re.Match[bytes]) -> bytes:
        head, number, tail = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        return head + str(mapping.get(int(number), 0)).encode() + tail

    return _STYLE_ATTR.sub(repl, xml)


def _copy_related(source: Package, their_part: str, pkg: Package, part: str) -> None:
    """The parts `their_part` relates to, copied under free names, and its relationships pointed at them."""
    rels = source.rels(their_part)
    for rel in rels:
        if rel.get("TargetMode") == "External":
            continue
        target = resolve(their_part, rel.get("Target", ""))
        match = _NUMBERED.match(target)
        pattern = f"{match.group(1)}{{}}{match.group(3)}" if match else target + "{}"
        new = pkg.free_name(pattern)
        pkg.set(new, source.read(target))
        content_type = content_type_of(source.types(), target)
        if content_type:
            pkg.types_set(new, content_type)
        _copy_related(source, target, pkg, new)
        rel.set("Target", relative(part, new))
    pkg.set_rels(part, rels)


def _remove_tree(pkg: Package, part: str) -> None:
    """A part, its relationships and every part only it uses."""
    for rel, target in internal_targets(pkg, part):
        if rel.get("Type") in _OWNED and target in pkg:
            _remove_tree(pkg, target)
    for gone in (part, rels_path(part)):
        pkg.remove(gone)
    pkg.types_drop([part])


def _drop_calc_chain(pkg: Package, wb_part: str, wb_rels: ET.Element) -> None:
    """Excel's calculation chain names cells by sheet; with a sheet replaced it would be stale, and Excel
    rebuilds a missing one."""
    for rel in list(wb_rels):
        if rel.get("Type") == REL_CALC_CHAIN:
            target = resolve(wb_part, rel.get("Target", ""))
            pkg.remove(target)
            pkg.types_drop([target])
            wb_rels.remove(rel)
