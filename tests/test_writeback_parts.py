"""The package-level write-back: what it leaves untouched is byte for byte the input's, what it changes reads as
the openpyxl way made it (benchmarks/naive_writeback.py), macros and buttons survive, twice is once."""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from benchmarks import naive_writeback
from tests.office import convert_all
from tests.test_vba import buttons_in, olevba_modules, read_parts, rels_of, shapes, sheet_parts
from xlgoals.core import layout
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import write_back as rollup_write_back
from xlgoals.validation import marks
from xlgoals.validation.writeback import write_back

Writer = Callable[[Path, Path], None]


def ours(src: Path, out: Path) -> None:
    checked = check_file(src)
    write_back(src, out, checked.report, checked.ruleset.title, checked.grids)


def ours_rollup(src: Path, out: Path) -> None:
    checked = check_file(src)
    rollup_write_back(src, out, roll_up(checked.unit, checked.report, checked.ruleset), grids=checked.grids)


def _raw(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each member as stored: (CRC, method, the bytes as stored in the zip)."""
    out = {}
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            at = info.header_offset + 26
            skip = 30 + int.from_bytes(data[at : at + 2], "little") + int.from_bytes(data[at + 2 : at + 4], "little")
            start = info.header_offset + skip
            out[info.filename] = (info.CRC, info.compress_type, data[start : start + info.compress_size])
    return out


def _seen(path: Path) -> dict[str, Any]:
    """What openpyxl sees of a workbook: per cell value, fill, font, format, alignment, note and link; per sheet
    its state, effective row heights, widths, merges, panes, validations, conditional formats, print setup."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None
                note = (c.comment.text, c.comment.author) if c.comment else None
                link = (c.hyperlink.location, c.hyperlink.tooltip) if c.hyperlink else None
                look = (c.font.name, c.font.b, c.font.color.rgb if c.font.color else None, c.number_format)
                # Excel's defaults said or left unsaid (openpyxl reads a cell it made for a note as unstyled).
                align = (
                    None if c.alignment.horizontal == "general" else c.alignment.horizontal,
                    None if c.alignment.vertical == "bottom" else c.alignment.vertical,
                    bool(c.alignment.wrap_text),
                )
                if c.value is not None or fill or note or link:
                    cells[c.coordinate] = (c.value, fill, note, link, look, align)
        default = ws.sheet_format.defaultRowHeight or 15
        heights = {r: ws.row_dimensions[r].height or default for r in range(1, ws.max_row + 1)}
        sheets[ws.title] = {
            "state": ws.sheet_state,
            "cells": cells,
            "heights": heights,
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1) for dv in ws.data_validations.dataValidation),
            "conditional": sorted(
                (str(rng.sqref), rule.type, tuple(rule.formula or ()))
                for rng in ws.conditional_formatting
                for rule in rng.rules
            ),
            "print": (ws.print_title_rows, ws.print_area, ws.page_setup.orientation, ws.auto_filter.ref),
            "hidden rows": [r for r, d in ws.row_dimensions.items() if d.hidden],
            "header": (ws.oddHeader.left.text, ws.oddHeader.left.size),
            "charts": len(ws._charts),
        }
    return {"order": wb.sheetnames, "sheets": sheets, "active": wb.active.title if wb.active else None}


@pytest.fixture
def broken(sample_xlsx: Path, tmp_path: Path) -> Path:
    """The sample with an error, the user's own colour and note, conditional formats, validations and formulas
    on the sheet that gets marked, and a note of the user's on a sheet that does not."""
    wb = openpyxl.load_workbook(sample_xlsx)
    ws = wb["项目2"]
    ws[layout.PROJECT_FIELD["budget_year"].value_cell] = 900000
    ws["A2"].fill = PatternFill("solid", fgColor="FF00B050")
    ws["A3"].comment = Comment("单位自己的批注", "单位")
    red = PatternFill("solid", fgColor="FFFF0000")
    ws.conditional_formatting.add("D20:D40", CellIsRule(operator="equal", formula=['"错"'], fill=red))
    ws.conditional_formatting.add("A20:A40", FormulaRule(formula=["ISBLANK($A20)"]))
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="9")
    dv.add("F60")
    ws.add_data_validation(dv)
    ws["F61"] = "=SUM(D14:D15)"
    wb["单位信息"]["F2"].comment = Comment("封面上的批注", "单位")
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    return path


@pytest.fixture
def xlsm(broken: Path, tmp_path: Path) -> Path:
    """The broken unit as a macro-enabled workbook: our VBA project and a column of buttons on each sheet."""
    from xlgoals.macro.xlsm import button_plan
    from xlgoals.macro.xlsmpackage import make_xlsm

    path = tmp_path / "unit.xlsm"
    make_xlsm(broken, path, button_plan(3))
    return path


