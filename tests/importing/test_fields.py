"""jobs/importing/fields.py: a run of labels paired with the values after it (a header row of labels followed by
its values in order), each value placed in the unit or project, amounts in the unit their label states."""

from __future__ import annotations

from decimal import Decimal

from xlgoals.core.model import Unit
from xlgoals.importing.cells import Cell
from xlgoals.importing.fields import FieldPlacer, LabelItem
from xlgoals.importing.labels import Label


def _cell(text: str, row: int = 1) -> Cell:
    return Cell(text, row, row)


def test_a_header_row_of_labels_takes_its_values_in_order() -> None:
    placer = FieldPlacer(Unit())
    placer.run = [
        LabelItem(_cell("项目名称"), Label("project.name"), ""),
        LabelItem(_cell("项目总预算（万元）"), Label("project.budget_total", "money"), "万元"),
        LabelItem(
            _cell("当年预算（万元）"),
            Label("project.budget_year", "money"),
            "万元",
            [_cell("X项目", 2), _cell("100", 2), _cell("80", 2)],
        ),
        LabelItem(_cell("申报单位", 3), Label("unit.name"), "", [_cell("某局", 3)]),
    ]
    placer.resolve()
    (project,) = placer.unit.projects
    assert (project.name, project.budget_total, project.budget_year) == ("X项目", Decimal(1_000_000), Decimal(800_000))
    assert placer.unit.name == "某局" and placer.notes == [] and placer.run == []


def test_page_noise_is_noted_not_placed() -> None:
    placer = FieldPlacer(Unit())
    placer.run = [LabelItem(_cell("浏览次数"), Label("noise"), "", [_cell("1234")])]
    placer.resolve()
    assert placer.unit.projects == [] and [n.text for n in placer.notes] == ["1234"]
    placer.current()
    placer.new_project()
    assert placer.project is None and len(placer.unit.projects) == 1
