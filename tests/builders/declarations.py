"""The sample's declaration with one error a reviewer rejects: 项目2's budget this year above its total."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from xlgoals.core import layout

BROKEN_SHEET = "项目2"
BROKEN_CELL = layout.PROJECT_FIELD["budget_year"].value_cell


def with_budget_error(sample: Path) -> openpyxl.Workbook:
    """The sample opened by openpyxl with 项目2's 当年预算 at 900,000 (its total is 400,000): a test adds what it
    needs (the user's own colours, notes, formats) and saves it where it likes."""
    wb = openpyxl.load_workbook(sample)
    wb[BROKEN_SHEET][BROKEN_CELL] = 900000
    return wb
