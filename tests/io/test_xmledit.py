"""io/xmledit.py: a part's elements found by byte offset and edited by splicing, every other byte as written;
a DTD refused."""

from __future__ import annotations

from xml.parsers import expat

import pytest

from xlgoals.io.xmledit import empty_element, extend, remove, scan_xml, set_code_name, span, splice, with_attribute

SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<x:sheetPr  filterMode="0"/><x:sheetData><x:row r="1"/></x:sheetData>'
    b'<x:pageMargins left="0.7"   right="0.7"/></x:worksheet>'
)


def test_scan_finds_the_roots_children_with_their_prefix() -> None:
    scan = scan_xml(SHEET)
    assert scan.prefix == "x" and scan.tag("legacyDrawing") == "x:legacyDrawing"
    data = scan.find("sheetData")
    assert data is not None and span(SHEET, data) == b'<x:sheetData><x:row r="1"/></x:sheetData>'
    assert scan.first_of({"pageMargins"}) == SHEET.index(b"<x:pageMargins")


def test_edits_keep_every_other_byte() -> None:
    scan = scan_xml(SHEET)
    data, margins = scan.find("sheetData"), scan.find("pageMargins")
    assert data is not None and margins is not None
    out = splice(SHEET, [*extend(SHEET, data, b'<x:row r="2"/>'), remove(SHEET, margins)])
    assert out == SHEET.replace(b"</x:sheetData>", b'<x:row r="2"/></x:sheetData>').replace(
        b'<x:pageMargins left="0.7"   right="0.7"/>', b""
    )
    empty = scan_xml(out).find("sheetPr")
    assert empty is not None
    opened = splice(out, extend(out, empty, b"<x:tabColor/>", {"codeName": "Sheet1"}))
    # A new attribute goes first; those written keep their bytes, spaces and all.
    assert b'<x:sheetPr codeName="Sheet1"  filterMode="0"><x:tabColor/></x:sheetPr>' in opened


def test_splice_keeps_the_order_of_edits_at_one_offset() -> None:
    assert splice(b"abcdef", [(3, 0, b"1"), (1, 1, b"B"), (3, 0, b"2")]) == b"aBc12def"


def test_small_builders() -> None:
    assert with_attribute(b'<sheet name="a" />', "state", "hidden") == b'<sheet state="hidden" name="a" />'
    assert (
        with_attribute(b'<sheet name="a" state="visible"/>', "state", "hidden") == b'<sheet name="a" state="hidden"/>'
    )
    assert empty_element("c", {"r": "A1", "s": "3"}) == b'<c r="A1" s="3"/>'
    assert empty_element("t", {}, "<1&2>") == b"<t>&lt;1&amp;2&gt;</t>"
    named = set_code_name(SHEET, "Sheet7", workbook=False)
    assert b'<x:sheetPr codeName="Sheet7"  filterMode="0"/>' in named


def test_a_dtd_or_utf16_is_refused() -> None:
    with pytest.raises((ValueError, expat.ExpatError)):
        scan_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    with pytest.raises(ValueError, match="UTF-16"):
        scan_xml("<x/>".encode("utf-16"))