def _both(src: Path, tmp: Path, mine: Writer, theirs: Writer, suffix: str = ".xlsx") -> tuple[Path, Path]:
    a, b = tmp / f"{src.stem}_ours{suffix}", tmp / f"{src.stem}_naive{suffix}"
    mine(src, a)
    theirs(src, b)
    return a, b


@pytest.mark.parametrize("kind", ["validate", "rollup"])
def test_reads_as_the_openpyxl_way_made_it(broken: Path, tmp_path: Path, kind: str) -> None:
    as_the_openpyxl_way(broken, tmp_path, kind)


def as_the_openpyxl_way(src: Path, tmp: Path, kind: str) -> dict[str, Any]:
    """`kind` ('validate' or 'rollup') written back ours and the openpyxl way reads the same, once and again on
    its own output (the last run's marks cleared and marked anew, 汇总 replaced where it stood); what was seen."""
    mine, theirs = (ours, naive_writeback.validate) if kind == "validate" else (ours_rollup, naive_writeback.rollup)
    a, b = _both(src, tmp, mine, theirs)
    seen = _seen(a)
    assert seen == _seen(b)
    (tmp / "again").mkdir()
    a2, b2 = _both(a, tmp / "again", mine, theirs)
    assert _seen(a2) == _seen(b2)
    return seen


def test_untouched_parts_are_the_inputs_bytes(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    ours(broken, out)
    before, after = _raw(broken), _raw(out)
    report = check_file(broken).report
    marked = {m.sheet for m in marks.marks_for(report)}
    files = read_parts(broken)
    parts = sheet_parts(files)
    touched = set()
    for name in marked:  # the sheet, its relationships and its notes' parts
        folder, base = parts[name].rsplit("/", 1)
        touched |= {parts[name], f"{folder}/_rels/{base}.rels"}
        touched |= {rel["part"] for rel in rels_of(files, parts[name]) if "part" in rel}
    touched |= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "[Content_Types].xml"}
    kept = set(before) - touched
    # The cover is not marked: its sheet, its note and the note's drawing are among what is kept.
    cover = parts[layout.COVER_SHEET]
    assert {cover, "docProps/core.xml", "xl/theme/theme1.xml", parts[layout.LISTS_SHEET]} <= kept
    assert any(part.startswith("xl/comments") for part in kept)
    for part in kept:
        assert after.get(part) == before[part], part  # stored bytes, CRC and method: copied, not rewritten


