"""io/xlsxstyles.py: the streamed summary's styles part: each kind of cell in each variant (data, 小计, 合计) an
index of a well-formed cellXfs list, emphasis swapping a data style for its bold twin, a code staying small."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree

from xlgoals.io.xlsxstyles import EMPHASIS, STYLES_XML, VARIANTS, style

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
KINDS = ("text", "wrap", "date", "money", "whole", "wan", "number", "percent", "code", "figure", "empty")


def _lists() -> dict[str, list[dict[str, str]]]:
    root = ElementTree.fromstring(STYLES_XML)
    out = {}
    for name in ("numFmts", "fonts", "cellXfs"):
        node = root.find(MAIN + name)
        assert node is not None and int(node.get("count")) == len(node), name
        out[name] = [dict(child.attrib) for child in node]
    return out


def test_every_style_is_an_entry_of_the_part() -> None:
    lists = _lists()
    xfs, formats = lists["cellXfs"], {f["numFmtId"] for f in lists["numFmts"]}
    indices = [style(kind, variant) for kind in KINDS for variant in VARIANTS]
    assert len(set(indices)) == len(indices) and max(indices) < len(xfs)
    for index in indices:
        assert xfs[index]["numFmtId"] == "0" or xfs[index]["numFmtId"] in formats
        assert int(xfs[index]["fontId"]) < len(lists["fonts"])
    money = xfs[style("money")]
    assert re.search(r"#,##0\.00", STYLES_XML.split(f'numFmtId="{money["numFmtId"]}" formatCode="')[1])


@pytest.mark.parametrize("variant", ["subtotal", "total"])
def test_emphasis_makes_rows_bold_but_codes_stay_small(variant: str) -> None:
    xfs = _lists()["cellXfs"]
    swap = EMPHASIS[variant]
    assert swap[style("money")] == style("money", variant)
    bold_font = xfs[style("money", variant)]["fontId"]
    assert xfs[style("text", variant)]["fontId"] == bold_font != xfs[style("text")]["fontId"]
    assert xfs[style("code", variant)]["fontId"] == xfs[style("code")]["fontId"]
    assert xfs[style("money", variant)]["borderId"] != xfs[style("money")]["borderId"]  # ruled


def test_an_unknown_kind_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        style("money", "bold")
