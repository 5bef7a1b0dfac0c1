"""A sheet's notes changed in place: its comments part and their VML shapes, beside whatever else they hold."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeET

from xlgoals.core import layout
from xlgoals.io import vml
from xlgoals.io.package import (
    AFTER_LEGACY_DRAWING,
    CT_VML,
    NS_MAIN,
    NS_REL,
    REL_COMMENTS,
    REL_VML,
    Package,
    PackageError,
    add_relationship,
    relative,
    rels_path,
    resolve,
)
from xlgoals.io.sheetxml import Worksheet
from xlgoals.io.xmledit import extend, remove, scan_xml, splice

CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"


def set_notes(
    pkg: Package, part: str, sheet: Worksheet, drop: set[str], notes: Mapping[str, str], author: str
) -> list[tuple[int, int, bytes]]:
    """Remove the notes of the cells in `drop`, then give each cell of `notes` its note (replacing any it had).
    The comments and drawing parts, their relationships and content types change in `pkg`; what the sheet's
    own XML needs (its legacyDrawing added or removed) comes back as edits of `sheet.xml`."""
    gone = {c.upper() for c in drop} | {c.upper() for c in notes}
    if not gone:
        return []
    rels = pkg.rels(part)
    comments_rel = next((r for r in rels if r.get("Type") == REL_COMMENTS), None)
    comments = resolve(part, comments_rel.get("Target", "")) if comments_rel is not None else None
    if comments is None and not notes:
        return []  # no notes to remove: the cells had none
    legacy = sheet.find("legacyDrawing")
    drawing_rel: ET.Element | None = None
    if legacy is not None:
        rel_id = next((v for k, v in legacy.attrs.items() if k.endswith(":id")), None)
        drawing_rel = next((r for r in rels if r.get("Id") == rel_id), None)
    drawing_part = resolve(part, drawing_rel.get("Target", "")) if drawing_rel is not None else None
    if comments is not None and comments not in pkg:
        comments = None  # a relationship to nothing: the notes are gone already

    kept = 0
    if comments is not None:
        content, kept = _comments(pkg.read(comments), gone, notes, author)
        if kept or notes:
            pkg.set(comments, content)
    elif notes:
        comments = pkg.free_name("xl/comments/comment{}.xml")
        pkg.set(comments, _new_comments(notes, author))
        add_relationship(rels, REL_COMMENTS, relative(part, comments))
        pkg.types_set(comments, CT_COMMENTS)
    if comments is not None and not kept and not notes:
        pkg.remove(comments)
        pkg.types_drop([comments])
        rels.remove(next(r for r in rels if r.get("Type") == REL_COMMENTS))

    exists = drawing_part is not None and drawing_part in pkg
    drawing = vml.Drawing.parse(pkg.read(drawing_part)) if drawing_part is not None and exists else vml.Drawing.new()
    drawing.remove_notes({_cell(address) for address in gone})
    geometry = sheet.geometry()
    for address in sorted(notes, key=_cell):
        row, col = _cell(address)
        drawing.add_note(geometry, row, col)
    edits: list[tuple[int, int, bytes]] = []
    if drawing.empty():
        if drawing_part is not None and drawing_rel is not None and legacy is not None:
            for gone_part in (drawing_part, rels_path(drawing_part)):
                pkg.remove(gone_part)
            pkg.types_drop([drawing_part])
            rels.remove(drawing_rel)
            edits.append(remove(sheet.xml, legacy))
    else:
        if drawing_part is None or drawing_part not in pkg:
            drawing_part = vml.part_name(pkg, 1)
            pkg.types_default("vml", CT_VML)
            if drawing_rel is None:
                rel_id = add_relationship(rels, REL_VML, relative(part, drawing_part))
                element = vml.legacy_drawing(sheet.tag("legacyDrawing"), sheet.ns_prefix(NS_REL), rel_id)
                edits.append((sheet.first_of(AFTER_LEGACY_DRAWING), 0, element))
            else:
                drawing_rel.set("Target", relative(part, drawing_part))
        pkg.set(drawing_part, drawing.result())
    pkg.set_rels(part, rels)
    return edits


def _cell(address: str) -> tuple[int, int]:
    """0-based (row, column), as a VML note names its cell."""
    row, col = layout.split_address(address)
    return row - 1, col - 1


def _text(prefix: str, text: str) -> str:
    t = f"{prefix}t"
    return f'<{prefix}text><{t} xml:space="preserve">{escape(text)}</{t}></{prefix}text>'


def _comment(prefix: str, address: str, author_id: int, text: str) -> str:
    attrs = f'ref={quoteattr(address)} authorId={quoteattr(str(author_id))} shapeId="0"'
    return f"<{prefix}comment {attrs}>{_text(prefix, text)}</{prefix}comment>"


def _new_comments(notes: Mapping[str, str], author: str) -> bytes:
    body = "".join(_comment("", address.upper(), 0, notes[address]) for address in sorted(notes, key=_cell))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<comments xmlns="{NS_MAIN}"><authors><author>{escape(author)}</author></authors>'
        f"<commentList>{body}</commentList></comments>"
    ).encode()


def _comments(xml: bytes, gone: set[str], notes: Mapping[str, str], author: str) -> tuple[bytes, int]:
    """The comments part without the comments of `gone` and with `notes` added; and how many others stay."""
    try:
        scan = scan_xml(xml, spans=("authors", "commentList"))
        root = SafeET.fromstring(xml)
    except (expat.ExpatError, ET.ParseError, ValueError) as e:
        raise PackageError(f"a comments part does not parse: {e}") from None
    prefix = f"{scan.prefix}:" if scan.prefix else ""
    names = [(a.text or "") for block in root if block.tag.endswith("authors") for a in block]
    edits: list[tuple[int, int, bytes]] = []
    authors = scan.find("authors")
    if author in names:
        author_id = names.index(author)
    else:
        author_id = len(names)
        item = f"<{prefix}author>{escape(author)}</{prefix}author>".encode()
        if authors is None:
            edits.append(
                (
                    scan.first_of(("commentList", "extLst")),
                    0,
                    f"<{prefix}authors>".encode() + item + f"</{prefix}authors>".encode(),
                )
            )
        else:
            edits.extend(extend(xml, authors, item))
    kept = 0
    for element in scan.spans.get("commentList", []):
        if element.attrs.get("ref", "").upper() in gone:
            edits.append(remove(xml, element))
        else:
            kept += 1
    added = "".join(_comment(prefix, a.upper(), author_id, notes[a]) for a in sorted(notes, key=_cell)).encode()
    listed = scan.find("commentList")
    if listed is None:
        edits.append(
            (
                scan.first_of(("extLst",)),
                0,
                f"<{prefix}commentList>".encode() + added + f"</{prefix}commentList>".encode(),
            )
        )
    elif added:
        edits.extend(extend(xml, listed, added))
    return splice(xml, edits), kept
