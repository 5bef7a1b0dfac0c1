"""io/sheetxml.py: a worksheet part's cell styles, row heights and hidden rows changed by splicing its bytes,
new cells and rows inserted where their numbers put them; openpyxl reads the result."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from xlgoals.io.package import Package, PackageError
from xlgoals.io.sheetxml import scan_worksheet
from xlgoals.io.xmledit import splice

PART = "xl/worksheets/sheet2.xml"  # 项目1


def _saved(pkg: Package, part: str, xml: bytes) -> openpyxl.Workbook:
    pkg.set(part, xml)
    out = io.BytesIO()
    pkg.save(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_styles_heights_and_hidden_rows_spliced_in(sample_xlsx: Path) -> None:
    pkg = Package.of(sample_xlsx.read_bytes())
    xml = pkg.read(PART)
    sheet = scan_worksheet(xml)
    assert sheet.height(5) == sheet.default_height() == 15.0
    assert sheet.is_hidden(40) and not sheet.is_hidden(5)
    before = sheet.style(5, 3)
    sheet.set_style(5, 3, before)  # as it is: no change asked
    assert not sheet.changed()
    sheet.set_style(5, 3, 1)  # an existing cell
    sheet.set_style(5, 30, 1)  # a cell past the row's last
    sheet.set_style(400, 2, 1)  # a row past the sheet's last
    sheet.fit_height(5, 48.0)
    sheet.set_hidden(40, False)
    edits = sheet.edits()
    new = splice(xml, edits)
    assert new.count(b"<row ") == xml.count(b"<row ") + 1
    again = scan_worksheet(new)
    assert (again.style(5, 3), again.style(5, 30), again.style(400, 2)) == (1, 1, 1)
    assert again.height(5) == 48.0 and not again.is_hidden(40)
    unchanged = [(r, c) for r in range(1, 60) for c in range(1, 9) if (r, c) != (5, 3)]
    assert [again.style(r, c) for r, c in unchanged] == [sheet.style(r, c) for r, c in unchanged]
    ws = _saved(pkg, PART, new)["项目1"]
    assert ws.row_dimensions[5].height == 48.0 and not ws.row_dimensions[40].hidden and ws["AD5"].has_style


def test_a_part_that_is_not_xml_is_refused() -> None:
    with pytest.raises(PackageError):
        scan_worksheet(b"<worksheet><sheetData><row r='1'>")
