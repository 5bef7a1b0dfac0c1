"""校验全部 lists the project sheets on the cover's live table anew: a sheet renamed or copied by hand since the
last 新增项目 shows there by its name (before, the names stayed as 新增项目 last wrote them)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.xlbridge import run_remote
from xlgoals import excel
from xlgoals.core import layout, livelayout
from xlgoals.validation.live.plan import absolute


def test_validate_all_lists_renamed_and_copied_sheets(sample_xlsx: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    cover = wb[layout.COVER_SHEET]
    assert [cover[f"A{r}"].value for r in range(first, first + 4)] == ["项目1", "项目2", "项目3", None]
    wb["项目2"].title = "孵化器"
    copy = wb.copy_worksheet(wb["项目3"])
    copy.title = "项目3（续）"
    path = tmp_path / "改名.xlsx"
    wb.save(path)
    wb, events = run_remote(
        openpyxl.load_workbook(path),
        excel.validate_all,
        book_name=path.name,
        values_from=openpyxl.load_workbook(path, data_only=True),
    )
    cover = wb[layout.COVER_SHEET]
    listed = [cover[f"A{r}"].value for r in range(first, first + 5)]
    assert listed == ["项目1", "孵化器", "项目3", "项目3（续）", None]
    assert cover[f"C{first + 1}"].value == f"=IFERROR('孵化器'!{absolute(livelayout.LIVE_ERRORS_CELL)},\"\")"
    assert [e["func"] for e in events].count("alert") == 1
