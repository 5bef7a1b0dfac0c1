"""jobs/importing/recognise.py (and the package's entry points): a published table's cells in any layout, from
text or from a worksheet's grid, become the same unit; what could not be placed is noted, nothing dropped."""

from __future__ import annotations

from pathlib import Path

from tests.builders.paths import REAL
from tests.builders.real_tables import table_workbook
from xlgoals.importing import cells_from_grid, cells_from_text, recognise
from xlgoals.importing.importer import import_file
from xlgoals.io.files import read_grids

STEM = "nanyue_2018_fupin_jichusheshi"


def _summary(unit: object) -> list[tuple[str, str, str, str]]:
    return [(i.level1, i.level2, i.name, i.value) for p in unit.projects for i in p.indicators]  # type: ignore[attr-defined]


def test_text_and_grid_give_the_same_unit(tmp_path: Path) -> None:
    text = (REAL / f"{STEM}.txt").read_text(encoding="utf-8")
    from_text, notes = recognise(cells_from_text(text), f"{STEM}.txt")
    assert from_text.framework == "national-2015" and from_text.name == "[610001]湖南省润山润水生态农业发展有限公司"
    assert len(_summary(from_text)) == 16 and _summary(from_text)[0][2] == "贫困地区旅游基础设施建设工程"
    assert _summary(from_text) == _summary(import_file(REAL / f"{STEM}.txt").unit)
    assert all(n.line >= 0 and n.reason for n in notes)
    grid = read_grids(table_workbook(STEM, tmp_path / "table.xlsx")).sheets["Sheet"].rows
    from_grid, _ = recognise(cells_from_grid(grid, "Sheet"), "table.xlsx")
    assert _summary(from_grid) == _summary(from_text)
    assert [p.budget_year for p in from_grid.projects] == [p.budget_year for p in from_text.projects]


def test_cells_that_are_no_table_make_no_project_and_are_noted() -> None:
    unit, notes = recognise(cells_from_text("这是一段与绩效目标无关的文字。\n第二行。"), "note.txt")
    assert unit.projects == [] and notes
