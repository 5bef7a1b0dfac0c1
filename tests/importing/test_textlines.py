"""jobs/importing/textlines.py: a published declaration's text as lines: markup and control characters cleaned,
cells split, labels recognised as the model's fields, words joined back without a space between CJK."""

from __future__ import annotations

from xlgoals.core import layout
from xlgoals.importing.textlines import join_text, label_key, label_of, text_lines


def test_lines_are_cleaned_and_split() -> None:
    lines = text_lines("项目名称\t上海国际生物技术\n<b>一级指标</b>\t二级指标\n\n\x07备注")
    assert [(line.number, line.cells) for line in lines] == [
        (1, ["项目名称", "上海国际生物技术"]),
        (2, ["一级指标", "二级指标"]),
        (3, [""]),  # a blank line kept: it ends a block
        (4, ["备注"]),  # the control character gone
    ]


def test_labels_and_keys() -> None:
    assert label_key("项目 名称：") == "项目名称"
    found = label_of("项目名称：生物医药")
    assert found is not None
    kind, spec, rest = found
    assert (kind, spec, rest) == ("project", layout.PROJECT_FIELD["name"], "生物医药")
    assert label_of("生物医药") is None


def test_words_joined_as_they_were_broken() -> None:
    assert join_text("上海市生物医药", "科技产业促进中心") == "上海市生物医药科技产业促进中心"
    assert join_text("", "科技") == "科技"
