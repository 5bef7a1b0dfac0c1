"""io/package.py: a workbook's parts read on demand and written back as stored unless changed; relationships,
content types and part names resolved as OPC says."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlgoals.io.package import (
    Package,
    PackageError,
    add_relationship,
    content_type_of,
    relative,
    rels_path,
    resolve,
    worksheets,
)
from xlgoals.io.zipmember import stored_bytes

COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"


def test_paths_resolve_as_opc_says() -> None:
    sheet = "xl/worksheets/sheet2.xml"
    assert rels_path(sheet) == "xl/worksheets/_rels/sheet2.xml.rels"
    assert resolve(sheet, "../comments1.xml") == "xl/comments1.xml"
    assert resolve(sheet, "/xl/comments1.xml") == "xl/comments1.xml"
    assert relative(sheet, "xl/comments1.xml") == "../comments1.xml"
    assert resolve(sheet, relative(sheet, "xl/drawings/vmlDrawing1.vml")) == "xl/drawings/vmlDrawing1.vml"


def test_the_sheets_are_the_workbooks(sample_xlsx: Path) -> None:
    pkg = Package.of(sample_xlsx.read_bytes())
    book = pkg.office_document()
    assert book == "xl/workbook.xml"
    sheets = worksheets(pkg, book, pkg.rels(book))
    assert [s.name for s in sheets] == openpyxl.load_workbook(sample_xlsx).sheetnames
    assert all(s.part in pkg for s in sheets)


def test_untouched_parts_keep_their_stored_bytes(sample_xlsx: Path, tmp_path: Path) -> None:
    data = sample_xlsx.read_bytes()
    pkg = Package.of(data)
    note = pkg.free_name("xl/comments{}.xml")
    assert note == "xl/comments1.xml" and note not in pkg
    pkg.set(note, b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    pkg.types_set(note, COMMENTS)
    rels = pkg.rels("xl/worksheets/sheet2.xml")
    rel_id = add_relationship(rels, "http://example.invalid/relationship", relative("xl/worksheets/sheet2.xml", note))
    pkg.set_rels("xl/worksheets/sheet2.xml", rels)
    pkg.remove("docProps/app.xml")
    out = io.BytesIO()
    pkg.save(out)
    with zipfile.ZipFile(io.BytesIO(data)) as before, zipfile.ZipFile(io.BytesIO(out.getvalue())) as after:
        assert after.testzip() is None
        assert "docProps/app.xml" not in after.namelist()
        assert after.read("xl/worksheets/_rels/sheet2.xml.rels").count(rel_id.encode()) == 1
        again = Package.of(out.getvalue())
        assert content_type_of(again.types(), note) == COMMENTS
        for info in after.infolist():
            if info.filename in before.namelist() and info.filename != "[Content_Types].xml":
                old = before.getinfo(info.filename)
                assert bytes(stored_bytes(out.getvalue(), info) or b"") == bytes(stored_bytes(data, old) or b"x")
                assert info.date_time == old.date_time


def test_two_parts_of_one_name_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("xl/workbook.xml", b"<a/>")
        zf.writestr("xl/workbook.xml", b"<b/>")
    with pytest.raises(PackageError, match=r"two parts named xl/workbook\.xml"):
        Package.of(buffer.getvalue())
