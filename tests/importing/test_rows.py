"""jobs/importing/rows.py: a table row whose source kept its boundaries: each cell put in the header's column it
fits (a level name where a level goes, a value where the value goes), in order, the rest left over."""

from __future__ import annotations

import pytest

from xlgoals.importing.cells import Cell
from xlgoals.importing.columns import column_of
from xlgoals.importing.rows import RowContext, level_fit, looks_like_value, place


def _context(*headers: str) -> RowContext:
    columns = [column_of(h) for h in headers]
    assert all(c is not None for c in columns)
    return RowContext(columns)  # type: ignore[arg-type]


def _texts(cells: list[str], ctx: RowContext) -> tuple[dict[int, str], list[str]]:
    placed, other = place([Cell(t, 1, 1) for t in cells], ctx)
    return {j: c.text for j, c in placed.items()}, [c.text for c in other]


@pytest.mark.parametrize(
    ("text", "value"),
    [(">=500人", True), ("100%", True), ("≥95", True), ("2023年12月前", True), ("达成", False), ("参会人数", False)],
)
def test_what_looks_like_a_value(text: str, value: bool) -> None:
    assert looks_like_value(text) is value


def test_level_names_fit_level_columns() -> None:
    assert level_fit("level1", "产出指标", None, None) > level_fit("level1", "参会人数", None, None)  # type: ignore[operator]
    assert level_fit("level2", "数量指标", None, "产出指标") == level_fit("level1", "产出指标", None, None)


def test_cells_go_to_the_columns_they_fit() -> None:
    ctx = _context("一级指标", "二级指标", "三级指标", "指标值", "备注")
    # A row that left its merged level-1 blank: the cells shift right to where they fit.
    assert _texts(["数量指标", "参会人数", ">=500人"], ctx) == ({1: "数量指标", 2: "参会人数", 3: ">=500人"}, [])
    full = ["产出指标", "数量指标", "参会人数", ">=500人", "无", "多余"]
    assert _texts(full, ctx) == ({0: "产出指标", 1: "数量指标", 2: "参会人数", 3: ">=500人", 4: "无"}, ["多余"])
    assert not ctx.has_operator and _context("运算符号").has_operator
