"""jobs/importing/header.py: an indicator table's header found in a stream of cells (its columns in order, a value
column split by period), or a table that prints none opened by a level-1, level-2, name and value."""

from __future__ import annotations

from xlgoals.importing.cells import cells_from_text
from xlgoals.importing.header import header_at, implicit_header

ROW = "产出指标\t数量指标\t参会人数\t>=500人"


def test_a_printed_header() -> None:
    cells = cells_from_text("一级指标\t二级指标\t三级指标\t指标值\n" + ROW)
    header = header_at(cells, 0)
    assert header is not None
    assert [c.part for c in header.columns] == ["level1", "level2", "name", "target"]
    assert header.end == 4 and header.width == 4 and [c.part for c in header.after_name] == ["target"]
    assert header_at(cells, 4) is None  # a data row opens no table


def test_a_value_column_split_by_period_takes_the_years() -> None:
    header = header_at(cells_from_text("一级指标\t二级指标\t三级指标\t指标值\t半年\t全年\n" + ROW), 0)
    assert header is not None and header.end == 6
    assert [(c.part, c.header) for c in header.columns][-2:] == [("extra", "半年"), ("target", "全年")]


def test_a_table_without_its_header() -> None:
    cells = cells_from_text(ROW)
    assert header_at(cells, 0) is None
    header = implicit_header(cells, 0)
    assert header is not None and header.end == 0
    assert [c.part for c in header.columns][:4] == ["level1", "level2", "name", "target"]
    assert implicit_header(cells_from_text("数量指标:\t数量指标\t参会人数\t>=500人"), 0) is None  # prose, not a table
