"""A form's cells read from a grid in one pass, and its labels found where the template put them or refused."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from xlgoals.core import layout
from xlgoals.core.errors import LayoutError
from xlgoals.core.layout import FieldSpec, Grid
from xlgoals.core.values import GridValue, shown_text


@cache
def _position(cell: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 address, parsed once: the readers ask for the same few cells always."""
    row, col = layout.split_address(cell)
    return row - 1, col - 1


def cell_values(grid: Grid, cells: Iterable[str]) -> list[GridValue]:
    """layout.grid_value of each cell without parsing the addresses each time, in one pass: the readers ask for
    a form's whole set of cells at once."""
    height = len(grid)
    return [grid[row][col] if row < height and col < len(grid[row]) else None for row, col in map(_position, cells)]


@cache
def normalized_label(label: str) -> str:
    return layout.normalize_label(label)


def check_labels(grid: Grid, sheet: str, specs: tuple[FieldSpec, ...]) -> None:
    """Refuse a sheet whose labels moved: reading shifted cells would put values in the wrong fields."""
    for spec, value in zip(specs, cell_values(grid, [spec.label_cell for spec in specs]), strict=True):
        if value == spec.label:  # as the template wrote it (labels have no spaces to strip)
            continue
        text = shown_text(value)
        if text == spec.label or layout.normalize_label(text) == normalized_label(spec.label):
            continue
        if spec.added_later and not text:
            continue
        found = layout.find_label(grid, spec.label)
        moved = f"，现在位于 {found}" if found else "，表中找不到该标签"
        raise LayoutError(
            f"标签“{spec.label}”应在 {spec.label_cell}{moved}。请不要插入、删除行列或改动标签，"
            f"可从模板重新复制该表后再填写。",
            sheet=sheet,
            cell=spec.label_cell,
        )
