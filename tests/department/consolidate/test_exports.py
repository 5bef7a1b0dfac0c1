"""jobs/consolidate/exports.py: the summary's CSV and Parquet copies: typed columns, formula injection neutralised,
a dropped file's rows taken out again, every output path checked before anything is read."""

from __future__ import annotations

import csv
from contextlib import ExitStack
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.consolidate.exports import Copy, Export, check_outputs, csv_safe, open_exports
from xlgoals.department.consolidate.selfevaltables import EXPORT_COLUMNS as SELFEVAL_COLUMNS
from xlgoals.department.consolidate.tables import EXPORT_COLUMNS
from xlgoals.io.rowxml import Column

COLUMNS = (Column("单位", "text"), Column("金额", "money"), Column("日期", "date"))


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_what_a_spreadsheet_would_run_is_made_text(text: str) -> None:
    assert csv_safe(text) == "'" + text
    assert csv_safe("单位" + text) == "单位" + text


def test_a_table_copied_with_a_file_dropped_again(tmp_path: Path) -> None:
    copies = Copy(tmp_path / "t.csv", tmp_path / "out.csv"), Copy(tmp_path / "t.parquet", tmp_path / "out.parquet")
    table = Export(COLUMNS, *copies)
    table.extend([("甲", Decimal("1.50"), date(2020, 1, 2)), ("=1+1", Decimal(2), None)], key=1)
    table.extend([("乙", Decimal(3), date(2021, 5, 6))], key=2)
    table.drop(1)  # a revision that lost after its rows were out
    table.finish()
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["单位", "金额", "日期"], ["乙", "3", "2021-05-06"]]
    assert table.rows == 1
    assert pq.read_table(tmp_path / "t.parquet").to_pylist() == [{"单位": "乙", "金额": 3.0, "日期": date(2021, 5, 6)}]
    injected = Export(COLUMNS, Copy(tmp_path / "i.csv", tmp_path / "i.csv"), None)
    injected.append(("=1+1", Decimal("0.10"), "2020年"))
    injected.finish()
    assert (tmp_path / "i.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "'=1+1,0.10,2020年"


def test_open_exports_makes_one_copy_per_table(tmp_path: Path) -> None:
    with ExitStack() as stack:
        assert open_exports(stack, None, None) == {}
        exports = open_exports(stack, tmp_path / "csv", None)
        # The summary's tables and the 自评 view's, each with its own columns.
        tables = {**EXPORT_COLUMNS, **SELFEVAL_COLUMNS}
        assert len(tables) == len(EXPORT_COLUMNS) + len(SELFEVAL_COLUMNS)
        assert {name: export.columns for name, export in exports.items()} == tables
        for export in exports.values():
            export.finish()
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(f"{n}.csv" for n in tables)


def test_outputs_checked_before_anything_is_read(tmp_path: Path) -> None:
    source = tmp_path / "单位.xlsx"
    source.write_bytes(b"x")
    with pytest.raises(XlgoalsError, match="输出文件就是输入文件"):
        check_outputs(source, None, None, [str(source)])
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(XlgoalsError, match="已是一个文件"):
        check_outputs(tmp_path / "out.xlsx", tmp_path / "file", None, [str(source)])
    check_outputs(tmp_path / "out.xlsx", tmp_path / "csv", tmp_path / "parquet", [str(source)])
