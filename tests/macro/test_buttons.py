"""macro/buttons.py: form-control buttons added to a sheet's legacy VML drawing, sized for the workbook's default
font and anchored at their cells, each bound to its Sub; a sheet without buttons or drawing left alone."""

from __future__ import annotations

import io
from pathlib import Path

from tests.builders.package_parts import buttons_in
from xlgoals.io.package import Package, worksheets
from xlgoals.macro.buttons import default_font, place_legacy_drawing


def test_buttons_land_in_the_sheets_drawing(sample_xlsx: Path, tmp_path: Path) -> None:
    pkg = Package.of(sample_xlsx.read_bytes())
    book = pkg.office_document()
    rels = pkg.rels(book)
    font = default_font(pkg, book, rels)
    assert (font.name, font.size) == ("Arial", 10.0)  # the Normal face xlgoals' workbooks declare
    sheets = {s.name: s for s in worksheets(pkg, book, rels)}
    specs = [("F2", "校验本表", "ValidateActiveSheet"), ("H2", "新增项目", "AddProject")]
    assert place_legacy_drawing(pkg, sheets["项目1"], specs, 1, font)
    assert not place_legacy_drawing(pkg, sheets["项目2"], [], 2, font)  # no buttons, no drawing: nothing to do
    out = tmp_path / "buttons.xlsx"
    buffer = io.BytesIO()
    pkg.save(buffer)
    out.write_bytes(buffer.getvalue())
    assert buttons_in(out) == {"项目1": [("校验本表", "[0]!ValidateActiveSheet"), ("新增项目", "[0]!AddProject")]}
    vml = next(n for n in Package.of(out.read_bytes()).names() if n.endswith(".vml"))
    assert vml == "xl/drawings/vmlDrawing1.vml"  # named as openpyxl's keep_vba carries VML over
