"""A 自评 sheet with anything in its cells reads, checks and scores without a traceback (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import indicator
from xlgoals.core import layout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.model import SELFEVAL_FORM, Project, Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read_unit
from xlgoals.unit.rollup import roll_up
from xlgoals.validation.rules import validate
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook

RS = load_ruleset("national")
VALUES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["总分", "原表得分", "年初预算数", "=1+1", "#REF!", "98%", "1E+300"]),
    st.builds(Unusable, st.sampled_from(["", "#REF!", "#N/A", "#DIV/0!"]), st.sampled_from(["", "A1*2"])),
)
CELLS = [f"{c}{r}" for r in range(4, 22) for c in "ABCDEFGHI"]


@pytest.fixture(scope="module")
def grids(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    project = Project(
        name="项目",
        form=SELFEVAL_FORM,
        sheet="项目1",
        indicators=[indicator("产出指标", "数量指标", f"指标{i}", ">=5人") for i in range(5)],
    )
    path = tmp_path_factory.mktemp("hostile") / "自评.xlsx"
    write_selfeval_workbook(Unit(name="单位", year=2021, framework="national", projects=[project]), RS, path)
    return read_grids(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(CELLS), VALUES, max_size=25))
def test_anything_in_a_selfeval_sheet_reads_checks_and_rolls_up(grids, changes: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    sheets = dict(grids.sheets)
    rows = [list(r) + [None] * (12 - len(r)) for r in sheets["项目1"].rows]
    for cell, value in changes.items():
        row, col = layout.split_address(cell)
        while len(rows) < row:
            rows.append([None] * 12)
        rows[row - 1][col - 1] = value
    sheets["项目1"] = type(sheets["项目1"])("项目1", rows)
    try:
        unit = read_unit(sheets)
    except Exception as e:  # a moved label is the one refusal a sheet may get, with its cell
        assert type(e).__name__ == "LayoutError", repr(e)
        return
    report = validate(unit, RS)
    assert all(f.message for f in report.findings)
    rolled = roll_up(unit, report, RS)
    if rolled.selfeval is not None:
        assert all(p.total >= Decimal(-(10**7)) for p in rolled.selfeval.projects)
