"""The national form end to end: an imported national table becomes a national-form workbook and reads back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.test_real_tables import REAL, STEMS, expected_values, pairs
from xlgoals import layout
from xlgoals.cli import app
from xlgoals.importer import import_file
from xlgoals.reader import read
from xlgoals.template import write_unit

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="the real tables are not on this machine")


@pytest.mark.parametrize("stem", ["nanyue_2018_fupin_jichusheshi", "fengjie_2023_yunwu_jiagongyuan"])
def test_national_table_round_trips_through_the_national_form(stem: str, tmp_path: Path) -> None:
    unit = import_file(REAL / f"{stem}.txt").unit
    out = tmp_path / "unit.xlsx"
    write_unit(unit, out)
    ws = openpyxl.load_workbook(out)["项目1"]
    for spec in layout.NATIONAL_PROJECT_FIELDS:
        assert ws[spec.label_cell].value == spec.label
    assert ws[layout.NATIONAL_BUDGET_SECTION_CELL].value == "资金情况（万元）"
    assert ws[f"A{layout.INDICATOR_HEADER_ROW}"].value == "一级指标"
    back = read(out)
    assert back.framework == unit.framework
    p, q = unit.projects[0], back.projects[0]
    for key in ("name", "department", "implementer", "budget_year", "budget_fiscal", "budget_other", "goals"):
        assert getattr(q, key) == getattr(p, key), key
    assert [(i.level1, i.level2, i.name, i.value) for i in q.indicators] == [
        (i.level1, i.level2, i.name, i.value) for i in p.indicators
    ]
    # money is shown in 万元 on the sheet and read back as yuan
    budget = next(f for f in layout.NATIONAL_PROJECT_FIELDS if f.key == "budget_year")
    assert Decimal(str(ws[budget.value_cell].value)) * 10_000 == p.budget_year


def test_a_shanghai_unit_still_gets_the_shanghai_form(tmp_path: Path) -> None:
    from tests.conftest import SAMPLE_TXT

    unit = import_file(SAMPLE_TXT).unit
    out = tmp_path / "sh.xlsx"
    write_unit(unit, out)
    ws = openpyxl.load_workbook(out)["项目1"]
    assert [ws[s.label_cell].value for s in layout.PROJECT_FIELDS] == [s.label for s in layout.PROJECT_FIELDS]
    assert layout.form_of([[c.value for c in row] for row in ws.iter_rows()]) == "shanghai"
    assert [len(p.indicators) for p in read(out).projects] == [16, 8, 6]


def test_cli_imports_a_foreign_xlsx(tmp_path: Path) -> None:
    from tests.test_real_tables import _rows

    stem = STEMS[1]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in _rows(stem):
        ws.append(row)
    other = tmp_path / "other.xlsx"
    wb.save(other)
    out = tmp_path / "unit.xlsx"
    result = CliRunner().invoke(app, ["import", str(other), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pairs(read(out)) == expected_values()[stem]
