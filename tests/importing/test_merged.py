"""jobs/importing/merged.py: rows under a merged level cell take its level-1 (and level-2), whether the extractor
printed the merged text on the block's first row or its middle one; the framework decides a row between blocks."""

from __future__ import annotations

from xlgoals.importing.merged import settle
from xlgoals.importing.table import Row


def _row(level1: str, level2: str) -> Row:
    return Row(level1, level2, None, printed1=bool(level1), printed2=bool(level2))


def test_labels_on_the_first_row_of_their_block() -> None:
    rows = [
        _row("产出指标", "数量指标"),
        _row("", ""),
        _row("", "质量指标"),
        _row("效益指标", "社会效益指标"),
        _row("", ""),
    ]
    settle(rows)
    assert [(r.level1, r.level2) for r in rows] == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "社会效益指标"),
    ]


def test_labels_on_the_middle_row_and_a_row_the_framework_places() -> None:
    rows = [
        _row("", "数量指标"),
        _row("产出指标", "质量指标"),
        _row("", "时效指标"),
        _row("", "社会效益指标"),  # past the middle of 产出's block, but 社会效益 is 效益指标's
        _row("效益指标", "经济效益指标"),
        _row("", "可持续影响指标"),
    ]
    settle(rows)
    assert [r.level1 for r in rows] == ["产出指标"] * 3 + ["效益指标"] * 3
