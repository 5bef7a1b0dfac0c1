"""io/workbookxml.py: workbook.xml's sheets removed and inserted in place, sheet-local names following their sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlgoals.io.package import Package, PackageError
from xlgoals.io.workbookxml import WorkbookXml


def _local_names(xml: bytes) -> dict[str, set[str]]:
    """Sheet-local defined names, by the index of the sheet they belong to (as their formula names it)."""
    out: dict[str, set[str]] = {}
    for index, formula in re.findall(rb'localSheetId="(\d+)">([^<]*)<', xml):
        out.setdefault(index.decode(), set()).add(formula.decode().split("!")[0].strip("'"))
    return out


def test_sheets_removed_and_inserted_keep_their_local_names(sample_xlsx: Path) -> None:
    xml = Package.of(sample_xlsx.read_bytes()).read("xl/workbook.xml")
    book = WorkbookXml.parse(xml)
    assert [s.name for s in book.sheets] == ["单位信息", "项目1", "项目2", "项目3", "_项目模板", "_lists"]
    assert _local_names(xml) == {"0": {"单位信息"}, "1": {"项目1"}, "2": {"项目2"}, "3": {"项目3"}}
    removed = book.remove("项目2")
    assert removed is not None and removed.old == 2 and book.remove("项目9") is None
    added = book.insert(1, "汇总", "rId99", None, hidden=False)
    assert added.sheet_id == 7  # past every sheetId in use
    out = book.result()
    again = WorkbookXml.parse(out)
    assert [s.name for s in again.sheets] == ["单位信息", "汇总", "项目1", "项目3", "_项目模板", "_lists"]
    assert [s.sheet_id for s in again.sheets] == [1, 7, 2, 4, 5, 6]
    # 项目1 moved from tab 1 to 2 and 项目3 from 3 to 3; 项目2's names went with it.
    assert _local_names(out) == {"0": {"单位信息"}, "2": {"项目1"}, "3": {"项目3"}}
    assert out.count(b"<definedName") == xml.count(b"<definedName") - 2
    assert out.split(b"<sheets>")[0] == xml.split(b"<sheets>")[0]  # what comes before the sheets as written


def test_a_workbook_part_that_does_not_parse_is_refused() -> None:
    with pytest.raises(PackageError, match=r"workbook\.xml does not parse"):
        WorkbookXml.parse(b"<workbook><sheets>")
