"""A national-form project in the department summary and in the rules' messages: its own fields, labels, cells."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.test_consolidate import _records
from tests.test_real_tables import REAL
from xlgoals.core import layout
from xlgoals.core.model import MONEY_FIELDS, Unit
from xlgoals.core.vocabulary import MONEY_ZH
from xlgoals.department.consolidate import PROJECTS_SHEET, UNITS_SHEET, consolidate
from xlgoals.importing.importer import import_file
from xlgoals.io.presentation import MoneyUnit
from xlgoals.unit.pipeline import check_file
from xlgoals.workbooks.template import write_unit

NATIONAL = {f.key: f for f in layout.NATIONAL_PROJECT_FIELDS}
# Fields only the national form has, in its order, and the 项目清单 title each gets (amounts there in yuan).
NATIONAL_ONLY = {
    "manager": "项目负责人及电话",
    "department": "主管部门",
    "implementer": "实施单位",
    "phone": "联系电话",
    "budget_fiscal": "其中：财政拨款（元）",
    "budget_other": "其他资金（元）",
    "goals_overall": "总体目标",
}


@pytest.fixture(scope="module")
def national_unit() -> Unit:
    # Every national-only field filled: the published table has all but 总体目标.
    unit = import_file(REAL / "nanyue_2018_fupin_jichusheshi.txt").unit
    unit.projects[0].goals_overall = "带动水濂村集体经济发展。"
    return unit


def _edited(unit: Unit, path: Path, **cells: Any) -> Path:
    """The unit's workbook with some cells of its project sheet overwritten as a user would type them."""
    write_unit(unit, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[unit.projects[0].sheet or "项目1"]
    for key, value in cells.items():
        ws[NATIONAL[key].value_cell] = value
    wb.save(path)
    return path


def test_summary_columns_are_both_forms_fields() -> None:
    titles = [f.label for f in layout.SUMMARY_PROJECT_FIELDS]
    assert titles == [f.label for f in layout.PROJECT_FIELDS] + list(NATIONAL_ONLY.values())
    assert len({f.key for f in layout.SUMMARY_PROJECT_FIELDS}) == len(titles)
    assert all(f.scale == 1 for f in layout.SUMMARY_PROJECT_FIELDS)


def test_consolidated_national_and_shanghai_units(national_unit: Unit, sample_xlsx: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(sample_xlsx, inbox / "shanghai.xlsx")
    # 其他资金 written as words: it does not parse and is listed under the national label it was typed beside.
    _edited(national_unit, inbox / "national.xlsx", budget_other="五万")
    out, csv_dir, parquet_dir = tmp_path / "summary.xlsx", tmp_path / "csv", tmp_path / "parquet"
    result = consolidate([inbox], out, csv_dir=csv_dir, parquet_dir=parquet_dir, jobs=1)
    rows = _records(out, PROJECTS_SHEET)
    with (csv_dir / f"{PROJECTS_SHEET}.csv").open(encoding="utf-8-sig", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert len(rows) == len(csv_rows) == 4
    p = national_unit.projects[0]
    (national,) = [r for r in rows if r["单位"] == national_unit.name]
    (national_csv,) = [r for r in csv_rows if r["单位"] == national_unit.name]
    for key, title in NATIONAL_ONLY.items():
        want = getattr(p, key) if key != "budget_other" else None
        assert national[title] == (float(want) if isinstance(want, Decimal) else want), title
        assert national_csv[title] == ("" if want is None else str(want)), title
    assert national["未能识别的填写"] == national_csv["未能识别的填写"] == "其他资金：五万"
    import pandas as pd

    frame = pd.read_parquet(parquet_dir / f"{PROJECTS_SHEET}.parquet")
    (national_parquet,) = frame[frame["单位"] == national_unit.name].to_dict("records")
    assert national_parquet["其中：财政拨款（元）"] == p.budget_fiscal == Decimal(100_000)
    assert national_parquet["主管部门"] == p.department and national_parquet["实施单位"] == p.implementer
    assert national["项目当年预算（元）"] == float(p.budget_year or 0) == 100_000
    assert national["项目名称"] == p.name
    for shanghai in (r for r in rows if r["单位"] != national_unit.name):
        assert all(shanghai[title] is None for title in NATIONAL_ONLY.values())
        assert shanghai["项目当年预算（元）"] is not None
    # Budgets reconcile: the department total is the sum of the project rows, the national one included.
    total = _records(out, UNITS_SHEET)[-1]
    for field in MONEY_FIELDS:
        label = layout.PROJECT_FIELD[field].label
        listed = sum((Decimal(str(r[label] or 0)) for r in rows), Decimal(0))
        assert result.total.totals[field] == listed == Decimal(str(total[MONEY_ZH[field]]))


def test_wan_summary_shows_national_money_in_wan(national_unit: Unit, tmp_path: Path) -> None:
    path = _edited(national_unit, tmp_path / "national.xlsx")
    out = tmp_path / "summary.xlsx"
    consolidate([path], out, jobs=1, money_unit=MoneyUnit.WAN)
    (row,) = _records(out, PROJECTS_SHEET)
    assert row["其中：财政拨款（万元）"] == 10 and row["项目当年预算（万元）"] == 10
    assert "其中：财政拨款（元）" not in row


def _finding(path: Path, code: str) -> Any:
    (finding,) = [f for f in check_file(path).report.findings if f.code == code]
    return finding


def test_missing_national_budget_names_its_label_and_cell(national_unit: Unit, tmp_path: Path) -> None:
    f = _finding(_edited(national_unit, tmp_path / "n.xlsx", budget_year=None), "field.required")
    assert f.cell == NATIONAL["budget_year"].value_cell == "D9"
    assert "“年度资金总额”" in f.message and "项目当年预算" not in f.message


def test_national_money_messages_use_its_labels(national_unit: Unit, tmp_path: Path) -> None:
    path = _edited(national_unit, tmp_path / "n.xlsx", budget_total=5, budget_year=8, budget_fiscal=-1)
    over = _finding(path, "money.year-over-total")
    assert over.cell == "D9"
    # The national sheet is typed in 万元: its messages (and the notes on its cells) speak 万元 too.
    assert "“年度资金总额” 8 万元超过“项目总预算” 5 万元" in over.message and over.value == "8"
    negative = _finding(path, "money.negative")
    assert negative.cell == NATIONAL["budget_fiscal"].value_cell
    assert "“其中：财政拨款（万元）”为负数（-1）" in negative.message


def test_funding_parts_that_do_not_add_up_point_at_the_total(national_unit: Unit, tmp_path: Path) -> None:
    # The table's 10 万元 is all 财政拨款 with 其他资金 0; typing 2 into 其他资金 breaks the sum.
    assert not [
        f
        for f in check_file(_edited(national_unit, tmp_path / "ok.xlsx")).report.findings
        if f.code == "money.funding-mismatch"
    ]
    f = _finding(_edited(national_unit, tmp_path / "n.xlsx", budget_other=2), "money.funding-mismatch")
    assert (f.cell, f.severity.value) == (NATIONAL["budget_year"].value_cell, "error")
    parts = "“其中：财政拨款” 10 万元，“其他资金” 2 万元，合计 12 万元"
    assert f"“年度资金总额” 10 万元不等于其中各项之和（{parts}）" in f.message
    # An 其他资金 that does not parse is money.invalid's finding, not a second one here.
    unparsed = check_file(_edited(national_unit, tmp_path / "w.xlsx", budget_other="两万")).report.findings
    assert {f.code for f in unparsed} & {"money.invalid", "money.funding-mismatch"} == {"money.invalid"}


def test_unparsed_national_money_names_its_label(national_unit: Unit, tmp_path: Path) -> None:
    f = _finding(_edited(national_unit, tmp_path / "n.xlsx", budget_fiscal="十万"), "money.invalid")
    assert f.cell == "B10" and f.message.startswith("“其中：财政拨款”：")