def test_twice_is_once(broken: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    ours(broken, first)
    ours(first, second)
    one, two = read_parts(first), read_parts(second)
    assert one == two


def test_marked_sheet_keeps_its_formats_validations_formulas_and_notes(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    ours(broken, out)
    before, after = openpyxl.load_workbook(broken)["项目2"], openpyxl.load_workbook(out)["项目2"]
    cell = layout.PROJECT_FIELD["budget_year"].value_cell
    assert after[cell].fill.fgColor.rgb == marks.FILL_HEX[marks.Severity.ERROR]
    assert after["F61"].value == "=SUM(D14:D15)"
    assert after["A3"].comment is not None and after["A3"].comment.text == "单位自己的批注"
    assert [str(r.sqref) for r in after.conditional_formatting] == [str(r.sqref) for r in before.conditional_formatting]
    assert [str(v.sqref) for v in after.data_validations.dataValidation] == [
        str(v.sqref) for v in before.data_validations.dataValidation
    ]
    # The note shapes in the drawing are the sheet's comments, one each.
    parts = read_parts(out)
    kinds = [kind for kind, _ in shapes(parts, sheet_parts(parts)["项目2"])]
    notes = [c for row in after.iter_rows() for c in row if c.comment]
    assert kinds.count("Note") == len(notes) == 2  # the user's and the mark on D14 (an error and a warning)


def test_macros_and_buttons_survive(xlsm: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsm"
    ours(xlsm, out)
    assert out.read_bytes() != xlsm.read_bytes()
    assert olevba_modules(out) == olevba_modules(xlsm)
    assert buttons_in(out) == buttons_in(xlsm)
    parts = read_parts(out)
    assert parts["xl/vbaProject.bin"] == read_parts(xlsm)["xl/vbaProject.bin"]
    kinds = sorted(kind for kind, _ in shapes(parts, sheet_parts(parts)["项目1"]))
    assert kinds.count("Button") == 3 and kinds.count("Note") >= 1  # the notes joined the buttons' drawing
    again = tmp_path / "again.xlsm"
    ours(out, again)
    assert read_parts(again) == parts
    assert _seen(out) == _seen(_naive(xlsm, tmp_path))


def _naive(src: Path, tmp: Path) -> Path:
    out = tmp / f"naive{src.suffix}"
    naive_writeback.validate(src, out)
    return out


def test_libreoffice_prints_it_as_it_printed_the_openpyxl_way(
    broken: Path, xlsm: Path, soffice: str, tmp_path: Path
) -> None:
    """The marked .xlsx and .xlsm open in LibreOffice and print page for page what the openpyxl way's print."""
    (tmp_path / "ours").mkdir()
    (tmp_path / "naive").mkdir()
    pairs = [_both(src, tmp_path, ours, naive_writeback.validate, src.suffix) for src in (broken, xlsm)]
    mine = convert_all(soffice, [a for a, _ in pairs], "pdf", tmp_path / "ours")
    theirs = convert_all(soffice, [b for _, b in pairs], "pdf", tmp_path / "naive")
    for a, b in zip(mine, theirs, strict=True):
        assert a.read_bytes().startswith(b"%PDF")
        text = [
            subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True).stdout
            for p in (a, b)
        ]
        assert text[0] == text[1] and marks.RESULTS_TITLE.encode() in text[0]


def test_a_workbook_another_program_saved_is_marked_in_place(broken: Path, soffice: str, tmp_path: Path) -> None:
    """LibreOffice's own .xlsx (shared strings, its comment and drawing parts and names, a shape type per
    note) after a write-back: marked again in place, reading as the openpyxl way reads, twice as once."""
    first = tmp_path / "first.xlsx"
    ours(broken, first)
    (saved,) = convert_all(soffice, [first], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    (tmp_path / "again").mkdir()
    a, b = _both(saved, tmp_path / "again", ours, naive_writeback.validate)
    assert _seen(a) == _seen(b)
    twice = tmp_path / "twice.xlsx"
    ours(a, twice)
    assert read_parts(twice) == read_parts(a)
    untouched = {
        n: d for n, d in read_parts(saved).items() if n.startswith(("xl/theme", "docProps", "xl/sharedStrings"))
    }
    assert untouched and all(read_parts(a)[n] == d for n, d in untouched.items())


def test_a_sheet_name_excel_forbids_is_refused_by_name(sample_xlsx: Path, tmp_path: Path) -> None:
    from xlgoals.core.errors import XlgoalsError

    wb = openpyxl.load_workbook(sample_xlsx)
    src = tmp_path / "odd.xlsx"
    wb.save(src)
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace("项目3".encode(), "项目[3]".encode())
    with zipfile.ZipFile(src, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    out = tmp_path / "out.xlsx"
    with pytest.raises(XlgoalsError, match=r"项目\[3\].*改名"):
        ours(src, out)
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_the_record_of_marks_is_read_whole(sample_xlsx: Path, tmp_path: Path) -> None:
    """A record longer than the reader's bound (layout.READ_MAX_ROW rows) is still cleared to its last row;
    addresses that name no cell are passed over."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目2"]["A2"].fill = PatternFill("solid", fgColor=marks.FILL_HEX[marks.Severity.ERROR])
    record = wb.create_sheet(layout.MARKS_SHEET)
    record.sheet_state = "hidden"
    for row in range(1, layout.READ_MAX_ROW + 1):
        record.cell(row, 1, "项目1")
        record.cell(row, 2, "ZZZZ99999999" if row == 7 else ("not a cell" if row == 8 else f"F{row}"))
    record.cell(layout.READ_MAX_ROW + 1, 1, "项目2")
    record.cell(layout.READ_MAX_ROW + 1, 2, "A2")
    src, out = tmp_path / "recorded.xlsx", tmp_path / "out.xlsx"
    wb.save(src)
    ours(src, out)
    assert openpyxl.load_workbook(out)["项目2"]["A2"].fill.fill_type is None  # A2 has no fill in the template


def test_a_filled_template_prints_its_indicators_and_names_its_project(tmp_path: Path) -> None:
    """A sheet the unit filled in Excel: the write-back hides the indicator rows under the last filled one and
    names the project, as typed now, on its continuation pages; a header the unit set is theirs."""
    from xlgoals.workbooks.template import write_template

    src, out = tmp_path / "unit.xlsx", tmp_path / "checked.xlsx"
    write_template(src, projects=2)
    wb = openpyxl.load_workbook(src)
    first = layout.INDICATOR_FIRST_ROW
    for name in ("项目1", "项目2"):
        ws = wb[name]
        ws[layout.PROJECT_FIELD["name"].value_cell] = "道路 & 桥梁"
        for i in range(2):
            for col, text in zip("ABCD", ("产出指标", "数量指标", f"指标{i}", "≥1公里"), strict=True):
                ws[f"{col}{first + i}"] = text
    wb["项目2"].oddHeader.left.text = "本单位自定"
    wb.save(src)
    ours(src, out)
    seen = openpyxl.load_workbook(out)
    for name in ("项目1", "项目2"):
        ws = seen[name]
        hidden = [r for r in range(first, layout.INDICATOR_LAST_ROW + 1) if ws.row_dimensions[r].hidden]
        assert hidden == list(range(first + 2, layout.INDICATOR_LAST_ROW + 1))
    assert seen["项目1"].oddHeader.left.text == "&A · 道路 && 桥梁"
    assert seen["项目2"].oddHeader.left.text == "本单位自定"
