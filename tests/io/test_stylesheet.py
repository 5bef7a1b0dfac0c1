"""io/stylesheet.py: fills and cell formats found or appended in styles.xml, another workbook's formats brought in;
each changed list's count kept true and nothing else of the part rewritten."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from xlgoals.io.package import Package, PackageError
from xlgoals.io.stylesheet import StyleSheet


def _counts(xml: bytes) -> dict[str, tuple[int, int]]:
    """Each list's count attribute and the number of items it holds."""
    out = {}
    for name, item in (("fills", "fill"), ("cellXfs", "xf"), ("fonts", "font")):
        m = re.search(rb"<" + name.encode() + rb' count="(\d+)"[^>]*>(.*?)</' + name.encode() + b">", xml, re.S)
        assert m is not None, name
        out[name] = (int(m.group(1)), len(re.findall(rb"<" + item.encode() + rb"[ >/]", m.group(2))))
    return out


def test_a_fill_is_found_or_added_once(sample_xlsx: Path) -> None:
    xml = Package.of(sample_xlsx.read_bytes()).read("xl/styles.xml")
    styles = StyleSheet(xml)
    fills = _counts(xml)["fills"][1]
    red = styles.fill("ffff0000")
    assert red == fills and styles.fill("FFFF0000") == red  # added once, found the second time
    assert styles.fill(None) == 0
    xf = styles.with_fill(5, red)
    assert styles.with_fill(5, red) == xf and f'fillId="{red}"'.encode() in styles.xf(xf)
    out = styles.result()
    assert all(count == held for count, held in _counts(out).values())
    assert _counts(out)["fills"][1] == fills + 1
    assert out.split(b"<fills")[0] == xml.split(b"<fills")[0]  # numFmts and fonts as written


def test_another_workbooks_formats_are_brought_in(sample_xlsx: Path) -> None:
    ours = StyleSheet(Package.of(sample_xlsx.read_bytes()).read("xl/styles.xml"))
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "合计"
    ws["A1"].font = Font(name="黑体", bold=True)
    ws["A1"].fill = PatternFill("solid", fgColor="FFDDEBF7")
    buffer = io.BytesIO()
    wb.save(buffer)
    theirs = Package.of(buffer.getvalue()).read("xl/styles.xml")
    mapping = ours.bring_in(theirs)
    their_xfs = re.findall(rb"<xf [^>]*>", theirs.split(b"<cellXfs")[1])
    assert sorted(mapping) == list(range(len(their_xfs)))
    bold = ours.xf(mapping[1])
    fill_id = int(re.search(rb'fillId="(\d+)"', bold).group(1))  # type: ignore[union-attr]
    assert ours.fill("FFDDEBF7") == fill_id  # the same fill, found again rather than added twice
    assert b"\xe9\xbb\x91\xe4\xbd\x93" in ours.result()  # 黑体 is among the fonts now


def test_a_styles_part_that_does_not_parse_is_refused() -> None:
    with pytest.raises(PackageError, match=r"styles\.xml does not parse"):
        StyleSheet(b"<styleSheet><fills>")
