"""The package-level write-back of a 自评 workbook: its marks cleared to the 自评 sheet's own fills, its rows fitted
as the 自评 writer fits them, its 汇总 the 自评 summary, and all of it as the openpyxl way made it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from benchmarks import naive_writeback
from tests.test_selfeval_sample import fill
from tests.test_writeback_parts import _seen, as_the_openpyxl_way, ours, read_parts
from xlgoals.core import layout
from xlgoals.core.selfevallayout import SELFEVAL_FIELD, SELFEVAL_FIRST_ROW
from xlgoals.io.reader import read
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.selfeval import write_selfeval
from xlgoals.validation import marks

INPUT = "FF" + "".join(f"{c:02X}" for c in layout.INPUT_RGB)
BUDGET = SELFEVAL_FIELD["budget_adjusted"].value_cell  # C7: a label's fill on the declaration, an input here
LONG_REASON = "议程调整：两项活动因场地改期至次年一季度举办，专家邀请相应推迟；已调整预算并报主管部门备案。" * 3


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, sample_xlsx: Path) -> Path:
    """The sample's 自评 workbook filled as tests/test_selfeval_sample.py fills it (项目1!H21's reason missing),
    and 项目2's 全年预算数 left empty: two marks on cells whose 自评 fill differs from the declaration's."""
    folder = tmp_path_factory.mktemp("writeback_selfeval")
    write_selfeval(read(sample_xlsx), folder / "自评.xlsx")
    path = fill(folder / "自评.xlsx", folder / "自评_已填.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["项目2"][BUDGET] = None
    wb.save(path)
    return path


def test_the_marks_land_where_the_checks_point(filled: Path) -> None:
    cells = {(m.sheet, m.cell) for m in marks.marks_for(check_file(filled).report)}
    assert {("项目1", "H21"), ("项目2", BUDGET)} <= cells


@pytest.mark.parametrize("kind", ["validate", "rollup"])
def test_reads_as_the_openpyxl_way_made_it(filled: Path, tmp_path: Path, kind: str) -> None:
    seen = as_the_openpyxl_way(filled, tmp_path, kind)
    if kind == "rollup":
        assert seen["sheets"][layout.SUMMARY_SHEET]["cells"]["A1"][0] == "项目支出绩效自评汇总"


def test_a_fixed_cell_gets_the_selfeval_sheets_own_fill_back(filled: Path, tmp_path: Path) -> None:
    once = tmp_path / "once.xlsx"
    ours(filled, once)
    wb = openpyxl.load_workbook(once)
    for sheet, cell in (("项目1", "H21"), ("项目2", BUDGET)):
        assert wb[sheet][cell].fill.fgColor.rgb == marks.FILL_HEX[marks.Severity.ERROR] and wb[sheet][cell].comment
    short = wb["项目1"].row_dimensions[21].height
    # The unit types the reason and the budget (in Excel: a save that keeps the marks and the record).
    wb["项目1"]["H21"] = LONG_REASON
    wb["项目2"][BUDGET] = openpyxl.load_workbook(filled)["项目1"][BUDGET].value
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    twice = tmp_path / "twice.xlsx"
    ours(fixed, twice)
    after = openpyxl.load_workbook(twice)
    for sheet, cell in (("项目1", "H21"), ("项目2", BUDGET)):
        # The 自评 sheet's input fill, where the declaration's map would give none (H21) or a label's (C7).
        assert after[sheet][cell].fill.fgColor.rgb == INPUT and after[sheet][cell].comment is None, cell
    assert (after["项目1"].row_dimensions[21].height or 0) > (short or 18)  # the long reason prints whole
    assert _seen(twice) == _seen(_naive(fixed, tmp_path))
    thrice = tmp_path / "thrice.xlsx"
    ours(twice, thrice)
    assert read_parts(thrice) == read_parts(twice)


def _naive(src: Path, tmp: Path) -> Path:
    out = tmp / f"naive{src.suffix}"
    naive_writeback.validate(src, out)
    return out


def test_rows_keep_the_heights_the_selfeval_writer_gave(sample_xlsx: Path, tmp_path: Path) -> None:
    """Nothing typed since writing: every 自评 sheet's rows are as `xlgoals selfeval` fitted them (not the
    declaration's rows), though its missing actuals are marked."""
    made = tmp_path / "自评.xlsx"
    write_selfeval(read(sample_xlsx), made)
    out = tmp_path / "checked.xlsx"
    ours(made, out)
    before, after = _seen(made)["sheets"], _seen(out)["sheets"]
    projects = [name for name in before if name.startswith("项目")]
    assert projects and all(after[name]["heights"] == before[name]["heights"] for name in projects)
    # The 自评 form's own rows, not the declaration's: indicator rows at least 18 high down to 总分, the sign-off
    # lines below it 24 (the declaration's fit would make short rows 15 high all the way down).
    for name in projects:
        cells, heights = after[name]["cells"], after[name]["heights"]
        total = next(r for r in range(SELFEVAL_FIRST_ROW, 200) if cells.get(f"A{r}", [None])[0] == "总分")
        assert all(heights[r] >= 18 for r in range(SELFEVAL_FIRST_ROW, total)), name
        signoff = [r for r in heights if cells.get(f"A{r}", [None])[0] in ("单位负责人", "联系电话")]
        assert len(signoff) == 2 and all(heights[r] == 24 for r in signoff), name
    assert any(cell[1] == marks.FILL_HEX[marks.Severity.ERROR] for cell in after["项目1"]["cells"].values())
