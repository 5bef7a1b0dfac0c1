"""jobs/consolidate/run.py: a run from inputs to the summary: units already read summarised as files would be
(Excel's 导出汇总), the result's counts, completeness and JSON, and what it refuses before reading anything."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.layout import LEDGER_SHEET, SUMMARY_SHEETS, UNITS_SHEET
from xlgoals.core.model import Unit
from xlgoals.department.consolidate.run import Consolidation, consolidate, consolidate_units


def test_units_in_memory_summarised_as_files_would_be(sample_unit: Unit, tmp_path: Path) -> None:
    other = sample_unit.model_copy(update={"name": "另一单位", "source": "另一单位.xlsx"})
    units = [sample_unit.model_copy(update={"source": "本单位.xlsx"}), other]
    out = tmp_path / "汇总.xlsx"
    result = consolidate_units(units, out)
    assert isinstance(result, Consolidation) and result.complete and not result.uncounted
    assert result.status_counts() == {"已读取": 2, "已拒绝": 0, "重复": 0, "锁定文件": 0}
    budget = sum((p.budget_year or Decimal(0) for p in sample_unit.projects), Decimal(0))
    assert result.total.totals["budget_year"] == 2 * budget and result.total.units == 2
    data = result.to_dict()
    assert data["files"] == 2 and data["problems"] == [] and data["sheets"] == list(SUMMARY_SHEETS)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == list(SUMMARY_SHEETS)
    cells = {v for r in wb[LEDGER_SHEET].iter_rows(values_only=True) for v in r}
    ledger = [name for name in ("本单位.xlsx", "另一单位.xlsx") if name in cells]
    assert len(ledger) == 2
    frames = result.to_pandas()
    assert list(frames[UNITS_SHEET].iloc[:, 0]) == [sample_unit.name, "另一单位"]


def test_refused_before_anything_is_read(sample_xlsx: Path, tmp_path: Path) -> None:
    with pytest.raises(XlgoalsError, match=r"\.xlsx 结尾"):
        consolidate([sample_xlsx], tmp_path / "汇总.csv")
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    with pytest.raises(XlgoalsError, match="没有找到要汇总的文件"):
        consolidate([empty], tmp_path / "汇总.xlsx")
    with pytest.raises(XlgoalsError, match="--prefer 指定的文件"):
        consolidate([sample_xlsx], tmp_path / "汇总.xlsx", prefer=[tmp_path / "没有.xlsx"])
    assert not (tmp_path / "汇总.xlsx").exists()
