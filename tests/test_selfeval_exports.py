"""`consolidate --csv DIR --parquet DIR` copies the 自评 view (自评汇总, 自评项目) as it copies the other tables: the
workbook's rows, read back and reconciled; formula injection neutralised in CSV; the copies named on the sheets; a
revision that lost (--prefer) out of them too."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

from tests.summary_tables import HEADER_ROW, title
from tests.test_selfeval_sample import TOTALS, UNIT_MEAN, filled  # noqa: F401 (a fixture)
from xlgoals.core import layout
from xlgoals.department.consolidate import consolidate
from xlgoals.department.consolidate.selfevaltables import PROJECT_COLUMNS, PROJECTS_SHEET, UNIT_COLUMNS, UNITS_SHEET

INJECTED = '=HYPERLINK("http://evil.example","点我")'


def sheet_rows(book: Path, name: str) -> tuple[list[str], list[list[Any]]]:
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(name).to_python()[HEADER_ROW - 1 :]
    return [title(t) for t in rows[0]], [r for r in rows[1:] if any(v not in ("", None) for v in r)]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def renamed(source: Path, path: Path, unit: str) -> Path:
    """A copy of a 自评 workbook under another unit name (typed as text, as a unit would)."""
    wb = openpyxl.load_workbook(source)
    cell = wb[layout.COVER_SHEET][layout.COVER_FIELD["name"].value_cell]
    cell.value = unit
    cell.data_type = "s"
    wb.save(path)
    return path


def test_the_selfeval_tables_are_copied_as_the_workbook_shows_them(filled: Path, tmp_path: Path) -> None:  # noqa: F811
    evil = renamed(filled, tmp_path / "evil.xlsx", INJECTED)
    out, csv_dir, parquet_dir = tmp_path / "部门汇总.xlsx", tmp_path / "csv", tmp_path / "parquet"
    result = consolidate([filled, evil], out, csv_dir=csv_dir, parquet_dir=parquet_dir, jobs=1)
    assert result.status_counts()["已读取"] == 2
    for name, columns in ((UNITS_SHEET, UNIT_COLUMNS), (PROJECTS_SHEET, PROJECT_COLUMNS)):
        header, rows = sheet_rows(out, name)
        assert header == [c.title for c in columns]
        copied = csv_rows(csv_dir / f"{name}.csv")
        frame = pq.read_table(parquet_dir / f"{name}.parquet").to_pylist()
        assert len(copied) == len(frame) == len(rows) > 0
        assert list(copied[0]) == list(frame[0]) == header
        for sheet_row, csv_row, pq_row in zip(rows, copied, frame, strict=True):
            for column, value in zip(header, sheet_row, strict=True):
                if isinstance(value, float):  # numbers agree to the cent across all three
                    assert Decimal(csv_row[column]) == Decimal(str(pq_row[column])) == Decimal(str(value)), column
    units = csv_rows(csv_dir / f"{UNITS_SHEET}.csv")
    # The department's total row, as on the sheet; the unit's mean as computed by hand.
    assert units[-1]["单位"] == "部门合计" and Decimal(units[-1]["平均总分"]) == Decimal(str(UNIT_MEAN))
    # Injection neutralised in CSV, kept exact in Parquet.
    names = [u["单位"] for u in units]
    assert "'" + INJECTED in names and INJECTED not in names
    assert INJECTED in {r["单位"] for r in pq.read_table(parquet_dir / f"{UNITS_SHEET}.parquet").to_pylist()}
    projects = csv_rows(csv_dir / f"{PROJECTS_SHEET}.csv")
    assert sorted(Decimal(p["总分"]) for p in projects) == sorted(2 * list(TOTALS.values()))
    # Each 自评 sheet names its copies, as the data sheets do.
    for name in (UNITS_SHEET, PROJECTS_SHEET):
        top = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(name).to_python()[: HEADER_ROW - 1]
        text = " ".join(str(v) for row in top for v in row)
        assert f"csv/{name}.csv" in text and f"parquet/{name}.parquet" in text, text


def test_a_revision_that_lost_leaves_the_copies_too(filled: Path, tmp_path: Path) -> None:  # noqa: F811
    """The same unit's 自评 sent twice, the second with one more reason filled in: --prefer names the first; the
    second's rows are in neither the sheets nor their copies."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = shutil.copy(filled, inbox / "自评_第一版.xlsx")
    wb = openpyxl.load_workbook(filled)
    wb["项目1"]["H21"] = "议程调整，两场活动取消"  # the reason the first version left out
    second = inbox / "自评_第二版.xlsx"
    wb.save(second)
    out, csv_dir, parquet_dir = tmp_path / "s.xlsx", tmp_path / "csv", tmp_path / "parquet"
    result = consolidate([inbox], out, csv_dir=csv_dir, parquet_dir=parquet_dir, jobs=1, prefer=[Path(first)])
    assert result.status_counts()["已读取"] == 1
    _, sheet = sheet_rows(out, PROJECTS_SHEET)
    projects = csv_rows(csv_dir / f"{PROJECTS_SHEET}.csv")
    assert len(projects) == len(sheet) == 3
    assert all("第一版" in p["文件"] for p in projects)
    units = csv_rows(csv_dir / f"{UNITS_SHEET}.csv")
    assert [u["其中未说明原因"] for u in units] == ["1", "1"]  # the unit and the total: the first version's
    assert len(pq.read_table(parquet_dir / f"{UNITS_SHEET}.parquet")) == 2


def test_without_a_selfeval_the_copies_hold_the_header_alone(sample_xlsx: Path, tmp_path: Path) -> None:
    result = consolidate([sample_xlsx], tmp_path / "s.xlsx", csv_dir=tmp_path / "csv", jobs=1)
    assert UNITS_SHEET not in result.sheets
    with (tmp_path / "csv" / f"{UNITS_SHEET}.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [[c.title for c in UNIT_COLUMNS]]
