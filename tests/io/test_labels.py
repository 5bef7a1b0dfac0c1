"""io/labels.py: a form's cells read from a grid in one pass (a short row or grid reads as blank), and a sheet whose
labels moved refused with the label, the cell it belongs in and where it went, never read shifted."""

from __future__ import annotations

import pytest

from xlgoals.core import layout
from xlgoals.core.errors import LayoutError
from xlgoals.core.layout import FieldSpec
from xlgoals.core.values import GridValue
from xlgoals.io.labels import cell_values, check_labels

SPECS = tuple(layout.COVER_FIELDS)


def _cover(**labels: str | None) -> list[list[GridValue]]:
    """A grid holding the cover's labels where the template puts them, some replaced or blanked."""
    grid: list[list[GridValue]] = [[None] * 4 for _ in range(40)]
    for spec in SPECS:
        row, col = layout.split_address(spec.label_cell)
        grid[row - 1][col - 1] = labels.get(spec.key, spec.label)
    return grid


def test_cells_are_read_where_they_are_and_blank_past_the_grid() -> None:
    grid: list[list[GridValue]] = [["甲", 2], [3]]
    assert cell_values(grid, ["A1", "B1", "A2", "B2", "C1", "A9"]) == ["甲", 2, 3, None, None, None]
    assert cell_values([], ["A1"]) == [None]


def test_labels_as_the_template_wrote_them_pass() -> None:
    check_labels(_cover(), "封面", SPECS)
    # as the forms vary: a trailing colon, half-width brackets, spaces around
    check_labels(_cover(name=" 申报单位名称： "), "封面", SPECS)


def test_a_moved_label_is_refused_saying_where_it_went() -> None:
    grid = _cover(name=None)
    grid[30][2] = "申报单位名称"  # C31: rows inserted above it
    with pytest.raises(LayoutError) as refused:
        check_labels(grid, "封面", SPECS)
    assert refused.value.sheet == "封面" and refused.value.cell == "A3"
    assert "申报单位名称" in str(refused.value) and "现在位于 C31" in str(refused.value)


def test_a_label_gone_is_refused_unless_the_field_came_later() -> None:
    with pytest.raises(LayoutError, match="表中找不到该标签") as refused:
        check_labels(_cover(year="其他"), "封面", SPECS)
    assert refused.value.cell == "A4"
    # a workbook made before 校验服务器 existed has a blank label cell there: not a moved sheet
    later = next(spec for spec in SPECS if spec.added_later)
    check_labels(_cover(**{later.key: None}), "封面", SPECS)
    with pytest.raises(LayoutError):
        check_labels(_cover(**{later.key: "别的"}), "封面", SPECS)
    required = FieldSpec("x", "项目名称", "A1", "B1", "text")
    with pytest.raises(LayoutError):
        check_labels([[None]], "项目1", (required,))
