"""io/bookedit.py: a workbook copied with cells marked, notes set, marks cleared and generated sheets added;
every part it had no reason to touch copied as stored, the input never written."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.io.bookedit import CellMark, edit_copy
from xlgoals.io.sheetplan import SheetPlan
from xlgoals.io.transplant import Placement
from xlgoals.io.zipmember import stored_bytes

RED = "FFFF0000"


def _plan() -> SheetPlan:
    plan = SheetPlan("校验结果")
    plan.add("位置", "问题", bold=True)
    row = plan.add("项目1!C5", "预算不符")
    plan.link(row, 1, "项目1", "C5")
    return plan


def _stored(path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: bytes(stored_bytes(data, i) or b"") for i in zf.infolist()}


def test_marks_notes_and_a_sheet_land_and_the_rest_is_as_stored(sample_xlsx: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(sample_xlsx.read_bytes()).hexdigest()
    out = tmp_path / "checked.xlsx"
    marks = [CellMark("项目1", "C5", RED, "金额有误"), CellMark("项目2", "B4", RED, "请填写")]
    edit_copy(sample_xlsx, out, marks=marks, sheets=[Placement(_plan(), 1)], author="xlgoals")
    assert hashlib.sha256(sample_xlsx.read_bytes()).hexdigest() == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["单位信息", "校验结果", "项目1", "项目2", "项目3", "_项目模板", "_lists"]
    for mark in marks:
        cell = wb[mark.sheet][mark.cell]
        assert cell.fill.fgColor.rgb == RED and cell.comment is not None
        assert (cell.comment.text, cell.comment.author) == (mark.note, "xlgoals")
    result = wb["校验结果"]
    assert [[c.value for c in row] for row in result.iter_rows()] == [["位置", "问题"], ["项目1!C5", "预算不符"]]
    assert result["A2"].hyperlink is not None and result["A2"].hyperlink.location == "'项目1'!C5"
    kept, made = _stored(sample_xlsx), _stored(out)
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml", "xl/theme/theme1.xml", "docProps/core.xml"):
        assert made[part] == kept[part], part  # the cover and 项目3 carry no mark


def test_a_second_run_clears_the_first_runs_marks(sample_xlsx: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    edit_copy(sample_xlsx, first, marks=[CellMark("项目1", "C5", RED, "金额有误")], author="xlgoals")
    edit_copy(first, second, clear=[("项目1", "C5")], author="xlgoals")
    cell = openpyxl.load_workbook(second)["项目1"]["C5"]
    original = openpyxl.load_workbook(sample_xlsx)["项目1"]["C5"]
    assert cell.comment is None and cell.fill.fgColor.rgb == original.fill.fgColor.rgb


def test_the_input_is_never_the_output(sample_xlsx: Path) -> None:
    with pytest.raises(XlgoalsError, match="输出文件就是输入文件"):
        edit_copy(sample_xlsx, sample_xlsx, marks=[CellMark("项目1", "C5", RED, "x")])
