"""io/selfevalread.py: a 自评 sheet read back: budgets, actuals and reasons as typed; a value typed over one of its
formulas told from the formula's own value by the file's formula cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from xlgoals.core.ruleset import DEFAULT_QUALITATIVE
from xlgoals.io.reader import read, read_book
from xlgoals.io.selfevalread import formula_cells, read_selfeval
from xlgoals.unit.selfeval import write_selfeval


def test_what_the_unit_typed_reads_back(sample_xlsx: Path, tmp_path: Path) -> None:
    made, typed = tmp_path / "自评.xlsx", tmp_path / "自评_已填.xlsx"
    write_selfeval(read(sample_xlsx), made)
    wb = openpyxl.load_workbook(made)
    ws = wb["项目1"]
    ws["C7"], ws["D7"], ws["H7"] = 600000, 540000, "部分采购延至次年"
    ws["E12"], ws["E13"], ws["H13"] = "100", "部分达成", "制度修订中"
    ws["G14"] = 4  # typed over the row's score formula
    wb.save(typed)
    _, book = read_book(typed)
    assert book.container is not None
    formulas = formula_cells(book.container, "项目1")
    assert formulas is not None and {"E7", "G7", "G12", "G13"} <= formulas and "G14" not in formulas
    project = read_selfeval(book.sheets["项目1"].rows, "项目1", DEFAULT_QUALITATIVE, formulas)
    assert (project.budget_adjusted, project.budget_executed) == (Decimal(600000), Decimal(540000))
    assert project.sheet == "项目1" and project.name == "上海国际生物技术与医药交流对接"
    first, second = project.indicators[0], project.indicators[1]
    assert (first.name, first.actual, second.actual, second.reason) == (
        "资金到位率(%)",
        "100",
        "部分达成",
        "制度修订中",
    )
    # Scores are Python's, never read from the sheet: a value typed over a formula is kept only to be named.
    assert project.indicators[2].score is None and project.formulas_seen
    assert set(project.typed_over) == {"G14"}
    assert formula_cells(book.container, "没有这张表") is None
