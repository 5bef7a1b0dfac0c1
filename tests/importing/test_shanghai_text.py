"""jobs/importing/shanghai_text.py: the Shanghai declaration's text form read line by line: the sample's unit,
its three projects and every indicator, nothing left unplaced."""

from __future__ import annotations

from decimal import Decimal

from tests.builders.paths import SAMPLE_TXT
from xlgoals.core.ruleset import DEFAULT_QUALITATIVE
from xlgoals.importing.shanghai_text import read_lines


def test_the_sample_line_by_line() -> None:
    unit, notes = read_lines(SAMPLE_TXT.read_text(encoding="utf-8"), SAMPLE_TXT.name, DEFAULT_QUALITATIVE)
    assert notes == []
    assert unit.name == "上海市生物医药科技产业促进中心（上海新药研究开发中心）" and unit.source == SAMPLE_TXT.name
    assert [len(p.indicators) for p in unit.projects] == [16, 8, 6]
    assert sum((p.budget_year or Decimal(0) for p in unit.projects), Decimal(0)) == Decimal("5989200")
    first = unit.projects[0]
    assert first.name == "上海国际生物技术与医药交流对接" and first.indicators[0].name == "资金到位率(%)"


def test_lines_it_cannot_place_are_noted_with_their_line() -> None:
    text = SAMPLE_TXT.read_text(encoding="utf-8").replace("项目名称", "莫名其妙的一行\n项目名称", 1)
    _, notes = read_lines(text, "x.txt", DEFAULT_QUALITATIVE)
    assert [n.text for n in notes] == ["莫名其妙的一行"] and notes[0].line > 0
