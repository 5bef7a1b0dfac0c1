"""jobs/importing/table.py: an indicator table's rows read level by level up to where it ends, whether the source
kept its rows (tabs) or ran them into one line of words."""

from __future__ import annotations

import pytest

from xlgoals.importing.cells import cells_from_text
from xlgoals.importing.header import header_at
from xlgoals.importing.table import read_table

HEAD = ["一级指标", "二级指标", "三级指标", "指标值"]
ROWS = [
    ["产出指标", "数量指标", "参会人数", ">=500人"],
    ["", "质量指标", "合格率", "100%"],
    ["效益指标", "社会效益指标", "知晓率", ">=90%"],
]
EXPECTED = [
    ("产出指标", "数量指标", "参会人数", ">=500人"),
    ("产出指标", "质量指标", "合格率", "100%"),
    ("效益指标", "社会效益指标", "知晓率", ">=90%"),
]


@pytest.mark.parametrize("layout", ["tabs", "one line"])
def test_rows_level_by_level(layout: str) -> None:
    if layout == "tabs":
        text = "\n".join("\t".join(r) for r in [HEAD, *ROWS]) + "\n备注：无"
    else:
        text = " ".join(w for r in [HEAD, *ROWS] for w in r if w) + "\n备注：无"
    cells = cells_from_text(text)
    header = header_at(cells, 0)
    assert header is not None
    result = read_table(cells, header, lambda cell: cell.text.startswith("备注"))
    rows = [(r.level1, r.level2, r.name.text if r.name else "", r.value.text if r.value else "") for r in result.rows]
    assert rows == EXPECTED
    assert cells[result.consumed].text == "备注：无"  # the table ends where `stop` says
    assert result.unplaced == [] and result.stray == []
