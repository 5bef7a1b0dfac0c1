"""io/notes.py: a sheet's notes set and removed in place: its comments part and their VML shapes, the sheet's
legacyDrawing added or removed with them; Excel's readers (openpyxl) see exactly the notes asked for."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from xlgoals.io.notes import set_notes
from xlgoals.io.package import Package
from xlgoals.io.sheetxml import scan_worksheet
from xlgoals.io.xmledit import splice

PART = "xl/worksheets/sheet2.xml"  # 项目1


def _noted(pkg: Package, drop: set[str], notes: dict[str, str]) -> tuple[Package, dict[str, str]]:
    xml = pkg.read(PART)
    edits = set_notes(pkg, PART, scan_worksheet(xml), drop, notes, "xlgoals")
    pkg.set(PART, splice(xml, edits))
    out = io.BytesIO()
    pkg.save(out)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["项目1"]
    seen = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None}
    return Package.of(out.getvalue()), seen


def test_notes_added_replaced_and_removed(sample_xlsx: Path) -> None:
    pkg, seen = _noted(Package.of(sample_xlsx.read_bytes()), set(), {"C5": "金额有误", "b21": "请填写指标值"})
    assert seen == {"C5": "金额有误", "B21": "请填写指标值"}
    sheet = pkg.read(PART)
    assert b"<legacyDrawing" in sheet and any(n.endswith(".vml") for n in pkg.names())
    pkg, seen = _noted(pkg, {"B21"}, {"C5": "金额仍有误"})
    assert seen == {"C5": "金额仍有误"}
    pkg, seen = _noted(pkg, {"C5"}, {})
    assert seen == {}
    # The last note gone, its parts and the sheet's reference to them go too.
    assert b"<legacyDrawing" not in pkg.read(PART)
    assert not any(n.endswith(".vml") or "comment" in n for n in pkg.names())


def test_nothing_to_do_changes_nothing(sample_xlsx: Path) -> None:
    pkg = Package.of(sample_xlsx.read_bytes())
    assert set_notes(pkg, PART, scan_worksheet(pkg.read(PART)), {"C5"}, {}, "xlgoals") == []
    assert not pkg.changed and not pkg.added
