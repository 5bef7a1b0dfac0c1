"""jobs/importing/indicators.py: a table row as the model's indicator: a bare number composed with its comparison
and unit columns, the self-evaluation columns in their fields, other columns kept by their headers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlgoals.importing.cells import Cell
from xlgoals.importing.indicators import composed, indicator
from xlgoals.importing.table import Row


@pytest.mark.parametrize(
    ("value", "extra", "written"),
    [
        ("100", {"运算符号": "=", "计量单位": "%"}, "=100%"),
        ("100", {"计量单位": "%", "指标性质": "≥"}, "≥100%"),  # in whatever order the columns stood
        ("80", {"指标方向": "大于等于"}, "≥80"),
        ("95", {"度量单位": "-"}, "95"),  # a dash is no unit
        ("达成", {"计量单位": "%"}, "达成"),  # not a bare number: as written
    ],
)
def test_a_bare_number_composed_with_its_columns(value: str, extra: dict[str, str], written: str) -> None:
    assert composed(value, extra) == written


def _cell(text: str) -> Cell:
    return Cell(text, 7, 1)


def test_a_row_as_an_indicator() -> None:
    cells = {"target": _cell("500"), "actual": _cell("520人"), "points": _cell("10分"), "score": _cell("9.5")}
    cells["备注"] = _cell("线下")
    ind = indicator(Row("产出指标", "数量指标", _cell("参会人数"), cells))
    assert (ind.level1, ind.level2, ind.name, ind.value) == ("产出指标", "数量指标", "参会人数", "500")
    assert (ind.actual, ind.points, ind.score) == ("520人", Decimal(10), Decimal("9.5"))
    assert ind.extra == {"备注": "线下"} and ind.target is not None
    bad = indicator(Row("产出指标", "数量指标", _cell("x"), {"target": _cell("1"), "points": _cell("十分")}))
    assert bad.points is None and bad.unparsed == {"points": "十分"}


def test_a_row_without_a_name_is_named_by_its_level_2() -> None:
    assert indicator(Row("产出指标", "数量指标", None, {"target": _cell("≥3场")})).name == "数量指标"
